"""Operations as maintainers name them (``POST /path``), found in a document."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from codegen.openapi import HTTP_METHODS, iter_operations
from codegen.problems import Problem


@dataclass(frozen=True)
class OperationKey:
    """An operation as a maintainer names it: ``POST /path``."""

    method: str
    path: str

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


def parse_operation(text: str) -> OperationKey:
    """``"POST /path"`` -> OperationKey; ValueError with a clear message otherwise."""
    parts = text.split()
    if len(parts) != 2 or parts[0].lower() not in HTTP_METHODS or not parts[1].startswith("/"):
        raise ValueError(f"operation {text!r} must be written 'METHOD /path', e.g. 'POST /contacts'")
    return OperationKey(parts[0].lower(), parts[1])


def operations_of(document: dict[str, Any]) -> Iterator[tuple[OperationKey, dict[str, Any], dict[str, Any]]]:
    """Every (key, path item, operation) of a document, in document order."""
    for entry in iter_operations(document):
        yield OperationKey(entry.method, entry.path), entry.item, entry.operation


def missing_operations(present: Iterable[OperationKey], wanted: list[OperationKey], source: str) -> list[Problem]:
    """A problem for each wanted operation not ``present``, with the nearest names as a hint."""
    names = list(dict.fromkeys(str(key) for key in present))
    problems = []
    for key in wanted:
        if str(key) not in names:
            close = difflib.get_close_matches(str(key), names, n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            problems.append(Problem("/paths", f"no operation {key} in {source}{hint}"))
    return problems

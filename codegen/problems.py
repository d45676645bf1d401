"""Problems found in a schema, reported together rather than one exception at a time."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Severity(enum.Enum):
    """How bad a problem is: errors stop generation, warnings are printed, notes say which default was applied."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, order=True)
class Problem:
    """One problem, located by the JSON pointer of the offending node."""

    pointer: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        return f"{self.severity.value}: {self.pointer or '/'}: {self.message}"


def has_errors(problems: Iterable[Problem]) -> bool:
    """Whether any of ``problems`` is an error (warnings never stop generation)."""
    return any(problem.severity is Severity.ERROR for problem in problems)


class SchemaError(Exception):
    """A schema cannot be turned into a client; ``problems`` lists every reason."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = sorted(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        lines = [f"{self.source}: {count} problem{'s' if count != 1 else ''}"]
        lines += [f"  {problem}" for problem in self.problems]
        return "\n".join(lines)


class SchemaErrors(Exception):
    """Several schemas cannot be turned into clients; ``errors`` has one SchemaError each."""

    def __init__(self, errors: list[SchemaError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


def escape_pointer_token(token: str | int) -> str:
    """Escape one JSON pointer reference token (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(pointer: str, *tokens: str | int) -> str:
    """Append reference tokens to a JSON pointer."""
    return pointer + "".join("/" + escape_pointer_token(token) for token in tokens)

"""Read a schema file into a Python object, with its hash, failing with located problems."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codegen.problems import Problem, SchemaError, escape_pointer_token, join_pointer


@dataclass(frozen=True)
class Document:
    """A loaded schema: its parsed content, where it came from and the sha256 of its bytes."""

    path: Path
    content: dict[str, Any]
    sha256: str


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    duplicates = []
    for key, value in pairs:
        if key in result:
            duplicates.append(key)
        result[key] = value
    if duplicates:
        raise _DuplicateKeysError(duplicates)
    return result


class _DuplicateKeysError(ValueError):
    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        super().__init__(f"duplicate keys {keys}")


def load_document(path: Path) -> Document:
    """Parse ``path`` as JSON; a missing file, bad JSON or duplicate keys raise SchemaError."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SchemaError(source, [Problem("", f"cannot read the schema: {exc.strerror}")]) from None
    try:
        content = json.loads(raw.decode("utf-8"), object_pairs_hook=_reject_duplicate_keys)
    except UnicodeDecodeError as exc:
        problem = Problem("", f"not UTF-8 text (byte {exc.start})")
        raise SchemaError(source, [problem]) from None
    except _DuplicateKeysError as exc:
        problem = Problem("", f"an object repeats the key(s) {', '.join(map(repr, exc.keys))}")
        raise SchemaError(source, [problem]) from None
    except json.JSONDecodeError as exc:
        problem = Problem("", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")
        raise SchemaError(source, [problem]) from None
    if not isinstance(content, dict):
        raise SchemaError(source, [Problem("", "the document must be a JSON object")])
    unencodable = list(_unencodable_strings(content, ""))
    if unencodable:
        problems = [
            Problem(pointer, "contains a lone surrogate (\\ud800-\\udfff), which is not text")
            for pointer in unencodable
        ]
        raise SchemaError(source, problems[:50])
    return Document(path=path, content=content, sha256=hashlib.sha256(raw).hexdigest())


def _unencodable_strings(node: Any, pointer: str) -> Iterator[str]:
    if isinstance(node, str):
        try:
            node.encode("utf-8")
        except UnicodeEncodeError:
            yield pointer
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _unencodable_strings(key, pointer)  # a bad key: the object holding it
            yield from _unencodable_strings(value, join_pointer(pointer, key.encode("utf-8", "replace").decode()))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _unencodable_strings(value, join_pointer(pointer, index))


def resolve_pointer(document: Any, pointer: str) -> Any:
    """Return the node at a JSON pointer (``/a/b`` or ``#/a/b``); KeyError when it is absent."""
    if pointer.startswith("#"):
        pointer = pointer[1:]
    if pointer == "":
        return document
    if not pointer.startswith("/"):
        raise KeyError(pointer)
    node = document
    for raw_token in pointer[1:].split("/"):
        token = raw_token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(pointer)
    return node


__all__ = ["Document", "escape_pointer_token", "follow_refs", "load_document", "resolve_pointer"]


def follow_refs(document: Any, node: Any) -> Any:
    """``node`` with its ``$ref`` chain followed as far as it leads (a cycle or a dangling ``$ref`` stops it)."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
        seen.add(node["$ref"])
        try:
            node = resolve_pointer(document, node["$ref"])
        except KeyError:
            break
    return node

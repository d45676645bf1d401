"""Tolerant structuring: a response that breaks the schema is still handed over, typed where it fits.

:func:`structure_tolerant` first structures as the converter always does (its fast path:
a valid response costs nothing more). Only when that fails does it walk the value along
the declared type: every part that fits is typed as usual, every part that does not (a
null where none is allowed, a missing required field, a value of another JSON type, a
date that does not parse) is kept exactly as received, and one :class:`Violation` per
such part says where (a JSON path) and why.

Reason: after a create, an exception would hide a record that exists at the vendor, and
the natural reaction, calling again, would create a duplicate.
"""

from __future__ import annotations

import types
import typing
from typing import Any, TypeVar

import attrs

from ._converter import converter
from ._unset import UNSET, UnsetType
from ._validation import child_path, json_type
from .errors import Violation

__all__ = ["structure_tolerant"]

T = TypeVar("T")
_NONE = type(None)
_MAX_DEPTH = 256


def structure_tolerant(data: Any, kind: type[T], path: str = "$") -> tuple[T, list[Violation]]:
    """``kind`` built from wire JSON, and where the data breaks it (empty when it does not)."""
    violations: list[Violation] = []
    value = _structure(data, kind, path, violations, 0)
    return value, violations


def _structure(value: Any, kind: Any, path: str, out: list[Violation], depth: int) -> Any:
    try:
        return converter.structure(value, kind)
    except Exception as exc:  # any failure: find the parts that break the type
        failure: BaseException = exc
    if depth >= _MAX_DEPTH:
        out.append(Violation(path, "nested too deeply to check; kept as received"))
        return value
    if _is_union(kind):
        return _union(value, kind, path, out, depth, failure)
    if attrs.has(kind) and isinstance(value, dict):
        return _model(value, kind, path, out, depth)
    origin = typing.get_origin(kind)
    if origin is list and isinstance(value, list):
        (item_kind,) = typing.get_args(kind) or (Any,)
        return [
            _structure(item, item_kind, child_path(path, index), out, depth + 1) for index, item in enumerate(value)
        ]
    if origin is dict and isinstance(value, dict):
        item_kind = (typing.get_args(kind) or (str, Any))[1]
        return {key: _structure(item, item_kind, child_path(path, key), out, depth + 1) for key, item in value.items()}
    out.append(Violation(path, _reason(value, failure)))
    return value


def _union(value: Any, kind: Any, path: str, out: list[Violation], depth: int, failure: BaseException) -> Any:
    """Repair inside the member the value's JSON type points to (a model for an object...)."""
    members = [member for member in typing.get_args(kind) if member is not UnsetType and member is not _NONE]
    if value is not None:
        for member in members:
            origin = typing.get_origin(member) or member
            if (isinstance(value, dict) and (attrs.has(member) or origin is dict)) or (
                isinstance(value, list) and origin is list
            ):
                return _structure(value, member, path, out, depth)
    out.append(Violation(path, _reason(value, failure)))
    return value


def _model(value: dict[str, Any], cls: type, path: str, out: list[Violation], depth: int) -> Any:
    attrs.resolve_types(cls)
    arguments: dict[str, Any] = {}
    known: set[str] = set()
    extra: attrs.Attribute[Any] | None = None
    for attribute in attrs.fields(cls):
        if attribute.metadata.get("extra"):
            extra = attribute
            continue
        wire = attribute.metadata.get("wire", attribute.name)
        known.add(wire)
        argument = attribute.alias or attribute.name
        if wire in value:
            arguments[argument] = _structure(value[wire], attribute.type, child_path(path, wire), out, depth + 1)
        elif attribute.default is attrs.NOTHING:
            out.append(Violation(child_path(path, wire), "is required but absent (left UNSET)"))
            arguments[argument] = UNSET
    if extra is not None:
        arguments[extra.alias or extra.name] = {key: item for key, item in value.items() if key not in known}
    return cls(**arguments)


def _is_union(kind: Any) -> bool:
    return typing.get_origin(kind) in (typing.Union, types.UnionType)


def _reason(value: Any, failure: BaseException) -> str:
    """Why ``value`` does not fit, from the converter's own message when it has one."""
    if value is None:
        return "is null, which the schema does not allow here"
    message = str(failure) if isinstance(failure, (TypeError, ValueError)) else ""
    if not message or len(message) > 300 or "\n" in message:
        message = f"a {json_type(value)} does not fit the schema"
    return message

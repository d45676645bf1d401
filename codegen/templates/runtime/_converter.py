"""The cattrs converter of this package: wire JSON <-> attrs models, losing nothing.

- Wire names (``ErrorCode``, ``firstName``) map to snake_case attributes through each
  field's ``metadata["wire"]``.
- Absent stays absent (``UNSET``, left out when writing) and null stays null (``None``).
- Keys a model does not declare are kept in ``extra_fields`` and written back.
- Enum values the schema does not list are kept (open enums).
- Dates and date-times are ``datetime.date``/``datetime.datetime`` and go back out in
  their wire form.
- JSON types are checked, not coerced: ``"12"`` is not an integer and ``12`` is not a
  string, so a wrong response is reported instead of silently changed.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.cols import list_structure_factory, mapping_structure_factory
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._datetimes import format_date, format_datetime, parse_date, parse_datetime
from ._enums import OpenEnum, OpenIntEnum, OpenStrEnum
from ._unset import UnsetType

T = TypeVar("T")
_Hook = Callable[[Any, Any], Any]


def _structure_enum(value: Any, kind: Any) -> Any:
    # By JSON type first: True must not become the member 1, nor "1" the member 1.
    if issubclass(kind, str) and not isinstance(value, str):
        raise TypeError(f"expected string, got {_json_type(value)}")
    if issubclass(kind, int) and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"expected integer, got {_json_type(value)}")
    return kind(value)


def _unstructure_enum(value: Any) -> Any:
    # A plain value given where an enum is declared passes through; validation judges it.
    return value.value if isinstance(value, enum.Enum) else value


def _is_union(kind: Any) -> bool:
    return typing.get_origin(kind) in (typing.Union, types.UnionType)


def _is_list(kind: Any) -> bool:
    return kind is list or typing.get_origin(kind) is list


def _is_dict(kind: Any) -> bool:
    return kind is dict or typing.get_origin(kind) is dict


def _expect(kind: type, name: str) -> _Hook:
    def structure(value: Any, _: Any) -> Any:
        if isinstance(value, kind) and not isinstance(value, bool):
            return value
        raise TypeError(f"expected {name}, got {_json_type(value)}")

    return structure


def _structure_bool(value: Any, _: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise TypeError(f"expected boolean, got {_json_type(value)}")


def _structure_number(value: Any, _: Any) -> Any:
    # An integer on the wire stays an int so that it is written back unchanged.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    raise TypeError(f"expected number, got {_json_type(value)}")


def _structure_date(value: Any, _: Any) -> date:
    if not isinstance(value, str):
        raise TypeError(f"expected a date string, got {_json_type(value)}")
    return parse_date(value)


def _structure_datetime(value: Any, _: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected a date-time string, got {_json_type(value)}")
    return parse_datetime(value)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _union_structure_factory(kind: Any, converter: cattrs.Converter) -> _Hook:
    members = [arg for arg in typing.get_args(kind) if arg is not UnsetType]
    nullable = type(None) in members
    members = [arg for arg in members if arg is not type(None)]
    hooks = [(member, converter.get_structure_hook(member)) for member in members]

    def structure(value: Any, _: Any) -> Any:
        if value is None:
            if nullable:
                return None
            raise TypeError("expected a value, got null")
        if len(hooks) == 1:
            member, hook = hooks[0]
            return hook(value, member)
        failures = []
        for member, hook in hooks:
            try:
                return hook(value, member)
            except (TypeError, ValueError, cattrs.BaseValidationError) as exc:
                failures.append(exc)
        raise TypeError(f"matches none of {len(hooks)} alternatives: {failures[0]}")

    return structure


def _checked(kind: type, name: str, inner: _Hook) -> _Hook:
    def structure(value: Any, target: Any) -> Any:
        if not isinstance(value, kind):
            raise TypeError(f"expected {name}, got {_json_type(value)}")
        return inner(value, target)

    return structure


def _list_factory(kind: Any, converter: cattrs.Converter) -> _Hook:
    if kind is list:
        kind = list[Any]
    return _checked(list, "array", list_structure_factory(kind, converter))


def _dict_factory(kind: Any, converter: cattrs.Converter) -> _Hook:
    if kind is dict:
        kind = dict[str, Any]
    return _checked(dict, "object", mapping_structure_factory(kind, converter))


def _wire_fields(cls: type) -> tuple[dict[str, str], str | None]:
    renames, extra = {}, None
    for attribute in attrs.fields(cls):
        if attribute.metadata.get("extra"):
            extra = attribute.name
        else:
            renames[attribute.name] = attribute.metadata.get("wire", attribute.name)
    return renames, extra


def _attrs_structure_factory(cls: type, converter: cattrs.Converter) -> _Hook:
    renames, extra = _wire_fields(cls)
    overrides = {name: override(rename=wire) for name, wire in renames.items()}
    if extra is not None:
        overrides[extra] = override(omit=True)
    build: Callable[[Any, Any], Any] = make_dict_structure_fn(cls, converter, **overrides)  # type: ignore[arg-type]
    known = frozenset(renames.values())

    def structure(value: Any, _: Any) -> Any:
        if not isinstance(value, dict):
            raise TypeError(f"expected object, got {_json_type(value)}")
        instance = build(value, cls)
        if extra is not None and not known.issuperset(value):
            setattr(instance, extra, {key: item for key, item in value.items() if key not in known})
        return instance

    return structure


def _attrs_unstructure_factory(cls: type, converter: cattrs.Converter) -> Callable[[Any], Any]:
    renames, extra = _wire_fields(cls)
    overrides = {name: override(rename=wire) for name, wire in renames.items()}
    if extra is not None:
        overrides[extra] = override(omit=True)
    dump: Callable[[Any], Any] = make_dict_unstructure_fn(cls, converter, _cattrs_omit_if_default=True, **overrides)  # type: ignore[arg-type]
    if extra is None:
        return dump

    def unstructure(instance: Any) -> Any:
        data = dump(instance)
        unknown = getattr(instance, extra)
        if unknown:
            data.update({key: value for key, value in unknown.items() if key not in data})
        return data

    return unstructure


def make_converter() -> cattrs.Converter:
    """Build a converter configured for this package's models (no global state)."""
    converter = cattrs.Converter()
    converter.register_structure_hook(str, _expect(str, "string"))
    converter.register_structure_hook(int, _expect(int, "integer"))
    converter.register_structure_hook(float, _structure_number)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(datetime, _structure_datetime)
    converter.register_structure_hook(date, _structure_date)
    converter.register_unstructure_hook(datetime, format_datetime)
    converter.register_unstructure_hook(date, format_date)
    # Registered by class: OpenStrEnum is a str, and the hooks for str would otherwise
    # apply to it (no enum member when reading, the member itself when writing).
    for enum_base in (OpenStrEnum, OpenIntEnum, OpenEnum, enum.Enum):
        converter.register_structure_hook(enum_base, _structure_enum)
        converter.register_unstructure_hook(enum_base, _unstructure_enum)
    converter.register_structure_hook_factory(_is_union, _union_structure_factory)
    converter.register_structure_hook_factory(_is_list, _list_factory)
    converter.register_structure_hook_factory(_is_dict, _dict_factory)
    converter.register_structure_hook_factory(attrs.has, _attrs_structure_factory)
    converter.register_unstructure_hook_factory(attrs.has, _attrs_unstructure_factory)
    return converter


converter = make_converter()
"""The package's converter; :func:`structure` and :func:`unstructure` use it."""


def structure(data: Any, cls: type[T]) -> T:
    """Build ``cls`` (a model, ``list[Model]``...) from wire JSON data."""
    return converter.structure(data, cls)


def unstructure(instance: Any) -> Any:
    """Turn a model (or a list of models) into wire JSON data."""
    return converter.unstructure(instance)

"""The cattrs converter of this package: wire JSON <-> attrs models, losing nothing.

- Wire names (``ErrorCode``, ``firstName``) map to snake_case attributes through each
  field's ``metadata["wire"]``.
- Absent stays absent (``UNSET``, left out when writing) and null stays null (``None``).
- Keys a model does not declare are kept in ``extra_fields`` and written back.
- Enum values the schema does not list are kept (open enums).
- Dates and date-times are ``datetime.date``/``datetime.datetime`` and go back out in
  their wire form.
- ``format: decimal`` numbers are ``decimal.Decimal``: built from an exact ``Decimal`` (what
  the client parses for them), an int, or a float (by its shortest repr), and written out as
  the ``Decimal`` itself, which the package's JSON writer puts on the wire with exactly its
  digits. A ``Decimal`` met where a float is declared becomes that float.
- JSON types are checked, not coerced: ``"12"`` is not an integer and ``12`` is not a
  string, so a wrong response is reported instead of silently changed.

Speed: for each model class the converter compiles, once, a structure function and an
unstructure function from the class's attrs metadata (attribute names, types, defaults;
wire names and hooks are handed to the compiled code as values, never written into its
source). They check scalar fields inline, build the instance without ``__init__``'s keyword
matching, and call a hook only for what needs one. The moment anything is unexpected (a
wrong type, a missing key, an error further down), structuring starts that object again on
cattrs' detailed path, a second converter that behaves exactly as this one did before the
fast paths, so that errors carry the same paths and messages. Classes the compiled
functions do not support (validators, converters, a custom ``__init__``...) always take
cattrs' path. Writing a union gives, as with cattrs, the hook of the value's own class.
"""

from __future__ import annotations

import enum
import keyword
import linecache
import threading
import types
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.cols import list_structure_factory, mapping_structure_factory
from cattrs.fns import identity
from cattrs.gen import iterable_unstructure_factory, make_dict_structure_fn, make_dict_unstructure_fn, override

from ._datetimes import WireDatetime, format_date, format_datetime, parse_date, parse_datetime
from ._enums import OpenEnum, OpenIntEnum, OpenStrEnum
from ._json import fraction_decimal
from ._unset import UNSET, UnsetType
from ._validation import json_type

__all__ = ["converter", "make_converter", "structure", "unstructure"]

T = TypeVar("T")
_Hook = Callable[[Any, Any], Any]
_Dump = Callable[[Any], Any]
_NONE = type(None)
_FACTORY: Any = type(attrs.Factory(dict))  # attrs' Factory class (a function to type checkers)


def _structure_enum(value: Any, kind: Any) -> Any:
    # By JSON type first: True must not become the member 1, nor "1" the member 1.
    if issubclass(kind, str) and not isinstance(value, str):
        raise TypeError(f"expected string, got {json_type(value)}")
    if issubclass(kind, int) and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"expected integer, got {json_type(value)}")
    return kind(value)


def _unstructure_enum(value: Any) -> Any:
    # A plain value given where an enum is declared passes through; validation judges it.
    return value.value if isinstance(value, enum.Enum) else value


def _is_union(kind: Any) -> bool:
    return typing.get_origin(kind) in (typing.Union, types.UnionType)


def _is_list(kind: Any) -> bool:
    return kind is list or typing.get_origin(kind) is list


def _is_bare_list(kind: Any) -> bool:
    return kind is list


def _is_typed_list(kind: Any) -> bool:
    return typing.get_origin(kind) is list


def _is_dict(kind: Any) -> bool:
    return kind is dict or typing.get_origin(kind) is dict


def _expect(kind: type, name: str) -> _Hook:
    def structure(value: Any, _: Any) -> Any:
        if isinstance(value, kind) and not isinstance(value, bool):
            return value
        raise TypeError(f"expected {name}, got {json_type(value)}")

    return structure


def _structure_bool(value: Any, _: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise TypeError(f"expected boolean, got {json_type(value)}")


def _structure_number(value: Any, _: Any) -> Any:
    # An integer on the wire stays an int so that it is written back unchanged.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal):  # parsed exactly for a decimal field elsewhere in the response
        return float(value)
    raise TypeError(f"expected number, got {json_type(value)}")


def _structure_decimal(value: Any, _: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        return fraction_decimal(repr(value))  # the shortest text that reads back as this float
    raise TypeError(f"expected number, got {json_type(value)}")


def _structure_date(value: Any, _: Any) -> date:
    if not isinstance(value, str):
        raise TypeError(f"expected a date string, got {json_type(value)}")
    return parse_date(value)


def _structure_datetime(value: Any, _: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"expected a date-time string, got {json_type(value)}")
    return parse_datetime(value)


_structure_str = _expect(str, "string")
_structure_int = _expect(int, "integer")

# The scalar hooks, and the classes of the values each returns unchanged: a value of
# exactly one of these classes needs no hook call (bool is not an int; an int is a number).
_SCALAR_HOOKS: dict[type, tuple[_Hook, tuple[type, ...]]] = {
    str: (_structure_str, (str,)),
    int: (_structure_int, (int,)),
    float: (_structure_number, (float, int)),
    bool: (_structure_bool, (bool,)),
    Decimal: (_structure_decimal, (Decimal,)),
}


def _scalar_classes(kind: Any, hook: Any) -> tuple[type, ...]:
    """The classes ``hook`` (the hook of ``kind``) returns unchanged; () unless it is a scalar hook."""
    known = _SCALAR_HOOKS.get(kind) if isinstance(kind, type) else None
    return known[1] if known is not None and hook is known[0] else ()


def _union_structure_factory(kind: Any, converter: cattrs.Converter) -> _Hook:
    members = [arg for arg in typing.get_args(kind) if arg is not UnsetType]
    nullable = _NONE in members or Any in members  # a value of any type may be null (schema {})
    members = [arg for arg in members if arg is not _NONE]
    hooks = [(member, converter.get_structure_hook(member)) for member in members]

    if len(hooks) == 1:
        # `X | UnsetType`, `X | None`, `X | UnsetType | None`: one closure, and for a scalar X
        # a value of the right class comes back without a second call.
        member, hook = hooks[0]
        classes = _scalar_classes(member, hook)

        def structure_one(value: Any, _: Any) -> Any:
            if value.__class__ in classes:
                return value
            if value is None:
                if nullable:
                    return None
                raise TypeError("expected a value, got null")
            return hook(value, member)

        return structure_one

    def structure(value: Any, _: Any) -> Any:
        if value is None:
            if nullable:
                return None
            raise TypeError("expected a value, got null")
        failures = []
        for member, hook in hooks:
            try:
                return hook(value, member)
            except (TypeError, ValueError, cattrs.BaseValidationError) as exc:
                failures.append(exc)
        raise TypeError(f"matches none of {len(hooks)} alternatives: {failures[0]}")

    return structure


def _union_unstructure_factory(kind: Any, converter: cattrs.Converter) -> _Dump:
    """What cattrs does for a union, in fewer calls: typed for ``X | None``, by class otherwise."""
    args = typing.get_args(kind)
    if len(args) == 2 and _NONE in args:
        # cattrs' optional rule: None, or the hook of X; cattrs' identity when that is one.
        other = args[0] if args[1] is _NONE else args[1]
        hook: _Dump = converter.unstructure if isinstance(other, TypeVar) else converter.get_unstructure_hook(other)
        if hook is identity:
            return identity

        def unstructure_optional(value: Any) -> Any:
            return None if value is None else hook(value)

        return unstructure_optional
    # Any other union is unstructured by the value's own class, as cattrs does; the classes
    # whose hook is the identity are answered here.
    plain = _identity_classes(converter)
    dispatch = converter.unstructure

    def unstructure(value: Any) -> Any:
        return value if value.__class__ in plain else dispatch(value)

    return unstructure


def _identity_classes(converter: cattrs.Converter) -> frozenset[type]:
    """The JSON scalar classes (None and Decimal included) the converter writes out as they are."""
    return frozenset(
        kind for kind in (str, int, float, bool, Decimal, _NONE) if converter.get_unstructure_hook(kind) is identity
    )


def _checked(kind: type, name: str, inner: _Hook) -> _Hook:
    def structure(value: Any, target: Any) -> Any:
        if not isinstance(value, kind):
            raise TypeError(f"expected {name}, got {json_type(value)}")
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
            raise TypeError(f"expected object, got {json_type(value)}")
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
    dump: Callable[[Any], Any] = make_dict_unstructure_fn(
        cls,
        converter,
        _cattrs_omit_if_default=True,
        **overrides,  # type: ignore[arg-type]
    )
    if extra is None:
        return dump

    def unstructure(instance: Any) -> Any:
        data = dump(instance)
        unknown = getattr(instance, extra)
        if unknown:
            data.update({key: value for key, value in unknown.items() if key not in data})
        return data

    return unstructure


# -- Fast paths: compiled per model class ------------------------------------------------------

_ABSENT = object()  # what a dict gives for a key it lacks; never JSON data
_building = threading.local()


@contextmanager
def _building_hook(direction: str, cls: type) -> Iterator[None]:
    """Mark the hook of ``cls`` as being built; a class met again on the way refers to itself.

    The RecursionError tells whoever looks the hook up to bind it late (``converter.structure``),
    as cattrs does for its own generated functions.
    """
    active: set[tuple[str, type]] = _building.__dict__.setdefault("active", set())
    if (direction, cls) in active:
        raise RecursionError(f"{cls.__qualname__} refers to itself")
    active.add((direction, cls))
    try:
        yield
    finally:
        active.discard((direction, cls))


@attrs.frozen
class _Plan:
    """What the compiled functions of a model class need to know, from its attrs metadata."""

    fields: tuple[attrs.Attribute[Any], ...]
    wires: tuple[str, ...]
    extra: attrs.Attribute[Any] | None


def _supported_type(kind: Any) -> bool:
    if kind is None or isinstance(kind, (str, TypeVar)):
        return False
    origin = typing.get_origin(kind)
    return kind is not typing.Final and origin not in (typing.Final, typing.Annotated, typing.ClassVar)


def _plan(cls: type) -> _Plan | None:
    """The attributes of a model class, or None when the compiled functions do not apply to it.

    They apply to plain classes: made by attrs' own ``__init__`` (nothing run before or after
    it), no validator, converter, ``on_setattr`` hook or frozen instances, no generics, every
    attribute set by ``__init__`` under an identifier, distinct wire names.
    """
    new: Any = cls.__new__
    set_attribute: Any = cls.__setattr__
    if (
        getattr(cls, "__parameters__", ())
        or new is not object.__new__
        or set_attribute is not object.__setattr__
        or any(hasattr(cls, name) for name in ("__attrs_init__", "__attrs_pre_init__", "__attrs_post_init__"))
    ):
        return None
    try:
        attrs.resolve_types(cls)
    except Exception:  # an annotation that does not resolve: cattrs' path reports it
        return None
    renames, extra_name = _wire_fields(cls)  # the wire names, as the detailed path reads them
    fields: list[attrs.Attribute[Any]] = []
    extra = None
    for attribute in attrs.fields(cls):
        default = attribute.default
        if (
            not attribute.init
            or attribute.converter is not None
            or attribute.validator is not None
            or not attribute.name.isidentifier()
            or keyword.iskeyword(attribute.name)
            or (isinstance(default, _FACTORY) and default.takes_self)
        ):
            return None
        if attribute.name == extra_name:
            extra = attribute
        elif attribute.metadata.get("extra") or not _supported_type(attribute.type):
            return None  # a second extra-fields attribute, or a type cattrs treats specially
        else:
            fields.append(attribute)
    wires = tuple(renames[attribute.name] for attribute in fields)
    if not all(isinstance(wire, str) for wire in wires) or len(set(wires)) != len(wires):
        return None
    if extra is not None and extra.default is attrs.NOTHING:
        return None
    return _Plan(tuple(fields), wires, extra)


def _compile(name: str, lines: list[str], namespace: dict[str, Any], cls: type) -> Any:
    """Compile the function ``name`` from ``lines`` (no text of the schema in them) in ``namespace``."""
    source = "\n".join(lines) + "\n"
    filename = f"<{name} of {cls.__module__}.{cls.__qualname__}>"
    exec(compile(source, filename, "exec"), namespace)
    linecache.cache[filename] = (len(source), None, source.splitlines(keepends=True), filename)  # for tracebacks
    return namespace[name]


def _default_expression(default: Any, slot: str, namespace: dict[str, Any]) -> str:
    if isinstance(default, _FACTORY):
        namespace[slot] = default.factory
        return f"{slot}()"
    namespace[slot] = default
    return slot


def _inline_enum(kind: Any) -> tuple[type, dict[Any, Any]] | None:
    """For a str or int enum: the class of its values and value -> member, as ``kind(value)`` gives."""
    if not (isinstance(kind, type) and issubclass(kind, enum.Enum)):
        return None
    value_class = str if issubclass(kind, str) else int if issubclass(kind, int) else None
    if value_class is None:
        return None
    members = {member.value: member for member in kind}
    if not all(value.__class__ is value_class for value in members):
        return None
    return value_class, members


def _fast_structure_factory(detailed: cattrs.Converter) -> Callable[[type, cattrs.Converter], _Hook]:
    def factory(cls: type, converter: cattrs.Converter) -> _Hook:
        plan = _plan(cls)
        if plan is None:
            return _attrs_structure_factory(cls, converter)
        with _building_hook("structure", cls):
            return _compile_structure(cls, plan, converter, detailed)

    return factory


def _compile_structure(cls: type, plan: _Plan, converter: cattrs.Converter, detailed: cattrs.Converter) -> _Hook:
    def slow(value: Any) -> Any:
        # The detailed converter all the way down: no fast path is tried twice.
        return detailed.get_structure_hook(cls)(value, cls)

    namespace: dict[str, Any] = {
        "_cls": cls,
        "_new": object.__new__,
        "_dict": dict,
        "_str": str,
        "_absent": _ABSENT,
        "_Exception": Exception,
        "_slow": slow,
        "_known": frozenset(plan.wires),
        "_count": len(plan.wires),
    }
    body = ["inst = _new(_cls)", "missing = 0"]
    for index, (attribute, wire) in enumerate(zip(plan.fields, plan.wires, strict=True)):
        namespace[f"_k{index}"] = wire
        body += _structure_field(index, attribute, converter, namespace)
    if plan.extra is not None:
        default = _default_expression(plan.extra.default, "_extra_default", namespace)
        body += [
            "if len(o) + missing == _count:",
            f"    inst.{plan.extra.name} = {default}",
            "else:",
            f"    inst.{plan.extra.name} = {{key: item for key, item in o.items() if key not in _known}}",
        ]
    body.append("return inst")
    lines = [
        "def structure(o, _):",
        "    if o.__class__ is _dict:",
        "        try:",
        *(f"            {line}" for line in body),
        "        except _Exception:",
        "            pass",
        "    return _slow(o)",
    ]
    function: _Hook = _compile("structure", lines, namespace, cls)
    return function


def _structure_field(
    index: int, attribute: attrs.Attribute[Any], converter: cattrs.Converter, namespace: dict[str, Any]
) -> list[str]:
    """Lines setting ``inst.<name>`` from ``o``; any exception means "take the detailed path"."""
    kind = attribute.type
    target = f"inst.{attribute.name}"
    late = False
    try:
        hook: _Hook = converter.get_structure_hook(kind)
    except RecursionError:  # the class refers to itself: bind late, as cattrs does
        hook, late = converter.structure, True
    namespace[f"_h{index}"] = hook
    namespace[f"_t{index}"] = kind
    call = f"_h{index}(v, _t{index})"
    nullable = False
    member: Any = kind
    member_hook: _Hook | None = None if late else hook
    args = typing.get_args(kind) if _is_union(kind) else ()
    if args and not late:
        # Our union hook: None when nullable, else the one member's hook (several: the union's).
        nullable = _NONE in args or Any in args
        members = [arg for arg in args if arg not in (UnsetType, _NONE)]
        member = members[0] if len(members) == 1 else None
        try:
            member_hook = converter.get_structure_hook(member) if member is not None else None
        except RecursionError:
            member_hook = None
        if member_hook is not None and nullable:
            # Past the branches below the value is neither None nor absent: the member's hook.
            namespace[f"_m{index}"] = member_hook
            namespace[f"_mt{index}"] = member
            call = f"_m{index}(v, _mt{index})"
    optional = attribute.default is not attrs.NOTHING
    lines = [f"v = o.get(_k{index}, _absent)" if optional else f"v = o[_k{index}]"]
    branches: list[tuple[str, list[str]]] = []
    classes = _scalar_classes(member, member_hook)
    if classes:
        tests = []
        for position, value_class in enumerate(classes):
            namespace[f"_c{index}_{position}"] = value_class
            tests.append(f"c is _c{index}_{position}")
        lines.append("c = v.__class__")
        branches.append((" or ".join(tests), [f"{target} = v"]))
    if nullable:
        branches.append(("v is None", [f"{target} = None"]))
    if optional:
        default = _default_expression(attribute.default, f"_d{index}", namespace)
        branches.append(("v is _absent", [f"{target} = {default}", "missing += 1"]))
    inline = _inline_enum(member) if member_hook is _structure_enum else None
    if inline is not None:
        namespace[f"_ec{index}"], namespace[f"_em{index}"] = inline
        branches.append((f"v.__class__ is _ec{index} and v in _em{index}", [f"{target} = _em{index}[v]"]))
    elif member_hook is _structure_datetime or member_hook is _structure_date:
        namespace[f"_p{index}"] = parse_datetime if member_hook is _structure_datetime else parse_date
        branches.append(("v.__class__ is _str", [f"{target} = _p{index}(v)"]))
    elif member_hook is _structure_decimal:  # an integer amount, as _structure_decimal reads it
        namespace["_Decimal"], namespace["_int"] = Decimal, int
        branches.append(("c is _int", [f"{target} = _Decimal(v)"]))
    if not branches:
        return [*lines, f"{target} = {call}"]
    for position, (test, statements) in enumerate(branches):
        lines.append(f"{'elif' if position else 'if'} {test}:")
        lines += [f"    {statement}" for statement in statements]
    return [*lines, "else:", f"    {target} = {call}"]


@attrs.define
class _Probe:
    """An attrs class, for the ``__ne__`` attrs gives every class it writes ``__eq__`` for."""


_ATTRS_NE: Any = _Probe.__ne__


def _differs_from_unset(kind: type) -> bool:
    """Whether ``value != UNSET`` surely holds for every value of exactly this class.

    True of the JSON classes, dates, enums and attrs models that keep the comparisons
    Python or attrs gives them (they answer NotImplemented, then identity decides).
    """
    if kind in (str, int, float, bool, Decimal, _NONE, list, dict, date, datetime, WireDatetime):
        return True
    equal: Any = kind.__eq__
    unequal: Any = kind.__ne__
    if issubclass(kind, enum.Enum):
        return any(equal is known for known in (object.__eq__, str.__eq__, int.__eq__)) and any(
            unequal is known for known in (object.__ne__, str.__ne__, int.__ne__)
        )
    code = getattr(equal, "__code__", None)
    return attrs.has(kind) and unequal is _ATTRS_NE and code is not None and code.co_filename.startswith("<attrs ")


def _plain_value(kind: Any) -> bool:
    """Whether ``member.value`` of an enum class is ``member._value_`` (nothing overrides it)."""
    return (
        isinstance(kind, type)
        and issubclass(kind, enum.Enum)
        and all("value" not in vars(base) for base in kind.__mro__ if base is not enum.Enum)
    )


def _bare_list_unstructurer(converter: cattrs.Converter) -> _Dump:
    """cattrs' hook for a bare ``list``: each item by its own class, in a list comprehension."""
    dump = converter.unstructure

    def unstructure_list(items: Any) -> Any:
        return [dump(item) for item in items]

    return unstructure_list


def _list_unstructure_factory(kind: Any, converter: cattrs.Converter) -> _Dump:
    """cattrs' hook for ``list[X]`` (the hook of X on each item), in a list comprehension."""
    item_kind = typing.get_args(kind)[0]
    hook: _Dump | None = None
    if not isinstance(item_kind, TypeVar):
        hook = converter.get_unstructure_hook(item_kind)
    if hook is None or hook is identity:
        return iterable_unstructure_factory(kind, converter, unstructure_to=list)  # cattrs' own, as it builds it
    item_hook = hook

    def unstructure_list(items: Any) -> Any:
        return [item_hook(item) for item in items]

    return unstructure_list


def _fast_unstructure_factory(bare_list: _Dump) -> Callable[[type, cattrs.Converter], _Dump]:
    def factory(cls: type, converter: cattrs.Converter) -> _Dump:
        plan = _plan(cls)
        if plan is None:
            return _attrs_unstructure_factory(cls, converter)
        with _building_hook("unstructure", cls):
            return _compile_unstructure(cls, plan, converter, bare_list)

    return factory


def _compile_unstructure(cls: type, plan: _Plan, converter: cattrs.Converter, bare_list: _Dump) -> _Dump:
    """What ``make_dict_unstructure_fn(..., _cattrs_omit_if_default=True)`` writes, in fewer calls.

    Fields without a default come first, then the others unless equal to their default,
    then unknown fields; each value goes through the hook cattrs would use (for a union:
    the hook of the value's own class), answered inline where that hook is known.
    """
    namespace: dict[str, Any] = {"_unset": UNSET, "_dump": converter.unstructure}
    plain = _identity_classes(converter)
    before: list[str] = []
    required: list[str] = []
    optional: list[str] = []
    for index, (attribute, wire) in enumerate(zip(plan.fields, plan.wires, strict=True)):
        kind = attribute.type
        namespace[f"_k{index}"] = wire
        try:
            hook: _Dump = converter.get_unstructure_hook(kind)
        except RecursionError:  # the class refers to itself: bind late, as cattrs does
            hook = converter.unstructure
        namespace[f"_u{index}"] = hook
        args = typing.get_args(kind) if _is_union(kind) else ()
        # cattrs writes a union other than `X | None` by the value's own class.
        by_class = bool(args) and not (len(args) == 2 and _NONE in args)
        if attribute.default is attrs.NOTHING:
            value = f"instance.{attribute.name}"
            if hook is identity:
                required.append(f"_k{index}: {value},")
            elif hook is _unstructure_enum and _plain_value(kind):
                namespace[f"_e{index}"] = kind
                before += [
                    f"v{index} = {value}",
                    f"v{index} = v{index}._value_ if v{index}.__class__ is _e{index} else _u{index}(v{index})",
                ]
                required.append(f"_k{index}: v{index},")
            else:
                required.append(f"_k{index}: _u{index}({value}),")
            continue
        target = f"res[_k{index}]"
        optional.append(f"v = instance.{attribute.name}")
        if attribute.default is not UNSET or not (by_class or hook is identity):
            default = _default_expression(attribute.default, f"_d{index}", namespace)
            written = "v" if hook is identity else f"_u{index}(v)"
            optional += [f"if v != {default}:", f"    {target} = {written}"]
            continue
        # Each branch gives what the hook would, for values that surely differ from UNSET;
        # first those it returns unchanged: the declared scalars (an int for a float), None.
        members = [arg for arg in args if arg is not UnsetType] if by_class else []
        declared = [arg for arg in members if arg in (str, int, float, bool, Decimal)]
        declared += [int] if float in declared and int not in declared else []
        unchanged = [arg for arg in declared if hook is identity or arg in plain]
        tests = [f"c is _p{index}_{position}" for position in range(len(unchanged))]
        tests += ["v is None"] if hook is identity or _NONE in plain else []
        namespace.update({f"_p{index}_{position}": arg for position, arg in enumerate(unchanged)})
        branches = [(" or ".join(tests), "v")] if tests else []
        for position, member in enumerate(members):
            try:
                branches += _member_branches(f"_m{index}_{position}", member, converter, bare_list, namespace)
            except RecursionError:  # the member refers to this class: its values take the hook
                continue
        written = "v" if hook is identity else f"_u{index}(v)"
        branches.append(("v is not _unset and v != _unset", written))
        optional += ["c = v.__class__"] if any("c is " in test for test, _ in branches) else []
        for position, (test, expression) in enumerate(branches):
            optional += [f"{'elif' if position else 'if'} {test}:", f"    {target} = {expression}"]
    lines = ["def unstructure(instance):", *(f"    {line}" for line in before), "    res = {"]
    lines += [f"        {line}" for line in required]
    lines += ["    }", *(f"    {line}" for line in optional)]
    if plan.extra is not None:
        lines += [
            f"    unknown = instance.{plan.extra.name}",
            "    if unknown:",
            "        res.update({key: value for key, value in unknown.items() if key not in res})",
        ]
    lines.append("    return res")
    function: _Dump = _compile("unstructure", lines, namespace, cls)
    return function


def _member_branches(
    name: str, member: Any, converter: cattrs.Converter, bare_list: _Dump, namespace: dict[str, Any]
) -> list[tuple[str, str]]:
    """(test, expression) pairs writing a value of a union member's own class as its hook does.

    Only for classes whose values surely differ from UNSET; ``c`` is the value's class.
    """
    if typing.get_origin(member) is list and converter.get_unstructure_hook(list) is bare_list:
        item_kind = typing.get_args(member)[0]
        if not isinstance(item_kind, type):
            return []
        # The bare list hook dumps each item by its own class: the declared one inline.
        namespace[f"{name}_item"] = item_kind
        namespace[f"{name}_hook"] = converter.get_unstructure_hook(item_kind)
        namespace[f"{name}_list"] = list
        item = f"{name}_hook(item) if item.__class__ is {name}_item else _dump(item)"
        return [(f"c is {name}_list", f"[{item} for item in v]")]
    if not isinstance(member, type) or member in _identity_classes(converter) or not _differs_from_unset(member):
        return []
    branches = []
    for variant, runtime_class in enumerate([member, WireDatetime] if member is datetime else [member]):
        hook = converter.get_unstructure_hook(runtime_class)
        namespace[f"{name}_{variant}"] = runtime_class
        if hook is identity:
            expression = "v"
        elif hook is _unstructure_enum and _plain_value(runtime_class):
            expression = "v._value_"
        else:
            namespace[f"{name}_{variant}_hook"] = hook
            expression = f"{name}_{variant}_hook(v)"
        branches.append((f"c is {name}_{variant}", expression))
    return branches


def _fast_list_factory(detailed: cattrs.Converter) -> Callable[[Any, cattrs.Converter], _Hook]:
    def factory(kind: Any, converter: cattrs.Converter) -> _Hook:
        args = typing.get_args(kind)
        if not args or args[0] is Any:
            return _list_factory(kind, converter)  # list(value): nothing to check per item
        item_kind = args[0]
        try:
            hook = converter.get_structure_hook(item_kind)
        except RecursionError:  # the item type refers to the list: bind late, as cattrs does
            hook = converter.structure
        classes = _scalar_classes(item_kind, hook)

        def slow(value: Any) -> Any:
            return detailed.get_structure_hook(kind)(value, kind)

        if classes:

            def structure_scalars(value: Any, _: Any) -> Any:
                if value.__class__ is list:
                    try:
                        return [item if item.__class__ in classes else hook(item, item_kind) for item in value]
                    except Exception:
                        pass
                return slow(value)

            return structure_scalars

        def structure(value: Any, _: Any) -> Any:
            if value.__class__ is list:
                try:
                    return [hook(item, item_kind) for item in value]
                except Exception:
                    pass
            return slow(value)

        return structure

    return factory


def _register_common(converter: cattrs.Converter) -> None:
    """The hooks of scalars, dates, enums, unions and dicts, the same on both converters."""
    converter.register_structure_hook(str, _structure_str)
    converter.register_structure_hook(int, _structure_int)
    converter.register_structure_hook(float, _structure_number)
    converter.register_structure_hook(bool, _structure_bool)
    converter.register_structure_hook(Decimal, _structure_decimal)
    converter.register_unstructure_hook(Decimal, identity)
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
    converter.register_structure_hook_factory(_is_dict, _dict_factory)


def _make_detailed_converter() -> cattrs.Converter:
    """The converter of cattrs' detailed path, which the fast paths fall back to on any error.

    It is the converter of this package before the fast paths (unstructuring included, so
    that the tests can compare the two).
    """
    converter = cattrs.Converter()
    _register_common(converter)
    converter.register_structure_hook_factory(_is_list, _list_factory)
    converter.register_structure_hook_factory(attrs.has, _attrs_structure_factory)
    converter.register_unstructure_hook_factory(attrs.has, _attrs_unstructure_factory)
    return converter


def make_converter() -> cattrs.Converter:
    """Build a converter configured for this package's models (no global state)."""
    detailed = _make_detailed_converter()
    converter = cattrs.Converter()
    _register_common(converter)
    converter.register_structure_hook_factory(_is_list, _fast_list_factory(detailed))
    converter.register_structure_hook_factory(attrs.has, _fast_structure_factory(detailed))
    bare_list = _bare_list_unstructurer(converter)
    converter.register_unstructure_hook_func(_is_bare_list, bare_list)
    converter.register_unstructure_hook_factory(_is_typed_list, _list_unstructure_factory)
    converter.register_unstructure_hook_factory(_is_union, _union_unstructure_factory)
    converter.register_unstructure_hook_factory(attrs.has, _fast_unstructure_factory(bare_list))
    return converter


converter = make_converter()
"""The package's converter; :func:`structure` and :func:`unstructure` use it."""


def structure(data: Any, cls: type[T]) -> T:
    """Build ``cls`` (a model, ``list[Model]``...) from wire JSON data."""
    return converter.structure(data, cls)


def unstructure(instance: Any) -> Any:
    """Turn a model (or a list of models) into wire JSON data."""
    return converter.unstructure(instance)

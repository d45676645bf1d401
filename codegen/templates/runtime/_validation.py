"""Request validation against the package's JSON Schema (the subset OpenAPI 3.1 schemas use).

Every violation is collected, each with a JSON path such as ``$.lines[3].tax_rate``, so
that one error tells the caller everything that is wrong before anything is sent. The
semantics follow JSON Schema draft 2020-12 (and the ``jsonschema`` package's format checks).
A ``decimal.Decimal`` is a number like an int or a float; against ``minimum``, ``maximum``,
``exclusive*`` and ``multipleOf`` it is compared exactly, each bound read as the decimal its
JSON text says (``0.1`` is one tenth), and it must be finite and within the range of a double.
JSON has no NaN and no infinity, so no schema accepts one, not ``true`` either: the items and
properties a schema leaves free are searched for them (see ``_applies_others``). A valid value
can therefore be written by a writer that would turn them into ``null`` unseen (orjson).

Two implementations of the same semantics live here. The interpreter (``SchemaValidator._check``
and friends) walks the schema and says what is wrong, where. Because almost every request is
valid, ``validate`` first asks a compiled check (``_Compiler``), made once per schema, which
only answers "valid or not"; the interpreter runs only when that answer is "not" (or when the
compiled check could not be made, or raised), so violations, paths and messages are the
interpreter's. The compiled check must answer True exactly when the interpreter would find
nothing and raise nothing, also inside ``not`` and ``oneOf``, where a wrong "not" would become a
wrong "valid": so it evaluates the same keywords on the same parts of the value, stops early only
where the interpreter does (a wrong type, a number that is not finite, the depth limit), and so
raises where the interpreter would raise.
"""

from __future__ import annotations

import functools
import math
import operator
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ._json import finite_numbers
from .errors import Violation

__all__ = ["SchemaValidator", "child_path", "json_type", "pattern_regex"]

_REF_PREFIX = "#/components/schemas/"
_MAX_DEPTH = 256
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)",
    re.ASCII | re.IGNORECASE,
)


def child_path(path: str, key: str | int) -> str:
    """``$`` + ``lines`` + ``3`` -> ``$.lines[3]``; keys that are not identifiers are quoted."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if _IDENTIFIER.fullmatch(key):
        return f"{path}.{key}"
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    return f'{path}["{escaped}"]'


def _same_but_case(name: object, candidates: Iterable[object]) -> str | None:
    """The first of ``candidates`` that equals ``name`` only when case is ignored (``Type`` for ``type``)."""
    if not isinstance(name, str):  # a dict given with keys that are not JSON's
        return None
    folded = name.casefold()
    return next(
        (other for other in candidates if isinstance(other, str) and other != name and other.casefold() == folded),
        None,
    )


def _unknown_key(key: str, meant: str) -> str:
    # A hint, given only beside a violation the key causes: the compiled checks need not know of it.
    return f"unknown key {key!r}; did you mean {meant!r}?"


def json_type(value: Any) -> str:
    """The JSON type name of a Python value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, (float, Decimal)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _is_type(value: Any, kind: str) -> bool:
    if kind == "integer":
        return (
            (isinstance(value, int) and not isinstance(value, bool))
            or (isinstance(value, float) and value.is_integer())
            or (isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value())
        )
    if kind == "number":
        return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
    return {
        "string": isinstance(value, str),
        "boolean": isinstance(value, bool),
        "null": value is None,
        "array": isinstance(value, (list, tuple)),
        "object": isinstance(value, dict),
    }.get(kind, False)


def _valid_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _valid_datetime(text: str) -> bool:
    match = _DATETIME.fullmatch(text)
    if match is None:
        return False
    return _valid_date(f"{match.group(1)}-{match.group(2)}-{match.group(3)}")


def _valid_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return all(len(text) > position and text[position] == "-" for position in (8, 13, 18, 23))


def _valid_email(text: str) -> bool:
    local, at, domain = text.rpartition("@")
    return bool(at and local and domain)


@functools.lru_cache(maxsize=512)
def pattern_regex(pattern: str) -> re.Pattern[str]:
    """A JSON Schema (ECMA-262) pattern as a Python regex: ``$`` ends the text, never before a final newline."""
    translated, in_class, index = [], False, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            translated.append(pattern[index : index + 2])
            index += 2
            continue
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        translated.append("\\Z" if char == "$" and not in_class else char)
        index += 1
    return re.compile("".join(translated))


_FORMATS = {
    "date": (_valid_date, "a date (YYYY-MM-DD)"),
    "date-time": (_valid_datetime, "an RFC 3339 date-time with offset"),
    "email": (_valid_email, "an email address (local part @ domain)"),
    "uuid": (_valid_uuid, "a UUID"),
}


def _exact(number: Any) -> Decimal | None:
    """A JSON number as the Decimal its text means (a float by its shortest repr); None if not finite."""
    exact = number if isinstance(number, Decimal) else Decimal(repr(number) if isinstance(number, float) else number)
    return exact if exact.is_finite() else None


def _readable(value: Decimal) -> bool:
    """Whether JSON readers (IEEE 754 doubles) get this number, not infinity or 0 for it."""
    approximate = float(value)
    return not math.isinf(approximate) and (approximate != 0 or value == 0)


_BOUNDS = (
    ("minimum", operator.lt, ">="),
    ("maximum", operator.gt, "<="),
    ("exclusiveMinimum", operator.le, ">"),
    ("exclusiveMaximum", operator.ge, "<"),
)


def _decimal_problems(value: Decimal, schema: Mapping[str, Any]) -> list[str]:
    """What a Decimal breaks of the number keywords, computed exactly (bounds read as their JSON text)."""
    if not value.is_finite():
        return ["must be a finite number"]
    if not _readable(value):
        return [f"must be within the range of a double (JSON readers would get infinity or 0), not {value}"]
    problems = []
    for keyword, fails, relation in _BOUNDS:
        if keyword in schema:
            bound = _exact(schema[keyword])
            if bound is not None and fails(value, bound):
                problems.append(f"must be {relation} {schema[keyword]}, not {value}")
    step = schema.get("multipleOf")
    if step is not None:
        exact_step = _exact(step)
        if not exact_step or (Fraction(value) / Fraction(exact_step)).denominator != 1:
            problems.append(f"must be a multiple of {step}")
    return problems


def _equal(left: Any, right: Any) -> bool:
    """JSON equality: 1 == 1.0, but True is not 1; a Decimal equals the number of the same value."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        return len(left) == len(right) and all(_equal(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_equal(left[key], right[key]) for key in left)
    if isinstance(left, Decimal) or isinstance(right, Decimal):
        if not (_is_type(left, "number") and _is_type(right, "number")):
            return False
        exact = _exact(left)
        return exact is not None and exact == _exact(right)
    return bool(type(left) is type(right) or (_is_type(left, "number") and _is_type(right, "number"))) and bool(
        left == right
    )


class SchemaValidator:
    """Validates JSON values against schemas that may ``$ref`` the package's components."""

    def __init__(self, components: Mapping[str, Any]) -> None:
        self._components = components
        self._compiler = _Compiler(components, self._resolve)
        # id(schema) -> (schema, its compiled check, or None when it cannot be compiled). The
        # schema is kept so that its id stays its own; schemas must not be mutated once used.
        self._compiled: dict[int, tuple[Any, _Compiled | None]] = {}

    def validate(self, value: Any, schema: Any, path: str = "$") -> list[Violation]:
        """Every violation of ``schema`` by ``value``; empty when valid."""
        entry = self._compiled.get(id(schema))
        if entry is None or entry[0] is not schema:
            entry = self._compile(schema)
        compiled = entry[1]
        if compiled is not None:
            trivial, check = compiled
            try:
                valid = value.__class__ in trivial or check(value)
            except Exception:  # the interpreter below raises the same error, or says what is wrong
                valid = False
            if valid:
                return []
        return self._violations(value, schema, path)

    def _compile(self, schema: Any) -> tuple[Any, _Compiled | None]:
        if len(self._compiled) >= _MAX_COMPILED_SCHEMAS or self._compiler.size() >= _MAX_COMPILED_NODES:
            self._compiled.clear()  # a caller passing a new schema object on every call
            self._compiler.clear()
        try:
            compiled: _Compiled | None = self._compiler.compile(schema, 0)
        except Exception:  # an unusual schema (or a deep one): the interpreter handles it on its own
            compiled = None
        entry = (schema, compiled)
        self._compiled[id(schema)] = entry
        return entry

    def _violations(self, value: Any, schema: Any, path: str = "$") -> list[Violation]:
        """Every violation, found by the interpreter (the reference the compiled checks follow), each once."""
        violations: list[Violation] = []
        self._check(value, schema, path, violations, 0)
        return list(dict.fromkeys(violations))  # a NaN may be found by a schema and by a sibling in allOf

    def _resolve(self, ref: str) -> Any:
        if not ref.startswith(_REF_PREFIX):
            raise ValueError(f"unsupported reference {ref!r}")
        return self._components[ref[len(_REF_PREFIX) :]]

    def _check(self, value: Any, schema: Any, path: str, out: list[Violation], depth: int) -> None:
        if schema is True or schema is None:
            if not _all_finite(value):
                self._check_finite(value, path, out)
            return
        if schema is False:
            out.append(Violation(path, "is not allowed here"))
            return
        if depth > _MAX_DEPTH:
            out.append(Violation(path, "is nested too deeply"))
            return
        if "$ref" in schema:
            self._check(value, self._resolve(schema["$ref"]), path, out, depth + 1)
        declared = schema.get("type")
        if declared is not None:
            kinds = declared if isinstance(declared, list) else [declared]
            if not any(_is_type(value, kind) for kind in kinds):
                expected = " or ".join(kinds)
                out.append(Violation(path, f"must be of type {expected}, not {json_type(value)}"))
                return
        if "enum" in schema and not any(_equal(value, option) for option in schema["enum"]):
            options = ", ".join(repr(option) for option in schema["enum"])
            out.append(Violation(path, f"must be one of {options}, not {value!r}"[:500]))
        if "const" in schema and not _equal(value, schema["const"]):
            out.append(Violation(path, f"must be {schema['const']!r}"))
        if isinstance(value, str):
            self._check_string(value, schema, path, out)
        elif _is_type(value, "number"):
            self._check_number(value, schema, path, out)
        elif isinstance(value, (list, tuple)):
            self._check_array(value, schema, path, out, depth)
        elif isinstance(value, dict):
            self._check_object(value, schema, path, out, depth)
        self._check_combinators(value, schema, path, out, depth)

    def _check_finite(self, value: Any, path: str, out: list[Violation]) -> None:
        """A value no schema constrains (``true``, an unknown key): every number in it must still be finite."""
        pending = [(value, path)]
        while pending:
            item, where = pending.pop()
            if isinstance(item, (float, Decimal)):
                self._check_number(item, {}, where, out)
                continue
            if isinstance(item, (list, tuple)):
                members: Iterable[tuple[Any, Any]] = enumerate(item)
            elif isinstance(item, dict):
                members = item.items()
            else:
                continue
            # Only the members holding such a number are named (a key no path can hold raises nowhere).
            pending.extend(
                (member, child_path(where, key) if isinstance(key, (str, int)) else f"{where}[{key!r}]")
                for key, member in reversed(list(members))
                if not _all_finite(member)
            )

    def _check_string(self, value: str, schema: Mapping[str, Any], path: str, out: list[Violation]) -> None:
        length = len(value)
        if "maxLength" in schema and length > schema["maxLength"]:
            out.append(Violation(path, f"must be at most {schema['maxLength']} characters long, not {length}"))
        if "minLength" in schema and length < schema["minLength"]:
            out.append(Violation(path, f"must be at least {schema['minLength']} characters long, not {length}"))
        pattern = schema.get("pattern")
        if pattern is not None and pattern_regex(pattern).search(value) is None:
            out.append(Violation(path, f"must match the pattern {pattern!r}"))
        check = _FORMATS.get(schema.get("format", ""))
        if check is not None and not check[0](value):
            out.append(Violation(path, f"must be {check[1]}"))

    def _check_number(self, value: float | Decimal, schema: Mapping[str, Any], path: str, out: list[Violation]) -> None:
        if isinstance(value, Decimal):
            out.extend(Violation(path, problem) for problem in _decimal_problems(value, schema))
            return
        if isinstance(value, float) and not math.isfinite(value):
            out.append(Violation(path, "must be a finite number"))
            return
        if "minimum" in schema and value < schema["minimum"]:
            out.append(Violation(path, f"must be >= {schema['minimum']}, not {value}"))
        if "maximum" in schema and value > schema["maximum"]:
            out.append(Violation(path, f"must be <= {schema['maximum']}, not {value}"))
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            out.append(Violation(path, f"must be > {schema['exclusiveMinimum']}, not {value}"))
        if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
            out.append(Violation(path, f"must be < {schema['exclusiveMaximum']}, not {value}"))
        step = schema.get("multipleOf")
        if step is not None:
            quotient = value / step
            if not (math.isfinite(quotient) and float(quotient).is_integer()):
                out.append(Violation(path, f"must be a multiple of {step}"))

    def _check_array(self, value: Any, schema: Mapping[str, Any], path: str, out: list[Violation], depth: int) -> None:
        count = len(value)
        if "maxItems" in schema and count > schema["maxItems"]:
            out.append(Violation(path, f"must have at most {schema['maxItems']} items, not {count}"))
        if "minItems" in schema and count < schema["minItems"]:
            out.append(Violation(path, f"must have at least {schema['minItems']} items, not {count}"))
        prefix = schema.get("prefixItems", [])
        for index, (item, item_schema) in enumerate(zip(value, prefix, strict=False)):
            self._check(item, item_schema, child_path(path, index), out, depth + 1)
        if "items" in schema:
            for index in range(len(prefix), count):
                self._check(value[index], schema["items"], child_path(path, index), out, depth + 1)
        elif not _applies_others(schema):
            for index in range(len(prefix), count):
                self._check(value[index], True, child_path(path, index), out, depth + 1)
        if schema.get("uniqueItems"):
            for index in range(1, count):
                if any(_equal(value[index], earlier) for earlier in value[:index]):
                    out.append(Violation(child_path(path, index), "repeats an earlier item (items must be unique)"))
                    break

    def _check_object(
        self, value: dict[str, Any], schema: Mapping[str, Any], path: str, out: list[Violation], depth: int
    ) -> None:
        missing = [name for name in schema.get("required", ()) if name not in value]
        out.extend(Violation(child_path(path, name), "is required") for name in missing)
        if "maxProperties" in schema and len(value) > schema["maxProperties"]:
            out.append(Violation(path, f"must have at most {schema['maxProperties']} properties"))
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            out.append(Violation(path, f"must have at least {schema['minProperties']} properties"))
        properties = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        additional = schema.get("additionalProperties", True)
        free = additional is True and not _applies_others(schema)
        for key, item in value.items():
            matched = False
            if key in properties:
                matched = True
                self._check(item, properties[key], child_path(path, key), out, depth + 1)
            for pattern, item_schema in patterns.items():
                if pattern_regex(pattern).search(key):
                    matched = True
                    self._check(item, item_schema, child_path(path, key), out, depth + 1)
            if not matched:
                if additional is False:
                    meant = _same_but_case(key, properties)
                    message = _unknown_key(key, meant) if meant is not None else "is not a known property"
                    out.append(Violation(child_path(path, key), message))
                elif additional is not True:
                    self._check(item, additional, child_path(path, key), out, depth + 1)
                elif free and not _all_finite(item):
                    self._check_finite(item, child_path(path, key), out)
        if additional is not False:  # else the unknown keys are violations of their own, with the hint
            for name in missing:
                wrong = _same_but_case(name, [key for key in value if key not in properties])
                if wrong is not None:
                    out.append(Violation(child_path(path, wrong), _unknown_key(wrong, name)))

    def _check_combinators(
        self, value: Any, schema: Mapping[str, Any], path: str, out: list[Violation], depth: int
    ) -> None:
        for member in schema.get("allOf", ()):
            self._check(value, member, path, out, depth + 1)
        for keyword in ("anyOf", "oneOf"):
            members = schema.get(keyword)
            if members is None:
                continue
            results = [self.validate_at(value, member, path, depth) for member in members]
            passing = sum(1 for result in results if not result)
            if keyword == "oneOf" and passing > 1:
                out.append(Violation(path, f"matches {passing} of the oneOf schemas, exactly one is allowed"))
            if passing:
                continue
            candidates = [result for result, member in zip(results, members, strict=True) if member != {"type": "null"}]
            if len(candidates) == 1 and value is not None:
                out.extend(candidates[0])  # the one non-null alternative says best what is wrong
            else:
                out.append(Violation(path, f"matches none of the {len(members)} allowed schemas"))
        if "not" in schema and not self.validate_at(value, schema["not"], path, depth):
            out.append(Violation(path, "must not match the excluded schema"))

    def validate_at(self, value: Any, schema: Any, path: str, depth: int) -> list[Violation]:
        """Violations of one alternative, checked at ``depth`` (for combinators)."""
        violations: list[Violation] = []
        self._check(value, schema, path, violations, depth + 1)
        return violations


# -- compiled checks --------------------------------------------------------------------------

_Check = Callable[[Any], bool]
_Compiled = tuple[frozenset[type], _Check]
"""A compiled schema: the classes whose every instance is valid without looking (``None``,
``bool``, ``str``... when the schema allows them and constrains them no further), and the check
for everything else. Callers test ``value.__class__ in trivial or check(value)``."""

_MAX_COMPILED_SCHEMAS = 4096
_MAX_COMPILED_NODES = 100_000
_NONE_TYPE = type(None)
_JSON_CLASSES: frozenset[type] = frozenset({_NONE_TYPE, bool, int, float, str, list, tuple, dict})
_KIND_CLASSES: dict[str, tuple[type, ...]] = {
    "null": (_NONE_TYPE,),
    "boolean": (bool,),
    "integer": (int,),  # a float is an integer when it is integral: the slow path asks _is_type
    "number": (int, float, Decimal),
    "string": (str,),
    "array": (list, tuple),
    "object": (dict,),
}
_NUMBER_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_STRING_KEYWORDS = ("maxLength", "minLength", "pattern", "format")
_ARRAY_KEYWORDS = ("maxItems", "minItems", "prefixItems", "items", "uniqueItems")
_OBJECT_KEYWORDS = (
    "required",
    "maxProperties",
    "minProperties",
    "properties",
    "patternProperties",
    "additionalProperties",
)
_OTHER_KEYWORDS = ("$ref", "type", "enum", "const", "allOf", "anyOf", "oneOf", "not")
_KEYWORDS = frozenset((*_OTHER_KEYWORDS, *_NUMBER_KEYWORDS, *_STRING_KEYWORDS, *_ARRAY_KEYWORDS, *_OBJECT_KEYWORDS))
"""Every keyword the interpreter reads; anything else in a schema is an annotation."""


def _keyword(schema: Mapping[str, Any], name: str) -> tuple[bool, Any]:
    """Whether ``schema`` has the keyword, and its value."""
    return name in schema, schema.get(name)


def _max_length_only(schema: Mapping[str, Any]) -> bool:
    """Whether ``maxLength`` is the only keyword of the string group of ``schema``."""
    return (
        "maxLength" in schema
        and "minLength" not in schema
        and schema.get("pattern") is None
        and _FORMATS.get(schema.get("format", "")) is None
    )


def _always(value: Any) -> bool:
    return True


def _never(value: Any) -> bool:
    return False


def _finite(value: Any) -> bool:
    """A number against a schema without numeric keywords: only NaN, the infinities (and unreadable Decimals) fail."""
    if isinstance(value, Decimal):
        return not _decimal_problems(value, {})
    return not isinstance(value, float) or math.isfinite(value)


_APPLICATORS = ("$ref", "allOf", "anyOf", "oneOf")


def _applies_others(schema: Mapping[str, Any]) -> bool:
    """Whether other schemas apply to the whole value (``$ref``, ``allOf``, ``anyOf``, ``oneOf``).

    JSON has no NaN and no infinity, so no schema accepts one; the items and properties a schema
    leaves free are searched for them, but only by a schema that applies no other: there, the
    ones that apply (one at least, when the value is valid) search what they leave free.
    """
    return any(keyword in schema for keyword in _APPLICATORS)


def _all_finite(value: Any) -> bool:
    """Whether every number in ``value``, at any depth, is finite (``_finite``)."""
    return finite_numbers(value, _finite)


def _type_matches(value: Any, kinds: tuple[str, ...]) -> bool:
    return any(_is_type(value, kind) for kind in kinds)


def _unique(value: Any) -> bool:
    count = len(value)
    if all(item.__class__ is str for item in value):
        return len(set(value)) == count
    return not any(any(_equal(value[index], earlier) for earlier in value[:index]) for index in range(1, count))


_PASS: _Compiled = (frozenset({_NONE_TYPE, bool, int, str}), _all_finite)
"""The check of ``true``: any JSON value, so no NaN or infinity inside."""
_NO_REFERENCE: _Compiled = (_JSON_CLASSES, _always)
_FAIL: _Compiled = (frozenset(), _never)


class _Compiler:
    """Compiles schemas into checks that answer what ``SchemaValidator._check`` would: valid or not.

    A schema is compiled once per depth at which it is reached (the interpreter's depth limit is
    a property of the path taken, so a check compiled for depth ``d`` knows it): a schema beyond
    the limit compiles to a check that fails. References to components that are not recursive are
    compiled on the spot; a reference into a cycle of components is compiled when first followed,
    one level at a time, which ends at the depth limit.
    """

    def __init__(self, components: Mapping[str, Any], resolve: Callable[[str], Any]) -> None:
        self._components = components
        self._resolve = resolve
        self._nodes: dict[tuple[int, int], tuple[Any, _Compiled]] = {}
        self._cyclic: dict[str, bool] = {}

    def size(self) -> int:
        return len(self._nodes)

    def clear(self) -> None:
        self._nodes.clear()

    def compile(self, schema: Any, depth: int) -> _Compiled:
        if schema is True or schema is None:
            return _PASS
        if schema is False or depth > _MAX_DEPTH:
            return _FAIL
        key = (id(schema), depth)
        known = self._nodes.get(key)
        if known is not None and known[0] is schema:
            return known[1]
        compiled = self._build(schema, depth)
        self._nodes[key] = (schema, compiled)  # keeps the schema, and so its id, alive
        return compiled

    def _build(self, schema: Any, depth: int) -> _Compiled:
        if not isinstance(schema, Mapping):
            raise TypeError(f"not a schema: {schema!r}"[:200])
        inner = depth + 1
        keywords = {keyword for keyword in schema if keyword in _KEYWORDS}
        ref = self._reference(schema["$ref"], inner) if "$ref" in schema else None
        if ref is not None and keywords == {"$ref"} and ref[1] is not _always:
            return ref  # a schema that is only a reference: the target's check (True would let NaN pass)
        kinds: tuple[str, ...] | None = None
        allowed = _JSON_CLASSES
        declared = schema.get("type")
        if declared is not None:
            kinds = tuple(declared) if isinstance(declared, list) else (declared,)
            if not all(isinstance(kind, str) for kind in kinds):
                raise TypeError(f"unsupported type {declared!r}"[:200])
            allowed = frozenset(cls for kind in kinds for cls in _KIND_CLASSES.get(kind, ()))

        # The keywords of a class apply only when a value of that class can pass ``type``.
        passing = set(_KIND_CLASSES) if kinds is None else set(kinds)
        numbers_reachable = bool(passing & {"integer", "number"})
        strings = self._string_check(schema) if "string" in passing else None
        numbers = (
            self._number_check(schema)
            if numbers_reachable and any(keyword in schema for keyword in _NUMBER_KEYWORDS)
            else None
        )
        free = not _applies_others(schema)  # then what this schema leaves free must hold finite numbers
        arrays = self._array_check(schema, inner, free) if "array" in passing else None
        objects = self._object_check(schema, inner, free) if "object" in passing else None
        combinators = self._combinators(schema, inner)
        enum: tuple[Any, ...] | None = tuple(schema["enum"]) if "enum" in schema else None
        enum_strings = (
            frozenset(enum) if enum is not None and all(o is None or o.__class__ is str for o in enum) else None
        )

        steps: list[_Check] = []
        if enum is not None:
            steps.append(_enum_check(enum, enum_strings))
        if "const" in schema:
            steps.append(_const_check(schema["const"]))
        groups = _group_check(strings, numbers, arrays, objects, numbers_reachable, free)
        if groups is not None:
            steps.append(groups)
        if combinators is not None:
            steps.append(combinators)
        general = _sequence(ref, kinds, allowed, steps)
        if (
            ref is not None
            or "const" in schema
            or combinators is not None
            or (enum is not None and enum_strings is None)
        ):
            return frozenset(), general
        # A plain schema: for a value of an exact JSON class, the type is decided by the class
        # alone (but for a float against "integer"), and only the keywords of that class apply
        # (and the enum, when it lists strings only), so look the check up by class.
        handlers: dict[type, _Check]
        if enum_strings is None:
            handlers = {
                _NONE_TYPE: _always,
                bool: _always,
                str: strings or _always,
                int: numbers or _always,
                float: numbers or math.isfinite,
                list: arrays or _all_finite,  # a plain schema applies no other: it is free
                tuple: arrays or _all_finite,
                dict: objects or _all_finite,
            }
        else:  # a value of another class equals none of the options
            handlers = dict.fromkeys(_JSON_CLASSES, _never)
            handlers[str] = _in_enum(enum_strings, strings)
            handlers[_NONE_TYPE] = _always if None in enum_strings else _never
        handlers = {cls: handler if cls in allowed else _never for cls, handler in handlers.items()}
        if float not in allowed and kinds is not None and "integer" in kinds:
            del handlers[float]  # 1.0 is an integer: the general check knows
        trivial = frozenset(cls for cls, handler in handlers.items() if handler is _always)
        lookup = handlers.get
        if str in allowed and enum_strings is None and _max_length_only(schema):
            max_length = schema["maxLength"]

            def check_string_first(value: Any) -> bool:  # the usual constrained string, inlined
                if value.__class__ is str:
                    return not len(value) > max_length
                return lookup(value.__class__, general)(value)

            return trivial, check_string_first
        if handlers.get(float) is math.isfinite:
            isfinite = math.isfinite

            def check_float_first(value: Any) -> bool:  # the usual number, inlined
                if value.__class__ is float:
                    return isfinite(value)
                return lookup(value.__class__, general)(value)

            return trivial, check_float_first

        def check(value: Any) -> bool:
            return lookup(value.__class__, general)(value)

        return trivial, check

    def _reference(self, ref: str, depth: int) -> _Compiled:
        target = self._resolve(ref)
        if not self._is_cyclic(ref[len(_REF_PREFIX) :]):
            return self.compile(target, depth)
        slot: list[_Compiled] = []

        def check(value: Any) -> bool:
            if not slot:
                slot.append(self.compile(target, depth))
            trivial, target_check = slot[0]
            return value.__class__ in trivial or target_check(value)

        return frozenset(), check

    def _is_cyclic(self, name: str) -> bool:
        """Whether component ``name`` reaches itself through references."""
        known = self._cyclic.get(name)
        if known is None:
            known = False
            seen: set[str] = set()
            pending = list(_references(self._components.get(name)))
            while pending:
                current = pending.pop()
                if current == name:
                    known = True
                    break
                if current not in seen:
                    seen.add(current)
                    pending.extend(_references(self._components.get(current)))
            self._cyclic[name] = known
        return known

    @staticmethod
    def _string_check(schema: Mapping[str, Any]) -> _Check | None:
        has_max, max_length = _keyword(schema, "maxLength")
        has_min, min_length = _keyword(schema, "minLength")
        pattern = schema.get("pattern")
        regex = None if pattern is None else pattern_regex(pattern)
        known_format = _FORMATS.get(schema.get("format", ""))
        valid_format = None if known_format is None else known_format[0]
        if not (has_max or has_min or regex is not None or valid_format is not None):
            return None
        if valid_format is not None and not (has_max or has_min or regex is not None):
            return valid_format
        if has_max and not has_min and regex is None and valid_format is None:

            def check_max(value: str) -> bool:
                return not len(value) > max_length

            return check_max

        def check(value: str) -> bool:
            length = len(value)
            valid = True
            if has_max and length > max_length:
                valid = False
            if has_min and length < min_length:
                valid = False
            if regex is not None and regex.search(value) is None:
                valid = False
            if valid_format is not None and not valid_format(value):
                valid = False
            return valid

        return check

    @staticmethod
    def _number_check(schema: Mapping[str, Any]) -> _Check:
        has_minimum, minimum = _keyword(schema, "minimum")
        has_maximum, maximum = _keyword(schema, "maximum")
        has_above, above = _keyword(schema, "exclusiveMinimum")
        has_below, below = _keyword(schema, "exclusiveMaximum")
        step = schema.get("multipleOf")

        def check(value: Any) -> bool:
            if isinstance(value, Decimal):
                return not _decimal_problems(value, schema)
            if isinstance(value, float) and not math.isfinite(value):
                return False
            valid = True
            if has_minimum and value < minimum:
                valid = False
            if has_maximum and value > maximum:
                valid = False
            if has_above and value <= above:
                valid = False
            if has_below and value >= below:
                valid = False
            if step is not None:
                quotient = value / step
                if not (math.isfinite(quotient) and float(quotient).is_integer()):
                    valid = False
            return valid

        return check

    def _array_check(self, schema: Mapping[str, Any], inner: int, free: bool) -> _Check | None:
        has_max, max_items = _keyword(schema, "maxItems")
        has_min, min_items = _keyword(schema, "minItems")
        prefix = [self.compile(member, inner) for member in schema.get("prefixItems", [])]
        skip = len(prefix)
        items = self.compile(schema["items"], inner) if "items" in schema else None
        unique = bool(schema.get("uniqueItems"))
        if not (has_max or has_min or prefix or items is not None or unique):
            return None
        rest = items if items is not None else _PASS if free else None
        item_trivial, item_check = rest or _PASS
        if items is not None and not (has_max or has_min or prefix or unique):

            def check_items(value: Any) -> bool:
                valid = True
                for item in value:
                    if item.__class__ not in item_trivial and not item_check(item):
                        valid = False
                return valid

            return check_items

        def check(value: Any) -> bool:
            count = len(value)
            valid = True
            if has_max and count > max_items:
                valid = False
            if has_min and count < min_items:
                valid = False
            for item, (trivial, member_check) in zip(value, prefix, strict=False):
                if item.__class__ not in trivial and not member_check(item):
                    valid = False
            if rest is not None:
                for item in value[skip:] if skip else value:
                    if item.__class__ not in item_trivial and not item_check(item):
                        valid = False
            if unique and not _unique(value):
                valid = False
            return valid

        return check

    def _object_check(self, schema: Mapping[str, Any], inner: int, free: bool) -> _Check | None:
        required = tuple(schema.get("required", ()))
        has_max, max_properties = _keyword(schema, "maxProperties")
        has_min, min_properties = _keyword(schema, "minProperties")
        properties = {name: self.compile(member, inner) for name, member in schema.get("properties", {}).items()}
        patterns = [
            (pattern_regex(pattern), self.compile(member, inner))
            for pattern, member in schema.get("patternProperties", {}).items()
        ]
        additional = schema.get("additionalProperties", True)
        # False (and True, never asked) compile to _FAIL: an unknown property is then always wrong.
        extra_trivial, extra_check = _FAIL if additional is True else self.compile(additional, inner)
        if not (required or has_max or has_min or properties or patterns or additional is not True):
            return None
        lookup = properties.get

        def check_counts(value: dict[str, Any]) -> bool:
            valid = True
            for name in required:
                if name not in value:
                    valid = False
            if has_max and len(value) > max_properties:
                valid = False
            if has_min and len(value) < min_properties:
                valid = False
            return valid

        if not patterns and additional is True:
            counted = bool(required or has_max or has_min)

            def check_properties(value: dict[str, Any]) -> bool:
                valid = check_counts(value) if counted else True
                for key, item in value.items():
                    known = lookup(key)
                    if known is None:
                        if free and not _all_finite(item):
                            valid = False
                    elif item.__class__ not in known[0] and not known[1](item):
                        valid = False
                return valid

            return check_properties

        def check(value: dict[str, Any]) -> bool:
            valid = check_counts(value)
            for key, item in value.items():
                cls = item.__class__
                matched = False
                known = lookup(key)
                if known is not None:
                    matched = True
                    if cls not in known[0] and not known[1](item):
                        valid = False
                for regex, (trivial, member_check) in patterns:
                    if regex.search(key):
                        matched = True
                        if cls not in trivial and not member_check(item):
                            valid = False
                if not matched and additional is not True:
                    if not isinstance(key, (str, int)):  # child_path() raises on such a key
                        raise TypeError(f"property name {key!r} is not a string"[:200])
                    if cls not in extra_trivial and not extra_check(item):
                        valid = False
                elif not matched and free and not _all_finite(item):
                    valid = False
            return valid

        return check

    def _combinators(self, schema: Mapping[str, Any], inner: int) -> _Check | None:
        all_of = [self.compile(member, inner) for member in schema.get("allOf", ())]
        any_of = self._members(schema.get("anyOf"), inner)
        one_of = self._members(schema.get("oneOf"), inner)
        negated = self.compile(schema["not"], inner) if "not" in schema else None
        if not all_of and any_of is None and one_of is None and negated is None:
            return None
        if any_of is not None and not all_of and one_of is None and negated is None:
            alternatives = tuple(any_of)

            def check_any(value: Any) -> bool:
                cls = value.__class__
                passing = False
                for trivial, member_check in alternatives:  # all of them, as the interpreter does
                    if cls in trivial or member_check(value):
                        passing = True
                return passing

            return check_any

        def passing(compiled: list[_Compiled], value: Any) -> int:
            cls = value.__class__
            return sum(1 for trivial, member_check in compiled if cls in trivial or member_check(value))

        def check(value: Any) -> bool:
            cls = value.__class__
            valid = True
            for trivial, member_check in all_of:
                if cls not in trivial and not member_check(value):
                    valid = False
            if any_of is not None and not passing(any_of, value):
                valid = False
            if one_of is not None and passing(one_of, value) != 1:
                valid = False
            if negated is not None and (cls in negated[0] or negated[1](value)):
                valid = False
            return valid

        return check

    def _members(self, members: Any, inner: int) -> list[_Compiled] | None:
        return None if members is None else [self.compile(member, inner) for member in members]


def _references(schema: Any) -> Iterator[str]:
    """The names of the components a schema refers to (anywhere in it, annotations included)."""
    pending = [schema]
    seen: set[int] = set()
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, Mapping):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(_REF_PREFIX):
                yield ref[len(_REF_PREFIX) :]
            pending.extend(node.values())
        elif isinstance(node, (list, tuple)):
            pending.extend(node)


def _enum_check(options: tuple[Any, ...], strings: frozenset[Any] | None) -> _Check:
    if strings is not None:  # only strings (and null): equal exactly when == says so, for a str or None

        def check_strings(value: Any) -> bool:
            return (value is None or value.__class__ is str) and value in strings

        return check_strings

    def check(value: Any) -> bool:
        return any(_equal(value, option) for option in options)

    return check


def _in_enum(strings: frozenset[Any], constraints: _Check | None) -> _Check:
    """A ``str`` against a plain schema with a string-only enum (and maybe string keywords)."""
    if constraints is None:
        return strings.__contains__

    def check(value: str) -> bool:
        listed = value in strings
        return constraints(value) and listed

    return check


def _const_check(const: Any) -> _Check:
    def check(value: Any) -> bool:
        return _equal(value, const)

    return check


def _group_check(
    strings: _Check | None,
    numbers: _Check | None,
    arrays: _Check | None,
    objects: _Check | None,
    numbers_too: bool,
    free: bool,
) -> _Check | None:
    """The keywords of the value's class, dispatched as the interpreter does (str, number, array, object).

    With ``free``, an array or object without keywords of its own is searched for NaN and infinities.
    """
    if strings is None and arrays is None and objects is None and numbers is None:
        return _all_finite if free else _finite if numbers_too else None
    number_check = numbers or _finite
    unconstrained = _all_finite if free else _always

    def check(value: Any) -> bool:
        if isinstance(value, str):
            return strings is None or strings(value)
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return number_check(value)
        if isinstance(value, (list, tuple)):
            return (arrays or unconstrained)(value)
        if isinstance(value, dict):
            return (objects or unconstrained)(value)
        return True

    return check


def _sequence(
    ref: _Compiled | None, kinds: tuple[str, ...] | None, allowed: frozenset[type], steps: list[_Check]
) -> _Check:
    """``$ref``, then ``type`` (a wrong type ends the check, as in the interpreter), then every step."""
    if ref is None and kinds is None and len(steps) == 1:
        return steps[0]
    if ref is None and kinds is None and len(steps) == 2:  # the usual: a finite number, and anyOf
        first, second = steps

        def check_both(value: Any) -> bool:
            valid = first(value)
            return second(value) and valid

        return check_both
    ref_trivial, ref_check = ref or _NO_REFERENCE
    checks = tuple(steps)

    def check(value: Any) -> bool:
        cls = value.__class__
        valid = cls in ref_trivial or ref_check(value)
        if kinds is not None and cls not in allowed and not _type_matches(value, kinds):
            return False
        for step in checks:
            if not step(value):
                valid = False
        return valid

    return check

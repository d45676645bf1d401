"""Request validation against the package's JSON Schema (the subset OpenAPI 3.1 schemas use).

Every violation is collected, each with a JSON path such as ``$.lines[3].tax_rate``, so
that one error tells the caller everything that is wrong before anything is sent. The
semantics follow JSON Schema draft 2020-12 (and the ``jsonschema`` package's format checks).
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from datetime import date
from typing import Any

from .errors import Violation

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


def json_type(value: Any) -> str:
    """The JSON type name of a Python value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
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
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
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


_FORMATS = {
    "date": (_valid_date, "a date (YYYY-MM-DD)"),
    "date-time": (_valid_datetime, "an RFC 3339 date-time with offset"),
    "email": (lambda text: "@" in text, "an email address"),
    "uuid": (_valid_uuid, "a UUID"),
}


def _equal(left: Any, right: Any) -> bool:
    """JSON equality: 1 == 1.0, but True is not 1."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
        return len(left) == len(right) and all(_equal(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_equal(left[key], right[key]) for key in left)
    return bool(type(left) is type(right) or (_is_type(left, "number") and _is_type(right, "number"))) and bool(
        left == right
    )


class SchemaValidator:
    """Validates JSON values against schemas that may ``$ref`` the package's components."""

    def __init__(self, components: Mapping[str, Any]) -> None:
        self._components = components
        self._patterns: dict[str, re.Pattern[str]] = {}

    def validate(self, value: Any, schema: Any, path: str = "$") -> list[Violation]:
        """Every violation of ``schema`` by ``value``; empty when valid."""
        violations: list[Violation] = []
        self._check(value, schema, path, violations, 0)
        return violations

    def _resolve(self, ref: str) -> Any:
        if not ref.startswith(_REF_PREFIX):
            raise ValueError(f"unsupported reference {ref!r}")
        return self._components[ref[len(_REF_PREFIX) :]]

    def _check(self, value: Any, schema: Any, path: str, out: list[Violation], depth: int) -> None:
        if schema is True or schema is None:
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

    def _check_string(self, value: str, schema: Mapping[str, Any], path: str, out: list[Violation]) -> None:
        length = len(value)
        if "maxLength" in schema and length > schema["maxLength"]:
            out.append(Violation(path, f"must be at most {schema['maxLength']} characters long, not {length}"))
        if "minLength" in schema and length < schema["minLength"]:
            out.append(Violation(path, f"must be at least {schema['minLength']} characters long, not {length}"))
        pattern = schema.get("pattern")
        if pattern is not None:
            compiled = self._patterns.get(pattern)
            if compiled is None:
                compiled = self._patterns[pattern] = re.compile(pattern)
            if compiled.search(value) is None:
                out.append(Violation(path, f"must match the pattern {pattern!r}"))
        check = _FORMATS.get(schema.get("format", ""))
        if check is not None and not check[0](value):
            out.append(Violation(path, f"must be {check[1]}"))

    def _check_number(self, value: float, schema: Mapping[str, Any], path: str, out: list[Violation]) -> None:
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
        if schema.get("uniqueItems"):
            for index in range(1, count):
                if any(_equal(value[index], earlier) for earlier in value[:index]):
                    out.append(Violation(child_path(path, index), "repeats an earlier item (items must be unique)"))
                    break

    def _check_object(
        self, value: dict[str, Any], schema: Mapping[str, Any], path: str, out: list[Violation], depth: int
    ) -> None:
        out.extend(
            Violation(child_path(path, name), "is required")
            for name in schema.get("required", ())
            if name not in value
        )
        if "maxProperties" in schema and len(value) > schema["maxProperties"]:
            out.append(Violation(path, f"must have at most {schema['maxProperties']} properties"))
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            out.append(Violation(path, f"must have at least {schema['minProperties']} properties"))
        properties = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        additional = schema.get("additionalProperties", True)
        for key, item in value.items():
            matched = False
            if key in properties:
                matched = True
                self._check(item, properties[key], child_path(path, key), out, depth + 1)
            for pattern, item_schema in patterns.items():
                if re.search(pattern, key):
                    matched = True
                    self._check(item, item_schema, child_path(path, key), out, depth + 1)
            if not matched:
                if additional is False:
                    out.append(Violation(child_path(path, key), "is not a known property"))
                elif additional is not True:
                    self._check(item, additional, child_path(path, key), out, depth + 1)

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

"""Request values for an operation: the spec's own examples first, else one value built from the schema.

:func:`sample` builds one deterministic value valid per a JSON Schema (the OpenAPI subset
the vendors' specs use): enums and consts take their first value, formats a fixed
well-formed one, numbers the bound nearest to 1, strings a short text of the allowed
length (a pattern: the smallest match Hypothesis finds, derandomized), arrays one item,
objects every property not marked ``readOnly`` (only the required ones below a depth
limit, and never a recursive one that is optional). Each candidate is checked with
``jsonschema`` against the whole schema; for ``anyOf``/``oneOf`` the first member whose
value passes wins, so the result is valid or :class:`NoSample` says why not.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # ships no py.typed; types-jsonschema is not pinned
from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

FORMAT_VALUES = {
    "date": "2024-03-15",
    "date-time": "2024-03-15T10:30:00Z",
    "time": "10:30:00Z",
    "email": "jane.doe@example.com",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "uri": "https://example.com/a",
    "url": "https://example.com/a",
    "hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "http-date": "Fri, 15 Mar 2024 10:30:00 GMT",
    "byte": "aGVsbG8=",
}
"""One well-formed value per string format."""

MAX_DEPTH = 4
"""Below this nesting depth, objects get their required properties only."""

_URI = "urn:vendor-clients:realworld"


class NoSample(ValueError):
    """No valid value could be built for a schema; the message says where and why."""


class Sampler:
    """Builds values valid per schemas of one OpenAPI document (whose ``$ref`` it resolves)."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        resource = Resource.from_contents(dict(document), default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_URI, resource)
        self._validators: dict[str, Any] = {}

    def resolve(self, schema: Any) -> Any:
        """``schema`` with its ``$ref`` chain followed."""
        seen: set[str] = set()
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and schema["$ref"] not in seen:
            seen.add(schema["$ref"])
            node: Any = self.document
            for token in schema["$ref"].removeprefix("#/").split("/"):
                node = node[token.replace("~1", "/").replace("~0", "~")]
            schema = node
        return schema

    def is_valid(self, value: Any, schema: Any) -> bool:
        """``value`` is valid per ``schema`` (formats checked), references resolved in the document."""
        key = json.dumps(schema, sort_keys=True)
        validator = self._validators.get(key)
        if validator is None:
            validator = jsonschema.Draft202012Validator(
                _reroot(schema), registry=self._registry, format_checker=jsonschema.FormatChecker()
            )
            self._validators[key] = validator
        return bool(validator.is_valid(value))

    def example(self, schema: Any) -> tuple[bool, Any]:
        """(True, the schema's first example) when it has one that is valid per the schema."""
        resolved = self.resolve(schema)
        for holder in (schema, resolved):
            examples = holder.get("examples") if isinstance(holder, dict) else None
            if isinstance(examples, list) and examples and self.is_valid(examples[0], schema):
                return True, examples[0]
        return False, None

    def sample(self, schema: Any, where: str = "$") -> Any:
        """A value valid per ``schema``; NoSample when none is found."""
        value = self._sample(schema, where, 0, ())
        if not self.is_valid(value, schema):
            raise NoSample(f"{where}: the value built from the schema is not valid per it: {json.dumps(value)[:200]}")
        return value

    def _sample(self, schema: Any, where: str, depth: int, refs: tuple[str, ...]) -> Any:
        if schema is True or schema == {} or schema is None:
            return "any"
        if not isinstance(schema, dict):
            raise NoSample(f"{where}: a false schema has no value")
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self._sample(self.resolve(schema), where, depth, (*refs, ref))
        found, value = self.example(schema)
        if found:
            return value
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return next((item for item in schema["enum"] if item is not None), schema["enum"][0])
        for keyword in ("anyOf", "oneOf"):
            if isinstance(schema.get(keyword), list):
                return self._first_valid(schema, schema[keyword], where, depth, refs)
        if isinstance(schema.get("allOf"), list):
            return self._all_of(schema, where, depth, refs)
        kinds = schema.get("type")
        kinds = kinds if isinstance(kinds, list) else [kinds] if kinds is not None else [_implied_type(schema)]
        kind = next((kind for kind in kinds if kind != "null"), "null")
        return self._typed(kind, schema, where, depth, refs)

    def _first_valid(
        self, schema: Mapping[str, Any], members: list[Any], where: str, depth: int, refs: tuple[str, ...]
    ) -> Any:
        rest = {key: value for key, value in schema.items() if key not in ("anyOf", "oneOf")}
        ordered = sorted(members, key=lambda member: self.resolve(member).get("type") == "null")
        reasons = []
        for member in ordered:
            try:
                value = self._sample({**rest, **_as_dict(self.resolve(member))} if rest else member, where, depth, refs)
            except NoSample as exc:
                reasons.append(str(exc))
                continue
            if self.is_valid(value, schema):
                return value
        raise NoSample(f"{where}: no member of anyOf/oneOf gave a valid value ({'; '.join(reasons)[:300]})")

    def _all_of(self, schema: Mapping[str, Any], where: str, depth: int, refs: tuple[str, ...]) -> Any:
        merged: dict[str, Any] = {key: value for key, value in schema.items() if key != "allOf"}
        for member in schema["allOf"]:
            resolved = _as_dict(self.resolve(member))
            for key, value in resolved.items():
                if key == "properties":
                    merged["properties"] = {**merged.get("properties", {}), **value}
                elif key == "required":
                    merged["required"] = [*merged.get("required", []), *value]
                else:
                    merged.setdefault(key, value)
        return self._sample(merged, where, depth, refs)

    def _typed(self, kind: str, schema: Mapping[str, Any], where: str, depth: int, refs: tuple[str, ...]) -> Any:
        if kind == "null":
            return None
        if kind == "boolean":
            return True
        if kind in ("integer", "number"):
            return _number(kind, schema)
        if kind == "string":
            return _string(schema)
        if kind == "array":
            items = schema.get("items", {})
            count = max(1, schema.get("minItems", 0))
            if schema.get("maxItems") == 0:
                return []
            values = [self._sample(items, f"{where}[{index}]", depth + 1, refs) for index in range(count)]
            if schema.get("uniqueItems") and count > 1:
                raise NoSample(f"{where}: unique items beyond one are not built")
            return values
        return self._object(schema, where, depth, refs)

    def _object(self, schema: Mapping[str, Any], where: str, depth: int, refs: tuple[str, ...]) -> dict[str, Any]:
        properties: Mapping[str, Any] = schema.get("properties", {})
        required = list(schema.get("required", []))
        result: dict[str, Any] = {}
        for name, child in properties.items():
            resolved = _as_dict(self.resolve(child))
            if name not in required:
                recursive = isinstance(child, dict) and child.get("$ref") in refs
                if depth >= MAX_DEPTH or recursive or resolved.get("readOnly") or child.get("readOnly"):
                    continue
            result[name] = self._sample(child, f"{where}.{name}", depth + 1, refs)
        for name in required:
            if name not in result:
                additional = schema.get("additionalProperties", {})
                result[name] = self._sample(additional if isinstance(additional, dict) else {}, where, depth + 1, refs)
        if not result and isinstance(schema.get("additionalProperties"), dict) and schema.get("minProperties", 0):
            result["key"] = self._sample(schema["additionalProperties"], f"{where}.key", depth + 1, refs)
        return result


def _reroot(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_reroot(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {
        key: _URI + value if key == "$ref" and isinstance(value, str) and value.startswith("#") else _reroot(value)
        for key, value in schema.items()
    }


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _implied_type(schema: Mapping[str, Any]) -> str:
    if "properties" in schema or "additionalProperties" in schema or "required" in schema:
        return "object"
    if "items" in schema:
        return "array"
    if {"minLength", "maxLength", "pattern", "format"} & set(schema):
        return "string"
    if {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"} & set(schema):
        return "number"
    return "string"


def _number(kind: str, schema: Mapping[str, Any]) -> int | float:
    low = schema.get("minimum")
    high = schema.get("maximum")
    if isinstance(schema.get("exclusiveMinimum"), (int, float)):
        low = schema["exclusiveMinimum"] + (1 if kind == "integer" else 0.5)
    if isinstance(schema.get("exclusiveMaximum"), (int, float)):
        high = schema["exclusiveMaximum"] - (1 if kind == "integer" else 0.5)
    value: int | float = 1 if kind == "integer" else 1.5
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high
    multiple = schema.get("multipleOf")
    if isinstance(multiple, (int, float)) and multiple > 0:
        value = multiple * max(1, round(value / multiple))
    return int(value) if kind == "integer" else value


def _string(schema: Mapping[str, Any]) -> str:
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    fmt = schema.get("format")
    if isinstance(schema.get("pattern"), str):
        return _pattern_sample(schema["pattern"], low, high if high is not None else max(low, 1) + 60)
    if fmt in FORMAT_VALUES:
        return FORMAT_VALUES[fmt]
    text = "sample"
    if len(text) < low:
        text += "x" * (low - len(text))
    if high is not None:
        text = text[:high]
    return text


@functools.cache
def _pattern_sample(pattern: str, low: int, high: int) -> str:
    compiled = re.compile(_ecma(pattern))
    try:
        found: str = find(
            st.from_regex(compiled, fullmatch=False),
            lambda text: low <= len(text) <= high and compiled.search(text) is not None,
            settings=settings(
                database=None, derandomize=True, max_examples=2000, suppress_health_check=list(HealthCheck)
            ),
        )
    except NoSuchExample:
        raise NoSample(f"no string of length {low}..{high} matches the pattern {pattern!r}") from None
    return found


def _ecma(pattern: str) -> str:
    """A JSON Schema (ECMA-262) pattern for Python's ``re``: ``$`` is the very end, ``\\d`` is ASCII."""
    translated, in_class, escaped = [], False, False
    for char in pattern:
        if escaped:
            translated.append("[0-9]" if char == "d" and not in_class else "\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "[]":
            in_class = char == "["
            translated.append(char)
        elif char == "$" and not in_class:
            translated.append(r"\Z")
        else:
            translated.append(char)
    return "".join(translated)

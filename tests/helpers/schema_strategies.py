"""JSON Schema tooling shared by the property tests and the Prism contract tests.

- :func:`inline_refs` turns a component schema into a self-contained schema (the
  vendors' schemas have no recursive references).
- :func:`valid_instances` draws instances valid per the schema, formats included, unknown
  properties included (:func:`instances` handles the JSON Schema subset OpenAPI uses).
- :func:`mutations` lists the ways to break exactly one constraint of a valid instance
  (too long, out of range, wrong enum, missing required, wrong type, bad format, pattern),
  each with the JSON path where a validator must report it.
- :func:`reference_validator` is ``jsonschema``'s Draft 2020-12 validator with format
  checking, references resolved through a ``referencing`` registry over the whole
  OpenAPI document: the reference the client's own validation is compared with.
- :func:`client_path` writes a JSON path the way the generated clients do
  (``$.lines[3].tax_rate``, ``$["N/A"]``).
- :class:`Operation` and :func:`public_operations` read the operations of a schema, and
  :func:`call_operation` calls one through a generated client.
"""

from __future__ import annotations

import copy
import functools
import importlib
import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import GenericAlias, ModuleType
from typing import Any

import attrs
import jsonschema  # type: ignore[import-untyped]  # ships no py.typed; types-jsonschema is not pinned
from hypothesis import strategies as st
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "schemas"
COMPONENT_REF = "#/components/schemas/"

INT32 = (-(2**31), 2**31 - 1)
# Prism (JavaScript) checks format int64 against Number.MAX_SAFE_INTEGER, not 2**63 - 1.
INT64_JS_SAFE = (-(2**53 - 1), 2**53 - 1)

INVALID_FORMAT_VALUES: dict[str, tuple[str, ...]] = {
    "date": ("2024-02-30", "24-01-01", "not a date"),
    "date-time": ("2024-01-01T25:00:00Z", "2024-13-01T00:00:00Z", "not a date-time"),
    "email": ("no-at-sign.example.com",),
    "uuid": ("not-a-uuid", "123e4567e89b12d3a456426614174000x"),
}
"""Values every validator rejects for the format: clearly wrong, not RFC corner cases."""

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_JSON_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")


def _openapi_format_checker() -> Any:
    """jsonschema's draft 2020-12 format checks, plus what OpenAPI and RFC 5321 add.

    OpenAPI's int32/int64 formats bound integers; an email address needs a local part and a
    domain around its last "@" (jsonschema only looks for an "@").
    """
    checker = jsonschema.FormatChecker()
    checker.checkers = dict(jsonschema.Draft202012Validator.FORMAT_CHECKER.checkers)

    def bounded(low: int, high: int) -> Any:
        def check(value: object) -> bool:
            return not isinstance(value, int) or isinstance(value, bool) or low <= value <= high

        return check

    checker.checks("int32")(bounded(-(2**31), 2**31 - 1))
    checker.checks("int64")(bounded(-(2**63), 2**63 - 1))

    def email(value: object) -> bool:
        if not isinstance(value, str):
            return True
        local, at, domain = value.rpartition("@")
        return bool(at and local and domain)

    checker.checks("email")(email)
    return checker


_FORMAT_CHECKER = _openapi_format_checker()
_WRONG_TYPE_SAMPLES: dict[str, Any] = {
    "null": None,
    "boolean": True,
    "integer": 7,
    "number": 1.5,
    "string": "a string",
    "array": [],
    "object": {},
}

Json = Any
Path_ = tuple[str | int, ...]


def load_document(vendor: str) -> dict[str, Any]:
    """The parsed ``schemas/<vendor>/openapi.json``."""
    document: dict[str, Any] = json.loads((SCHEMAS / vendor / "openapi.json").read_text(encoding="utf-8"))
    return document


def vendors() -> list[str]:
    """Every vendor with a schema."""
    return sorted(path.parent.name for path in SCHEMAS.glob("*/openapi.json"))


def components(document: Mapping[str, Any]) -> dict[str, Any]:
    """``components.schemas`` of an OpenAPI document."""
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    return schemas


def inline_refs(schema: Json, schemas: Mapping[str, Any], _seen: tuple[str, ...] = ()) -> Json:
    """``schema`` with every ``#/components/schemas/...`` reference replaced by its target.

    Raises ValueError on a recursive reference (the vendors' schemas have none).
    """
    if isinstance(schema, list):
        return [inline_refs(item, schemas, _seen) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith(COMPONENT_REF):
            raise ValueError(f"unsupported reference {ref!r}")
        name = ref[len(COMPONENT_REF) :]
        if name in _seen:
            raise ValueError(f"recursive reference through {' -> '.join((*_seen, name))}")
        target = inline_refs(schemas[name], schemas, (*_seen, name))
        siblings = {key: inline_refs(value, schemas, _seen) for key, value in schema.items() if key != "$ref"}
        return {**target, **siblings} if siblings else target
    return {key: inline_refs(value, schemas, _seen) for key, value in schema.items()}


def _bound_integer_formats(schema: Json) -> Json:
    """Give ``format: int32/int64`` integers the range the format means (int64: JavaScript's safe range)."""
    if isinstance(schema, list):
        return [_bound_integer_formats(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    bounded = {key: _bound_integer_formats(value) for key, value in schema.items()}
    bounds = {"int32": INT32, "int64": INT64_JS_SAFE}.get(schema.get("format", ""))
    if bounds is not None:
        low, high = bounds
        bounded["minimum"] = max(low, schema.get("minimum", low))
        bounded["maximum"] = min(high, schema.get("maximum", high))
    return bounded


def generation_schema(schema: Json, schemas: Mapping[str, Any], *, openapi_formats: bool = True) -> Json:
    """A self-contained schema to generate valid instances from.

    With ``openapi_formats`` the integer formats of the OpenAPI format registry (int32,
    int64) bound the generated integers, as a mock server such as Prism checks them.
    """
    inlined = inline_refs(schema, schemas)
    return _bound_integer_formats(inlined) if openapi_formats else inlined


def valid_instances(
    schema: Json, schemas: Mapping[str, Any], *, openapi_formats: bool = True
) -> st.SearchStrategy[Json]:
    """Instances valid per ``schema`` (formats included), unknown properties included."""
    return instances(generation_schema(schema, schemas, openapi_formats=openapi_formats))


# Keywords that only annotate: they never make an instance invalid.
_ANNOTATIONS = frozenset(
    {"title", "description", "examples", "example", "default", "deprecated", "readOnly", "writeOnly", "$comment"}
)
_HANDLED = frozenset(
    {
        "type", "enum", "const", "anyOf", "oneOf", "format", "minLength", "maxLength", "pattern",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "items", "minItems", "maxItems",
        "uniqueItems", "properties", "required", "additionalProperties",
    }
)  # fmt: skip
_FORMAT_STRATEGIES: dict[str, st.SearchStrategy[str]] = {
    "date": st.dates().map(date.isoformat),
    "date-time": st.builds(
        "{}T{:02d}:{:02d}:{:02d}{}{}".format,
        st.dates().map(date.isoformat),
        st.integers(0, 23),
        st.integers(0, 59),
        st.integers(0, 59),
        st.sampled_from(["", ".5", ".123", ".1638179", ".000000001"]),
        st.one_of(
            st.just("Z"),
            st.builds("{}{:02d}:{:02d}".format, st.sampled_from("+-"), st.integers(0, 23), st.integers(0, 59)),
        ),
    ),
    "email": st.emails(),
    "uuid": st.uuids().map(str),
}


def instances(schema: Json) -> st.SearchStrategy[Json]:
    """Instances of a self-contained schema (no ``$ref``), for the JSON Schema subset OpenAPI schemas use.

    A keyword outside that subset raises NotImplementedError, so a schema that needs more
    is noticed instead of drawing instances that might be invalid. Written here because
    hypothesis-jsonschema 0.23.1 cannot draw objects with the pinned Hypothesis (it uses
    an internal API, ``many.more()``, that Hypothesis has since removed).
    """
    if schema is True or schema == {}:
        return arbitrary_json()
    if schema is False:
        return st.nothing()
    unknown = set(schema) - _ANNOTATIONS - _HANDLED - {key for key in schema if key.startswith("x-")}
    if unknown:
        raise NotImplementedError(f"no strategy for the keywords {sorted(unknown)}")
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "const" in schema:
        return st.just(schema["const"])
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            rest = {key: value for key, value in schema.items() if key != keyword and key not in _ANNOTATIONS}
            if rest:
                raise NotImplementedError(f"{keyword} beside {sorted(rest)}")
            alternatives = schema[keyword]
            members = st.one_of([instances(member) for member in alternatives])
            if keyword == "oneOf":
                return members.filter(functools.partial(_matches_one, alternatives))
            return members
    declared = schema.get("type")
    kinds = declared if isinstance(declared, list) else [declared] if declared else list(_JSON_TYPES)
    return st.one_of([_typed_instances(kind, schema) for kind in kinds])


def _matches_one(alternatives: list[Json], value: Json) -> bool:
    return sum(is_valid(value, member) for member in alternatives) == 1


def _typed_instances(kind: str, schema: Mapping[str, Any]) -> st.SearchStrategy[Json]:
    if kind == "null":
        return st.none()
    if kind == "boolean":
        return st.booleans()
    if kind in ("integer", "number"):
        return _numbers(kind, schema)
    if kind == "string":
        return _strings(schema)
    if kind == "array":
        items = instances(schema.get("items", True))
        return st.lists(
            items,
            min_size=schema.get("minItems", 0),
            max_size=schema.get("maxItems", schema.get("minItems", 0) + 4),
            unique_by=(lambda item: json.dumps(item, sort_keys=True)) if schema.get("uniqueItems") else None,
        )
    assert kind == "object", kind
    return _objects(schema)


def _numbers(kind: str, schema: Mapping[str, Any]) -> st.SearchStrategy[Json]:
    low, high = schema.get("minimum"), schema.get("maximum")
    if "exclusiveMinimum" in schema or "exclusiveMaximum" in schema:
        raise NotImplementedError("exclusiveMinimum/exclusiveMaximum")
    integral_low = None if low is None else math.ceil(low)
    integral_high = None if high is None else math.floor(high)
    integers = st.integers(integral_low, integral_high)
    if kind == "integer":
        return integers
    # JSON numbers: integers stay integers (0 is not 0.0) and floats stay floats.
    floats = st.floats(low, high, allow_nan=False, allow_infinity=False)
    return st.one_of(integers, floats)


def _strings(schema: Mapping[str, Any]) -> st.SearchStrategy[str]:
    min_size, max_size = schema.get("minLength", 0), schema.get("maxLength")
    name = schema.get("format")
    if name in _FORMAT_STRATEGIES:
        strategy = _FORMAT_STRATEGIES[name]
    elif "pattern" in schema:
        pattern = ecma_pattern(schema["pattern"])
        strategy = st.from_regex(pattern, fullmatch=False).filter(lambda text: pattern.search(text) is not None)
    else:
        return st.text(min_size=min_size, max_size=max_size)
    if "pattern" in schema and name in _FORMAT_STRATEGIES:
        pattern = ecma_pattern(schema["pattern"])
        strategy = strategy.filter(lambda text: pattern.search(text) is not None)
    limit = math.inf if max_size is None else max_size
    return strategy.filter(lambda text: min_size <= len(text) <= limit)


def ecma_pattern(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled with ECMA-262 meaning, as JSON Schema defines it: ``$`` is the end, ``\\d`` ASCII."""
    translated, in_class, escaped = [], False, False
    for char in pattern:
        if escaped:
            translated.append(char)
            escaped = False
        elif char == "\\":
            translated.append(char)
            escaped = True
        elif char == "[":
            in_class = True
            translated.append(char)
        elif char == "]":
            in_class = False
            translated.append(char)
        elif char == "$" and not in_class:
            translated.append(r"\Z")
        else:
            translated.append(char)
    return re.compile("".join(translated), re.ASCII)


def _objects(schema: Mapping[str, Any]) -> st.SearchStrategy[Json]:
    properties: Mapping[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", ()))
    unknown_required = required - set(properties)
    if unknown_required:
        raise NotImplementedError(f"required without a property schema: {sorted(unknown_required)}")
    declared = st.fixed_dictionaries(
        {key: instances(value) for key, value in properties.items() if key in required},
        optional={key: instances(value) for key, value in properties.items() if key not in required},
    )
    additional = schema.get("additionalProperties", True)
    if additional is False:
        return declared
    extra = st.dictionaries(
        st.text(max_size=12).filter(lambda key: key not in properties),
        instances(additional),
        max_size=3,
    )
    return st.builds(lambda known, unknown: {**unknown, **known}, declared, extra)


def arbitrary_json(max_leaves: int = 30) -> st.SearchStrategy[Json]:
    """Any JSON value (no NaN or infinities, which JSON cannot carry)."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=20),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=5), st.dictionaries(st.text(max_size=10), children, max_size=5)
        ),
        max_leaves=max_leaves,
    )


def reference_validator(document: Mapping[str, Any], schema: Json) -> Any:
    """``jsonschema``'s Draft 2020-12 validator for ``schema`` (refs resolve in ``document``), formats checked."""
    uri = "urn:vendor-clients:openapi"
    resource = Resource.from_contents(dict(document), default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(uri, resource)
    rooted = _reroot_refs(schema, uri)
    return jsonschema.Draft202012Validator(rooted, registry=registry, format_checker=_FORMAT_CHECKER)


def _reroot_refs(schema: Json, uri: str) -> Json:
    if isinstance(schema, list):
        return [_reroot_refs(item, uri) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {
        key: (
            uri + value
            if key == "$ref" and isinstance(value, str) and value.startswith("#")
            else _reroot_refs(value, uri)
        )
        for key, value in schema.items()
    }


def client_path(tokens: Path_) -> str:
    """A JSON path written like the generated clients write it: ``$.lines[3]["N/A"]``."""
    path = "$"
    for token in tokens:
        if isinstance(token, int):
            path += f"[{token}]"
        elif _IDENTIFIER.fullmatch(token):
            path += f".{token}"
        else:
            escaped = token.replace("\\", "\\\\").replace('"', '\\"')
            path += f'["{escaped}"]'
    return path


@dataclass(frozen=True)
class Mutation:
    """One way to break exactly one constraint of a valid instance."""

    kind: str
    """too-long, too-short, above-maximum, below-minimum, wrong-enum, missing-required, wrong-type,
    bad-format, pattern, unknown-property."""
    location: Path_
    """Where the value changes (for missing-required: the object that loses a key)."""
    reported_at: Path_
    """Where a validator must report it (for missing-required: the missing key's path)."""
    apply: Callable[[Json], Json]
    """Returns the mutated copy of the whole instance."""

    def __repr__(self) -> str:
        return f"Mutation({self.kind} at {client_path(self.reported_at)})"


def _types_of(schema: Mapping[str, Any]) -> set[str] | None:
    """The JSON types a schema admits, or None when it does not restrict them."""
    declared = schema.get("type")
    if declared is not None:
        kinds = set(declared) if isinstance(declared, list) else {declared}
        if "number" in kinds:
            kinds.add("integer")
        return kinds
    if "enum" in schema:
        return {_json_type(value) for value in schema["enum"]} | (
            {"integer"} if any(_json_type(value) == "number" for value in schema["enum"]) else set()
        )
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        kinds = set()
        for branch in branches:
            branch_kinds = _types_of(branch)
            if branch_kinds is None:
                return None
            kinds |= branch_kinds
        return kinds
    return None


def _json_type(value: Json) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _replace(location: Path_, new: Json) -> Callable[[Json], Json]:
    def apply(instance: Json) -> Json:
        if not location:
            return copy.deepcopy(new)
        result = copy.deepcopy(instance)
        node = result
        for token in location[:-1]:
            node = node[token]
        node[location[-1]] = copy.deepcopy(new)
        return result

    return apply


def _delete(location: Path_, key: str) -> Callable[[Json], Json]:
    def apply(instance: Json) -> Json:
        result = copy.deepcopy(instance)
        node = result
        for token in location:
            node = node[token]
        del node[key]
        return result

    return apply


def _branch_for(value: Json, branches: list[Any], is_valid: Callable[[Json, Json], bool]) -> Any | None:
    """The first non-null branch ``value`` is valid against."""
    for branch in branches:
        if branch != {"type": "null"} and is_valid(value, branch):
            return branch
    return None


def mutations(value: Json, schema: Json, is_valid: Callable[[Json, Json], bool]) -> list[Mutation]:
    """Every single-constraint break of the valid ``value`` (``schema`` has its refs inlined).

    ``is_valid(instance, subschema)`` tells which ``anyOf`` branch a value takes.
    """
    return list(_mutations(value, schema, (), is_valid))


def _mutations(
    value: Json, schema: Json, at: Path_, is_valid: Callable[[Json, Json], bool], *, in_branch: bool = False
) -> Iterator[Mutation]:
    if not isinstance(schema, dict):
        return
    allowed = _types_of(schema)
    # Inside an anyOf branch, a type another branch allows is no break: the node yielded those.
    if allowed is not None and not in_branch:
        for kind in _JSON_TYPES:
            if kind not in allowed:
                yield Mutation("wrong-type", at, at, _replace(at, _WRONG_TYPE_SAMPLES[kind]))
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        branch = _branch_for(value, branches, is_valid)
        if branch is not None:
            yield from _mutations(value, branch, at, is_valid, in_branch=True)
        return
    if "enum" in schema:
        options = schema["enum"]
        if isinstance(value, str):
            outsider: Json = "not-in-enum"
            while outsider in options:
                outsider += "!"
            yield Mutation("wrong-enum", at, at, _replace(at, outsider))
        elif isinstance(value, int) and not isinstance(value, bool):
            numbers = [option for option in options if isinstance(option, int) and not isinstance(option, bool)]
            yield Mutation("wrong-enum", at, at, _replace(at, max(numbers, default=0) + 1000))
    if isinstance(value, str):
        yield from _string_mutations(value, schema, at)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield from _number_mutations(value, schema, at)
    elif isinstance(value, list):
        if "maxItems" in schema and value:
            yield Mutation("too-long", at, at, _replace(at, value + [value[0]] * (schema["maxItems"] + 1 - len(value))))
        if schema.get("minItems", 0) > 0:
            yield Mutation("too-short", at, at, _replace(at, value[: schema["minItems"] - 1]))
        items = schema.get("items")
        for index, item in enumerate(value):
            yield from _mutations(item, items, (*at, index), is_valid)
    elif isinstance(value, dict):
        properties = schema.get("properties", {})
        for key in schema.get("required", ()):
            if key in value:
                yield Mutation("missing-required", at, (*at, key), _delete(at, key))
        if schema.get("additionalProperties") is False:
            unknown = "not_a_known_property"
            while unknown in properties:
                unknown += "_"
            yield Mutation("unknown-property", at, (*at, unknown), _replace((*at, unknown), 1))
        for key, item in value.items():
            if key in properties:
                yield from _mutations(item, properties[key], (*at, key), is_valid)


def _string_mutations(value: str, schema: Mapping[str, Any], at: Path_) -> Iterator[Mutation]:
    if "maxLength" in schema:
        yield Mutation("too-long", at, at, _replace(at, "x" * (schema["maxLength"] + 1)))
    if schema.get("minLength", 0) > 0:
        yield Mutation("too-short", at, at, _replace(at, "x" * (schema["minLength"] - 1)))
    pattern = schema.get("pattern")
    if pattern is not None:
        for candidate in ("!", "", "x" * 40):
            if re.search(pattern, candidate) is None:
                yield Mutation("pattern", at, at, _replace(at, candidate))
                break
    for candidate in INVALID_FORMAT_VALUES.get(schema.get("format", ""), ()):
        yield Mutation("bad-format", at, at, _replace(at, candidate))


def _number_mutations(value: float, schema: Mapping[str, Any], at: Path_) -> Iterator[Mutation]:
    declared = schema.get("type")
    integral = "number" not in (declared if isinstance(declared, list) else [declared])
    step: float = 1 if integral else 0.5
    if "maximum" in schema:
        yield Mutation("above-maximum", at, at, _replace(at, _number(schema["maximum"] + step, integral)))
    if "minimum" in schema:
        yield Mutation("below-minimum", at, at, _replace(at, _number(schema["minimum"] - step, integral)))
    if "exclusiveMaximum" in schema:
        yield Mutation("above-maximum", at, at, _replace(at, _number(schema["exclusiveMaximum"], integral)))
    if "exclusiveMinimum" in schema:
        yield Mutation("below-minimum", at, at, _replace(at, _number(schema["exclusiveMinimum"], integral)))


def _number(value: float, integral: bool) -> float:
    return math.floor(value) if integral else value


HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Operation:
    """One public operation of a vendor's schema (``x-internal`` ones excluded)."""

    vendor: str
    operation_id: str
    method: str
    path: str
    spec: Mapping[str, Any]
    """The operation object of the OpenAPI document."""
    envelope: Mapping[str, Any] | None
    """The operation's ``x-envelope`` (or the document's), if any."""

    def __str__(self) -> str:
        return f"{self.vendor}.{self.operation_id}"

    @property
    def body_schema(self) -> Json:
        """The JSON request body's schema, or None."""
        content = self.spec.get("requestBody", {}).get("content", {}).get("application/json")
        return None if content is None else content.get("schema")

    @property
    def body_examples(self) -> list[Json]:
        """The JSON request body's examples (``examples`` values, then ``example``)."""
        content = self.spec.get("requestBody", {}).get("content", {}).get("application/json", {})
        found = [example["value"] for example in content.get("examples", {}).values() if "value" in example]
        return found + ([content["example"]] if "example" in content else [])

    @property
    def parameters(self) -> list[Mapping[str, Any]]:
        """Path, query and header parameters."""
        return list(self.spec.get("parameters", ()))

    @property
    def is_batch(self) -> bool:
        """The operation takes a list and answers one result per item (``x-batch``)."""
        return "x-batch" in self.spec

    def response_schema(self, status: str = "200") -> Json:
        """The JSON schema of a response status (the whole wire body, envelope included)."""
        content = self.spec["responses"][status].get("content", {}).get("application/json")
        return None if content is None else content.get("schema")

    def response_examples(self, status: str) -> dict[str, Json]:
        """The named examples of a response status."""
        content = self.spec["responses"][status].get("content", {}).get("application/json", {})
        return {name: example["value"] for name, example in content.get("examples", {}).items() if "value" in example}

    def payload(self, body: Json) -> tuple[bool, Json]:
        """(present, value) of the payload a client returns from a success body (the envelope's data)."""
        if self.envelope is None:
            return True, body
        node = body
        for raw in self.envelope["data"].split("/")[1:]:
            token = raw.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or token not in node:
                return False, None
            node = node[token]
        return True, node

    def payload_schema(self, document: Mapping[str, Any]) -> Json:
        """The schema of the payload the client returns: the envelope's data property (its refs kept)."""
        schema = self.response_schema()
        if self.envelope is None:
            return schema
        schemas = components(document)
        node = schema
        for raw in self.envelope["data"].split("/")[1:]:
            while "$ref" in node:
                node = schemas[node["$ref"][len(COMPONENT_REF) :]]
            node = node["properties"][raw.replace("~1", "/").replace("~0", "~")]
        return node


def public_operations(document: Mapping[str, Any], vendor: str) -> list[Operation]:
    """Every operation of ``document`` that gets a public client method."""
    found = []
    for path, item in document.get("paths", {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None or operation.get("x-internal"):
                continue
            envelope = operation.get("x-envelope", document.get("x-envelope"))
            found.append(Operation(vendor, operation["operationId"], method.upper(), path, operation, envelope))
    return found


def one_mutation(options: list[Mutation]) -> st.SearchStrategy[Mutation]:
    """One of ``options``, the kind drawn first so that rare kinds (wrong enum) are not drowned by wrong types."""
    by_kind: dict[str, list[Mutation]] = {}
    for option in options:
        by_kind.setdefault(option.kind, []).append(option)
    return st.sampled_from(sorted(by_kind)).flatmap(lambda kind: st.sampled_from(by_kind[kind]))


# -- generated clients ----------------------------------------------------------------------


def package(vendor: str) -> ModuleType:
    """The generated package ``generated.<vendor>``."""
    return importlib.import_module(f"generated.{vendor}")


def credentials(pkg: ModuleType) -> dict[str, str]:
    """Static credentials (``Client`` keyword arguments) for the first security alternative of a package."""
    spec = pkg._spec
    return {
        argument: f"test-{argument}" for key in spec.SECURITY[0] for argument in spec.SCHEMES[key].credentials.values()
    }


def simple_argument(schema: Mapping[str, Any]) -> Any:
    """A valid value for a simple parameter schema (string, integer, number, boolean or enum)."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    return {"integer": 1, "number": 1.5, "boolean": True}.get(kind if isinstance(kind, str) else "", "x1")


def call_operation(
    client: Any, pkg: ModuleType, operation: Operation, body: Any, params: Mapping[str, Any] | None = None, **extra: Any
) -> Any:
    """Call ``operation`` through ``client``: ``params`` by wire name (default: each required one, a simple value).

    ``body`` is passed only to an operation that takes one.
    """
    spec = pkg._spec.OPERATIONS[operation.operation_id]
    if params is None:
        params = {param.wire_name: simple_argument(param.schema) for param in spec.params if param.required}
    arguments = {param.python_name: params[param.wire_name] for param in spec.params if param.wire_name in params}
    if spec.body_schema is not None:
        arguments["body"] = body
    return getattr(client, operation.operation_id)(**arguments, **extra)


def result_classes(pkg: ModuleType, operation: Operation, document: Mapping[str, Any]) -> tuple[type, ...]:
    """The classes a successful call may return, from the schema of the payload."""
    if operation.is_batch:
        return (pkg.BatchResult,)
    schema = operation.payload_schema(document)
    members = schema.get("anyOf") or schema.get("oneOf") or [schema]
    found: list[type] = []
    for member in members:
        if "$ref" in member:
            found.append(getattr(pkg.models, member["$ref"][len(COMPONENT_REF) :]))
        elif member.get("type") == "null":
            found.append(type(None))
        else:
            raise AssertionError(f"{operation}: payload schema {member!r} is not a model reference")
    return tuple(found)


def body_type(pkg: ModuleType, schema: Mapping[str, Any]) -> Any:
    """The model class of a request body schema (``$ref``), or ``list[Model]`` for an array of them."""
    if "$ref" in schema:
        return getattr(pkg.models, schema["$ref"][len(COMPONENT_REF) :])
    if schema.get("type") == "array" and "$ref" in schema.get("items", {}):
        return GenericAlias(list, (getattr(pkg.models, schema["items"]["$ref"][len(COMPONENT_REF) :]),))
    raise AssertionError(f"no model for the body schema {schema!r}")


@functools.cache
def _validator_for(schema_text: str) -> Any:
    return jsonschema.Draft202012Validator(json.loads(schema_text), format_checker=_FORMAT_CHECKER)


def is_valid(value: Json, schema: Json) -> bool:
    """Whether ``value`` is valid per the self-contained ``schema`` (jsonschema, formats checked)."""
    return bool(_validator_for(json.dumps(schema, sort_keys=True)).is_valid(value))


def _extra_attribute(cls: type) -> str | None:
    return next((field.name for field in attrs.fields(cls) if field.metadata.get("extra")), None)


def assert_placed(instance: Any, wire: Any, unset: Any, where: str = "$") -> None:
    """Declared wire keys are in their attributes (absent = UNSET, null = None); only others are extra."""
    if isinstance(wire, list) and isinstance(instance, list):
        for index, (item, raw) in enumerate(zip(instance, wire, strict=True)):
            assert_placed(item, raw, unset, f"{where}[{index}]")
        return
    if not attrs.has(type(instance)):
        return
    assert isinstance(wire, dict), f"{where}: a model was built from {wire!r}"
    extra = _extra_attribute(type(instance))
    declared: dict[str, str] = {}
    for field in attrs.fields(type(instance)):
        if field.name == extra:
            continue
        wire_name = field.metadata.get("wire", field.name)
        declared[wire_name] = field.name
        value = getattr(instance, field.name)
        if wire_name not in wire:
            assert value is unset, f"{where}.{wire_name} is absent but {field.name} = {value!r}"
        elif wire[wire_name] is None:
            assert value is None, f"{where}.{wire_name} is null but {field.name} = {value!r}"
        else:
            assert value is not unset, f"{where}.{wire_name} was lost ({field.name} is UNSET)"
            assert value is not None, f"{where}.{wire_name} was lost ({field.name} is None)"
            assert_placed(value, wire[wire_name], unset, f"{where}.{wire_name}")
    kept = set(getattr(instance, extra)) if extra is not None else set()
    assert kept == set(wire) - set(declared), f"{where}: extra_fields holds {sorted(kept)}, expected undeclared keys"

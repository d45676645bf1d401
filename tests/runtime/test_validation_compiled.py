"""The compiled request validation answers exactly what the interpreter answers.

``SchemaValidator.validate`` first runs a check compiled once per schema, which only says
"valid or not", and runs the interpreter (``SchemaValidator._violations``, the validation
as it was before) only when that check says "not". These tests compare, on many values,

- ``validate`` with the interpreter: the same violations (messages, JSON paths, order), or
  the same exception;
- the compiled check itself with the interpreter: True exactly when the interpreter finds
  nothing, and an exception whenever the interpreter raises (``validate`` falls back to the
  interpreter when the compiled check raises, which would hide a compiled check that
  swallows an error).

Values: instances drawn from each schema with Hypothesis (derandomized, a fixed seed;
hypothesis-jsonschema draws the scalars: strings with their formats, patterns and lengths,
numbers with their bounds; objects, arrays and combinators are drawn here, because
hypothesis-jsonschema 0.23.1 cannot draw objects with the pinned Hypothesis), each also
broken in many ways at every place (too long, out of range, wrong enum, missing required
property, unknown property, wrong type, null, NaN and infinities, duplicates, nesting far
beyond the depth limit, values that are not JSON). Schemas: every component of
``schemas/<vendor>/openapi.json`` as written, every component of ``generated.<vendor>._spec``
and every operation's parameter and body schemas there, and synthetic schemas for what the
vendors do not use (const, multipleOf, prefixItems, uniqueItems, patternProperties, closed
objects, allOf, oneOf, not, recursive components, the depth limit).
"""

from __future__ import annotations

import enum
import importlib
import inspect
import json
import math
import random
import re
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from tests.helpers.paths import load_schema, vendors

COMPONENT_REF = "#/components/schemas/"
SEED = 20261123
EXAMPLES = 12
"""Instances drawn per schema; each is also checked broken in up to MUTATIONS ways."""
MUTATIONS = 60

RUNTIME: Any = importlib.import_module("generated.formation._validation")
"""The runtime's validation module (the same source in every generated package)."""


# -- values ---------------------------------------------------------------------------------


class Kind(str, enum.Enum):
    CUSTOMER = "customer"  # equal to an option of ContactType, but not a str: the interpreter rejects it


class Size(enum.IntEnum):
    BIG = 7


class Ratio(float):
    pass


def nested_lists(depth: int) -> Any:
    value: Any = "leaf"
    for _ in range(depth):
        value = [value]
    return value


def nested_objects(depth: int, key: str = "children") -> Any:
    value: Any = {"name": "leaf"}
    for _ in range(depth):
        value = {"name": "node", key: [value]}
    return value


REPLACEMENTS: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    7,
    101,
    10**20,
    10**400,
    1.0,
    1.5,
    -0.5,
    1e308,
    float("nan"),
    float("inf"),
    float("-inf"),
    "",
    "x" * 300,
    "zz-not-listed",
    "customer",
    "2024-02-30",
    "2024-01-01T25:00:00Z",
    "2024-01-01T10:00:00+01:00",
    "123e4567-e89b-12d3-a456-426614174000",
    "not-a-uuid",
    "no-at-sign",
    "ABC",
    [],
    [None],
    ["a", "a"],
    ("a", 1),
    {},
    {"unknown": 1},
    {1: "integer key"},
    {None: "null key"},
    Kind.CUSTOMER,
    Size.BIG,
    Ratio(2.0),
    b"bytes",
    nested_lists(300),
    nested_objects(120),
)
"""What any place of an instance is replaced with, one at a time (JSON and not quite JSON)."""

_REMOVE = object()


def _finite_json(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


def json_values(*, finite: bool = False) -> st.SearchStrategy[Any]:
    """Values of JSON's classes; with NaN and the infinities (which no schema accepts) unless ``finite``."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=not finite, allow_infinity=not finite)
        | st.text(max_size=12)
        | st.sampled_from([value for value in REPLACEMENTS[:30] if not finite or _finite_json(value)])
    )
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
        max_leaves=12,
    )


def places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every place of a JSON value (containers first), with its value."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from places(item, (*path, key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from places(item, (*path, index))


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    """A copy of ``value`` with the place at ``path`` replaced by ``new`` (or removed: ``_REMOVE``)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy: Any = dict(value) if isinstance(value, dict) else list(value)
    if new is _REMOVE and not rest:
        del copy[head]
    else:
        copy[head] = replaced(value[head], rest, new)
    return copy


def changes(value: Any) -> list[Any]:
    """Ways to change one place holding ``value``, beyond the common replacements."""
    found: list[Any] = []
    if isinstance(value, dict):
        found += [{**value, "zz_unknown": 1}, dict(list(value.items())[:1])]
    elif isinstance(value, (list, tuple)):
        found += [[*value, *value[:1]], [*value, None], tuple(value)]
    elif isinstance(value, str):
        found += [value + "x" * 300, value.upper(), " " + value]
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        found += [value + 10**9, -value - 1]
        if isinstance(value, float) or abs(value) < 2**53:
            found += [value + 0.5, float(value) if math.isfinite(value) else 0]
    return found


_BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_SIZES = ("minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties")


def boundary_values(schema: Any, components: dict[str, Any]) -> list[Any]:
    """Values on and next to every bound and size limit ``schema`` (and what it refers to) sets."""
    found: list[Any] = []
    seen: set[int] = set()
    pending = [schema]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, list):
            pending += node
        if not isinstance(node, dict):
            continue
        pending += node.values()
        if isinstance(node.get("$ref"), str) and node["$ref"].startswith(COMPONENT_REF):
            pending.append(components.get(node["$ref"][len(COMPONENT_REF) :]))
        for keyword in _BOUNDS:
            bound = node.get(keyword)
            if isinstance(bound, (int, float)) and not isinstance(bound, bool):
                found += [bound, bound - 1, bound + 1, bound - 0.5, bound + 0.5, float(bound), bound * 3, -bound]
        for keyword in _SIZES:
            size = node.get(keyword)
            if isinstance(size, int) and not isinstance(size, bool) and 0 <= size < 1000:
                for count in (size - 1, size, size + 1):
                    if count >= 0:
                        found += ["x" * count, list(range(count)), {f"k{index}": index for index in range(count)}]
    return found


def mutations(instance: Any, rng: random.Random, limit: int = MUTATIONS, boundaries: tuple[Any, ...] = ()) -> list[Any]:
    """Up to ``limit`` copies of ``instance``, each broken (or just changed) at one place."""
    candidates: list[tuple[tuple[Any, ...], Any]] = []
    for path, value in places(instance):
        candidates += [(path, new) for new in (*REPLACEMENTS, *boundaries, *changes(value))]
        if path:
            candidates.append((path, _REMOVE))  # a missing (required) property, a shorter array
    chosen = rng.sample(candidates, min(limit, len(candidates)))
    return [replaced(instance, path, new) for path, new in chosen]


# -- instances ------------------------------------------------------------------------------

_LEAF_KEYWORDS = {
    "string": ("minLength", "maxLength", "pattern", "format"),
    "integer": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    "number": ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"),
    "boolean": (),
    "null": (),
}
_DRAWN_FORMATS = ("date", "date-time", "email", "uuid")
_LEAVES: dict[str, st.SearchStrategy[Any]] = {}


def leaf(kind: str, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """hypothesis-jsonschema's instances of the scalar part of ``schema`` (cached)."""
    part = {"type": kind, **{key: schema[key] for key in _LEAF_KEYWORDS[kind] if key in schema}}
    if part.get("format") not in _DRAWN_FORMATS:
        part.pop("format", None)  # int32, int64...: no constraint for the validator
    key = json.dumps(part, sort_keys=True)
    if key not in _LEAVES:
        _LEAVES[key] = from_schema(part)
    return _LEAVES[key]


def instances(schema: Any, components: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Instances of ``schema``, most of them valid (validity is not needed: both sides must agree)."""
    if schema is True or schema is None:
        return json_values(finite=True)
    if schema is False or schema.get("enum") == []:
        return json_values()  # nothing is valid against False or an empty enum: any value will do
    if "$ref" in schema:
        if depth > 8:
            return json_values(finite=True)  # a recursive component: stop here
        return instances(components[schema["$ref"][len(COMPONENT_REF) :]], components, depth + 1)
    for keyword in ("anyOf", "oneOf", "allOf"):
        if keyword in schema:
            return st.one_of([instances(member, components, depth + 1) for member in schema[keyword]])
    if "not" in schema:
        return json_values()
    if "enum" in schema:
        return st.sampled_from(list(schema["enum"]))
    if "const" in schema:
        return st.just(schema["const"])
    declared = schema.get("type")
    kinds = declared if isinstance(declared, list) else [declared] if declared else [*_LEAF_KEYWORDS, "array"]
    branches: list[st.SearchStrategy[Any]] = []
    for kind in kinds:
        if kind == "object":
            branches.append(objects(schema, components, depth))
        elif kind == "array":
            branches.append(arrays(schema, components, depth))
        elif kind in _LEAF_KEYWORDS:
            branches.append(leaf(kind, schema))
    return st.one_of(branches) if branches else json_values(finite=True)


def objects(schema: dict[str, Any], components: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    properties = schema.get("properties", {})
    required = [name for name in schema.get("required", ()) if isinstance(name, str)]
    fixed = st.fixed_dictionaries(
        {name: instances(properties.get(name, True), components, depth + 1) for name in required},
        optional={
            name: instances(member, components, depth + 1)
            for name, member in properties.items()
            if name not in required
        },
    )
    additional = schema.get("additionalProperties", True)
    if additional is False:
        return fixed
    values = json_values(finite=True) if additional in (True, None) else instances(additional, components, depth + 1)
    extra = st.dictionaries(st.text(max_size=8).filter(lambda key: key not in properties), values, max_size=2)
    return st.builds(lambda base, more: {**more, **base}, fixed, extra)


def arrays(schema: dict[str, Any], components: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    prefix = [instances(member, components, depth + 1) for member in schema.get("prefixItems", [])]
    rest = st.lists(instances(schema.get("items", True), components, depth + 1), max_size=3)
    if not prefix:
        return rest
    return st.builds(lambda head, tail: [*head, *tail], st.tuples(*prefix), rest)


# -- the comparison -------------------------------------------------------------------------


def outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "returns", call()
    except Exception as exc:  # compared, never hidden
        return "raises", type(exc).__name__


def assert_agrees(validator: Any, value: Any, schema: Any, *, compiled: bool = True) -> list[Any]:
    """``validate`` == the interpreter, and the compiled check is exact; returns the violations."""
    reference = outcome(lambda: validator._violations(value, schema, "$"))
    assert outcome(lambda: validator.validate(value, schema, "$")) == reference, value
    entry = validator._compile(schema)
    assert entry[0] is schema
    if not compiled:
        assert entry[1] is None
        return list(reference[1]) if reference[0] == "returns" else []
    assert entry[1] is not None, "the schema did not compile"
    trivial, check = entry[1]
    verdict = outcome(lambda: value.__class__ in trivial or check(value))
    if reference[0] == "raises":
        assert verdict[0] == "raises", (value, reference, verdict)
        return []
    assert verdict == ("returns", not reference[1]), (value, reference, verdict)
    return list(reference[1])


# -- the schemas ----------------------------------------------------------------------------


class Case:
    """A schema to check values against, with the validator (and components) it belongs to."""

    def __init__(self, name: str, validator: Any, components: dict[str, Any], schema: Any) -> None:
        self.name = name
        self.validator = validator
        self.components = components
        self.schema = schema
        self.boundaries = tuple(boundary_values(schema, components))

    def __repr__(self) -> str:
        return f"Case({self.name!r})"


def package(vendor: str) -> ModuleType:
    return importlib.import_module(f"generated.{vendor}")


def vendor_cases() -> list[Case]:
    cases: list[Case] = []
    for vendor in vendors():
        pkg = package(vendor)
        document_components = load_schema(vendor)["components"]["schemas"]
        spec_components = dict(pkg._spec.COMPONENTS)
        written = pkg._validation.SchemaValidator(document_components)
        rendered = pkg._validation.SchemaValidator(spec_components)
        cases += [
            Case(f"{vendor}:schema:{name}", written, document_components, schema)
            for name, schema in document_components.items()
        ]
        cases += [
            Case(f"{vendor}:spec:{name}", rendered, spec_components, schema) for name, schema in spec_components.items()
        ]
        for operation in pkg._spec.OPERATIONS.values():
            cases += [
                Case(
                    f"{vendor}:{operation.operation_id}:{param.location}:{param.wire_name}",
                    rendered,
                    spec_components,
                    param.schema,
                )
                for param in operation.params
            ]
            if operation.body_schema is not None:
                cases.append(
                    Case(f"{vendor}:{operation.operation_id}:body", rendered, spec_components, operation.body_schema)
                )
    return cases


def ref(name: str) -> dict[str, str]:
    return {"$ref": COMPONENT_REF + name}


SYNTHETIC: dict[str, Any] = {
    "Tree": {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string", "maxLength": 8}, "children": {"type": "array", "items": ref("Tree")}},
    },
    "LinkedList": {
        "anyOf": [
            {"type": "null"},
            {
                "type": "object",
                "required": ["value"],
                "properties": {"value": {"type": "integer"}, "next": ref("LinkedList")},
            },
        ]
    },
    "Nested": {"type": ["array", "string"], "items": ref("Nested")},
    "Folder": {"type": "object", "properties": {"files": ref("Files"), "name": {"type": "string"}}},
    "Files": {"type": "array", "items": {"anyOf": [ref("Folder"), {"type": "string", "format": "uuid"}]}},
    "NotATree": {"not": ref("Tree")},
    "Code": {"type": "string", "pattern": "^[A-Z]+$"},
    "Anything": True,
    "Everything": {
        "type": "object",
        "minProperties": 1,
        "maxProperties": 30,
        "properties": {
            "const": {"const": {"a": [1, 2.0, True, None]}},
            "const_string": {"const": "fixed"},
            "half": {"type": "number", "multipleOf": 0.5, "exclusiveMinimum": -10, "exclusiveMaximum": 10},
            "thirds": {"type": "integer", "multipleOf": 3, "minimum": -99, "maximum": 99},
            "pair": {
                "type": "array",
                "prefixItems": [{"type": "string"}, {"type": "integer"}],
                "items": {"type": "boolean"},
                "minItems": 1,
                "maxItems": 4,
            },
            "open_pair": {"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}]},
            "unique_mixed": {
                "type": "array",
                "uniqueItems": True,
                "items": {"enum": [1, 1.0, True, "a", None, [1], {"k": 1}]},
            },
            "unique_strings": {"type": "array", "uniqueItems": True, "items": {"type": "string"}},
            "unique_any": {"type": "array", "uniqueItems": True},
            "patterned": {
                "type": "object",
                "patternProperties": {"^x-": {"type": "string"}, "[0-9]$": {"type": "integer"}},
                "additionalProperties": {"type": "boolean"},
                "minProperties": 1,
                "maxProperties": 3,
            },
            "closed": {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False},
            "typed_extras": {"type": "object", "additionalProperties": {"type": "integer"}},
            "null_extras": {"type": "object", "additionalProperties": None},
            "all": {"allOf": [{"type": "string"}, {"minLength": 2}, {"pattern": "^[a-z]+$"}]},
            "one": {"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 0}]},
            "negated": {"not": {"type": ["string", "null"]}},
            "ref_sibling": {"$ref": COMPONENT_REF + "Code", "maxLength": 3},
            "ref_to_true": ref("Anything"),
            "array_beside_ref": {"$ref": COMPONENT_REF + "Anything", "type": "array", "maxItems": 2, "items": {}},
            "mixed_enum": {"enum": [1, 2.5, True, None, "1", [1, "a"], {"k": [None]}]},
            "nullable_enum": {"type": ["string", "null"], "enum": ["a", "b", None]},
            "short_enum": {"type": "string", "enum": ["a", "bb", "ccc"], "maxLength": 2},
            "enum_beside_ref": {"$ref": COMPONENT_REF + "Code", "enum": ["AB", "customer", None]},
            "enum_beside_any_of": {"enum": ["customer", "x"], "anyOf": [{"maxLength": 3}, {"minLength": 8}]},
            "empty_enum": {"enum": []},
            "nullable_tree": {"anyOf": [ref("Tree"), {"type": "null"}]},
            "three_way": {
                "anyOf": [{"type": "string", "format": "date"}, {"type": "integer", "minimum": 0}, {"type": "null"}]
            },
            "formats": {
                "type": "array",
                "items": {
                    "anyOf": [{"format": "date"}, {"format": "date-time"}, {"format": "email"}, {"format": "uuid"}]
                },
            },
            "lengths": {"type": "string", "minLength": 2, "maxLength": 4, "pattern": "^[a-z]"},
            "integer": {"type": "integer"},
            "number": {"type": "number"},
            "bounded": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
            "boolean": {"type": "boolean"},
            "untyped": {},
            "annotated": {"description": "only an annotation", "format": "int64"},
            "always": True,
            "never": False,
            "unknown_type": {"type": "foo"},
            "anything_but_numbers": {"type": ["string", "boolean", "null", "array", "object"]},
        },
    },
}


def synthetic_cases() -> list[Case]:
    validator = RUNTIME.SchemaValidator(SYNTHETIC)
    cases = [Case(f"synthetic:{name}", validator, SYNTHETIC, schema) for name, schema in SYNTHETIC.items()]
    cases += [
        Case(f"synthetic:Everything.{name}", validator, SYNTHETIC, schema)
        for name, schema in SYNTHETIC["Everything"]["properties"].items()
    ]
    return cases


CASES = vendor_cases() + synthetic_cases()


# -- tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@seed(SEED)
@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_compiled_check_agrees_with_the_interpreter(case: Case, data: st.DataObject) -> None:
    instance = data.draw(instances(case.schema, case.components), label="instance")
    rng = data.draw(st.randoms(use_true_random=False), label="rng")
    assert_agrees(case.validator, instance, case.schema)
    for broken in mutations(instance, rng, boundaries=case.boundaries):
        assert_agrees(case.validator, broken, case.schema)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@seed(SEED)
@settings(max_examples=EXAMPLES * 4, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(value=json_values())
def test_compiled_check_agrees_on_arbitrary_values(case: Case, value: Any) -> None:
    assert_agrees(case.validator, value, case.schema)


def test_the_vendors_instances_are_mostly_valid() -> None:
    """The drawn instances exercise the compiled "valid" answer, not only the fallback."""
    verdicts: list[bool] = []

    def draw(case: Case) -> Callable[[], None]:
        @seed(SEED)
        @settings(max_examples=5, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(value=instances(case.schema, case.components))
        def check(value: Any) -> None:
            verdicts.append(not assert_agrees(case.validator, value, case.schema))

        return check

    for case in vendor_cases():
        draw(case)()
    assert verdicts
    assert sum(verdicts) / len(verdicts) > 0.9, (sum(verdicts), len(verdicts))


def request_examples(vendor: str) -> Iterator[tuple[str, Any]]:
    """(operation id, body) of every request body example of the vendor's schema."""
    for item in load_schema(vendor)["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "requestBody" in operation:
                content = operation["requestBody"]["content"]["application/json"]
                for example in content.get("examples", {}).values():
                    yield operation["operationId"], example["value"]


@pytest.mark.parametrize("vendor", vendors())
def test_request_examples_agree(vendor: str) -> None:
    """The schema's own request examples (the benchmark's inputs among them), valid and broken."""
    pkg = package(vendor)
    validator = pkg._validation.SchemaValidator(pkg._spec.COMPONENTS)
    rng = random.Random(SEED)
    examples = list(request_examples(vendor))
    assert examples
    for operation_id, body in examples:
        schema = pkg._spec.OPERATIONS[operation_id].body_schema
        assert assert_agrees(validator, body, schema) == []
        for broken in mutations(body, rng, limit=400, boundaries=tuple(boundary_values(schema, pkg._spec.COMPONENTS))):
            assert_agrees(validator, broken, schema)


def test_cin7_batch_of_100_contacts() -> None:
    pkg = package("cin7_omni")
    validator = pkg._validation.SchemaValidator(pkg._spec.COMPONENTS)
    schema = pkg._spec.OPERATIONS["create_contacts"].body_schema
    seeds = next(body for operation_id, body in request_examples("cin7_omni") if operation_id == "create_contacts")
    batch = [dict(seeds[index % len(seeds)], id=index + 1) for index in range(100)]
    assert assert_agrees(validator, batch, schema) == []
    batch[57] = dict(batch[57], accountNumber="x" * 11, percentageOff=float("nan"))
    del batch[99]["type"]
    violations = assert_agrees(validator, batch, schema)
    assert [str(violation) for violation in violations] == [
        "$[57].accountNumber: must be at most 10 characters long, not 11",
        "$[57].percentageOff: must be a finite number",
        "$[99].type: is required",
    ]


# -- the depth limit and recursive components -----------------------------------------------


DEPTH_CASES = [
    ("Tree by reference", ref("Tree"), nested_objects),
    ("Tree itself", SYNTHETIC["Tree"], nested_objects),
    ("Nested by reference", ref("Nested"), nested_lists),
    ("Nested itself", SYNTHETIC["Nested"], nested_lists),
    ("array of Nested", {"type": ["array", "string"], "items": ref("Nested")}, nested_lists),
]


@pytest.mark.parametrize(
    ("schema", "nested"), [case[1:] for case in DEPTH_CASES], ids=[case[0] for case in DEPTH_CASES]
)
def test_depth_limit_in_recursive_components(schema: Any, nested: Callable[[int], Any]) -> None:
    """The first value nested too deeply is the interpreter's, whatever depth the schema starts at."""
    validator = RUNTIME.SchemaValidator(SYNTHETIC)
    too_deep = []
    for levels in range(150):
        violations = assert_agrees(validator, nested(levels), schema)
        too_deep.append(any(violation.message == "is nested too deeply" for violation in violations))
        assert violations == [] or too_deep[-1]
    assert not too_deep[0]
    assert too_deep[-1]
    first = too_deep.index(True)
    assert all(too_deep[first:])
    assert not any(too_deep[:first])
    for levels in (first - 1, first, first + 1, 250):
        broken = nested(levels)
        if isinstance(broken, dict):
            broken["name"] = "far too long a name"
        else:
            broken.append(1)
        assert_agrees(validator, broken, schema)


def test_depth_limit_through_combinators() -> None:
    validator = RUNTIME.SchemaValidator(SYNTHETIC)
    for levels in (0, 1, 50, 84, 85, 86, 87, 120):
        value: Any = None
        for number in range(levels):
            value = {"value": number, "next": value}
        assert_agrees(validator, value, ref("LinkedList"))
        assert_agrees(validator, value, {"not": ref("LinkedList")})
        if levels:
            value["value"] = 1.0  # integral: still an integer
            assert_agrees(validator, value, ref("LinkedList"))
            value["value"] = True  # a boolean is not an integer
            assert_agrees(validator, value, ref("LinkedList"))


def test_mutually_recursive_components() -> None:
    validator = RUNTIME.SchemaValidator(SYNTHETIC)
    folder: Any = {"name": "root", "files": []}
    current = folder
    for level in range(200):
        child = {"name": f"f{level}", "files": ["123e4567-e89b-12d3-a456-426614174000"]}
        current["files"].append(child)
        current = child
    assert_agrees(validator, folder, ref("Folder"))
    current["files"].append("not-a-uuid")
    assert_agrees(validator, folder, ref("Folder"))
    assert_agrees(validator, folder, ref("NotATree"))


# -- exceptions, unusual schemas and the cache ----------------------------------------------

PARITY: list[tuple[Any, Any, bool]] = [
    # (schema, value, compiles): the interpreter raises or answers; validate() must do the same.
    ({"type": "object", "patternProperties": {"^a": {}}}, {1: "x"}, True),
    ({"type": "object", "patternProperties": {"^a": {}}}, {"ab": 1, "c": 2}, True),
    ({"not": {"maximum": 5, "multipleOf": 0.1}}, 10**400, True),
    (
        {"not": {"type": "object", "properties": {"a": {"type": "string"}, "b": {"multipleOf": 0.1}}}},
        {"a": 1, "b": 10**400},
        True,
    ),
    ({"not": {"type": "array", "items": {"multipleOf": 0.1}}}, ["a", 10**400], True),
    ({"not": {"allOf": [{"type": "string"}, {"multipleOf": 0.1}]}}, 10**400, True),
    ({"oneOf": [{"type": "integer"}, {"type": "integer"}, {"multipleOf": 0.1}]}, 10**400, True),
    ({"not": {"maximum": 5, "anyOf": [{"multipleOf": 0.1}]}}, 10**400, True),
    ({"type": "string", "anyOf": [{"multipleOf": 0.1}]}, 10**400, True),  # a wrong type ends the check
    ({"anyOf": [{"type": "integer"}, {"multipleOf": 0.1}]}, 10**400, True),
    ({"type": "object", "additionalProperties": {"type": "integer"}}, {None: 1}, True),
    ({"type": "object", "additionalProperties": False}, {(1, 2): 1}, True),
    ({"type": "object", "additionalProperties": False}, {1: 1}, True),
    ({"not": {"type": "object", "required": ["a"], "additionalProperties": False}}, {b"k": 1}, True),
    ({"type": "string", "maxLength": "5"}, "abc", True),
    ({"type": "string", "maxLength": "5"}, 5, True),
    ({"not": {"enum": ["a"], "maxLength": "5"}}, "b", True),
    ({"not": {"type": "string", "enum": ["a"], "minLength": None}}, "b", True),
    ({"anyOf": [{"type": "string"}, {"$ref": COMPONENT_REF + "Missing"}]}, "x", False),
    ({"anyOf": [{"type": "string"}, {"$ref": "#/definitions/Elsewhere"}]}, "x", False),
    ({"type": ("string",)}, "x", False),
    ({"type": [["string"]]}, "x", False),
    ({"type": "array", "items": "string"}, [], False),
    ({"type": "array", "items": "string"}, ["a"], False),
    ({"type": "string", "pattern": "("}, "x", False),
    ({"type": "string", "pattern": "("}, 1, False),
    ({"type": "string", "format": ["date"]}, "x", False),
    ({"minimum": 0, "multipleOf": 0}, 3, True),
    ({"minimum": 0, "multipleOf": 0}, "x", True),
]


@pytest.mark.parametrize(("schema", "value", "compiles"), PARITY)
def test_exceptions_and_unusual_schemas(schema: Any, value: Any, compiles: bool) -> None:
    validator = RUNTIME.SchemaValidator(SYNTHETIC)
    assert_agrees(validator, value, schema, compiled=compiles)


def test_violations_are_the_interpreters() -> None:
    validator = RUNTIME.SchemaValidator(SYNTHETIC)
    schema = ref("Everything")
    value = {
        "half": 0.3,
        "pair": ["a", "b", 1],
        "closed": {"a": "x", "b": 1},
        "one": 5,
        "negated": None,
        "ref_sibling": "abcd",
        "unique_strings": ["a", "b", "a"],
    }
    violations = assert_agrees(validator, value, schema)
    assert [str(violation) for violation in violations] == [
        "$.half: must be a multiple of 0.5",
        "$.pair[1]: must be of type integer, not string",
        "$.pair[2]: must be of type boolean, not integer",
        "$.closed.b: is not a known property",
        "$.one: matches 2 of the oneOf schemas, exactly one is allowed",
        "$.negated: must not match the excluded schema",
        "$.ref_sibling: must match the pattern '^[A-Z]+$'",
        "$.ref_sibling: must be at most 3 characters long, not 4",
        "$.unique_strings[2]: repeats an earlier item (items must be unique)",
    ]


def test_compiled_once_per_schema_object() -> None:
    validator = RUNTIME.SchemaValidator(SYNTHETIC)
    schema = {"type": "array", "items": ref("Tree")}
    assert validator.validate([{"name": "a"}], schema) == []
    entry = validator._compiled[id(schema)]
    assert entry[0] is schema
    assert entry[1] is not None
    assert validator.validate([{"name": 1}], schema, "$body") == validator._violations([{"name": 1}], schema, "$body")
    assert validator._compiled[id(schema)] is entry
    copy = json.loads(json.dumps(schema))
    assert validator.validate([{}], copy) == [RUNTIME.Violation("$[0].name", "is required")]
    assert validator._compiled[id(copy)][0] is copy


def test_many_schema_objects_do_not_grow_the_cache_without_bound() -> None:
    validator = RUNTIME.SchemaValidator(SYNTHETIC)
    for number in range(RUNTIME._MAX_COMPILED_SCHEMAS + 10):
        assert validator.validate(number, {"type": "integer", "maximum": number}) == []
    assert len(validator._compiled) <= RUNTIME._MAX_COMPILED_SCHEMAS


def test_trivially_valid_values_skip_the_check() -> None:
    """Exact JSON classes a schema allows without further constraint pass without a call."""
    validator = RUNTIME.SchemaValidator(SYNTHETIC)
    trivial, _ = validator._compile({"type": ["string", "null"]})[1]
    assert trivial == {str, type(None)}
    trivial, _ = validator._compile({"type": ["string", "null"], "maxLength": 3})[1]
    assert trivial == {type(None)}
    trivial, _ = validator._compile({"type": "number"})[1]
    assert int in trivial
    assert float not in trivial
    assert bool not in trivial


def test_the_compiler_knows_every_keyword_the_interpreter_reads() -> None:
    """A keyword added to the interpreter must be added to the compiled checks too."""
    source = inspect.getsource(RUNTIME.SchemaValidator)
    read = set(re.findall(r'schema(?:\.get\(|\[)"([$\w]+)"', source))
    read |= set(re.findall(r'"([$\w]+)" in schema\b', source))
    read |= {"anyOf", "oneOf"}  # read in a loop over the two names
    assert len(read) > 20
    assert read == RUNTIME._KEYWORDS

"""The pieces of ``nox -s realworld`` that need no Prism: request values from schemas, the mocked copy of a spec."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.realworld import harness
from tests.realworld.mock_spec import BASE64, mocked_spec
from tests.realworld.specs import imported_operations, method_ranges
from tests.realworld.values import FORMAT_VALUES, NoSample, Sampler

COMPONENTS: dict[str, Any] = {
    "Node": {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}, "child": {"$ref": "#/components/schemas/Node"}},
    },
    "Kind": {"type": "string", "enum": ["a", "b"]},
}
DOCUMENT = {"openapi": "3.1.0", "components": {"schemas": COMPONENTS}}


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string", "format": "date-time"}, FORMAT_VALUES["date-time"]),
        ({"type": "string", "format": "uuid"}, FORMAT_VALUES["uuid"]),
        ({"type": "string", "minLength": 10, "maxLength": 12}, "samplexxxx"),
        ({"type": "string", "maxLength": 3}, "sam"),
        ({"type": "integer", "minimum": 5}, 5),
        ({"type": "integer", "exclusiveMaximum": 0}, -1),
        ({"type": "number", "multipleOf": 0.5, "minimum": 2}, 2.0),
        ({"enum": [None, "x"]}, "x"),
        ({"const": 3}, 3),
        ({"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/Kind"}]}, "a"),
        ({"type": ["null", "boolean"]}, True),
        ({"type": "string", "examples": ["from the spec"]}, "from the spec"),
        ({"type": "integer", "examples": ["not an integer"]}, 1),  # an invalid example is not used
        ({"type": "array", "items": {"type": "integer"}, "minItems": 2}, [1, 1]),
        ({"$ref": "#/components/schemas/Node"}, {"name": "sample"}),  # the optional recursive child is left out
        (
            {"allOf": [{"$ref": "#/components/schemas/Node"}, {"properties": {"extra": {"type": "integer"}}}]},
            {"name": "sample", "child": {"name": "sample"}, "extra": 1},  # one level of recursion, then none
        ),
        (
            {"type": "object", "properties": {"id": {"type": "integer", "readOnly": True}, "v": {"type": "boolean"}}},
            {"v": True},
        ),
    ],
)
def test_sample_builds_a_valid_value(schema: dict[str, Any], expected: Any) -> None:
    sampler = Sampler(DOCUMENT)

    value = sampler.sample(schema)

    assert value == expected
    assert sampler.is_valid(value, schema)


def test_a_pattern_gets_a_matching_string_every_time() -> None:
    sampler = Sampler(DOCUMENT)
    schema = {"type": "string", "pattern": r"^\d{2}-\d{7}$"}

    first, second = sampler.sample(schema), sampler.sample(schema)

    assert first == second
    assert sampler.is_valid(first, schema)


def test_no_value_is_an_error_that_says_where() -> None:
    with pytest.raises(NoSample, match=r"\$.body: no member"):
        Sampler(DOCUMENT).sample({"oneOf": [{"type": "string"}, {"type": "string"}]}, "$.body")


def published() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Tax": {"type": "object", "properties": {"rate": {"type": "number", "examples": ["10"]}}},
                "Flags": {"type": "object", "additionalProperties": True, "propertyNames": {"enum": ["x", "y"]}},
                "Pdf": {"type": "string", "format": "byte"},
            },
        },
        "paths": {
            "/a": {
                "get": {"security": [{"mcp": ["read"]}], "responses": {"200": {"description": "ok"}}},
                "post": {"security": [], "responses": {"200": {"description": "ok"}}},
            }
        },
    }


def test_the_mocked_copy_corrects_the_spec_and_says_so() -> None:
    original = published()
    kept = copy.deepcopy(original)

    mocked = mocked_spec(original, "spec.json")

    assert original == kept, "the published document is not changed"
    document = mocked.document
    assert "security" not in document["paths"]["/a"]["get"]  # the root security applies
    assert document["paths"]["/a"]["post"]["security"] == []  # anonymous stays anonymous
    assert "examples" not in document["components"]["schemas"]["Tax"]["properties"]["rate"]
    assert mocked.spec_defects == [
        "1 operation(s) require security scheme 'mcp', which the spec never declares: import drops the"
        " requirement (the root security applies); Prism mocks the spec with the same correction",
        '/components/schemas/Tax/properties/rate: example "10" breaks its own schema; removed from the mocked copy',
    ]
    assert document["components"]["schemas"]["Flags"] == {
        "type": "object",
        "additionalProperties": False,
        "properties": {"x": {}, "y": {}},
    }
    assert document["components"]["schemas"]["Pdf"] == {"type": "string", "pattern": BASE64, "examples": ["aGVsbG8="]}
    assert len(mocked.mock_limits) == 2


def test_a_swagger_definition_example_is_found_under_definitions() -> None:
    swagger = {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "definitions": {"Thing": {"type": "object", "properties": {"n": {"type": "integer", "example": "one"}}}},
    }

    mocked = mocked_spec(swagger, "spec.yaml")

    assert "example" not in mocked.document["definitions"]["Thing"]["properties"]["n"]
    assert mocked.spec_defects == [
        '/components/schemas/Thing/properties/n: example "one" breaks its own schema; removed from the mocked copy'
    ]


def test_the_import_report_and_the_client_methods_are_read() -> None:
    report = (
        "x: created, 2 operation(s) imported\n  GET /a -> client.get_a\n"
        "  POST /a/{b} -> client.things.make (flat: client.make_b)\n  components: none"
    )
    source = (
        "class Client:\n    def get_a(self) -> None:\n        pass\n\n    def make_b(self) -> None:\n        pass\n"
    )

    assert imported_operations(report) == {"GET /a": "get_a", "POST /a/{b}": "make_b"}
    assert method_ranges(source) == {"get_a": (2, 3), "make_b": (5, 6)}


@pytest.mark.parametrize(("ci", "status"), [("true", 1), ("", 0)])
def test_a_missing_shared_folder_fails_under_ci_and_skips_elsewhere(
    ci: str, status: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(harness, "SHARED", tmp_path / "shared")
    monkeypatch.setenv("CI", ci)

    assert harness.main([]) == status

    message = capsys.readouterr().err
    assert f"{tmp_path / 'shared' / 'vendor-specs'} not found" in message
    assert message.startswith("error:" if status else "skipped:")

"""Reading published specs (JSON or YAML) and bringing Swagger 2.0 / OpenAPI 3.0 to OpenAPI 3.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from codegen.maintain.convert import normalise
from codegen.maintain.documents import load_spec
from codegen.problems import SchemaError


def swagger(**extra: Any) -> dict[str, Any]:
    return {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}, **extra}


def test_swagger_servers_from_host_base_path_and_schemes() -> None:
    document = normalise(swagger(host="api.example.com", basePath="/v2", schemes=["https", "http"]), "s").document
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "https://api.example.com/v2"}, {"url": "http://api.example.com/v2"}]
    assert normalise(swagger(basePath="/v2"), "s").document["servers"] == [{"url": "/v2"}]


def test_swagger_operation_parameters_bodies_and_responses() -> None:
    spec = swagger(
        consumes=["application/json"],
        produces=["application/json"],
        parameters={"Body": {"name": "thing", "in": "body", "required": True, "schema": {"$ref": "#/definitions/T"}}},
        definitions={"T": {"type": "object", "x-nullable": True, "properties": {"f": {"type": "file"}}}},
        paths={
            "/things": {
                "post": {
                    "parameters": [
                        {"$ref": "#/parameters/Body"},
                        {
                            "name": "ids",
                            "in": "query",
                            "type": "array",
                            "items": {"type": "integer"},
                            "collectionFormat": "multi",
                            "x-example": [1],
                        },
                        {
                            "name": "tags",
                            "in": "query",
                            "type": "array",
                            "items": {"type": "string"},
                            "collectionFormat": "csv",
                            "minItems": 1,
                        },
                    ],
                    "responses": {
                        "201": {
                            "description": "made",
                            "schema": {"$ref": "#/definitions/T"},
                            "headers": {"X-Rate": {"type": "integer", "description": "left"}},
                            "examples": {"application/json": {"f": "x"}},
                        }
                    },
                },
                "put": {
                    "consumes": ["multipart/form-data"],
                    "parameters": [
                        {"name": "file", "in": "formData", "type": "file", "required": True},
                        {"name": "note", "in": "formData", "type": "string", "description": "a note"},
                    ],
                    "responses": {"204": {"description": "done"}},
                },
            }
        },
    )
    document = normalise(spec, "s").document
    post = document["paths"]["/things"]["post"]
    assert post["requestBody"] == {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/T"}}},
        "required": True,
    }
    ids, tags = post["parameters"]
    assert ids == {
        "name": "ids",
        "in": "query",
        "schema": {"type": "array", "items": {"type": "integer"}},
        "examples": {"example": {"value": [1]}},
        "style": "form",
        "explode": True,
    }
    assert tags["schema"] == {"type": "array", "items": {"type": "string"}, "minItems": 1}
    assert (tags["style"], tags["explode"]) == ("form", False)
    created = post["responses"]["201"]
    assert created["content"] == {
        "application/json": {
            "schema": {"$ref": "#/components/schemas/T"},
            "examples": {"example": {"value": {"f": "x"}}},
        }
    }
    assert created["headers"] == {"X-Rate": {"schema": {"type": "integer"}, "description": "left"}}
    put = document["paths"]["/things"]["put"]
    assert put["requestBody"]["content"]["multipart/form-data"]["schema"] == {
        "type": "object",
        "properties": {
            "file": {"type": "string", "format": "binary"},
            "note": {"type": "string", "description": "a note"},
        },
        "required": ["file"],
    }
    assert put["responses"]["204"] == {"description": "done"}
    # x-nullable on a definition: the object may be null.
    assert document["components"]["schemas"]["T"]["type"] == ["object", "null"]
    assert "x-nullable" not in str(document)


def test_swagger_security_definitions() -> None:
    spec = swagger(
        securityDefinitions={
            "basic": {"type": "basic", "description": "user and password"},
            "key": {"type": "apiKey", "name": "X-Key", "in": "header"},
            "oauth": {"type": "oauth2", "flow": "application", "tokenUrl": "https://t/token", "scopes": {"r": "read"}},
        }
    )
    schemes = normalise(spec, "s").document["components"]["securitySchemes"]
    assert schemes == {
        "basic": {"type": "http", "scheme": "basic", "description": "user and password"},
        "key": {"type": "apiKey", "name": "X-Key", "in": "header"},
        "oauth": {
            "type": "oauth2",
            "flows": {"clientCredentials": {"tokenUrl": "https://t/token", "scopes": {"r": "read"}}},
        },
    }


def test_openapi_30_schema_keywords() -> None:
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "Amount": {
                    "type": "number",
                    "minimum": 0,
                    "exclusiveMinimum": True,
                    "maximum": 10,
                    "exclusiveMaximum": False,
                },
                "Ref": {"$ref": "#/components/schemas/Amount", "nullable": True, "description": "d"},
                "Wrapped": {"allOf": [{"$ref": "#/components/schemas/Amount"}], "nullable": True, "example": 3},
                "Kind": {"type": "string", "enum": ["a", "b"], "nullable": True},
                "Either": {"anyOf": [{"type": "string"}, {"type": "integer"}], "nullable": True},
                "Plain": {"type": "string", "nullable": False},
                "Anything": {"nullable": True},
            }
        },
    }
    schemas = normalise(spec, "s").document["components"]["schemas"]
    assert schemas["Amount"] == {"type": "number", "exclusiveMinimum": 0, "maximum": 10}
    assert schemas["Ref"] == {"anyOf": [{"$ref": "#/components/schemas/Amount"}, {"type": "null"}], "description": "d"}
    assert schemas["Wrapped"] == {
        "anyOf": [{"$ref": "#/components/schemas/Amount"}, {"type": "null"}],
        "examples": [3],
    }
    assert schemas["Kind"] == {"anyOf": [{"type": "string", "enum": ["a", "b"]}, {"type": "null"}]}
    assert schemas["Either"] == {"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}
    assert schemas["Plain"] == {"type": "string"}
    assert schemas["Anything"] == {}


def test_what_openapi_30_does_not_say_about_null_is_recorded() -> None:
    base = {"info": {"title": "t", "version": "1"}, "paths": {}}
    assert normalise({"openapi": "3.0.2", **base}, "s").states_nullability is False
    with_null = {"openapi": "3.0.2", **base, "components": {"schemas": {"A": {"type": "string", "nullable": True}}}}
    assert normalise(with_null, "s").states_nullability is True
    assert normalise({"openapi": "3.1.0", **base}, "s").states_nullability is True


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"openapi": "2.0"}, "not a Swagger 2.0 or OpenAPI 3.0/3.1 document (version '2.0')"),
        ({"info": {}}, "not a Swagger 2.0 or OpenAPI 3.0/3.1 document (version None)"),
        ({"swagger": "1.2"}, "only Swagger 2.0 is supported, found '1.2'"),
    ],
)
def test_unknown_versions_are_rejected(content: dict[str, Any], message: str) -> None:
    with pytest.raises(SchemaError) as caught:
        normalise(content, "spec.json")
    assert message in str(caught.value)


def test_yaml_is_read_as_json_data(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text("openapi: 3.0.0\nday: 2024-01-31\nresponses:\n  200: {description: ok}\n", encoding="utf-8")
    assert load_spec(path) == {"openapi": "3.0.0", "day": "2024-01-31", "responses": {"200": {"description": "ok"}}}


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("spec.yaml", "a: 1\na: 2\n", "the key 'a' is repeated in one mapping"),
        ("spec.yaml", "- just\n- a list\n", "the document must be a mapping"),
        ("spec.yml", "a: !!binary aGVsbG8=\n", "holds a value JSON cannot carry"),
        ("spec.json", '{"a": 1, "a": 2}', "repeats the key(s) 'a'"),
        ("spec.json", "{", "invalid JSON at line 1"),
        ("spec.json", b"\xff\xfe", "not UTF-8 text"),
    ],
)
def test_unreadable_documents_are_located_problems(name: str, text: str | bytes, message: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    with pytest.raises(SchemaError) as caught:
        load_spec(path)
    assert message in str(caught.value)
    assert len(caught.value.problems) == 1

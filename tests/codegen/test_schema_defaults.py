"""Defaults codegen applies to plain OpenAPI (credential arguments, method names), and how name clashes end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from codegen.ir import build_spec
from codegen.method_names import document_names
from codegen.problems import Severity
from codegen.schema import check_document, load_document
from codegen.schema.defaults import CLIENT_MEMBERS, credentials, server_urls


def document(paths: dict[str, Any], schemes: dict[str, Any] | None = None) -> dict[str, Any]:
    """A minimal plain OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "components": {"securitySchemes": schemes or {}},
        "paths": paths,
    }


def ok(operation_id: str | None = None) -> dict[str, Any]:
    operation: dict[str, Any] = {"responses": {"200": {"description": "ok"}}}
    if operation_id is not None:
        operation["operationId"] = operation_id
    return operation


def test_credentials_are_derived_from_the_scheme_and_never_take_a_used_name() -> None:
    schemes = {
        "bearer": {"type": "http", "scheme": "bearer"},
        "basic": {"type": "http", "scheme": "basic"},
        "key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
        "other": {"type": "apiKey", "in": "header", "name": "Api-Key"},
        "odd": {"type": "apiKey", "in": "header", "name": "Timeout"},
        "mine": {"type": "apiKey", "in": "header", "name": "X-Token", "x-credential": "token"},
    }

    names, notes = credentials(schemes)

    assert names == {
        "bearer": "token2",  # "token" is the explicit credential of "mine"
        "basic": {"username": "username", "password": "password"},
        "key": "api_key",
        "other": "api_key2",
        "odd": "timeout2",  # never a Client argument of its own (timeout=)
        "mine": "token",
    }
    assert [note.pointer for note in notes] == [
        f"/components/securitySchemes/{key}/x-credential" for key in ("bearer", "basic", "key", "other", "odd")
    ]
    assert {note.severity for note in notes} == {Severity.NOTE}


def test_method_names_follow_the_operation_id_or_the_method_and_path() -> None:
    operations = [
        ("/customers", "get", ok("Customer_GetAll")),
        ("/customers", "post", ok("createCustomer")),
        ("/customers/{id}/addresses", "get", ok()),
        ("/things", "put", ok("put things!")),
        ("/x", "get", ok("class")),
    ]

    paths: dict[str, Any] = {}
    for path, method, operation in operations:
        paths.setdefault(path, {})[method] = operation
    named, _, problems = document_names(document(paths), CLIENT_MEMBERS)
    names = {key: entry.flat_name for key, entry in named.items()}

    assert names == {
        ("/customers", "get"): "customer_get_all",
        ("/customers", "post"): "create_customer",
        ("/customers/{id}/addresses", "get"): "get_customers_id_addresses",
        ("/things", "put"): "put_things",
        ("/x", "get"): "class_",
    }
    assert [(problem.pointer, problem.severity) for problem in problems] == [
        ("/paths/~1customers~1{id}~1addresses/get", Severity.NOTE),
        ("/paths/~1things/put/operationId", Severity.NOTE),
        ("/paths/~1x/get/operationId", Severity.NOTE),
    ]


def test_a_plain_document_checks_with_notes_only() -> None:
    problems = check_document(
        document({"/a/{b}": {"get": ok(), "parameters": [
            {"name": "b", "in": "path", "required": True, "schema": {"type": "string"}}
        ]}}, {"bearer": {"type": "http", "scheme": "bearer"}})
    )  # fmt: skip

    assert problems
    assert {problem.severity for problem in problems} == {Severity.NOTE}


def test_two_operations_with_one_method_name_are_told_apart_and_reported() -> None:
    doc = document({"/a": {"get": ok("getThing")}, "/b": {"get": ok("get_thing")}})
    problems = check_document(doc)

    assert [name.flat_name for name in document_names(doc, CLIENT_MEMBERS)[0].values()] == ["get_thing", "get_thing_2"]
    assert [(p.pointer, p.message, p.severity) for p in problems] == [
        (
            "/paths/~1b/get",
            "flat on the client: 'get_thing' is taken by GET /a; this one is named 'get_thing_2' "
            "(set x-name to choose)",
            Severity.WARNING,
        )
    ]


def test_a_method_name_the_client_uses_is_told_apart() -> None:
    problems = check_document(document({"/a": {"post": ok("Close")}}))

    assert [(p.pointer, p.severity) for p in problems] == [("/paths/~1a/post", Severity.WARNING)]
    assert "'close' is taken by the client itself; this one is named 'close_2'" in problems[0].message


def test_an_operation_id_that_is_not_a_string_is_an_error() -> None:
    problems = check_document(document({"/a": {"post": {**ok(), "operationId": 7}}}))

    assert ("/paths/~1a/post/operationId", "must be a string") in [(p.pointer, p.message) for p in problems]


def test_without_servers_the_default_is_openapis_slash_with_a_note() -> None:
    urls, notes = server_urls(None)

    assert urls == ("/",)
    assert [(note.pointer, note.severity) for note in notes] == [("/servers", Severity.NOTE)]
    assert "callers pass base_url=" in notes[0].message


def test_server_variables_take_their_defaults() -> None:
    servers = [
        {"url": "https://{region}.api.example.com/{version}", "variables": {
            "region": {"default": "eu", "enum": ["eu", "us"]}, "version": {"default": "v2"}}},
        {"url": "https://sandbox.example.com"},
    ]  # fmt: skip

    urls, notes = server_urls(servers)

    assert urls == ("https://eu.api.example.com/v2", "https://sandbox.example.com")
    assert [note.pointer for note in notes] == ["/servers/0/variables/region", "/servers/0/variables/version"]


def test_oauth2_and_openid_connect_take_an_access_token_sent_as_bearer(tmp_path: Path) -> None:
    schemes = {
        "oauth": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://t/token", "scopes": {}}}},
        "oidc": {"type": "openIdConnect", "openIdConnectUrl": "https://t/.well-known/openid-configuration"},
    }
    plain = document({"/a": {"get": ok("getA")}}, schemes)
    plain["security"] = [{"oauth": []}, {"oidc": []}]
    del plain["servers"]
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(plain), encoding="utf-8")

    problems = check_document(plain)
    spec = build_spec(load_document(path), "p", "p/openapi.json")

    assert {problem.severity for problem in problems} == {Severity.NOTE}
    assert credentials(schemes)[0] == {"oauth": "token", "oidc": "token2"}
    assert [(scheme.kind, scheme.header, scheme.credentials) for scheme in spec.schemes] == [
        ("bearer", "Authorization", {"token": "token"}),
        ("bearer", "Authorization", {"token": "token2"}),
    ]
    assert spec.servers == ("/",)

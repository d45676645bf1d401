"""``x-idempotency``: every malformed declaration is a located problem; a good one reaches the IR.

Each case breaks one thing in Chift's schema (which declares idempotency on both seed
operations and a lookup operation) and expects exactly that problem at that pointer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from codegen.ir import build_spec
from codegen.schema import check_document, load_document
from codegen.templates.runtime._operation import Idempotency, IdempotencyLookup, ResponseMatch
from tests.helpers.paths import SCHEMAS, load_schema

CONTACTS = "/paths/~1consumers~1{consumer_id}~1invoicing~1contacts/post"
LOOKUP_PATH = "/consumers/{consumer_id}/connections/{connection_id}/transactions"
Edit = Callable[[dict[str, Any]], None]


def contact_operation(document: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = document["paths"]["/consumers/{consumer_id}/invoicing/contacts"]["post"]
    return operation


def contact_idempotency(document: dict[str, Any]) -> dict[str, Any]:
    declared: dict[str, Any] = contact_operation(document)["x-idempotency"]
    return declared


def _set(key: str, value: Any) -> Edit:
    return lambda document: contact_idempotency(document).__setitem__(key, value)


def _set_lookup(key: str, value: Any) -> Edit:
    return lambda document: contact_idempotency(document)["lookup"].__setitem__(key, value)


def _on_lookup_operation(document: dict[str, Any]) -> None:
    document["paths"][LOOKUP_PATH]["get"]["x-idempotency"] = contact_idempotency(document)


def _header_parameter(document: dict[str, Any]) -> None:
    contact_operation(document)["parameters"].append(
        {"name": "x-chift-client-requestid", "in": "header", "schema": {"type": "string"}}
    )


IDEM = CONTACTS + "/x-idempotency"
CASES: list[tuple[str, Edit, str, str]] = [
    ("not an object", lambda d: contact_operation(d).__setitem__("x-idempotency", "yes"), IDEM, "must be an object"),
    ("unknown key", _set("maxLength", 255), IDEM + "/maxLength", "unknown key"),
    ("no header", lambda d: contact_idempotency(d).pop("header"), IDEM + "/header", "needs 'header'"),
    ("header with a space", _set("header", "Request Id"), IDEM + "/header", "HTTP token"),
    ("header is a parameter", _header_parameter, IDEM + "/header", "also a header parameter"),
    ("max_length too short for a UUID", _set("max_length", 20), IDEM + "/max_length", "at least 36"),
    ("max_length not an integer", _set("max_length", "255"), IDEM + "/max_length", "at least 36"),
    ("status out of range", _set("already_processed", {"status": 999}), IDEM + "/already_processed", "'status'"),
    (
        "pointer without equals",
        _set("in_process", {"status": 409, "pointer": "/error_code"}),
        IDEM + "/in_process",
        "together",
    ),
    (
        "pointer not a pointer",
        _set("in_process", {"status": 409, "pointer": "error_code", "equals": "X"}),
        IDEM + "/in_process",
        "together",
    ),
    ("message not a pointer", _set("message", "message"), IDEM + "/message", "JSON pointer"),
    ("on a GET", _on_lookup_operation, "/paths/" + LOOKUP_PATH.replace("/", "~1") + "/get/x-idempotency", "not GET"),
    ("lookup unknown", _set_lookup("operationId", "nope"), IDEM + "/lookup/operationId", "no operation"),
    (
        "lookup without the key",
        _set_lookup("arguments", {"consumer_id": "consumer_id"}),
        IDEM + "/lookup/arguments",
        "$idempotency_key",
    ),
    (
        "lookup parameter unknown",
        _set_lookup("arguments", {"consumer": "consumer_id", "client_request_id": "$idempotency_key"}),
        IDEM + "/lookup/arguments/consumer",
        "the lookup operation has no parameter 'consumer'",
    ),
    (
        "call parameter unknown",
        _set_lookup("arguments", {"connection_id": "connection_id", "client_request_id": "$idempotency_key"}),
        IDEM + "/lookup/arguments/connection_id",
        "the operation has no parameter 'connection_id'",
    ),
    (
        "lookup without created_entity_id",
        _set_lookup("created_entity_id", None),
        IDEM + "/lookup/created_entity_id",
        "JSON pointer",
    ),
]


@pytest.mark.parametrize(("edit", "pointer", "message"), [pytest.param(*case[1:], id=case[0]) for case in CASES])
def test_a_malformed_declaration_is_one_located_problem(edit: Edit, pointer: str, message: str) -> None:
    document = load_schema("chift")
    edit(document)
    problems = check_document(document)
    assert [problem.pointer for problem in problems] == [pointer], problems
    assert message in problems[0].message


def test_the_shipped_schemas_are_clean() -> None:
    assert check_document(load_schema("chift")) == []


def test_root_declaration_covers_posts_that_are_not_internal_and_an_operation_can_opt_out(tmp_path: Path) -> None:
    document = load_schema("chift")
    declared = contact_idempotency(document)
    for path in ("/consumers/{consumer_id}/invoicing/contacts", "/consumers/{consumer_id}/accounting/invoices"):
        del document["paths"][path]["post"]["x-idempotency"]
    document["x-idempotency"] = declared
    document["paths"]["/consumers/{consumer_id}/accounting/invoices"]["post"]["x-idempotency"] = False
    assert check_document(document) == []

    operations = {op.operation_id: op for op in _build(tmp_path, document).operations}
    assert operations["create_invoicing_contact"].idempotency is not None
    assert operations["create_accounting_invoice"].idempotency is None  # opted out
    assert operations["create_token"].idempotency is None  # x-internal
    assert operations["get_transaction_by_client_request_id"].idempotency is None  # a GET


def test_root_lookup_argument_must_exist_on_some_covered_operation() -> None:
    document = load_schema("chift")
    declared = contact_idempotency(document)
    for path in ("/consumers/{consumer_id}/invoicing/contacts", "/consumers/{consumer_id}/accounting/invoices"):
        del document["paths"][path]["post"]["x-idempotency"]
    declared["lookup"]["arguments"]["connection_id"] = "connection"
    document["x-idempotency"] = declared
    problems = check_document(document)
    assert [problem.pointer for problem in problems] == ["/x-idempotency/lookup/arguments/connection_id"]


def _build(tmp_path: Path, document: dict[str, Any]) -> Any:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return build_spec(load_document(path), "chift", "chift/openapi.json")


def test_the_ir_carries_the_declaration_with_python_names() -> None:
    spec = build_spec(load_document(SCHEMAS / "chift" / "openapi.json"), "chift", "chift/openapi.json")
    operations = {op.operation_id: op for op in spec.operations}
    conflict = ResponseMatch(409, "/error_code", "REQUEST_ALREADY_PROCESSED")
    assert operations["create_invoicing_contact"].idempotency == Idempotency(
        header="X-Chift-Client-RequestId",
        max_length=255,
        already_processed=conflict,
        in_process=ResponseMatch(409, "/error_code", "REQUEST_IN_PROCESS"),
        message="/message",
        lookup=IdempotencyLookup(
            operation_id="get_transaction_by_client_request_id",
            arguments=(("consumer_id", "consumer_id"), ("client_request_id", "$idempotency_key")),
            created_entity_id="/created_entity_id",
            status="/status_code",
            missing=("connection_id",),  # not an argument of the create call: the caller looks up
        ),
    )


def test_a_parameter_named_idempotency_key_is_renamed_on_a_keyed_operation(tmp_path: Path) -> None:
    document = load_schema("chift")
    contact_operation(document)["parameters"].append(
        {"name": "idempotency_key", "in": "query", "schema": {"type": "string"}}
    )
    assert check_document(document) == []
    operation = next(
        op for op in _build(tmp_path, document).operations if op.operation_id == "create_invoicing_contact"
    )
    names = [parameter.python_name for parameter in operation.parameters]
    assert "idempotency_key" not in names
    assert any(name.startswith("idempotency_key") for name in names)

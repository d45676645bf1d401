"""Every way a call fails after a response arrived, against a real HTTP server on 127.0.0.1.

HTTP status errors (a subclass per family, carrying status, headers, raw body, the parsed
vendor error body and the request id), envelope errors on HTTP 200 (Billbee ErrorCode,
Formation success false), Cin7 batches that partly failed, bodies that are not what the
schema promises (HTML, truncated JSON, wrong types) and bodies larger than the client
accepts. No exception's str or repr shows a secret.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from generated import billbee, chift, cin7_omni, formation
from tests.helpers.loopback import LoopbackServer, Reply
from tests.helpers.vendors import (
    BILLBEE_CUSTOMERS,
    CHIFT_CONTACTS,
    CHIFT_INVOICES,
    CIN7_CONTACTS,
    FORMATION_CONTACTS,
    assert_exception_secret_free,
    billbee_client,
    chift_token_client,
    cin7_client,
    formation_client,
    formation_contact,
    formation_success,
    request_example,
    response_example,
)

REQUEST_ID = {"X-Request-Id": "req-7f31c2"}
MAX_ATTEMPTS = 3
"""The default RetryPolicy's attempts (the tests' policy only shortens its waits)."""

CHIFT_VALIDATION = {
    "status": "error",
    "message": "Validation error",
    "detail": [
        {"loc": ["body", "addresses", 0, "country"], "msg": "field required", "type": "value_error.missing"},
        {"loc": ["body", "email"], "msg": "value is not a valid email address", "type": "value_error.email"},
    ],
}


def chift_error(message: str, code: str, detail: str | None = None) -> dict[str, Any]:
    return {"status": "error", "message": message, "error_code": code, "detail": detail}


def formation_error(status: int) -> dict[str, Any]:
    """The schema's example error body for ``status``, or one of the same shape."""
    if status in (400, 401, 404, 500):
        body: dict[str, Any] = response_example("formation", "POST", FORMATION_CONTACTS, status)
        return body
    return {"success": False, "message": f"HTTP {status}", "data": None, "error": {"code": "X", "details": ""}}


# (operation, status, body, exception class, model of ``error`` or None for the parsed JSON, requests seen)
CHIFT_CASES: list[tuple[str, int, dict[str, Any], type[chift.errors.HTTPStatusError], Any, int]] = [
    (
        "contact",
        400,
        response_example("chift", "POST", "/consumers/{consumer_id}/invoicing/contacts", 400),
        chift.errors.BadRequestError,
        chift.models.ChiftError,
        1,
    ),
    (
        "contact",
        401,
        chift_error("Invalid token", "ERROR_INVALID_TOKEN"),
        chift.errors.AuthenticationError,
        None,
        1,  # a static token cannot be refreshed: no second attempt
    ),
    ("contact", 403, chift_error("Forbidden", "ERROR_FORBIDDEN"), chift.errors.PermissionDeniedError, None, 1),
    (
        "invoice",
        404,
        chift_error("Consumer not found", "ERROR_CONSUMER_NOT_FOUND", "consumer-1"),
        chift.errors.NotFoundError,
        chift.models.ChiftError,
        1,
    ),
    (
        "invoice",
        409,
        chift_error("Invoice already exists", "ERROR_INVOICE_ALREADY_EXISTS"),
        chift.errors.ConflictError,
        chift.models.ChiftError,
        1,
    ),
    (
        "contact",
        422,
        CHIFT_VALIDATION,
        chift.errors.UnprocessableEntityError,
        chift.models.HTTPValidationError,
        1,
    ),
    (
        "contact",
        429,
        chift_error("Too many requests", "ERROR_RATE_LIMIT"),
        chift.errors.RateLimitError,
        None,
        MAX_ATTEMPTS,
    ),
    # Chift's creates send idempotency keys, so a 500 or 502 is retried like a 503 (same key).
    ("invoice", 500, chift_error("Internal error", "ERROR_INTERNAL"), chift.errors.ServerError, None, MAX_ATTEMPTS),
    ("invoice", 502, chift_error("Bad gateway", "ERROR_GATEWAY"), chift.errors.ServerError, None, MAX_ATTEMPTS),
    ("invoice", 503, chift_error("Maintenance", "ERROR_MAINTENANCE"), chift.errors.ServerError, None, MAX_ATTEMPTS),
]


def call_chift(client: chift.Client, operation: str) -> object:
    """Call create_invoicing_contact ("contact") or create_accounting_invoice ("invoice") with valid arguments."""
    if operation == "contact":
        return client.create_invoicing_contact(consumer_id="consumer-1", body={"first_name": "Ada"})
    invoice = request_example("chift", "POST", "/consumers/{consumer_id}/accounting/invoices")
    return client.create_accounting_invoice(consumer_id="consumer-1", body=invoice)


@pytest.mark.parametrize(
    ("operation", "status", "body", "exception", "model", "seen"),
    CHIFT_CASES,
    ids=[f"{case[1]}-{case[3].__name__}" for case in CHIFT_CASES],
)
def test_chift_status_errors(
    loopback: LoopbackServer,
    operation: str,
    status: int,
    body: dict[str, Any],
    exception: type[chift.errors.HTTPStatusError],
    model: Any,
    seen: int,
) -> None:
    path = CHIFT_CONTACTS if operation == "contact" else CHIFT_INVOICES
    raw = json.dumps(body).encode()
    loopback.route("POST", path, Reply.raw(status, raw, content_type="application/json", headers=REQUEST_ID))

    with chift_token_client(loopback.url) as client, pytest.raises(chift.errors.HTTPStatusError) as caught:
        call_chift(client, operation)

    exc = caught.value
    assert type(exc) is exception
    assert isinstance(exc, chift.errors.ResponseError)
    assert exc.status == status
    assert exc.body == raw
    assert exc.headers["content-type"] == "application/json"
    assert exc.headers["x-request-id"] == "req-7f31c2"
    assert exc.request_id == "req-7f31c2"
    assert "req-7f31c2" in str(exc)
    assert body["message"] in str(exc)
    if model is None:
        assert exc.error == body
    else:
        assert isinstance(exc.error, model)
        assert exc.error == chift.structure(body, model)
    assert loopback.count("POST", path) == seen
    assert_exception_secret_free(exc)


def test_chift_422_detail_is_parsed_into_a_list_of_items(loopback: LoopbackServer) -> None:
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(422, CHIFT_VALIDATION))

    with chift_token_client(loopback.url) as client, pytest.raises(chift.errors.UnprocessableEntityError) as caught:
        client.create_invoicing_contact(consumer_id="consumer-1", body={})

    error = caught.value.error
    assert isinstance(error, chift.models.HTTPValidationError)
    assert isinstance(error.detail, list)
    assert [(item.loc, item.msg) for item in error.detail] == [
        (["body", "addresses", 0, "country"], "field required"),
        (["body", "email"], "value is not a valid email address"),
    ]
    assert caught.value.request_id is None  # the server sent no request id


FORMATION_CASES: list[tuple[int, type[formation.errors.HTTPStatusError], bool, int]] = [
    (400, formation.errors.BadRequestError, True, 1),
    (401, formation.errors.AuthenticationError, True, 1),
    (403, formation.errors.PermissionDeniedError, False, 1),
    (404, formation.errors.NotFoundError, True, 1),
    (409, formation.errors.ConflictError, False, 1),
    (422, formation.errors.UnprocessableEntityError, False, 1),
    (429, formation.errors.RateLimitError, False, MAX_ATTEMPTS),
    (500, formation.errors.ServerError, True, 1),
    (503, formation.errors.ServerError, False, MAX_ATTEMPTS),
]


@pytest.mark.parametrize(
    ("status", "exception", "modelled", "seen"), FORMATION_CASES, ids=[str(case[0]) for case in FORMATION_CASES]
)
def test_formation_status_errors_carry_the_parsed_error_body(
    loopback: LoopbackServer,
    status: int,
    exception: type[formation.errors.HTTPStatusError],
    modelled: bool,
    seen: int,
) -> None:
    body = formation_error(status)
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(status, body, headers=REQUEST_ID))

    with formation_client(loopback.url) as client, pytest.raises(formation.errors.HTTPStatusError) as caught:
        client.create_contact(body=formation_contact())

    exc = caught.value
    assert type(exc) is exception
    assert exc.status == status
    assert json.loads(exc.body) == body
    assert exc.request_id == "req-7f31c2"
    assert body["message"] in str(exc)
    if modelled:
        assert isinstance(exc.error, formation.models.ErrorResponse)
        assert exc.error.success is False
        assert exc.error.data is None
        assert isinstance(exc.error.error, formation.models.ErrorDetail)
        assert exc.error.error.code == body["error"]["code"]
        assert exc.error.error.details == body["error"]["details"]
    else:
        assert exc.error == body
    assert loopback.count("POST", FORMATION_CONTACTS) == seen
    assert_exception_secret_free(exc)


def test_rate_limit_error_reports_retry_after_after_the_retries(loopback: LoopbackServer) -> None:
    loopback.route(
        "POST",
        BILLBEE_CUSTOMERS,
        Reply.json(429, {"ErrorMessage": "Too many requests", "ErrorCode": 8}, headers={"Retry-After": "0"}),
    )
    retry = billbee.RetryPolicy(max_attempts=2, backoff=0.01, retry_after_cap=0.2)

    with billbee_client(loopback.url, retry=retry) as client, pytest.raises(billbee.errors.RateLimitError) as caught:
        client.create_customer(body={"Name": "Erika"})

    assert caught.value.retry_after == 0.0
    assert "Too many requests" in str(caught.value)  # the message is read through the envelope's pointer
    assert loopback.count("POST", BILLBEE_CUSTOMERS) == 2
    assert_exception_secret_free(caught.value)


def test_an_error_status_with_an_html_body_keeps_the_raw_body(loopback: LoopbackServer) -> None:
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    loopback.route("POST", FORMATION_CONTACTS, Reply.raw(502, page, content_type="text/html"))

    with formation_client(loopback.url) as client, pytest.raises(formation.errors.ServerError) as caught:
        client.create_contact(body=formation_contact())

    assert caught.value.status == 502
    assert caught.value.error is None
    assert caught.value.text == page
    assert loopback.count("POST", FORMATION_CONTACTS) == 1  # a POST is not re-sent after a 502


# -- envelopes: HTTP 200, failure inside ------------------------------------------------------


def test_billbee_error_code_other_than_zero_is_an_envelope_error(loopback: LoopbackServer) -> None:
    envelope = {
        "ErrorMessage": "A customer with this number already exists",
        "ErrorCode": 11,
        "ErrorDescription": "InvalidData",
        "Data": None,
    }
    raw = json.dumps(envelope).encode()
    loopback.route("POST", BILLBEE_CUSTOMERS, Reply.raw(200, raw, content_type="application/json", headers=REQUEST_ID))

    with billbee_client(loopback.url) as client, pytest.raises(billbee.errors.EnvelopeError) as caught:
        client.create_customer(body=request_example("billbee", "POST", BILLBEE_CUSTOMERS))

    exc = caught.value
    assert exc.status == 200
    assert exc.vendor_message == "A customer with this number already exists"
    assert exc.code == 11
    assert exc.detail == "InvalidData"
    assert exc.body == raw
    assert exc.request_id == "req-7f31c2"
    assert "A customer with this number already exists" in str(exc)
    assert "11" in str(exc)
    assert loopback.count("POST", BILLBEE_CUSTOMERS) == 1
    assert_exception_secret_free(exc)


def test_formation_success_false_on_http_200_is_an_envelope_error(loopback: LoopbackServer) -> None:
    envelope = {
        "success": False,
        "message": "Company not found",
        "data": None,
        "error": {"code": "COMPANY_NOT_FOUND", "details": "no company 64b8f0c9e4b0c8d9f0654321"},
    }
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, envelope))

    with formation_client(loopback.url) as client, pytest.raises(formation.errors.EnvelopeError) as caught:
        client.create_contact(body=formation_contact())

    exc = caught.value
    assert exc.status == 200
    assert exc.vendor_message == "Company not found"
    assert exc.code == "COMPANY_NOT_FOUND"
    assert exc.detail == "no company 64b8f0c9e4b0c8d9f0654321"
    assert json.loads(exc.body) == envelope
    assert "Company not found" in str(exc)
    assert "COMPANY_NOT_FOUND" in str(exc)
    assert_exception_secret_free(exc)


def test_an_envelope_without_its_payload_is_a_decode_error(loopback: LoopbackServer) -> None:
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, {"success": True, "message": "ok"}))

    with (
        formation_client(loopback.url, strict_responses=True) as client,
        pytest.raises(formation.errors.DecodeError) as caught,
    ):
        client.create_contact(body=formation_contact())

    assert type(caught.value) is formation.errors.DecodeError
    assert caught.value.status == 200


# -- Cin7 batches ------------------------------------------------------------------------------


def three_contacts() -> list[dict[str, Any]]:
    seed = request_example("cin7_omni", "POST", CIN7_CONTACTS)
    return [seed[0], {**seed[0], "email": "not-checked-by-the-schema", "firstName": "Broken"}, seed[1]]


PARTLY_FAILED = [
    {"index": 0, "success": True, "id": 101, "code": "CUS-101", "errors": []},
    {"index": 1, "success": False, "id": None, "code": None, "errors": ["Email is invalid", "Duplicate contact"]},
    {"index": 2, "success": True, "id": 103, "code": "SUP-103", "errors": []},
]


def test_a_partly_failed_batch_raises_with_created_ids_and_errors_in_input_order(loopback: LoopbackServer) -> None:
    contacts = three_contacts()
    loopback.route("POST", CIN7_CONTACTS, Reply.json(200, PARTLY_FAILED))

    with cin7_client(loopback.url) as client, pytest.raises(cin7_omni.errors.BatchPartialFailure) as caught:
        client.create_contacts(body=contacts)

    result = caught.value.result
    assert isinstance(result, cin7_omni.BatchResult)
    assert not result.ok
    assert [item.index for item in result.items] == [0, 1, 2]
    assert [item.input for item in result.items] == contacts
    assert [item.success for item in result.items] == [True, False, True]
    assert [item.id for item in result.items] == [101, None, 103]
    assert result.created_ids == [101, 103]
    assert [item.index for item in result.failed] == [1]
    assert result.failed[0].errors == ("Email is invalid", "Duplicate contact")
    assert result.failed[0].input["firstName"] == "Broken"
    assert [item.index for item in result.succeeded] == [0, 2]
    assert isinstance(result.items[2].result, cin7_omni.models.BatchResultItem)
    assert result.items[2].result.code == "SUP-103"
    assert "1 of 3" in str(caught.value)
    assert loopback.count("POST", CIN7_CONTACTS) == 1  # one request, never re-sent
    assert_exception_secret_free(caught.value)


def test_raise_on_failure_false_returns_the_batch_result(loopback: LoopbackServer) -> None:
    contacts = three_contacts()
    loopback.route("POST", CIN7_CONTACTS, Reply.json(200, PARTLY_FAILED))

    with cin7_client(loopback.url) as client:
        result = client.create_contacts(body=contacts, raise_on_failure=False)

    assert not result.ok
    assert result.created_ids == [101, 103]
    assert [(item.index, item.errors) for item in result.failed] == [(1, ("Email is invalid", "Duplicate contact"))]


def test_batch_results_are_matched_to_inputs_by_index_not_by_position(loopback: LoopbackServer) -> None:
    contacts = three_contacts()
    loopback.route("POST", CIN7_CONTACTS, Reply.json(200, [PARTLY_FAILED[2], PARTLY_FAILED[1], PARTLY_FAILED[0]]))

    with cin7_client(loopback.url) as client:
        result = client.create_contacts(body=contacts, raise_on_failure=False)

    assert [(item.index, item.id, item.success) for item in result.items] == [
        (0, 101, True),
        (1, None, False),
        (2, 103, True),
    ]
    assert [item.input for item in result.items] == contacts


def test_an_input_without_a_result_counts_as_failed(loopback: LoopbackServer) -> None:
    loopback.route("POST", CIN7_CONTACTS, Reply.json(200, [PARTLY_FAILED[0], PARTLY_FAILED[2]]))

    with cin7_client(loopback.url) as client, pytest.raises(cin7_omni.errors.BatchPartialFailure) as caught:
        client.create_contacts(body=three_contacts())

    assert caught.value.result.created_ids == [101, 103]
    assert [item.index for item in caught.value.result.failed] == [1]
    assert caught.value.result.failed[0].id is None


def test_a_succeeded_batch_item_has_no_errors(loopback: LoopbackServer) -> None:
    loopback.route("POST", CIN7_CONTACTS, Reply.json(200, response_example("cin7_omni", "POST", CIN7_CONTACTS)))

    with cin7_client(loopback.url) as client:
        result = client.create_contacts(body=request_example("cin7_omni", "POST", CIN7_CONTACTS))

    assert [item.errors for item in result.items] == [(), ()]


# -- responses that are not what the schema promises -------------------------------------------------


def test_an_html_page_with_status_200_is_a_decode_error(loopback: LoopbackServer) -> None:
    page = "<!DOCTYPE html><html><head><title>Maintenance</title></head><body>Back soon</body></html>"
    loopback.route("POST", FORMATION_CONTACTS, Reply.raw(200, page, content_type="text/html; charset=utf-8"))

    with formation_client(loopback.url) as client, pytest.raises(formation.errors.DecodeError) as caught:
        client.create_contact(body=formation_contact())

    exc = caught.value
    assert type(exc) is formation.errors.DecodeError
    assert exc.status == 200
    assert exc.body == page.encode()
    assert exc.headers["content-type"] == "text/html; charset=utf-8"
    assert "text/html" in str(exc)
    assert loopback.count("POST", FORMATION_CONTACTS) == 1
    assert_exception_secret_free(exc)


def test_truncated_json_is_a_decode_error(loopback: LoopbackServer) -> None:
    raw = json.dumps(formation_success()).encode()[:57]
    loopback.route("POST", FORMATION_CONTACTS, Reply.raw(200, raw, content_type="application/json", headers=REQUEST_ID))

    with formation_client(loopback.url) as client, pytest.raises(formation.errors.DecodeError) as caught:
        client.create_contact(body=formation_contact())

    exc = caught.value
    assert exc.status == 200
    assert exc.body == raw
    assert exc.request_id == "req-7f31c2"
    assert "invalid JSON" in str(exc)
    assert_exception_secret_free(exc)


def test_a_body_that_is_not_utf8_is_a_decode_error(loopback: LoopbackServer) -> None:
    loopback.route("POST", FORMATION_CONTACTS, Reply.raw(200, b'{"success": true, "data": {"id": "\xff"}}'))

    with formation_client(loopback.url) as client, pytest.raises(formation.errors.DecodeError) as caught:
        client.create_contact(body=formation_contact())

    assert caught.value.status == 200


def test_a_payload_of_the_wrong_type_is_a_decode_error_naming_the_field(loopback: LoopbackServer) -> None:
    envelope = formation_success()
    envelope["data"]["created_at"] = "yesterday"
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, envelope))

    with (
        formation_client(loopback.url, strict_responses=True) as client,
        pytest.raises(formation.errors.DecodeError) as caught,
    ):
        client.create_contact(body=formation_contact())

    assert "created_at" in str(caught.value)
    assert json.loads(caught.value.body) == envelope


def test_unknown_fields_and_enum_values_in_a_response_are_kept(loopback: LoopbackServer) -> None:
    envelope = formation_success()
    envelope["data"]["type"] = "partner"
    envelope["data"]["loyalty_tier"] = {"level": 3}
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, envelope))

    with formation_client(loopback.url) as client:
        result = client.create_contact(body=formation_contact())

    assert result.type == "partner"
    assert result.extra_fields == {"loyalty_tier": {"level": 3}}
    assert formation.unstructure(result) == envelope["data"]


# -- size bound ----------------------------------------------------------------------------------


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_max_response_bytes_is_response_too_large(loopback: LoopbackServer, chunked: bool) -> None:
    envelope = formation_success()
    envelope["data"]["description"] = "x" * 20_000
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, envelope, chunked=chunked))

    client = formation_client(loopback.url, max_response_bytes=4096)
    with client, pytest.raises(formation.errors.ResponseTooLarge) as caught:
        client.create_contact(body=formation_contact())

    exc = caught.value
    assert isinstance(exc, formation.errors.DecodeError)
    assert exc.status == 200
    assert len(exc.body) <= 4096
    assert "4096" in str(exc)
    assert loopback.count("POST", FORMATION_CONTACTS) == 1
    assert_exception_secret_free(exc)


def test_a_body_at_the_limit_is_accepted(loopback: LoopbackServer) -> None:
    raw = json.dumps(formation_success()).encode()
    loopback.route("POST", FORMATION_CONTACTS, Reply.raw(200, raw, content_type="application/json"))

    with formation_client(loopback.url, max_response_bytes=len(raw)) as client:
        assert client.create_contact(body=formation_contact()).id == "64b8f1a2e4b0c8d9f0123456"


def test_response_too_large_carries_headers_and_request_id_like_other_response_errors(
    loopback: LoopbackServer,
) -> None:
    envelope = formation_success()
    envelope["data"]["description"] = "x" * 20_000
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, envelope, headers=REQUEST_ID))

    client = formation_client(loopback.url, max_response_bytes=4096)
    with client, pytest.raises(formation.errors.ResponseTooLarge) as caught:
        client.create_contact(body=formation_contact())

    assert caught.value.headers.get("content-type") == "application/json"
    assert caught.value.request_id == "req-7f31c2"

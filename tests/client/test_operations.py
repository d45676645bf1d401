"""The five operations end to end against a real HTTP server on 127.0.0.1.

Each test drives a generated client through its real transport (urllib3) to the loopback
server and asserts what the server received (method, raw path, query, headers, JSON body
with wire names) and what the caller got back (the typed model, unwrapped from an
envelope where the vendor has one). Request bodies and responses are the schemas' seed
examples. Also here: request validation (nothing is sent), the documented mock transport,
and the client's lifecycle (context manager, ``close()`` releases connections).
"""

from __future__ import annotations

import base64
import json
import typing
from collections.abc import Iterator
from typing import Any

import pytest

from generated import billbee, chift, cin7_omni, formation
from generated.formation.testing import MockTransport, Request, Response, json_response
from tests.helpers.loopback import LoopbackServer, Reply
from tests.helpers.vendors import (
    BILLBEE_API_KEY,
    BILLBEE_API_PASSWORD,
    BILLBEE_CUSTOMERS,
    BILLBEE_USERNAME,
    CHIFT_ACCOUNT_ID,
    CHIFT_CLIENT_ID,
    CHIFT_CLIENT_SECRET,
    CHIFT_CONTACTS,
    CHIFT_INVOICES,
    CHIFT_STATIC_TOKEN,
    CIN7_API_KEY,
    CIN7_CONTACTS,
    CIN7_USERNAME,
    FORMATION_API_KEY,
    FORMATION_CONTACTS,
    TokenIssuer,
    assert_exception_secret_free,
    basic,
    billbee_client,
    chift_exchange_client,
    chift_token_client,
    cin7_client,
    formation_client,
    formation_contact,
    formation_success,
    request_example,
    response_example,
    sent_headers,
    token,
)

JSON_HEADERS = {"accept": "application/json", "content-type": "application/json"}
CONTACT_OUT = {"id": "c-1", "source_ref": {"id": "s-1", "model": "res.partner"}}
"""A minimal Chift contact response (id and source_ref are required)."""


def user_agent(package: str) -> str:
    return f"{package}-client/0.1.0 (vendor-clients)"


# -- Chift ---------------------------------------------------------------------------------


def test_chift_create_invoicing_contact_exchanges_credentials_for_a_bearer_token(loopback: LoopbackServer) -> None:
    body = request_example("chift", "POST", "/consumers/{consumer_id}/invoicing/contacts")
    answer = response_example("chift", "POST", "/consumers/{consumer_id}/invoicing/contacts")
    loopback.route("POST", "/token", TokenIssuer())
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, answer))

    with chift_exchange_client(loopback.url) as client:
        result = client.create_invoicing_contact(consumer_id="consumer-1", body=body)

    token_request, call = loopback.requests
    assert (token_request.method, token_request.target) == ("POST", "/token")
    assert sent_headers(token_request) == {**JSON_HEADERS, "user-agent": user_agent("chift")}  # no Authorization
    assert token_request.json() == {
        "clientId": CHIFT_CLIENT_ID,
        "clientSecret": CHIFT_CLIENT_SECRET,
        "accountId": CHIFT_ACCOUNT_ID,
    }
    assert (call.method, call.target, call.query) == ("POST", CHIFT_CONTACTS, ())
    key = call.header("x-chift-client-requestid")  # the idempotency key: tests/test_client_idempotency.py
    assert key is not None
    assert sent_headers(call) == {
        **JSON_HEADERS,
        "user-agent": user_agent("chift"),
        "authorization": f"Bearer {token(1)}",
        "x-chift-client-requestid": key,
    }
    assert call.json() == body
    assert call.header("content-length") == str(len(call.body))
    assert isinstance(result, chift.models.ContactItemOut)
    assert result == chift.structure(answer, chift.models.ContactItemOut)
    assert result.gender == chift.models.ContactGender.H
    assert result.source_ref.id == "<string>"
    assert chift.unstructure(result) == answer


def test_chift_token_request_carries_the_optional_marketplace_id(loopback: LoopbackServer) -> None:
    loopback.route("POST", "/token", TokenIssuer())
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, CONTACT_OUT))

    with chift_exchange_client(loopback.url, marketplace_id="0b0c2a4e-36d4-4f0e-9a57-3d5d7bb0c6f1") as client:
        client.create_invoicing_contact(consumer_id="consumer-1", body={})

    assert loopback.requests_to("POST", "/token")[0].json() == {
        "clientId": CHIFT_CLIENT_ID,
        "clientSecret": CHIFT_CLIENT_SECRET,
        "accountId": CHIFT_ACCOUNT_ID,
        "marketplaceId": "0b0c2a4e-36d4-4f0e-9a57-3d5d7bb0c6f1",
    }


def test_chift_create_accounting_invoice_sends_the_query_parameters(loopback: LoopbackServer) -> None:
    body = request_example("chift", "POST", "/consumers/{consumer_id}/accounting/invoices")
    answer = response_example("chift", "POST", "/consumers/{consumer_id}/accounting/invoices")
    loopback.route("POST", "/token", TokenIssuer())
    loopback.route("POST", CHIFT_INVOICES, Reply.json(200, answer))

    with chift_exchange_client(loopback.url) as client:
        result = client.create_accounting_invoice(
            consumer_id="consumer-1",
            body=body,
            folder_id="folder 7/B",
            force_financial_period="022022",
            regroup_lines=False,
        )

    assert loopback.count("POST", "/token") == 1
    (call,) = loopback.requests_to("POST", CHIFT_INVOICES)
    assert call.target == CHIFT_INVOICES + "?folder_id=folder+7%2FB&force_financial_period=022022&regroup_lines=false"
    assert call.query == (("folder_id", "folder 7/B"), ("force_financial_period", "022022"), ("regroup_lines", "false"))
    key = call.header("x-chift-client-requestid")  # the idempotency key: tests/test_client_idempotency.py
    assert key is not None
    assert sent_headers(call) == {
        **JSON_HEADERS,
        "user-agent": user_agent("chift"),
        "authorization": f"Bearer {token(1)}",
        "x-chift-client-requestid": key,
    }
    assert call.json() == body
    assert isinstance(result, chift.models.InvoiceItemOut)
    assert result == chift.structure(answer, chift.models.InvoiceItemOut)
    assert result.status == chift.models.InvoiceStatusOut.CANCELLED
    assert isinstance(result.lines[0], chift.models.InvoiceLineItemOut)
    assert chift.unstructure(result) == answer


def test_chift_optional_query_parameters_left_out_are_not_sent(loopback: LoopbackServer) -> None:
    body = request_example("chift", "POST", "/consumers/{consumer_id}/accounting/invoices")
    answer = response_example("chift", "POST", "/consumers/{consumer_id}/accounting/invoices")
    loopback.route("POST", CHIFT_INVOICES, Reply.json(200, answer))

    with chift_token_client(loopback.url) as client:
        client.create_accounting_invoice(consumer_id="consumer-1", body=body, regroup_lines=True)

    (call,) = loopback.requests
    assert call.target == CHIFT_INVOICES + "?regroup_lines=true"


def test_chift_static_token_is_sent_as_bearer_without_any_token_request(loopback: LoopbackServer) -> None:
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, CONTACT_OUT))

    with chift_token_client(loopback.url) as client:
        result = client.create_invoicing_contact(consumer_id="consumer-1", body={"first_name": "Ada"})

    (call,) = loopback.requests
    assert call.path == CHIFT_CONTACTS
    assert call.header("authorization") == f"Bearer {CHIFT_STATIC_TOKEN}"
    assert call.json() == {"first_name": "Ada"}
    assert result.id == "c-1"


# -- Billbee -------------------------------------------------------------------------------


def test_billbee_create_customer_sends_pascal_case_and_unwraps_the_envelope(loopback: LoopbackServer) -> None:
    body = request_example("billbee", "POST", BILLBEE_CUSTOMERS)
    envelope = response_example("billbee", "POST", BILLBEE_CUSTOMERS)
    loopback.route("POST", BILLBEE_CUSTOMERS, Reply.json(200, envelope))

    with billbee_client(loopback.url) as client:
        result = client.create_customer(body=body)

    (call,) = loopback.requests
    assert (call.method, call.target) == ("POST", BILLBEE_CUSTOMERS)
    assert sent_headers(call) == {
        **JSON_HEADERS,
        "user-agent": user_agent("billbee"),
        "authorization": basic(BILLBEE_USERNAME, BILLBEE_API_PASSWORD),
        "x-billbee-api-key": BILLBEE_API_KEY,
    }
    authorization = call.header("authorization") or ""
    assert (
        base64.b64decode(authorization.removeprefix("Basic ")).decode() == f"{BILLBEE_USERNAME}:{BILLBEE_API_PASSWORD}"
    )
    assert call.json() == body
    assert {"Number", "LanguageId", "DefaultMailAddress", "MetaData"} <= call.json().keys()
    assert isinstance(result, billbee.models.Customer)
    assert result == billbee.structure(envelope["Data"], billbee.models.Customer)
    assert result.id == 100000150176895
    assert result.default_phone1 is not None
    assert result.default_phone1 != billbee.UNSET
    assert billbee.unstructure(result) == envelope["Data"]


def test_billbee_model_body_is_written_with_wire_names(loopback: LoopbackServer) -> None:
    envelope = response_example("billbee", "POST", BILLBEE_CUSTOMERS)
    loopback.route("POST", BILLBEE_CUSTOMERS, Reply.json(200, envelope))
    customer = billbee.models.Customer(
        name="Erika Mustermann",
        vat_id="DE123456789",
        tel2=None,
        default_mail_address=billbee.models.CustomerMetaData(type_id=1, value="erika@example.com"),
    )

    with billbee_client(loopback.url) as client:
        client.create_customer(body=customer)

    assert loopback.requests[0].json() == {
        "Name": "Erika Mustermann",
        "VatId": "DE123456789",
        "Tel2": None,
        "DefaultMailAddress": {"TypeId": 1, "Value": "erika@example.com"},
    }


def test_billbee_null_data_on_success_is_returned_as_none(loopback: LoopbackServer) -> None:
    loopback.route("POST", BILLBEE_CUSTOMERS, Reply.json(200, {"ErrorMessage": None, "ErrorCode": 0, "Data": None}))

    with billbee_client(loopback.url) as client:
        assert client.create_customer(body={"Name": "Erika"}) is None


@pytest.mark.parametrize("data", [{"Number": "not a number"}, "oops", 42, [{"Name": "Erika"}]])
def test_billbee_data_that_is_not_a_customer_is_a_decode_error(loopback: LoopbackServer, data: Any) -> None:
    loopback.route("POST", BILLBEE_CUSTOMERS, Reply.json(200, {"ErrorMessage": None, "ErrorCode": 0, "Data": data}))

    with (
        billbee_client(loopback.url, strict_responses=True) as client,
        pytest.raises(billbee.errors.DecodeError) as caught,
    ):
        client.create_customer(body={"Name": "Erika"})

    assert caught.value.status == 200
    assert_exception_secret_free(caught.value)


def test_billbee_create_customer_is_annotated_with_the_customer_model() -> None:
    hints = typing.get_type_hints(billbee.Client.create_customer)

    assert hints["return"] == (billbee.models.Customer | None)


# -- Cin7 Omni -----------------------------------------------------------------------------


def test_cin7_create_contacts_sends_camel_case_and_returns_one_result_per_input(loopback: LoopbackServer) -> None:
    contacts = request_example("cin7_omni", "POST", CIN7_CONTACTS)
    answer = response_example("cin7_omni", "POST", CIN7_CONTACTS)
    loopback.route("POST", "/api" + CIN7_CONTACTS, Reply.json(200, answer))

    with cin7_client(loopback.url + "/api") as client:  # the vendor's base URL has a path: it is kept
        result = client.create_contacts(body=contacts)

    (call,) = loopback.requests
    assert (call.method, call.target) == ("POST", "/api/v1/Contacts")
    assert sent_headers(call) == {
        **JSON_HEADERS,
        "user-agent": user_agent("cin7_omni"),
        "authorization": basic(CIN7_USERNAME, CIN7_API_KEY),
    }
    assert call.json() == contacts
    assert {"firstName", "postalAddress1", "accountingIntegrationId"} <= call.json()[0].keys()
    assert isinstance(result, cin7_omni.BatchResult)
    assert result.ok
    assert result.created_ids == [1, 2]
    assert [item.index for item in result.items] == [0, 1]
    assert [item.input for item in result.items] == contacts
    assert [item.result for item in result.items] == [
        cin7_omni.structure(raw, cin7_omni.models.BatchResultItem) for raw in answer
    ]


def test_cin7_model_bodies_are_written_with_camel_case_names(loopback: LoopbackServer) -> None:
    loopback.route("POST", CIN7_CONTACTS, Reply.json(200, [{"index": 0, "success": True, "id": 5, "errors": []}]))
    contact = cin7_omni.models.Contact(
        type=cin7_omni.models.ContactType.CUSTOMER,
        first_name="Jane",
        post_code="94043",
        address2=None,
    )

    with cin7_client(loopback.url) as client:
        result = client.create_contacts(body=[contact])

    assert loopback.requests[0].json() == [
        {"type": "Customer", "firstName": "Jane", "postCode": "94043", "address2": None}
    ]
    assert result.items[0].input is contact
    assert result.created_ids == [5]


# -- Formation -----------------------------------------------------------------------------


def test_formation_create_contact_sends_the_api_key_and_unwraps_the_envelope(loopback: LoopbackServer) -> None:
    body = formation_contact()
    envelope = formation_success()
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, envelope))

    with formation_client(loopback.url) as client:
        result = client.create_contact(body=body)

    (call,) = loopback.requests
    assert (call.method, call.target) == ("POST", FORMATION_CONTACTS)
    assert sent_headers(call) == {
        **JSON_HEADERS,
        "user-agent": user_agent("formation"),
        "x-api-key": FORMATION_API_KEY,
    }
    assert call.json() == body
    assert isinstance(result, formation.models.ContactOut)
    assert result == formation.structure(envelope["data"], formation.models.ContactOut)
    assert result.id == "64b8f1a2e4b0c8d9f0123456"
    assert isinstance(result.billing, formation.models.ContactBilling)
    assert formation.unstructure(result) == envelope["data"]


# -- bodies: models and dicts, validated ----------------------------------------------------


def _formation_model() -> formation.models.ContactIn:
    model = formation.structure(formation_contact(), formation.models.ContactIn)
    assert isinstance(model.billing, formation.models.ContactBilling)
    return model


def test_a_model_and_the_equivalent_dict_send_the_same_json(loopback: LoopbackServer) -> None:
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, formation_success()))

    with formation_client(loopback.url) as client:
        from_dict = client.create_contact(body=formation_contact())
        from_model = client.create_contact(body=_formation_model())

    as_dict, as_model = loopback.requests
    assert as_dict.body == as_model.body
    assert as_model.json() == formation_contact()
    assert from_dict == from_model


@pytest.mark.parametrize("kind", ["dict", "model"])
def test_a_body_breaking_the_schema_is_rejected_with_every_violation(loopback: LoopbackServer, kind: str) -> None:
    bad: dict[str, Any] = {**formation_contact(), "type": "partner", "email": "not an email", "cc_emails": ["x"]}
    del bad["company_id"]
    body: Any = bad
    if kind == "model":
        body = _formation_model()
        body.type = "partner"
        body.email = "not an email"
        body.cc_emails = ["cc1@example.com", "x"]
        body.company_id = formation.UNSET

    with formation_client(loopback.url) as client, pytest.raises(formation.errors.RequestValidationError) as caught:
        client.create_contact(body=body)

    paths = {violation.path for violation in caught.value.violations}
    expected = {"$.type", "$.email", "$.company_id", "$.cc_emails[0]" if kind == "dict" else "$.cc_emails[1]"}
    assert paths == expected
    assert caught.value.operation == "create_contact"
    for path in expected:
        assert path in str(caught.value)
    assert loopback.requests == []
    assert_exception_secret_free(caught.value)


def test_chift_invoice_violations_are_all_listed_with_json_paths_and_nothing_is_sent(loopback: LoopbackServer) -> None:
    body = request_example("chift", "POST", "/consumers/{consumer_id}/accounting/invoices")
    body["invoice_type"] = "gift"
    body["invoice_date"] = "2023-02-30"
    del body["currency"]
    body["lines"].append({**body["lines"][0], "tax_rate": "21%"})
    body["lines"][0]["quantity"] = None
    loopback.route("POST", "/token", TokenIssuer())

    with chift_exchange_client(loopback.url) as client, pytest.raises(chift.errors.RequestValidationError) as caught:
        client.create_accounting_invoice(consumer_id="consumer-1", body=body, force_financial_period="132022")

    assert [str(violation) for violation in caught.value.violations] == [
        "$query.force_financial_period: must match the pattern '^(0[1-9]|1[0-2])[0-9]{4}$'",
        "$.currency: is required",
        "$.invoice_type: must be one of 'customer_invoice', 'customer_refund', 'supplier_invoice', "
        "'supplier_refund', not 'gift'",
        "$.invoice_date: must be a date (YYYY-MM-DD)",
        "$.lines[0].quantity: must be of type number, not null",
        "$.lines[1].tax_rate: must be of type number, not string",
    ]
    assert str(caught.value).startswith("create_accounting_invoice: 6 violations, nothing was sent")
    assert loopback.requests == []  # not even the token request
    assert_exception_secret_free(caught.value)


def test_a_missing_required_argument_is_a_violation_not_a_request(loopback: LoopbackServer) -> None:
    with chift_token_client(loopback.url) as client, pytest.raises(chift.errors.RequestValidationError) as caught:
        client.create_invoicing_contact(consumer_id=None, body={})  # type: ignore[arg-type]

    assert [violation.path for violation in caught.value.violations] == ["$path.consumer_id"]
    assert loopback.requests == []


def test_a_cin7_batch_reports_violations_by_item_index(loopback: LoopbackServer) -> None:
    contacts = request_example("cin7_omni", "POST", CIN7_CONTACTS)
    contacts[1]["type"] = 7
    contacts.append({"firstName": "No type"})

    with cin7_client(loopback.url) as client, pytest.raises(cin7_omni.errors.RequestValidationError) as caught:
        client.create_contacts(body=contacts)

    assert {violation.path for violation in caught.value.violations} == {"$[1].type", "$[2].type"}
    assert loopback.requests == []


# -- the mock transport, as documented -------------------------------------------------------


def test_the_mock_transport_answers_without_a_network_as_the_docstring_shows() -> None:
    assert "MockTransport(handler)" in (formation.__doc__ or "")
    transport = MockTransport(lambda request: json_response(200, formation_success()))
    with formation.Client(api_key=FORMATION_API_KEY, transport=transport) as client:
        result = client.create_contact(body=formation_contact())

    assert result.id == "64b8f1a2e4b0c8d9f0123456"
    (request,) = transport.requests
    assert isinstance(request, Request)
    assert request.method == "POST"
    assert request.url == "https://api.clemta.com/contacts"
    assert request.headers["X-API-KEY"] == FORMATION_API_KEY
    assert request.body is not None
    assert json.loads(request.body) == formation_contact()
    assert FORMATION_API_KEY not in repr(request)
    assert isinstance(json_response(201, {}), Response)


def test_the_mock_transport_can_simulate_failures_and_errors() -> None:
    answers: Iterator[Exception | Response] = iter(
        [
            formation.errors.ConnectError("simulated: refused"),
            json_response(
                404, {"success": False, "message": "Company not found", "error": {"code": "COMPANY_NOT_FOUND"}}
            ),
        ]
    )

    def handler(request: Request) -> Response:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    transport = MockTransport(handler)
    retry = formation.RetryPolicy(backoff=0.01)
    client = formation.Client(api_key=FORMATION_API_KEY, transport=transport, retry=retry)
    with client, pytest.raises(formation.errors.NotFoundError) as caught:
        client.create_contact(body=formation_contact())

    assert len(transport.requests) == 2  # the simulated connect error was retried
    assert isinstance(caught.value.error, formation.models.ErrorResponse)
    assert caught.value.error.error != formation.UNSET
    assert_exception_secret_free(caught.value)


# -- lifecycle ---------------------------------------------------------------------------------


def test_connections_are_reused_and_released_when_the_context_manager_exits(loopback: LoopbackServer) -> None:
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, formation_success()))

    with formation_client(loopback.url) as client:
        assert isinstance(client, formation.Client)
        client.create_contact(body=formation_contact())
        client.create_contact(body=formation_contact())
        assert loopback.open_connections == 1

    assert [request.connection for request in loopback.requests] == [1, 1]  # keep-alive: one connection
    assert loopback.wait_until_idle(timeout=2.0), "the client kept its connection open after the with block"


def test_close_releases_connections(loopback: LoopbackServer) -> None:
    loopback.route("POST", "/token", TokenIssuer())
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, CONTACT_OUT))
    client = chift_exchange_client(loopback.url)
    try:
        client.create_invoicing_contact(consumer_id="consumer-1", body={})
        assert loopback.open_connections == 1
    finally:
        client.close()

    assert loopback.wait_until_idle(timeout=2.0), "close() left a connection open"
    assert loopback.connections == 1  # the token request and the call shared one connection

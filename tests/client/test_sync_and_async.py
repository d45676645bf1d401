"""The five operations end to end on 127.0.0.1, each test run twice: with ``Client`` and with ``AsyncClient``.

The same test body drives both clients (see :mod:`tests.helpers.flavours`) through their
real transports, urllib3 and httpx, to the loopback server, and asserts the same things:
exactly what reached the server (method, raw path, query, headers, JSON body) and what the
caller got back (typed models, envelopes unwrapped, batch results, the error tree). The
two clients must be indistinguishable on the wire and to the caller.
"""

from __future__ import annotations

import inspect
import typing
from types import ModuleType
from typing import Any

import pytest

from generated import billbee, chift, cin7_omni, formation
from tests.helpers.flavours import Flavour
from tests.helpers.loopback import LoopbackServer, Reply
from tests.helpers.vendors import (
    BILLBEE_API_KEY,
    BILLBEE_API_PASSWORD,
    BILLBEE_CUSTOMERS,
    BILLBEE_RETRY,
    BILLBEE_TIMEOUT,
    BILLBEE_USERNAME,
    CHIFT_ACCOUNT_ID,
    CHIFT_CLIENT_ID,
    CHIFT_CLIENT_SECRET,
    CHIFT_CONTACTS,
    CHIFT_INVOICES,
    CHIFT_RETRY,
    CHIFT_STATIC_TOKEN,
    CHIFT_TIMEOUT,
    CIN7_API_KEY,
    CIN7_CONTACTS,
    CIN7_RETRY,
    CIN7_TIMEOUT,
    CIN7_USERNAME,
    FORMATION_API_KEY,
    FORMATION_CONTACTS,
    FORMATION_RETRY,
    FORMATION_TIMEOUT,
    TokenIssuer,
    assert_exception_secret_free,
    basic,
    formation_contact,
    formation_success,
    request_example,
    response_example,
    sent_headers,
    token,
)

pytestmark = pytest.mark.anyio

JSON_HEADERS = {"accept": "application/json", "content-type": "application/json"}
CONTACT_OUT = {"id": "c-1", "source_ref": {"id": "s-1", "model": "res.partner"}}
PACKAGES = (billbee, chift, cin7_omni, formation)


def user_agent(package: str) -> str:
    return f"{package}-client/0.1.0 (vendor-clients)"


def chift_exchange(url: str) -> dict[str, Any]:
    return {
        "client_id": CHIFT_CLIENT_ID,
        "client_secret": CHIFT_CLIENT_SECRET,
        "account_id": CHIFT_ACCOUNT_ID,
        "base_url": url,
        "retry": CHIFT_RETRY,
        "timeout": CHIFT_TIMEOUT,
    }


def chift_static(url: str) -> dict[str, Any]:
    return {"token": CHIFT_STATIC_TOKEN, "base_url": url, "retry": CHIFT_RETRY, "timeout": CHIFT_TIMEOUT}


def billbee_options(url: str) -> dict[str, Any]:
    return {
        "username": BILLBEE_USERNAME,
        "api_password": BILLBEE_API_PASSWORD,
        "api_key": BILLBEE_API_KEY,
        "base_url": url,
        "retry": BILLBEE_RETRY,
        "timeout": BILLBEE_TIMEOUT,
    }


def cin7_options(url: str) -> dict[str, Any]:
    return {
        "username": CIN7_USERNAME,
        "api_key": CIN7_API_KEY,
        "base_url": url,
        "retry": CIN7_RETRY,
        "timeout": CIN7_TIMEOUT,
    }


def formation_options(url: str) -> dict[str, Any]:
    return {"api_key": FORMATION_API_KEY, "base_url": url, "retry": FORMATION_RETRY, "timeout": FORMATION_TIMEOUT}


# -- the five operations ---------------------------------------------------------------------


async def test_chift_create_invoicing_contact_with_a_token_exchange(loopback: LoopbackServer, flavour: Flavour) -> None:
    body = request_example("chift", "POST", "/consumers/{consumer_id}/invoicing/contacts")
    answer = response_example("chift", "POST", "/consumers/{consumer_id}/invoicing/contacts")
    loopback.route("POST", "/token", TokenIssuer())
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, answer))

    async with flavour.open(chift, **chift_exchange(loopback.url)) as client:
        result = await flavour.result(client.create_invoicing_contact(consumer_id="consumer-1", body=body))

    token_request, call = loopback.requests
    assert (token_request.method, token_request.target) == ("POST", "/token")
    assert sent_headers(token_request) == {**JSON_HEADERS, "user-agent": user_agent("chift")}
    assert token_request.json() == {
        "clientId": CHIFT_CLIENT_ID,
        "clientSecret": CHIFT_CLIENT_SECRET,
        "accountId": CHIFT_ACCOUNT_ID,
    }
    assert (call.method, call.target) == ("POST", CHIFT_CONTACTS)
    key = call.header("x-chift-client-requestid")  # the idempotency key: tests/client/test_idempotency.py
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
    assert chift.unstructure(result) == answer
    assert token_request.connection == call.connection  # one pooled connection for both


async def test_chift_create_accounting_invoice_sends_the_query(loopback: LoopbackServer, flavour: Flavour) -> None:
    body = request_example("chift", "POST", "/consumers/{consumer_id}/accounting/invoices")
    answer = response_example("chift", "POST", "/consumers/{consumer_id}/accounting/invoices")
    loopback.route("POST", CHIFT_INVOICES, Reply.json(200, answer))

    async with flavour.open(chift, **chift_static(loopback.url)) as client:
        result = await flavour.result(
            client.create_accounting_invoice(
                consumer_id="consumer-1",
                body=body,
                folder_id="folder 7/B",
                force_financial_period="022022",
                regroup_lines=False,
            )
        )

    (call,) = loopback.requests
    assert call.target == CHIFT_INVOICES + "?folder_id=folder+7%2FB&force_financial_period=022022&regroup_lines=false"
    assert call.header("authorization") == f"Bearer {CHIFT_STATIC_TOKEN}"
    assert call.json() == body
    assert isinstance(result, chift.models.InvoiceItemOut)
    assert result.status == chift.models.InvoiceStatusOut.CANCELLED
    assert chift.unstructure(result) == answer


async def test_billbee_create_customer_unwraps_the_envelope(loopback: LoopbackServer, flavour: Flavour) -> None:
    body = request_example("billbee", "POST", BILLBEE_CUSTOMERS)
    envelope = response_example("billbee", "POST", BILLBEE_CUSTOMERS)
    loopback.route("POST", BILLBEE_CUSTOMERS, Reply.json(200, envelope))

    async with flavour.open(billbee, **billbee_options(loopback.url)) as client:
        result = await flavour.result(client.create_customer(body=body))

    (call,) = loopback.requests
    assert sent_headers(call) == {
        **JSON_HEADERS,
        "user-agent": user_agent("billbee"),
        "authorization": basic(BILLBEE_USERNAME, BILLBEE_API_PASSWORD),
        "x-billbee-api-key": BILLBEE_API_KEY,
    }
    assert call.json() == body
    assert isinstance(result, billbee.models.Customer)
    assert billbee.unstructure(result) == envelope["Data"]


async def test_billbee_envelope_failure_is_an_envelope_error(loopback: LoopbackServer, flavour: Flavour) -> None:
    failure = {"ErrorMessage": "Customer exists", "ErrorCode": 7, "ErrorDescription": "dup", "Data": None}
    loopback.route("POST", BILLBEE_CUSTOMERS, Reply.json(200, failure))

    async with flavour.open(billbee, **billbee_options(loopback.url)) as client:
        with pytest.raises(billbee.errors.EnvelopeError) as caught:
            await flavour.result(client.create_customer(body={"Name": "Erika"}))

    assert (caught.value.status, caught.value.code, caught.value.vendor_message) == (200, 7, "Customer exists")
    assert_exception_secret_free(caught.value)


async def test_cin7_create_contacts_returns_one_result_per_input(loopback: LoopbackServer, flavour: Flavour) -> None:
    contacts = request_example("cin7_omni", "POST", CIN7_CONTACTS)
    answer = response_example("cin7_omni", "POST", CIN7_CONTACTS)
    loopback.route("POST", "/api" + CIN7_CONTACTS, Reply.json(200, answer))

    async with flavour.open(cin7_omni, **cin7_options(loopback.url + "/api")) as client:
        result = await flavour.result(client.create_contacts(body=contacts))

    (call,) = loopback.requests
    assert (call.method, call.target) == ("POST", "/api/v1/Contacts")
    assert sent_headers(call) == {
        **JSON_HEADERS,
        "user-agent": user_agent("cin7_omni"),
        "authorization": basic(CIN7_USERNAME, CIN7_API_KEY),
    }
    assert call.json() == contacts
    assert isinstance(result, cin7_omni.BatchResult)
    assert result.created_ids == [1, 2]
    assert [item.input for item in result.items] == contacts


async def test_cin7_partial_failure_raises_with_the_created_ids(loopback: LoopbackServer, flavour: Flavour) -> None:
    contacts = request_example("cin7_omni", "POST", CIN7_CONTACTS)
    answer = [
        {"index": 0, "success": True, "id": 11, "errors": []},
        {"index": 1, "success": False, "errors": ["email taken"]},
    ]
    loopback.route("POST", CIN7_CONTACTS, Reply.json(200, answer))

    async with flavour.open(cin7_omni, **cin7_options(loopback.url)) as client:
        with pytest.raises(cin7_omni.errors.BatchPartialFailure) as caught:
            await flavour.result(client.create_contacts(body=contacts))

    assert caught.value.result.created_ids == [11]
    assert [item.errors for item in caught.value.result.failed] == [("email taken",)]


async def test_formation_create_contact_unwraps_the_envelope(loopback: LoopbackServer, flavour: Flavour) -> None:
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, formation_success()))

    async with flavour.open(formation, **formation_options(loopback.url)) as client:
        result = await flavour.result(client.create_contact(body=formation_contact()))

    (call,) = loopback.requests
    assert sent_headers(call) == {**JSON_HEADERS, "user-agent": user_agent("formation"), "x-api-key": FORMATION_API_KEY}
    assert call.json() == formation_contact()
    assert isinstance(result, formation.models.ContactOut)
    assert formation.unstructure(result) == formation_success()["data"]


# -- errors, retries, validation -------------------------------------------------------------


async def test_a_vendor_error_is_the_same_status_error(loopback: LoopbackServer, flavour: Flavour) -> None:
    error = {"success": False, "message": "Company not found", "data": None, "error": {"code": "COMPANY_NOT_FOUND"}}
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(404, error, headers={"X-Request-Id": "req-9"}))

    async with flavour.open(formation, **formation_options(loopback.url)) as client:
        with pytest.raises(formation.errors.NotFoundError) as caught:
            await flavour.result(client.create_contact(body=formation_contact()))

    assert caught.value.status == 404
    assert caught.value.request_id == "req-9"
    assert isinstance(caught.value.error, formation.models.ErrorResponse)
    assert "Company not found" in str(caught.value)
    assert_exception_secret_free(caught.value)


async def test_503_is_retried_and_500_is_not_for_a_post(loopback: LoopbackServer, flavour: Flavour) -> None:
    loopback.route(
        "POST",
        FORMATION_CONTACTS,
        Reply.json(503, {}, headers={"Retry-After": "0"}),
        Reply.json(200, formation_success()),
        Reply.json(500, {"message": "boom"}),
    )

    async with flavour.open(formation, **formation_options(loopback.url)) as client:
        await flavour.result(client.create_contact(body=formation_contact()))
        with pytest.raises(formation.errors.ServerError):
            await flavour.result(client.create_contact(body=formation_contact()))

    assert loopback.count("POST", FORMATION_CONTACTS) == 3  # 503 + 200, then the 500 once


async def test_a_401_fetches_a_fresh_token_once(loopback: LoopbackServer, flavour: Flavour) -> None:
    loopback.route("POST", "/token", TokenIssuer())
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(401, {"message": "expired"}), Reply.json(200, CONTACT_OUT))

    async with flavour.open(chift, **chift_exchange(loopback.url)) as client:
        result = await flavour.result(client.create_invoicing_contact(consumer_id="consumer-1", body={}))

    assert result.id == "c-1"
    calls = loopback.requests_to("POST", CHIFT_CONTACTS)
    assert [call.header("authorization") for call in calls] == [f"Bearer {token(1)}", f"Bearer {token(2)}"]
    assert loopback.count("POST", "/token") == 2


async def test_violations_are_raised_before_anything_is_sent(loopback: LoopbackServer, flavour: Flavour) -> None:
    loopback.route("POST", "/token", TokenIssuer())
    body = {**formation_contact(), "type": "partner"}

    async with flavour.open(formation, **formation_options(loopback.url)) as client:
        with pytest.raises(formation.errors.RequestValidationError) as caught:
            await flavour.result(client.create_contact(body=body))
    async with flavour.open(chift, **chift_exchange(loopback.url)) as client:
        with pytest.raises(chift.errors.RequestValidationError):
            await flavour.result(client.create_invoicing_contact(consumer_id="..", body={}))

    assert [violation.path for violation in caught.value.violations] == ["$.type"]
    assert loopback.requests == []  # not even a token request


async def test_connections_are_reused_then_released(loopback: LoopbackServer, flavour: Flavour) -> None:
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, formation_success()))

    async with flavour.open(formation, **formation_options(loopback.url)) as client:
        for _ in range(3):
            await flavour.result(client.create_contact(body=formation_contact()))
        assert loopback.open_connections == 1

    assert [request.connection for request in loopback.requests] == [1, 1, 1]
    assert loopback.wait_until_idle(timeout=2.0), "closing the client left a connection open"


# -- the same API ----------------------------------------------------------------------------


def _operations(package: ModuleType) -> list[str]:
    return [name for name, _ in inspect.getmembers(package.Client, inspect.isfunction) if not name.startswith("_")]


@pytest.mark.parametrize("package", PACKAGES, ids=lambda package: package.__name__.rpartition(".")[2])
def test_async_client_has_the_same_methods_and_types_as_coroutines(package: ModuleType) -> None:
    names = _operations(package)
    assert "close" in names
    for name in set(names) - {"close"}:
        sync, coroutine = getattr(package.Client, name), getattr(package.AsyncClient, name)
        assert inspect.iscoroutinefunction(coroutine), name
        assert inspect.signature(sync) == inspect.signature(coroutine), name
        assert typing.get_type_hints(sync) == typing.get_type_hints(coroutine), name
    assert inspect.iscoroutinefunction(package.AsyncClient.aclose)
    sync_init = inspect.signature(package.Client.__init__).parameters
    async_init = inspect.signature(package.AsyncClient.__init__).parameters
    assert list(sync_init) == list(async_init)
    assert {name: p.default for name, p in sync_init.items() if name != "transport"} == {
        name: p.default for name, p in async_init.items() if name != "transport"
    }

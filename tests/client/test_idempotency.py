"""Exactly-once creates with idempotency keys, against a real HTTP server on 127.0.0.1.

Chift's schema declares ``x-idempotency`` on its creates: every call sends a key in
``X-Chift-Client-RequestId`` (a UUID4, or the caller's ``idempotency_key``), the same on
every attempt, so a create whose response was lost is sent again and the vendor's answer
is definite: the record, or ``AlreadyProcessedError`` carrying the key. Formation declares
no idempotency and still never re-sends a POST that may have reached it. Also here: call
metadata (``client.with_response``). Every test runs with ``Client`` and with ``AsyncClient``
(the ``flavour`` fixture): both are driven by the same core.
"""

from __future__ import annotations

import inspect
import json
import threading
import uuid
from collections import Counter
from typing import Any

import pytest

from generated import chift, formation
from tests.helpers.flavours import Flavour
from tests.helpers.loopback import LoopbackServer, Recorded, Reply
from tests.helpers.vendors import (
    CHIFT_CONTACTS,
    CHIFT_INVOICES,
    CHIFT_RETRY,
    CHIFT_STATIC_TOKEN,
    CHIFT_TIMEOUT,
    FORMATION_API_KEY,
    FORMATION_CONTACTS,
    FORMATION_RETRY,
    FORMATION_TIMEOUT,
    assert_exception_secret_free,
    formation_contact,
    formation_success,
    request_example,
    response_example,
)

pytestmark = pytest.mark.anyio

HEADER = "X-Chift-Client-RequestId"
CONTACT_PATH = "/consumers/{consumer_id}/invoicing/contacts"
INVOICE_PATH = "/consumers/{consumer_id}/accounting/invoices"


def chift_options(url: str, timeout: chift.Timeout = CHIFT_TIMEOUT) -> dict[str, Any]:
    """Arguments of a Chift Client or AsyncClient with a static token, for the loopback server."""
    return {"token": CHIFT_STATIC_TOKEN, "base_url": url, "retry": CHIFT_RETRY, "timeout": timeout}


def formation_options(url: str) -> dict[str, Any]:
    """Arguments of a Formation Client or AsyncClient, for the loopback server."""
    return {"api_key": FORMATION_API_KEY, "base_url": url, "retry": FORMATION_RETRY, "timeout": FORMATION_TIMEOUT}


def contact_body() -> dict[str, Any]:
    body: dict[str, Any] = request_example("chift", "POST", CONTACT_PATH)
    return body


def contact_answer(entity_id: str = "contact-1") -> dict[str, Any]:
    answer: dict[str, Any] = response_example("chift", "POST", CONTACT_PATH)
    answer["id"] = entity_id
    return answer


def conflict(code: str, message: str) -> Reply:
    return Reply.json(409, {"message": message, "status": "error", "error_code": code})


class Vendor:
    """A create endpoint that honours keys as Chift does: one record per key, repeats answered 409.

    ``lose``: how the answers of the first processed requests are lost (``"drop"``: the
    connection is closed; ``"slow"``: the answer comes after a second; a status code);
    ``in_process`` 409 "in process" answers precede processing; ``replay`` answers repeats
    with the original response instead of 409.
    """

    def __init__(self, *, lose: tuple[str | int, ...] = (), in_process: int = 0, replay: bool = False) -> None:
        self._lose = list(lose)
        self._in_process = in_process
        self._replay = replay
        self._lock = threading.Lock()
        self.records: Counter[str] = Counter()
        """Records created, per key (None for requests without a key)."""
        self.answers: dict[str, dict[str, Any]] = {}

    def __call__(self, request: Recorded) -> Reply:
        key = request.header(HEADER)
        assert key is not None, "a Chift create arrived without an idempotency key"
        with self._lock:
            if self._in_process:
                self._in_process -= 1
                return conflict("REQUEST_IN_PROCESS", "Request in process")
            if key in self.answers:
                if self._replay:
                    return Reply.json(200, self.answers[key])
                return conflict("REQUEST_ALREADY_PROCESSED", "Request already processed: 200")
            self.records[key] += 1
            self.answers[key] = contact_answer(f"contact-{len(self.answers) + 1}")
            lost = self._lose.pop(0) if self._lose else None
        if lost == "drop":
            return Reply.dropped()
        if lost == "slow":  # processed, but the answer comes after the client stopped waiting
            return Reply.json(200, self.answers[key], delay=1.0)
        if isinstance(lost, int):
            return Reply.json(lost, {"message": f"HTTP {lost}", "status": "error"})
        return Reply.json(200, self.answers[key])


def keys_sent(loopback: LoopbackServer, path: str = CHIFT_CONTACTS) -> list[str | None]:
    return [request.header(HEADER) for request in loopback.requests_to("POST", path)]


# -- every call carries a key --------------------------------------------------------------------------


async def test_every_chift_create_carries_a_fresh_uuid4_key_of_at_most_255_characters(
    loopback: LoopbackServer, flavour: Flavour
) -> None:
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, contact_answer()))
    invoice_answer = response_example("chift", "POST", INVOICE_PATH)
    loopback.route("POST", CHIFT_INVOICES, Reply.json(200, invoice_answer))
    async with flavour.open(chift, **chift_options(loopback.url)) as client:
        for _ in range(3):
            await flavour.result(client.create_invoicing_contact(consumer_id="consumer-1", body=contact_body()))
        await flavour.result(
            client.create_accounting_invoice(
                consumer_id="consumer-1", body=request_example("chift", "POST", INVOICE_PATH)
            )
        )

    keys = keys_sent(loopback) + keys_sent(loopback, CHIFT_INVOICES)
    assert len(keys) == 4
    for key in keys:
        assert key is not None
        assert len(key) <= 255
        assert uuid.UUID(key).version == 4
    assert len(set(keys)) == 4, "each call has a key of its own"


async def test_a_caller_key_is_sent_as_given_on_every_attempt(loopback: LoopbackServer, flavour: Flavour) -> None:
    loopback.route(
        "POST",
        CHIFT_CONTACTS,
        Reply.json(503, {"message": "maintenance", "status": "error"}),
        Reply.json(200, contact_answer()),
    )
    async with flavour.open(chift, **chift_options(loopback.url)) as client:
        result = await flavour.result(
            client.create_invoicing_contact(consumer_id="consumer-1", body=contact_body(), idempotency_key="order-1234")
        )
    assert result.id == "contact-1"
    assert keys_sent(loopback) == ["order-1234", "order-1234"]


async def test_the_generated_key_is_the_same_on_every_retry(loopback: LoopbackServer, flavour: Flavour) -> None:
    loopback.route(
        "POST", CHIFT_CONTACTS, Reply.json(429, {}, headers={"Retry-After": "0"}), Reply.json(200, contact_answer())
    )
    async with flavour.open(chift, **chift_options(loopback.url)) as client:
        await flavour.result(client.create_invoicing_contact(consumer_id="consumer-1", body=contact_body()))
    first, second = keys_sent(loopback)
    assert first is not None
    assert first == second


@pytest.mark.parametrize(
    ("key", "problem"),
    [("x" * 256, "at most 255 characters"), ("", "at least 1 character"), ("order\r\n1", "without CR or LF")],
)
async def test_an_unusable_caller_key_is_refused_before_sending(
    loopback: LoopbackServer, flavour: Flavour, key: str, problem: str
) -> None:
    async with flavour.open(chift, **chift_options(loopback.url)) as client:
        with pytest.raises(chift.errors.RequestValidationError) as caught:
            await flavour.result(
                client.create_invoicing_contact(consumer_id="consumer-1", body=contact_body(), idempotency_key=key)
            )
    assert loopback.requests == []
    (violation,) = caught.value.violations
    assert violation.path == "$idempotency_key"
    assert problem in violation.message


# -- a lost response, then a definite outcome ----------------------------------------------------------


async def test_a_response_dropped_after_processing_is_resent_once_and_answers_already_processed(
    loopback: LoopbackServer, flavour: Flavour
) -> None:
    vendor = Vendor(lose=("drop",))
    loopback.route("POST", CHIFT_CONTACTS, vendor)
    async with flavour.open(chift, **chift_options(loopback.url)) as client:
        with pytest.raises(chift.errors.AlreadyProcessedError) as caught:
            await flavour.result(client.create_invoicing_contact(consumer_id="consumer-1", body=contact_body()))
    keys = keys_sent(loopback)
    assert len(keys) == 2, "exactly one re-send"
    key = keys[0]
    assert key is not None
    assert keys == [key, key]
    assert vendor.records == {key: 1}, "exactly one record created"
    error = caught.value
    assert isinstance(error, chift.errors.ConflictError)
    assert error.idempotency_key == key
    assert error.status == 409
    assert error.vendor_message == "Request already processed: 200"
    assert isinstance(error.error, chift.models.ChiftError)
    # connection_id is not an argument of the create: the client names the lookup call instead.
    assert error.created_entity_id is None
    assert error.lookup_call is not None
    assert error.lookup_call.startswith("client.get_transaction_by_client_request_id(consumer_id='consumer-1', ")
    assert f"client_request_id={key!r}" in error.lookup_call
    assert key in str(error)
    assert "get_transaction_by_client_request_id" in str(error)
    assert_exception_secret_free(error)


async def test_a_replaying_vendor_returns_the_record_on_the_resend(loopback: LoopbackServer, flavour: Flavour) -> None:
    vendor = Vendor(lose=("drop",), replay=True)
    loopback.route("POST", CHIFT_CONTACTS, vendor)
    async with flavour.open(chift, **chift_options(loopback.url)) as client:
        result = await flavour.result(client.create_invoicing_contact(consumer_id="consumer-1", body=contact_body()))
    assert result.id == "contact-1"
    key = keys_sent(loopback)[0]
    assert key is not None
    assert keys_sent(loopback) == [key, key]
    assert vendor.records == {key: 1}


@pytest.mark.parametrize("status", [500, 502, 504])
async def test_a_keyed_post_is_resent_after_a_server_error(
    loopback: LoopbackServer, flavour: Flavour, status: int
) -> None:
    vendor = Vendor(lose=(status,))
    loopback.route("POST", CHIFT_CONTACTS, vendor)
    async with flavour.open(chift, **chift_options(loopback.url)) as client:
        with pytest.raises(chift.errors.AlreadyProcessedError) as caught:
            await flavour.result(client.create_invoicing_contact(consumer_id="consumer-1", body=contact_body()))
    assert len(loopback.requests) == 2
    assert sum(vendor.records.values()) == 1
    assert caught.value.idempotency_key == keys_sent(loopback)[0]


async def test_a_read_timeout_is_resent_with_the_same_key(loopback: LoopbackServer, flavour: Flavour) -> None:
    vendor = Vendor(lose=("slow",))
    loopback.route("POST", CHIFT_CONTACTS, vendor)
    timeout = chift.Timeout(connect=1.0, read=0.3, total=5.0)
    async with flavour.open(chift, **chift_options(loopback.url, timeout)) as client:
        with pytest.raises(chift.errors.AlreadyProcessedError) as caught:
            await flavour.result(client.create_invoicing_contact(consumer_id="consumer-1", body=contact_body()))
    first, second = keys_sent(loopback)
    assert first == second == caught.value.idempotency_key
    assert sum(vendor.records.values()) == 1


async def test_in_process_is_waited_for_then_the_record_is_returned(loopback: LoopbackServer, flavour: Flavour) -> None:
    vendor = Vendor(in_process=2)
    loopback.route("POST", CHIFT_CONTACTS, vendor)
    async with flavour.open(chift, **chift_options(loopback.url)) as client:
        result = await flavour.result(client.create_invoicing_contact(consumer_id="consumer-1", body=contact_body()))
    assert result.id == "contact-1"
    keys = keys_sent(loopback)
    assert len(keys) == 3
    assert len(set(keys)) == 1
    assert sum(vendor.records.values()) == 1


async def test_in_process_every_time_raises_in_process_error_with_the_key(
    loopback: LoopbackServer, flavour: Flavour
) -> None:
    loopback.route("POST", CHIFT_CONTACTS, conflict("REQUEST_IN_PROCESS", "Request in process"))
    async with flavour.open(chift, **chift_options(loopback.url)) as client:
        with pytest.raises(chift.errors.InProcessError) as caught:
            await flavour.result(
                client.create_invoicing_contact(
                    consumer_id="consumer-1", body=contact_body(), idempotency_key="order-77"
                )
            )
    assert len(loopback.requests) == CHIFT_RETRY.max_attempts
    assert caught.value.idempotency_key == "order-77"


async def test_a_caller_key_used_before_answers_already_processed_on_the_first_attempt(
    loopback: LoopbackServer, flavour: Flavour
) -> None:
    loopback.route("POST", CHIFT_CONTACTS, conflict("REQUEST_ALREADY_PROCESSED", "Request already processed: 200"))
    async with flavour.open(chift, **chift_options(loopback.url)) as client:
        with pytest.raises(chift.errors.AlreadyProcessedError) as caught:
            await flavour.result(
                client.create_invoicing_contact(
                    consumer_id="consumer-1", body=contact_body(), idempotency_key="order-1234"
                )
            )
    assert len(loopback.requests) == 1
    assert caught.value.idempotency_key == "order-1234"


async def test_another_409_stays_a_plain_conflict_error_carrying_the_key(
    loopback: LoopbackServer, flavour: Flavour
) -> None:
    loopback.route(
        "POST",
        CHIFT_CONTACTS,
        conflict("ERROR_INVOICE_NUMBER_ALREADY_USED", "The invoice number is already used."),
    )
    async with flavour.open(chift, **chift_options(loopback.url)) as client:
        with pytest.raises(chift.errors.ConflictError) as caught:
            await flavour.result(
                client.create_invoicing_contact(consumer_id="consumer-1", body=contact_body(), idempotency_key="k-409")
            )
    assert type(caught.value) is chift.errors.ConflictError
    assert caught.value.idempotency_key == "k-409"
    assert len(loopback.requests) == 1


async def test_every_exception_of_a_keyed_call_carries_its_key(loopback: LoopbackServer, flavour: Flavour) -> None:
    loopback.route("POST", CHIFT_CONTACTS, Reply.raw(200, "<html>busy</html>", content_type="text/html"))  # DecodeError
    async with flavour.open(chift, **chift_options(loopback.url)) as client:
        with pytest.raises(chift.errors.DecodeError) as decode:
            await flavour.result(
                client.create_invoicing_contact(consumer_id="consumer-1", body=contact_body(), idempotency_key="k-1")
            )
        with pytest.raises(chift.errors.RequestValidationError) as invalid:
            await flavour.result(
                client.create_invoicing_contact(consumer_id="consumer-1", body={"gender": 5}, idempotency_key="k-2")
            )
    assert decode.value.idempotency_key == "k-1"
    assert invalid.value.idempotency_key == "k-2"


# -- without idempotency nothing changes ---------------------------------------------------------------


async def test_formation_sends_a_post_exactly_once_after_a_dropped_response(
    loopback: LoopbackServer, flavour: Flavour
) -> None:
    loopback.route("POST", FORMATION_CONTACTS, Reply.dropped(), Reply.json(200, formation_success()))
    async with flavour.open(formation, **formation_options(loopback.url)) as client:
        with pytest.raises(formation.errors.ConnectionLost) as caught:
            await flavour.result(client.create_contact(body=formation_contact()))
    assert loopback.count("POST", FORMATION_CONTACTS) == 1
    assert caught.value.idempotency_key is None
    assert all(name.lower() != HEADER.lower() for name, _ in loopback.requests[0].headers)


def test_formation_methods_take_no_idempotency_key() -> None:
    for client in (formation.Client, formation.AsyncClient):
        assert "idempotency_key" not in inspect.signature(client.create_contact).parameters
    for keyed in (chift.Client, chift.AsyncClient):
        assert "idempotency_key" in inspect.signature(keyed.create_invoicing_contact).parameters


# -- call metadata -------------------------------------------------------------------------------------


async def test_with_response_returns_the_typed_result_with_status_headers_key_and_raw_body(
    loopback: LoopbackServer, flavour: Flavour
) -> None:
    answer = contact_answer("contact-9")
    raw = json.dumps(answer).encode()
    headers = {"X-RateLimit-Remaining": "41", "X-Request-Id": "req-123"}
    loopback.route("POST", CHIFT_CONTACTS, Reply.raw(200, raw, content_type="application/json", headers=headers))
    async with flavour.open(chift, **chift_options(loopback.url)) as client:
        called: chift.CallResponse[chift.models.ContactItemOut] = await flavour.result(
            client.with_response.create_invoicing_contact(
                consumer_id="consumer-1", body=contact_body(), idempotency_key="order-9"
            )
        )
        plain = await flavour.result(client.create_invoicing_contact(consumer_id="consumer-1", body=contact_body()))
    assert isinstance(called.result, chift.models.ContactItemOut)
    assert called.result.id == "contact-9"
    assert called.result == plain
    assert called.status == 200
    assert called.headers["x-ratelimit-remaining"] == "41"
    assert called.request_id == "req-123"
    assert called.idempotency_key == "order-9"
    assert called.body == raw
    assert isinstance(plain, chift.models.ContactItemOut)


async def test_with_response_without_idempotency_has_no_key(loopback: LoopbackServer, flavour: Flavour) -> None:
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, formation_success()))
    async with flavour.open(formation, **formation_options(loopback.url)) as client:
        called = await flavour.result(client.with_response.create_contact(body=formation_contact()))
    assert isinstance(called.result, formation.models.ContactOut)
    assert called.idempotency_key is None
    assert json.loads(called.body) == formation_success()


async def test_with_response_of_a_keyed_call_reports_the_generated_key(
    loopback: LoopbackServer, flavour: Flavour
) -> None:
    loopback.route("POST", CHIFT_CONTACTS, Vendor(lose=("drop",), replay=True))
    async with flavour.open(chift, **chift_options(loopback.url)) as client:
        called = await flavour.result(
            client.with_response.create_invoicing_contact(consumer_id="consumer-1", body=contact_body())
        )
    assert called.idempotency_key == keys_sent(loopback)[-1]


def test_with_response_is_typed_like_the_plain_call(loopback: LoopbackServer) -> None:
    """mypy checks these annotations (nox -s typecheck): the result keeps the plain call's type."""
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, contact_answer()))
    with chift.Client(**chift_options(loopback.url)) as client:
        called: chift.CallResponse[chift.models.ContactItemOut] = client.with_response.create_invoicing_contact(
            consumer_id="consumer-1", body=contact_body()
        )
    contact: chift.models.ContactItemOut = called.result
    assert contact.id == "contact-1"


async def test_async_with_response_is_typed_like_the_plain_call(loopback: LoopbackServer) -> None:
    """The same for ``AsyncClient``: ``with_response`` methods are coroutines of ``CallResponse``."""
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, contact_answer()))
    async with chift.AsyncClient(**chift_options(loopback.url)) as client:
        called: chift.CallResponse[chift.models.ContactItemOut] = await client.with_response.create_invoicing_contact(
            consumer_id="consumer-1", body=contact_body()
        )
    assert called.result.id == "contact-1"
    assert called.idempotency_key is not None

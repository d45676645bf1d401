"""Retries, time limits and transport failures, against a real HTTP server on 127.0.0.1.

A request is retried only when it was certainly not processed: the connection could not
be made, or the server answered 429 or 503 (``Retry-After`` honoured up to the policy's
cap). A POST is never sent again once it may have reached the vendor: 500/502/504, a read
timeout, a connection lost after sending. Every failure is one of the client's own
exceptions, never urllib3's. Also here: path parameters cannot escape their segment, and
Billbee's declared rate limit spaces calls.
"""

from __future__ import annotations

import time

import attrs
import pytest

from generated import billbee, chift, formation
from tests.helpers.loopback import (
    LoopbackServer,
    Reply,
)
from tests.helpers.vendors import (
    BILLBEE_CUSTOMERS,
    FORMATION_API_KEY,
    FORMATION_CONTACTS,
    FORMATION_RETRY,
    assert_exception_secret_free,
    billbee_client,
    chift_token_client,
    formation_client,
    formation_contact,
    formation_success,
    request_example,
    response_example,
)

CONTACT_OUT = {"id": "c-1", "source_ref": {}}


class CountingTransport:
    """The real urllib3 transport, counting the attempts that reach it (also those that cannot connect)."""

    def __init__(self) -> None:
        self.inner = formation.Urllib3Transport()
        self.attempts = 0

    def send(self, request: formation.Request) -> formation.Response:
        self.attempts += 1
        return self.inner.send(request)

    def close(self) -> None:
        self.inner.close()


# -- retried: the request was certainly not processed ----------------------------------------------


def test_429_with_retry_after_is_retried_after_the_capped_wait(loopback: LoopbackServer) -> None:
    envelope = response_example("billbee", "POST", BILLBEE_CUSTOMERS)
    loopback.route(
        "POST",
        BILLBEE_CUSTOMERS,
        Reply.json(429, {"ErrorMessage": "throttled"}, headers={"Retry-After": "30"}),  # capped at 0.2 s
        Reply.json(200, envelope),
    )

    started = time.monotonic()
    with billbee_client(loopback.url) as client:
        result = client.create_customer(body=request_example("billbee", "POST", BILLBEE_CUSTOMERS))
    elapsed = time.monotonic() - started

    assert isinstance(result, billbee.models.Customer)
    assert result.id == 100000150176895
    first, second = loopback.requests
    assert first.body == second.body
    assert first.header("authorization") == second.header("authorization")
    assert 0.15 <= second.received_at - first.received_at < 2.0
    assert elapsed < 5.0


def test_503_is_retried_then_succeeds(loopback: LoopbackServer) -> None:
    loopback.route(
        "POST",
        FORMATION_CONTACTS,
        Reply.json(503, {"success": False, "message": "maintenance"}),
        Reply.json(200, formation_success()),
    )

    with formation_client(loopback.url) as client:
        result = client.create_contact(body=formation_contact())

    assert result.id == "64b8f1a2e4b0c8d9f0123456"
    assert loopback.count("POST", FORMATION_CONTACTS) == 2


def test_503_retry_after_as_an_http_date_is_honoured(loopback: LoopbackServer) -> None:
    loopback.route(
        "POST",
        FORMATION_CONTACTS,
        Reply.json(503, {}, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),  # in the past: no wait
        Reply.json(200, formation_success()),
    )
    slow_backoff = formation.RetryPolicy(backoff=3.0, retry_after_cap=0.2)  # used only if Retry-After were ignored

    with formation_client(loopback.url, retry=slow_backoff) as client:
        client.create_contact(body=formation_contact())

    first, second = loopback.requests
    assert second.received_at - first.received_at < 1.0


def test_the_policy_sets_the_number_of_attempts(loopback: LoopbackServer) -> None:
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(503, {"success": False, "message": "maintenance"}))
    retry = formation.RetryPolicy(max_attempts=5, backoff=0.001, retry_after_cap=0.01)

    client = formation_client(loopback.url, retry=retry)
    with client, pytest.raises(formation.errors.ServerError) as caught:
        client.create_contact(body=formation_contact())

    assert caught.value.status == 503
    assert_exception_secret_free(caught.value)

    assert loopback.count("POST", FORMATION_CONTACTS) == 5


def test_no_retry_sends_once(loopback: LoopbackServer) -> None:
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(429, {"success": False, "message": "slow down"}))

    client = formation_client(loopback.url, retry=formation.NO_RETRY)
    with client, pytest.raises(formation.errors.RateLimitError) as caught:
        client.create_contact(body=formation_contact())

    assert_exception_secret_free(caught.value)

    assert loopback.count("POST", FORMATION_CONTACTS) == 1


def test_a_refused_connection_is_retried_then_raises_connect_error(refused_url: str) -> None:
    transport = CountingTransport()
    client = formation.Client(
        api_key=FORMATION_API_KEY, base_url=refused_url, transport=transport, retry=FORMATION_RETRY
    )
    started = time.monotonic()
    with client, pytest.raises(formation.errors.ConnectError) as caught:
        client.create_contact(body=formation_contact())

    exc = caught.value
    assert transport.attempts == FORMATION_RETRY.max_attempts == 3
    assert time.monotonic() - started < 2.0
    assert exc.request_sent is False
    assert isinstance(exc, formation.errors.TransportError)
    assert type(exc).__module__ == "generated.formation.errors"  # not a urllib3 exception
    assert exc.__cause__ is None
    assert exc.method == "POST"
    assert exc.url == refused_url + "/contacts"
    assert_exception_secret_free(exc)


def test_a_refused_connection_is_not_reported_as_a_timeout(refused_url: str) -> None:
    client = formation.Client(api_key=FORMATION_API_KEY, base_url=refused_url, retry=formation.NO_RETRY)
    with client, pytest.raises(formation.errors.ConnectError) as caught:
        client.create_contact(body=formation_contact())

    assert type(caught.value) is formation.errors.ConnectError
    assert "timed out" not in str(caught.value)


# -- never re-sent: the POST may have been processed ------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_post_answered_500_502_or_504_is_not_retried(loopback: LoopbackServer, status: int) -> None:
    loopback.route(
        "POST",
        FORMATION_CONTACTS,
        Reply.json(status, {"success": False, "message": "Internal server error", "data": None}),
        Reply.json(200, formation_success()),
    )

    with formation_client(loopback.url) as client, pytest.raises(formation.errors.ServerError) as caught:
        client.create_contact(body=formation_contact())

    assert caught.value.status == status
    assert loopback.count("POST", FORMATION_CONTACTS) == 1


def test_a_read_timeout_on_a_post_is_not_retried(loopback: LoopbackServer) -> None:
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, formation_success(), delay=1.5))

    client = formation_client(loopback.url, timeout=formation.Timeout(connect=1.0, read=0.3, total=5.0))
    started = time.monotonic()
    with client, pytest.raises(formation.errors.ReadTimeout) as caught:
        client.create_contact(body=formation_contact())
    elapsed = time.monotonic() - started

    assert 0.25 <= elapsed < 1.2
    assert loopback.count("POST", FORMATION_CONTACTS) == 1
    assert caught.value.request_sent is True
    assert type(caught.value).__module__ == "generated.formation.errors"
    assert_exception_secret_free(caught.value)


def test_a_connection_lost_after_sending_a_post_is_not_retried(loopback: LoopbackServer) -> None:
    loopback.route("POST", FORMATION_CONTACTS, Reply.dropped(), Reply.json(200, formation_success()))

    with formation_client(loopback.url) as client, pytest.raises(formation.errors.ConnectionLost) as caught:
        client.create_contact(body=formation_contact())

    assert loopback.count("POST", FORMATION_CONTACTS) == 1
    assert caught.value.request_sent is True
    assert_exception_secret_free(caught.value)


# -- rate limit and configuration ------------------------------------------------------------------


def test_billbee_calls_are_spaced_to_two_per_second(loopback: LoopbackServer) -> None:
    loopback.route("POST", BILLBEE_CUSTOMERS, Reply.json(200, response_example("billbee", "POST", BILLBEE_CUSTOMERS)))

    with billbee_client(loopback.url) as client:
        for _ in range(3):
            client.create_customer(body={"Name": "Erika"})

    first, second, third = (request.received_at for request in loopback.requests)
    assert second - first < 0.5
    assert third - first >= 0.9


def test_policies_are_immutable_and_replaceable() -> None:
    policy = formation.RetryPolicy()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        policy.max_attempts = 10  # type: ignore[misc]
    timeout = formation.Timeout()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        timeout.read = 1.0  # type: ignore[misc]
    assert attrs.evolve(policy, max_attempts=10).max_attempts == 10
    assert policy.max_attempts == 3
    assert billbee.RetryPolicy().retry_statuses == frozenset({429, 503})


# -- path parameters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("consumer_id", "segment"),
    [
        ("../../token", "..%2F..%2Ftoken"),
        ("a/b?c=d#e", "a%2Fb%3Fc%3Dd%23e"),
        ("%2e%2e", "%252e%252e"),
        ("id with space", "id%20with%20space"),
    ],
)
def test_path_parameters_are_percent_encoded_and_stay_in_their_segment(
    loopback: LoopbackServer, consumer_id: str, segment: str
) -> None:
    path = f"/consumers/{segment}/invoicing/contacts"
    loopback.route("POST", path, Reply.json(200, CONTACT_OUT))

    with chift_token_client(loopback.url) as client:
        client.create_invoicing_contact(consumer_id=consumer_id, body={})

    (request,) = loopback.requests
    assert request.target == path
    assert request.path.startswith("/consumers/")
    assert request.path.endswith("/invoicing/contacts")


@pytest.mark.parametrize("consumer_id", ["", ".", ".."])
def test_a_dot_or_empty_path_parameter_is_rejected_before_sending(loopback: LoopbackServer, consumer_id: str) -> None:
    loopback.route("POST", "*", Reply.json(200, CONTACT_OUT))

    with chift_token_client(loopback.url) as client, pytest.raises(chift.errors.RequestValidationError) as caught:
        client.create_invoicing_contact(consumer_id=consumer_id, body={})

    assert [violation.path for violation in caught.value.violations] == ["$path.consumer_id"]
    assert loopback.requests == []


# -- connections -----------------------------------------------------------------------------------------


def test_a_keep_alive_connection_closed_by_the_server_is_not_reused() -> None:
    with LoopbackServer(idle_timeout=0.2) as server:  # the server drops idle connections after 0.2 s
        server.route("POST", FORMATION_CONTACTS, Reply.json(200, formation_success()))
        with formation_client(server.url) as client:
            client.create_contact(body=formation_contact())
            assert server.wait_until_idle(timeout=2.0)
            client.create_contact(body=formation_contact())  # must not fail on the dead pooled connection

        assert [request.connection for request in server.requests] == [1, 2]
        assert server.problems == []

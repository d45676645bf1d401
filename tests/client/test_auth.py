"""Credentials against a real HTTP server on 127.0.0.1: Chift's token exchange, static
credentials, what is rejected before anything is sent, and where secrets must never appear.

Chift's Bearer token comes from ``POST /token`` (clientId, clientSecret, accountId): it is
fetched once and reused, refreshed ``refresh_margin`` (60 s) before it expires and after a
401, and sixteen threads sharing one client cause exactly one token request per refresh.
A :class:`TokenIssuer` hands out numbered tokens, so each request shows which token it
carried.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from generated import billbee, chift, cin7_omni, formation
from tests.helpers.loopback import LoopbackServer, Recorded, Reply
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
    SECRETS,
    TokenIssuer,
    assert_exception_secret_free,
    assert_secret_free,
    billbee_client,
    chift_exchange_client,
    chift_token_client,
    cin7_client,
    formation_client,
    formation_contact,
    request_example,
    response_example,
    token,
)

CONTACT_OUT = {"id": "c-1", "source_ref": {}}
THREADS = 16


def call_contact(client: chift.Client) -> chift.models.ContactItemOut:
    return client.create_invoicing_contact(consumer_id="consumer-1", body={"first_name": "Ada"})


def in_threads(count: int, action: Callable[[], Any]) -> list[Any]:
    """Run ``action`` in ``count`` threads released together; return results (re-raise the first error)."""
    barrier = threading.Barrier(count, timeout=5.0)

    def run() -> Any:
        barrier.wait()
        return action()

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(run) for _ in range(count)]
        return [future.result(timeout=20.0) for future in futures]


def bearers(requests: list[Recorded]) -> list[str | None]:
    return [request.header("authorization") for request in requests]


# -- Chift token exchange --------------------------------------------------------------------


def test_the_token_is_fetched_once_and_reused(loopback: LoopbackServer) -> None:
    loopback.route("POST", "/token", TokenIssuer())
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, CONTACT_OUT))

    with chift_exchange_client(loopback.url) as client:
        for _ in range(3):
            call_contact(client)

    assert [request.path for request in loopback.requests] == ["/token"] + [CHIFT_CONTACTS] * 3
    assert bearers(loopback.requests_to("POST", CHIFT_CONTACTS)) == [f"Bearer {token(1)}"] * 3


def test_a_token_without_expires_in_lives_for_the_default_lifetime(loopback: LoopbackServer) -> None:
    loopback.route("POST", "/token", Reply.json(200, {"access_token": token(1), "token_type": "bearer"}))
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, CONTACT_OUT))

    with chift_exchange_client(loopback.url) as client:
        call_contact(client)
        call_contact(client)

    assert loopback.count("POST", "/token") == 1


def test_the_token_is_refreshed_before_it_expires(loopback: LoopbackServer) -> None:
    # expires_in 2: a short-lived token is refreshed at half its life, after 1 s.
    loopback.route("POST", "/token", TokenIssuer(2, 1800))
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, CONTACT_OUT))

    with chift_exchange_client(loopback.url) as client:
        call_contact(client)
        call_contact(client)
        time.sleep(1.1)
        call_contact(client)
        call_contact(client)

    assert [request.path for request in loopback.requests] == [
        "/token",
        CHIFT_CONTACTS,
        CHIFT_CONTACTS,
        "/token",
        CHIFT_CONTACTS,
        CHIFT_CONTACTS,
    ]
    assert bearers(loopback.requests_to("POST", CHIFT_CONTACTS)) == [
        f"Bearer {token(1)}",
        f"Bearer {token(1)}",
        f"Bearer {token(2)}",
        f"Bearer {token(2)}",
    ]


def test_the_token_is_refreshed_after_a_401(loopback: LoopbackServer) -> None:
    def contacts(request: Recorded) -> Reply:
        if request.header("authorization") == f"Bearer {token(1)}":
            return Reply.json(401, {"message": "Token expired", "status": "error"})
        return Reply.json(200, CONTACT_OUT)

    loopback.route("POST", "/token", TokenIssuer())
    loopback.route("POST", CHIFT_CONTACTS, contacts)

    with chift_exchange_client(loopback.url) as client:
        result = call_contact(client)

    assert result.id == "c-1"
    assert [(request.path, request.header("authorization")) for request in loopback.requests] == [
        ("/token", None),
        (CHIFT_CONTACTS, f"Bearer {token(1)}"),
        ("/token", None),
        (CHIFT_CONTACTS, f"Bearer {token(2)}"),
    ]
    first, second = loopback.requests_to("POST", CHIFT_CONTACTS)
    assert first.body == second.body


def test_a_second_401_with_a_fresh_token_is_the_answer(loopback: LoopbackServer) -> None:
    loopback.route("POST", "/token", TokenIssuer())
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(401, {"message": "Consumer not allowed", "status": "error"}))

    with chift_exchange_client(loopback.url) as client, pytest.raises(chift.errors.AuthenticationError) as caught:
        call_contact(client)

    assert caught.value.status == 401
    assert [request.path for request in loopback.requests] == ["/token", CHIFT_CONTACTS, "/token", CHIFT_CONTACTS]
    assert_exception_secret_free(caught.value)


def test_a_busy_token_endpoint_is_retried(loopback: LoopbackServer) -> None:
    issuer = TokenIssuer()
    loopback.route("POST", "/token", Reply.json(503, {"message": "busy"}, headers={"Retry-After": "0"}), issuer)
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, CONTACT_OUT))

    with chift_exchange_client(loopback.url) as client:
        call_contact(client)

    assert [request.path for request in loopback.requests] == ["/token", "/token", CHIFT_CONTACTS]
    assert loopback.requests[2].header("authorization") == f"Bearer {token(1)}"


def test_a_rejected_token_request_raises_the_status_error_and_the_operation_is_not_sent(
    loopback: LoopbackServer,
) -> None:
    detail = [{"loc": ["body", "clientSecret"], "msg": "invalid credentials", "type": "value_error"}]
    loopback.route("POST", "/token", Reply.json(422, {"message": "Invalid credentials", "detail": detail}))

    with chift_exchange_client(loopback.url) as client, pytest.raises(chift.errors.UnprocessableEntityError) as caught:
        call_contact(client)

    assert isinstance(caught.value.error, chift.models.HTTPValidationError)
    assert caught.value.error.detail[0].msg == "invalid credentials"  # type: ignore[index]
    assert [request.path for request in loopback.requests] == ["/token"]
    assert_exception_secret_free(caught.value)


# -- one shared client, sixteen threads ------------------------------------------------------


def test_sixteen_threads_cause_one_token_request(loopback: LoopbackServer) -> None:
    loopback.route("POST", "/token", TokenIssuer(delay=0.2))  # slow: every thread arrives while it is fetched
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, CONTACT_OUT))

    with chift_exchange_client(loopback.url) as client:
        results = in_threads(THREADS, lambda: call_contact(client))

    assert len(results) == THREADS
    assert loopback.count("POST", "/token") == 1
    assert bearers(loopback.requests_to("POST", CHIFT_CONTACTS)) == [f"Bearer {token(1)}"] * THREADS


def test_sixteen_threads_refresh_an_expiring_token_once(loopback: LoopbackServer) -> None:
    loopback.route("POST", "/token", TokenIssuer(2, 1800, delay=0.2))
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, CONTACT_OUT))

    with chift_exchange_client(loopback.url) as client:
        call_contact(client)
        time.sleep(1.1)  # the first token is now within its refresh margin
        in_threads(THREADS, lambda: call_contact(client))

    assert loopback.count("POST", "/token") == 2
    assert (
        bearers(loopback.requests_to("POST", CHIFT_CONTACTS))
        == [f"Bearer {token(1)}"] + [f"Bearer {token(2)}"] * THREADS
    )


def test_sixteen_threads_refresh_a_revoked_token_once(loopback: LoopbackServer) -> None:
    revoked = threading.Event()

    def contacts(request: Recorded) -> Reply:
        if revoked.is_set() and request.header("authorization") == f"Bearer {token(1)}":
            return Reply.json(401, {"message": "Token revoked", "status": "error"})
        return Reply.json(200, CONTACT_OUT)

    loopback.route("POST", "/token", TokenIssuer(delay=0.1))
    loopback.route("POST", CHIFT_CONTACTS, contacts)

    with chift_exchange_client(loopback.url) as client:
        call_contact(client)
        revoked.set()
        results = in_threads(THREADS, lambda: call_contact(client))

    assert len(results) == THREADS
    assert loopback.count("POST", "/token") == 2
    first, *calls = bearers(loopback.requests_to("POST", CHIFT_CONTACTS))
    assert first == f"Bearer {token(1)}"
    # Threads that sent the revoked token got a 401 and retried with the one fresh token; threads
    # that started after the refresh used the fresh token at once. Each ends with one success.
    assert set(calls) == {f"Bearer {token(1)}", f"Bearer {token(2)}"}
    assert calls.count(f"Bearer {token(2)}") == THREADS


# -- credentials rejected before anything is sent ---------------------------------------------


def test_an_account_id_that_is_not_a_uuid_is_a_configuration_error(loopback: LoopbackServer) -> None:
    loopback.route("POST", "/token", TokenIssuer())
    with pytest.raises(chift.errors.ConfigurationError) as caught:
        chift.Client(
            client_id=CHIFT_CLIENT_ID,
            client_secret=CHIFT_CLIENT_SECRET,
            account_id="account-42",
            base_url=loopback.url,
            retry=CHIFT_RETRY,
            timeout=CHIFT_TIMEOUT,
        )

    assert "account_id must be a UUID" in str(caught.value)
    assert "account-42" not in str(caught.value)
    assert loopback.requests == []
    assert_exception_secret_free(caught.value)


def test_incomplete_chift_credentials_are_a_configuration_error() -> None:
    with pytest.raises(chift.errors.ConfigurationError) as caught:
        chift.Client(client_id=CHIFT_CLIENT_ID, client_secret=CHIFT_CLIENT_SECRET)

    assert "account_id" in str(caught.value)
    assert_exception_secret_free(caught.value)


def make_client(vendor: str, base_url: str, **override: Any) -> Any:
    """A client of ``vendor`` with the test credentials, some replaced by ``override``."""
    if vendor == "chift":
        arguments: dict[str, Any] = {"token": CHIFT_STATIC_TOKEN, "retry": CHIFT_RETRY, "timeout": CHIFT_TIMEOUT}
        return chift.Client(base_url=base_url, **{**arguments, **override})
    if vendor == "chift_exchange":
        arguments = {
            "client_id": CHIFT_CLIENT_ID,
            "client_secret": CHIFT_CLIENT_SECRET,
            "account_id": CHIFT_ACCOUNT_ID,
            "retry": CHIFT_RETRY,
            "timeout": CHIFT_TIMEOUT,
        }
        return chift.Client(base_url=base_url, **{**arguments, **override})
    if vendor == "billbee":
        arguments = {
            "username": BILLBEE_USERNAME,
            "api_password": BILLBEE_API_PASSWORD,
            "api_key": BILLBEE_API_KEY,
            "retry": BILLBEE_RETRY,
            "timeout": BILLBEE_TIMEOUT,
        }
        return billbee.Client(base_url=base_url, **{**arguments, **override})
    if vendor == "cin7_omni":
        arguments = {"username": CIN7_USERNAME, "api_key": CIN7_API_KEY, "retry": CIN7_RETRY, "timeout": CIN7_TIMEOUT}
        return cin7_omni.Client(base_url=base_url, **{**arguments, **override})
    arguments = {"api_key": FORMATION_API_KEY, "retry": FORMATION_RETRY, "timeout": FORMATION_TIMEOUT}
    return formation.Client(base_url=base_url, **{**arguments, **override})


ERRORS = {
    "chift": chift.errors,
    "chift_exchange": chift.errors,
    "billbee": billbee.errors,
    "cin7_omni": cin7_omni.errors,
    "formation": formation.errors,
}
CREDENTIALS = [
    ("chift", "token", CHIFT_STATIC_TOKEN),
    ("chift_exchange", "client_id", CHIFT_CLIENT_ID),
    ("chift_exchange", "client_secret", CHIFT_CLIENT_SECRET),
    ("billbee", "username", BILLBEE_USERNAME),
    ("billbee", "api_password", BILLBEE_API_PASSWORD),
    ("billbee", "api_key", BILLBEE_API_KEY),
    ("cin7_omni", "username", CIN7_USERNAME),
    ("cin7_omni", "api_key", CIN7_API_KEY),
    ("formation", "api_key", FORMATION_API_KEY),
]


@pytest.mark.parametrize(("vendor", "argument", "value"), CREDENTIALS)
@pytest.mark.parametrize("breaker", ["\r\nX-Injected: 1", "\n", "\r", "\0"])
def test_a_credential_with_cr_lf_or_nul_is_rejected_before_sending(
    loopback: LoopbackServer, vendor: str, argument: str, value: str, breaker: str
) -> None:
    with pytest.raises(ERRORS[vendor].ConfigurationError) as caught:
        make_client(vendor, loopback.url, **{argument: value + breaker})

    assert loopback.connections == 0
    assert_exception_secret_free(caught.value)


@pytest.mark.parametrize(("vendor", "argument", "value"), CREDENTIALS)
def test_an_empty_credential_is_a_configuration_error(vendor: str, argument: str, value: str) -> None:
    with pytest.raises(ERRORS[vendor].ConfigurationError) as caught:
        make_client(vendor, "https://example.com", **{argument: ""})

    assert_exception_secret_free(caught.value)


@pytest.mark.parametrize(
    ("vendor", "argument", "value"),
    [
        ("chift", "token", CHIFT_STATIC_TOKEN),
        ("billbee", "api_key", BILLBEE_API_KEY),
        ("formation", "api_key", FORMATION_API_KEY),
    ],
)
def test_a_header_credential_that_http_cannot_carry_is_rejected_before_sending(
    loopback: LoopbackServer, vendor: str, argument: str, value: str
) -> None:
    errors = ERRORS[vendor]

    def send() -> None:
        with make_client(vendor, loopback.url, **{argument: value + "-ключ"}) as client:
            if vendor == "chift":
                call_contact(client)
            elif vendor == "billbee":
                client.create_customer(body={})
            else:
                client.create_contact(body=formation_contact())

    # Today: UnicodeEncodeError('latin-1', '<the whole secret>', ...) escapes from http.client.
    with pytest.raises((errors.ConfigurationError, errors.RequestValidationError)) as caught:
        send()

    assert_exception_secret_free(caught.value)
    assert loopback.requests == []


def test_a_user_agent_with_cr_lf_is_rejected() -> None:
    with pytest.raises(formation.errors.ConfigurationError) as caught:
        formation.Client(api_key=FORMATION_API_KEY, user_agent="agent\r\nX-Injected: 1")

    assert_exception_secret_free(caught.value)


@pytest.mark.parametrize(
    "base_url",
    [
        "http://api.clemta.com",
        "http://localhost.example.com",
        "http://127.0.0.1.nip.io",
        "http://10.0.0.1",
        "ftp://127.0.0.1",
        "api.clemta.com",
    ],
)
def test_plain_http_or_no_scheme_to_a_remote_host_is_a_configuration_error(base_url: str) -> None:
    with pytest.raises(formation.errors.ConfigurationError) as caught:
        formation.Client(api_key=FORMATION_API_KEY, base_url=base_url)

    assert_exception_secret_free(caught.value)


def test_a_base_url_carrying_credentials_is_rejected_without_echoing_them() -> None:
    with pytest.raises(formation.errors.ConfigurationError) as caught:
        formation.Client(api_key=FORMATION_API_KEY, base_url=f"https://user:{FORMATION_API_KEY}@api.clemta.com")

    assert_exception_secret_free(caught.value)


@pytest.mark.parametrize(
    "base_url", ["https://api.clemta.com", "http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080/"]
)
def test_https_and_loopback_http_are_accepted(base_url: str) -> None:
    with formation.Client(api_key=FORMATION_API_KEY, base_url=base_url) as client:
        assert client.base_url == base_url.rstrip("/")


def test_a_redirect_is_not_followed_and_credentials_stay_with_the_configured_host(loopback: LoopbackServer) -> None:
    with LoopbackServer() as elsewhere:
        location = elsewhere.url + FORMATION_CONTACTS
        loopback.route("POST", FORMATION_CONTACTS, Reply.json(307, {}, headers={"Location": location}))

        with formation_client(loopback.url) as client, pytest.raises(formation.errors.HTTPStatusError) as caught:
            client.create_contact(body=formation_contact())

        assert caught.value.status == 307
        assert caught.value.headers["location"] == location
        assert elsewhere.requests == []
    assert loopback.count("POST", FORMATION_CONTACTS) == 1
    assert_exception_secret_free(caught.value)


# -- secrets never shown ---------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", ["chift", "chift_exchange", "billbee", "cin7_omni", "formation"])
def test_repr_of_a_client_shows_no_secret(vendor: str) -> None:
    with make_client(vendor, "https://api.example.com") as client:
        text = repr(client)

    assert "https://api.example.com" in text
    assert_secret_free(text, str(client))


def test_debug_logs_show_no_secret(loopback: LoopbackServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("generated.chift", "generated.billbee", "generated.cin7_omni", "generated.formation", "urllib3"):
        caplog.set_level(logging.DEBUG, logger=name)

    def contacts(request: Recorded) -> Reply:
        if request.header("authorization") == f"Bearer {token(1)}":
            return Reply.json(401, {"message": "expired"})
        return Reply.json(200, CONTACT_OUT)

    loopback.route("POST", "/token", TokenIssuer())
    loopback.route("POST", CHIFT_CONTACTS, contacts)
    loopback.route(
        "POST",
        BILLBEE_CUSTOMERS,
        Reply.json(429, {}, headers={"Retry-After": "0"}),
        Reply.json(200, response_example("billbee", "POST", BILLBEE_CUSTOMERS)),
    )
    loopback.route(
        "POST",
        CIN7_CONTACTS,
        Reply.json(503, {}),
        Reply.json(200, response_example("cin7_omni", "POST", CIN7_CONTACTS)),
    )
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(401, {"success": False, "message": "API key is invalid"}))

    raised: list[BaseException] = []
    with chift_exchange_client(loopback.url) as client:
        call_contact(client)
    with chift_token_client(loopback.url) as client:
        call_contact(client)
    with billbee_client(loopback.url) as billbee_api:
        billbee_api.create_customer(body=request_example("billbee", "POST", BILLBEE_CUSTOMERS))
    with cin7_client(loopback.url) as cin7_api:
        cin7_api.create_contacts(body=request_example("cin7_omni", "POST", CIN7_CONTACTS))
    with formation_client(loopback.url) as formation_api, pytest.raises(formation.errors.AuthenticationError) as caught:
        formation_api.create_contact(body=formation_contact())
    raised.append(caught.value)

    messages = [record.getMessage() for record in caplog.records]
    assert any("retrying" in message for message in messages), "expected the retries to be logged"
    assert any("attempt" in message for message in messages), "expected DEBUG records from the clients"
    assert any(record.name.startswith("urllib3") for record in caplog.records)
    assert_secret_free(caplog.text, *messages, *(repr(record.args) for record in caplog.records))
    for exc in raised:
        assert_exception_secret_free(exc)


def test_the_secret_list_covers_every_credential_sent() -> None:
    """Guard for the checks above: every credential the servers saw is one of SECRETS (or holds one)."""
    sent = [
        CHIFT_CLIENT_SECRET,
        CHIFT_STATIC_TOKEN,
        token(1),
        BILLBEE_API_PASSWORD,
        BILLBEE_API_KEY,
        CIN7_API_KEY,
        FORMATION_API_KEY,
    ]
    for value in sent:
        assert any(secret in value for secret in SECRETS)

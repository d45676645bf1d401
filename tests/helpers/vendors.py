"""The vendors as the tests see them: credentials, clients, schema examples, secret checks.

One set for the whole suite (client tests and the reliability suite). Credentials with
recognisable values (so that a leak is found by a substring search),
clients of each vendor configured for a loopback server with small timeouts and quick
retries, the schemas' example payloads, a scripted Chift token endpoint, and checks that
no secret appears in a text, an exception or a log.
"""

from __future__ import annotations

import base64
import copy
import itertools
import threading
from typing import Any

from generated import billbee, chift, cin7_omni, formation
from tests.helpers.loopback import Recorded, Reply
from tests.helpers.paths import load_schema

CHIFT_CLIENT_ID = "chift-client-id-4b1d"
CHIFT_CLIENT_SECRET = "chift-client-secret-9e7c"
CHIFT_ACCOUNT_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
CHIFT_MARKETPLACE_ID = "0b0c2a4e-36d4-4f0e-9a57-3d5d7bb0c6f1"
CHIFT_STATIC_TOKEN = "chift-static-token-51aa"
CHIFT_ISSUED_TOKEN_PREFIX = "issued-token-7c0e-"
"""Tokens a loopback token endpoint issues start with this (itself a secret)."""
BILLBEE_USERNAME = "billbee-user@example.com"
BILLBEE_API_PASSWORD = "billbee-api-password-2c8f"
BILLBEE_API_KEY = "billbee-api-key-77d0"
CIN7_USERNAME = "cin7-user-6a2e-login"
CIN7_API_KEY = "cin7-api-key-0f93"
FORMATION_API_KEY = "formation-api-key-3d5b"


def basic(username: str, password: str) -> str:
    """The value of an HTTP Basic Authorization header."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


SECRETS: tuple[str, ...] = (
    CHIFT_CLIENT_SECRET,
    CHIFT_STATIC_TOKEN,
    CHIFT_ISSUED_TOKEN_PREFIX,
    BILLBEE_USERNAME,
    BILLBEE_API_PASSWORD,
    BILLBEE_API_KEY,
    CIN7_USERNAME,
    CIN7_API_KEY,
    FORMATION_API_KEY,
    basic(BILLBEE_USERNAME, BILLBEE_API_PASSWORD).removeprefix("Basic "),
    basic(CIN7_USERNAME, CIN7_API_KEY).removeprefix("Basic "),
)
"""Every credential the tests use (an issued token always starts with the prefix), and the Basic encodings.

Basic-auth user names count too: they travel in the same header as the password."""


def find_secrets(text: str) -> list[str]:
    """The known secrets that occur in ``text``."""
    return [secret for secret in SECRETS if secret in text]


TRANSPORT_HEADERS = frozenset({"host", "accept-encoding", "content-length"})
"""Headers the HTTP layer adds by itself; :func:`sent_headers` leaves them out."""

# Small time limits and quick retries: every test stays well under a few seconds.
CHIFT_TIMEOUT = chift.Timeout(connect=2.0, read=5.0, total=10.0)
CHIFT_RETRY = chift.RetryPolicy(backoff=0.01, retry_after_cap=0.2)
BILLBEE_TIMEOUT = billbee.Timeout(connect=2.0, read=5.0, total=10.0)
BILLBEE_RETRY = billbee.RetryPolicy(backoff=0.01, retry_after_cap=0.2)
CIN7_TIMEOUT = cin7_omni.Timeout(connect=2.0, read=5.0, total=10.0)
CIN7_RETRY = cin7_omni.RetryPolicy(backoff=0.01, retry_after_cap=0.2)
FORMATION_TIMEOUT = formation.Timeout(connect=2.0, read=5.0, total=10.0)
FORMATION_RETRY = formation.RetryPolicy(backoff=0.01, retry_after_cap=0.2)

CHIFT_CONTACTS = "/consumers/consumer-1/invoicing/contacts"
CHIFT_INVOICES = "/consumers/consumer-1/accounting/invoices"
BILLBEE_CUSTOMERS = "/api/v1/customers"
CIN7_CONTACTS = "/v1/Contacts"
FORMATION_CONTACTS = "/contacts"


# -- clients ------------------------------------------------------------------------------


def chift_exchange_client(
    base_url: str,
    *,
    retry: chift.RetryPolicy = CHIFT_RETRY,
    timeout: chift.Timeout = CHIFT_TIMEOUT,
    marketplace_id: str | None = None,
    strict_responses: bool = False,
) -> chift.Client:
    """A Chift client that obtains its Bearer token from ``POST /token``."""
    return chift.Client(
        client_id=CHIFT_CLIENT_ID,
        client_secret=CHIFT_CLIENT_SECRET,
        account_id=CHIFT_ACCOUNT_ID,
        marketplace_id=marketplace_id,
        base_url=base_url,
        retry=retry,
        timeout=timeout,
        strict_responses=strict_responses,
    )


def chift_token_client(
    base_url: str,
    *,
    retry: chift.RetryPolicy = CHIFT_RETRY,
    timeout: chift.Timeout = CHIFT_TIMEOUT,
    max_response_bytes: int = 1 << 20,
    strict_responses: bool = False,
) -> chift.Client:
    """A Chift client with a static Bearer token."""
    return chift.Client(
        token=CHIFT_STATIC_TOKEN,
        base_url=base_url,
        retry=retry,
        timeout=timeout,
        max_response_bytes=max_response_bytes,
        strict_responses=strict_responses,
    )


def billbee_client(
    base_url: str,
    *,
    retry: billbee.RetryPolicy = BILLBEE_RETRY,
    timeout: billbee.Timeout = BILLBEE_TIMEOUT,
    strict_responses: bool = False,
) -> billbee.Client:
    """A Billbee client (Basic user and API password, plus the API key header)."""
    return billbee.Client(
        username=BILLBEE_USERNAME,
        api_password=BILLBEE_API_PASSWORD,
        api_key=BILLBEE_API_KEY,
        base_url=base_url,
        retry=retry,
        timeout=timeout,
        strict_responses=strict_responses,
    )


def cin7_client(
    base_url: str,
    *,
    retry: cin7_omni.RetryPolicy = CIN7_RETRY,
    timeout: cin7_omni.Timeout = CIN7_TIMEOUT,
    strict_responses: bool = False,
) -> cin7_omni.Client:
    """A Cin7 Omni client (Basic user and API key)."""
    return cin7_omni.Client(
        username=CIN7_USERNAME,
        api_key=CIN7_API_KEY,
        base_url=base_url,
        retry=retry,
        timeout=timeout,
        strict_responses=strict_responses,
    )


def formation_client(
    base_url: str,
    *,
    retry: formation.RetryPolicy = FORMATION_RETRY,
    timeout: formation.Timeout = FORMATION_TIMEOUT,
    max_response_bytes: int = 1 << 20,
    strict_responses: bool = False,
) -> formation.Client:
    """A Formation client (``X-API-KEY``)."""
    return formation.Client(
        api_key=FORMATION_API_KEY,
        base_url=base_url,
        retry=retry,
        timeout=timeout,
        max_response_bytes=max_response_bytes,
        strict_responses=strict_responses,
    )


# -- schema examples ----------------------------------------------------------------------


def _operation(vendor: str, method: str, path: str) -> dict[str, Any]:
    operation: dict[str, Any] = load_schema(vendor)["paths"][path][method.lower()]
    return operation


def _first_example(media: dict[str, Any]) -> Any:
    examples = media["application/json"]["examples"]
    return copy.deepcopy(next(iter(examples.values()))["value"])


def request_example(vendor: str, method: str, path: str) -> Any:
    """The (first, seed) example request body of an operation in schemas/<vendor>/openapi.json."""
    return _first_example(_operation(vendor, method, path)["requestBody"]["content"])


def response_example(vendor: str, method: str, path: str, status: int = 200) -> Any:
    """The (first) example response body of an operation for ``status``."""
    return _first_example(_operation(vendor, method, path)["responses"][str(status)]["content"])


def formation_contact() -> dict[str, Any]:
    """The seed's Formation contact (a valid request body)."""
    body: dict[str, Any] = request_example("formation", "POST", "/contacts")
    return body


def formation_success() -> dict[str, Any]:
    """The seed's Formation success envelope."""
    body: dict[str, Any] = response_example("formation", "POST", "/contacts")
    return body


# -- servers ------------------------------------------------------------------------------


class TokenIssuer:
    """Answers Chift's ``POST /token`` with a new token each time: ``<prefix>1``, ``<prefix>2``, ...

    ``lifetimes`` are the ``expires_in`` of successive tokens (the last one repeats);
    ``delay`` slows every answer down (so that concurrent callers overlap).
    """

    def __init__(self, *lifetimes: int, delay: float = 0.0) -> None:
        self._lifetimes = lifetimes or (1800,)
        self._delay = delay
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()
        self.issued: list[str] = []

    def __call__(self, request: Recorded) -> Reply:
        with self._lock:
            number = next(self._numbers)
            token = f"{CHIFT_ISSUED_TOKEN_PREFIX}{number}"
            self.issued.append(token)
        lifetime = self._lifetimes[min(number, len(self._lifetimes)) - 1]
        body = {"access_token": token, "token_type": "bearer", "expires_in": lifetime, "expires_on": 1767225600}
        return Reply.json(200, body, delay=self._delay)


def token(number: int) -> str:
    """The ``number``-th token a :class:`TokenIssuer` gives out."""
    return f"{CHIFT_ISSUED_TOKEN_PREFIX}{number}"


def sent_headers(request: Recorded) -> dict[str, str]:
    """The headers the client chose (names lower-cased), without those the HTTP layer adds."""
    return {name.lower(): value for name, value in request.headers if name.lower() not in TRANSPORT_HEADERS}


# -- secrets ------------------------------------------------------------------------------


def assert_secret_free(*texts: str) -> None:
    """No secret value occurs in any of ``texts``."""
    for text in texts:
        leaked = find_secrets(text)
        assert not leaked, f"secret(s) {leaked} found in: {text[:500]!r}"


def assert_exception_secret_free(exc: BaseException) -> None:
    """Neither str nor repr of ``exc``, nor of any exception chained to it, shows a secret."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        assert_secret_free(str(current), repr(current), *map(repr, current.args))
        current = current.__cause__ or current.__context__

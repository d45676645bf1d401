"""Fault injection: every fault scenario against every public operation, on a loopback socket server.

For each (scenario, operation) the test asserts the exact error type the user sees (or
success), how many requests reached the server and how many creates it processed, that
no create was processed twice for one call (the headline figure: 0 duplicates), that
nothing reached another host, and that no secret appears in the DEBUG logs, the
exception (str, repr, traceback, attributes) or the client and result reprs.
"""

from __future__ import annotations

import collections
import email.utils
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.helpers.paths import REPO
from tests.helpers.vendors import (
    CHIFT_ACCOUNT_ID,
    CHIFT_CLIENT_ID,
    CHIFT_CLIENT_SECRET,
    CHIFT_ISSUED_TOKEN_PREFIX,
    find_secrets,
)

from .drivers import SYNC, Driver
from .faultserver import Action, FaultServer, Plan, Received, json_bytes, refused_port, sequence
from .hygiene import exception_texts, log_texts, scan
from .idemserver import IdempotentFaultServer
from .operations import OPERATIONS, Operation
from .report import REPORT

RETRY = {"max_attempts": 3, "backoff": 0.01, "retry_after_cap": 0.2}
FAST = {"connect": 1.0, "read": 0.5, "total": 3.0}
DRIP = {"connect": 1.0, "read": 3.0, "total": 0.5}
FIFTY_MB = 50 * 1024 * 1024
HTML = b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"
SUCCESS = "success"


def success(operation: Operation) -> Action:
    """The operation's normal answer, echoing the request's marker."""
    return Action(body=lambda request: json_bytes(operation.success(request.json())), label="200 success")


def status(code: int, *, processes: bool, headers: tuple[tuple[str, str], ...] = ()) -> Action:
    """A JSON error answer."""
    body = json_bytes({"message": f"HTTP {code} from the fault server", "status": "error"})
    return Action(
        status=code,
        headers=(("Content-Type", "application/json"), *headers),
        body=body,
        processes=processes,
        label=f"{code}",
    )


def too_many(retry_after: str) -> Action:
    """429 with a Retry-After header."""
    return status(429, processes=False, headers=(("Retry-After", retry_after),))


@dataclass(frozen=True)
class Scenario:
    """One fault, what the user must see, and how many requests and processed creates it gives."""

    name: str
    plan: Callable[[Operation, str], Plan]
    """Given the operation and the URL of another host, the server's plan."""
    expect: str
    """``"success"`` or the exact exception class name in the vendor's ``errors`` module."""
    requests: int
    processed: int
    timeout: dict[str, float]
    max_seconds: float = 3.0
    min_seconds: float = 0.0
    refused: bool = False
    hold: float = 3.0
    """How long the server keeps a stalled or dripping connection open."""
    keyed: tuple[str, int, int] | None = None
    """``(expect, requests, processed)`` instead, for operations that send idempotency keys: a request
    that may have been processed is sent again with the same key, and the vendor says it was."""


AGAIN = ("AlreadyProcessedError", 2, 1)
"""A keyed create whose answer was lost: re-sent once with its key, answered "already processed"."""


def _redirect(code: int) -> Callable[[Operation, str], Plan]:
    def plan(operation: Operation, elsewhere: str) -> Plan:
        location = elsewhere + operation.path
        return sequence(
            Action(
                status=code,
                headers=(("Location", location), ("Content-Type", "text/html")),
                body=b"moved",
                processes=False,
                label=f"{code} redirect",
            )
        )

    return plan


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("baseline success", lambda op, _: sequence(success(op)), SUCCESS, 1, 1, FAST),
    Scenario("connection refused", lambda op, _: sequence(success(op)), "ConnectError", 0, 0, FAST, refused=True),
    Scenario(
        "reset before body read",
        lambda op, _: sequence(Action(kind="reset_before_body", processes=False)),
        "ConnectionLost",
        1,
        0,
        FAST,
        keyed=("ConnectionLost", 3, 0),
    ),
    Scenario(
        "reset after body read",
        lambda op, _: sequence(Action(kind="reset_after_body")),
        "ConnectionLost",
        1,
        1,
        FAST,
        keyed=AGAIN,
    ),
    Scenario(
        "headers never sent",
        lambda op, _: sequence(Action(kind="stall")),
        "ReadTimeout",
        1,
        1,
        FAST,
        min_seconds=0.4,
        keyed=AGAIN,
    ),
    Scenario(
        "body cut mid-stream",
        lambda op, _: sequence(Action(body=b'{"id": "cut', declared_length=4096, cut_after=11, label="cut body")),
        "ConnectionLost",
        1,
        1,
        FAST,
        keyed=AGAIN,
    ),
    Scenario(
        "429 Retry-After seconds",
        lambda op, _: sequence(too_many("1"), success(op)),
        SUCCESS,
        2,
        1,
        FAST,
        max_seconds=1.0,
        min_seconds=0.15,
    ),
    Scenario(
        "429 Retry-After HTTP date",
        lambda op, _: sequence(too_many(email.utils.formatdate(time.time() + 30, usegmt=True)), success(op)),
        SUCCESS,
        2,
        1,
        FAST,
        max_seconds=1.0,
        min_seconds=0.15,
    ),
    Scenario(
        "429 Retry-After absurd (capped)",
        lambda op, _: sequence(too_many("99999999999999999999"), success(op)),
        SUCCESS,
        2,
        1,
        FAST,
        max_seconds=1.0,
        min_seconds=0.15,
    ),
    Scenario(
        "429 Retry-After malformed",
        lambda op, _: sequence(too_many("soon, maybe"), too_many("1e999999"), success(op)),
        SUCCESS,
        3,
        1,
        FAST,
        max_seconds=2.0,
    ),
    Scenario(
        "429 every time",
        lambda op, _: sequence(too_many("0")),
        "RateLimitError",
        3,
        0,
        FAST,
    ),
    Scenario(
        "503 then success",
        lambda op, _: sequence(status(503, processes=False), success(op)),
        SUCCESS,
        2,
        1,
        FAST,
    ),
    Scenario(
        "503 every time",
        lambda op, _: sequence(status(503, processes=False)),
        "ServerError",
        3,
        0,
        FAST,
    ),
    Scenario("500", lambda op, _: sequence(status(500, processes=True)), "ServerError", 1, 1, FAST, keyed=AGAIN),
    Scenario("502", lambda op, _: sequence(status(502, processes=True)), "ServerError", 1, 1, FAST, keyed=AGAIN),
    Scenario("504", lambda op, _: sequence(status(504, processes=True)), "ServerError", 1, 1, FAST, keyed=AGAIN),
    Scenario(
        "401 static credentials",
        lambda op, _: sequence(status(401, processes=False)),
        "AuthenticationError",
        1,
        0,
        FAST,
    ),
    Scenario(
        "HTML error page with 200",
        lambda op, _: sequence(Action(headers=(("Content-Type", "text/html"),), body=HTML, label="200 html")),
        "DecodeError",
        1,
        1,
        FAST,
    ),
    Scenario(
        "wrong content type",
        lambda op, _: sequence(
            Action(
                headers=(("Content-Type", "text/plain"),),
                body=lambda request: json_bytes(op.success(request.json())),
                label="200 text/plain",
            )
        ),
        "DecodeError",
        1,
        1,
        FAST,
    ),
    Scenario(
        "invalid UTF-8",
        lambda op, _: sequence(Action(body=b'{"id": "\xff\xfe\xc3("}', label="200 bad utf-8")),
        "DecodeError",
        1,
        1,
        FAST,
    ),
    Scenario(
        "50 MB body, Content-Length",
        lambda op, _: sequence(Action(body=b"", filler=FIFTY_MB, label="200 50MB")),
        "ResponseTooLarge",
        1,
        1,
        FAST,
    ),
    Scenario(
        "50 MB body, chunked",
        lambda op, _: sequence(Action(body=b"", filler=FIFTY_MB, chunked=True, label="200 50MB chunked")),
        "ResponseTooLarge",
        1,
        1,
        FAST,
    ),
    Scenario(
        "body drip 1 byte/s",
        lambda op, _: sequence(
            Action(body=lambda request: json_bytes(op.success(request.json())), drip=1.0, label="200 drip")
        ),
        "ReadTimeout",
        1,
        1,
        DRIP,
        max_seconds=2.0,
        keyed=AGAIN,
    ),
    Scenario(
        "whole response drip 1 byte/s",
        lambda op, _: sequence(
            Action(
                body=lambda request: json_bytes(op.success(request.json())),
                drip=1.0,
                drip_head=True,
                label="drip from status line",
            )
        ),
        "ReadTimeout",
        1,
        1,
        DRIP,
        max_seconds=2.0,
        hold=1.2,
        keyed=AGAIN,
    ),
    Scenario("302 to another host", _redirect(302), "HTTPStatusError", 1, 0, FAST),
    Scenario("307 to another host", _redirect(307), "HTTPStatusError", 1, 0, FAST),
)


def fault_cases() -> list[Any]:
    """Every (scenario, operation) pair, the same for Client and AsyncClient."""
    cases = []
    for scenario in SCENARIOS:
        for operation in OPERATIONS:
            cases.append(pytest.param(scenario, operation, id=f"{scenario.name}-{operation.id}"))
    return cases


def idempotency_header(operation: Operation) -> str | None:
    """The header of the operation's idempotency key, when its schema declares one."""
    idempotency = operation.package._spec.OPERATIONS[operation.name].idempotency
    return None if idempotency is None else str(idempotency.header)


def duplicates_of(records: list[Received]) -> int:
    """Creates processed more than once: the same request bytes (one client call) counted again."""
    counts = collections.Counter(request.digest for request in records)
    return sum(count - 1 for count in counts.values())


@pytest.mark.parametrize(("scenario", "operation"), fault_cases())
def test_fault(scenario: Scenario, operation: Operation, caplog: pytest.LogCaptureFixture) -> None:
    check_fault(SYNC, scenario, operation, caplog)


def check_fault(driver: Driver, scenario: Scenario, operation: Operation, caplog: pytest.LogCaptureFixture) -> None:
    """Run one scenario for one operation with ``driver``'s client and check everything the matrix promises."""
    caplog.set_level(logging.DEBUG)
    package = operation.package
    marker = f"m-{scenario.name.replace(' ', '-')}-{operation.name}"
    refused_socket, refused = refused_port()
    header = idempotency_header(operation)
    plan = scenario.plan
    with (
        refused_socket,
        FaultServer(sequence(success(operation)), max_connections=1) as elsewhere,
        (
            FaultServer(plan(operation, elsewhere.url), max_connections=8, hold_limit=scenario.hold)
            if header is None
            else IdempotentFaultServer(
                plan(operation, elsewhere.url),
                header=header,
                success=lambda request: json_bytes(operation.success(request.json())),
                entity_id=lambda request: "entity-1",
                max_connections=8,
                hold_limit=scenario.hold,
            )
        ) as server,
    ):
        client = driver.make(
            package,
            **operation.credentials,
            base_url=f"http://127.0.0.1:{refused}" if scenario.refused else server.url,
            timeout=package.Timeout(**scenario.timeout),
            retry=package.RetryPolicy(**RETRY),
        )
        result, error, elapsed = driver.run(client, lambda client: operation.call(client, marker))
    assert not server.failures, server.failures
    records = [record.request for record in server.records if operation.is_create(record.request.path)]
    processed = [record.request for record in server.processed(lambda request: operation.is_create(request.path))]
    duplicates = duplicates_of(processed)
    outcome = SUCCESS if error is None else type(error).__name__
    REPORT.fault(driver.label(scenario.name), outcome, len(records), len(processed), duplicates, elapsed)

    texts = [*log_texts(caplog.records), repr(client), repr(result)]
    if error is not None:
        texts += exception_texts(error)
    leaks = scan(f"{driver.label(scenario.name)} / {operation.id}", texts)

    assert duplicates == 0, f"the server processed the same create {duplicates + 1} times"
    assert leaks == [], leaks
    assert elsewhere.connections == 0, "a request reached another host"
    expect, requests, processed_count = (
        scenario.keyed
        if header is not None and scenario.keyed
        else (scenario.expect, scenario.requests, scenario.processed)
    )
    if expect == SUCCESS:
        assert error is None, f"expected success, got {error!r}"
        assert operation.marker_of(result) == marker
    else:
        assert type(error) is getattr(package.errors, expect), f"expected {expect}, got {error!r}"
    assert len(records) == requests, [record.action for record in server.records]
    assert len(processed) == processed_count
    if header is not None:  # every attempt carried the call's one key, and so does the outcome
        keys = {record.headers.get(header.lower()) for record in records}
        assert len(keys) <= 1, keys
        assert None not in keys
        if error is not None and records:
            assert getattr(error, "idempotency_key", None) in keys
    assert scenario.min_seconds <= elapsed < scenario.max_seconds, f"took {elapsed:.2f} s"
    if records:  # the credentials really were sent, so the hygiene check above is not vacuous
        assert find_secrets(repr(records[0].headers)), "no credential reached the server"
    assert any(record.name.startswith(f"generated.{operation.vendor}") for record in caplog.records)


def test_redirects_are_status_errors_carrying_the_location() -> None:
    """A 302 is returned to the user as an HTTPStatusError whose headers tell where; nothing is followed."""
    operation = OPERATIONS[0]
    package = operation.package
    with (
        FaultServer(sequence(success(operation)), max_connections=1) as elsewhere,
        FaultServer(_redirect(302)(operation, elsewhere.url), max_connections=2) as server,
    ):
        client = operation.make_client(base_url=server.url, retry=package.RetryPolicy(**RETRY))
        with pytest.raises(package.errors.HTTPStatusError) as caught:
            operation.call(client, "redirected")
        client.close()
    assert caught.value.status == 302
    assert caught.value.headers["location"] == elsewhere.url + operation.path
    assert elsewhere.connections == 0


class Router:
    """A plan by path: the token endpoint and the create endpoint each follow their own sequence."""

    def __init__(self, token: list[Action], create: list[Action]) -> None:
        self._sequences = {"/token": token, "create": create}
        self._seen: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()

    def __call__(self, index: int, request: Received) -> Action:
        key = "/token" if request.path == "/token" else "create"
        actions = self._sequences[key]
        with self._lock:
            chosen = actions[min(self._seen[key], len(actions) - 1)]
            self._seen[key] += 1
        return chosen


def token_ok(router_issued: list[str]) -> Action:
    """A token answer with a fresh, distinctive token each time."""

    def body(request: Received) -> bytes:
        token = f"{CHIFT_ISSUED_TOKEN_PREFIX}{len(router_issued) + 1}"
        router_issued.append(token)
        return json_bytes({"access_token": token, "token_type": "bearer", "expires_in": 1800, "expires_on": 0})

    return Action(body=body, label="token")


@dataclass(frozen=True)
class TokenScenario:
    """A fault on the token exchange (or a 401 on the create) of a client built from client credentials."""

    name: str
    token: Callable[[list[str]], list[Action]]
    create: Callable[[Operation], list[Action]]
    expect: str
    token_requests: int
    create_requests: int
    processed: int


TOKEN_SCENARIOS: tuple[TokenScenario, ...] = (
    TokenScenario("token: success", lambda issued: [token_ok(issued)], lambda op: [success(op)], SUCCESS, 1, 1, 1),
    TokenScenario(
        "token: 500", lambda issued: [status(500, processes=True)], lambda op: [success(op)], "ServerError", 1, 0, 0
    ),
    TokenScenario(
        "token: 401 (bad client secret)",
        lambda issued: [status(401, processes=False)],
        lambda op: [success(op)],
        "AuthenticationError",
        1,
        0,
        0,
    ),
    TokenScenario(
        "token: 503 then success",
        lambda issued: [status(503, processes=False), token_ok(issued)],
        lambda op: [success(op)],
        SUCCESS,
        2,
        1,
        1,
    ),
    TokenScenario(
        "token: reset after body",
        lambda issued: [Action(kind="reset_after_body")],
        lambda op: [success(op)],
        "ConnectionLost",
        1,
        0,
        0,
    ),
    TokenScenario(
        "token: headers never sent",
        lambda issued: [Action(kind="stall")],
        lambda op: [success(op)],
        "ReadTimeout",
        1,
        0,
        0,
    ),
    TokenScenario(
        "token: HTML page with 200",
        lambda issued: [Action(headers=(("Content-Type", "text/html"),), body=HTML)],
        lambda op: [success(op)],
        "DecodeError",
        1,
        0,
        0,
    ),
    TokenScenario(
        "token: no access_token",
        lambda issued: [Action(body=json_bytes({"token_type": "bearer", "expires_in": 1800}))],
        lambda op: [success(op)],
        "DecodeError",
        1,
        0,
        0,
    ),
    TokenScenario(
        "create: 401 once, token refreshed",
        lambda issued: [token_ok(issued)],
        lambda op: [status(401, processes=False), success(op)],
        SUCCESS,
        2,
        2,
        1,
    ),
    TokenScenario(
        "create: 401 every time",
        lambda issued: [token_ok(issued)],
        lambda op: [status(401, processes=False)],
        "AuthenticationError",
        2,
        2,
        0,
    ),
)


TOKEN_CASES = [pytest.param(scenario, id=scenario.name) for scenario in TOKEN_SCENARIOS]
CHIFT_CASES = [pytest.param(op, id=op.id) for op in OPERATIONS if op.vendor == "chift"]


@pytest.mark.parametrize("scenario", TOKEN_CASES)
@pytest.mark.parametrize("operation", CHIFT_CASES)
def test_token_exchange_fault(scenario: TokenScenario, operation: Operation, caplog: pytest.LogCaptureFixture) -> None:
    check_token_exchange_fault(SYNC, scenario, operation, caplog)


def check_token_exchange_fault(
    driver: Driver, scenario: TokenScenario, operation: Operation, caplog: pytest.LogCaptureFixture
) -> None:
    """Run one token-exchange scenario with ``driver``'s client built from client credentials."""
    caplog.set_level(logging.DEBUG)
    package = operation.package
    issued: list[str] = []
    router = Router(scenario.token(issued), scenario.create(operation))
    marker = f"t-{scenario.name.replace(' ', '-')}-{operation.name}"
    with FaultServer(router, max_connections=8) as server:
        client = driver.make(
            package,
            client_id=CHIFT_CLIENT_ID,
            client_secret=CHIFT_CLIENT_SECRET,
            account_id=CHIFT_ACCOUNT_ID,
            base_url=server.url,
            timeout=package.Timeout(**FAST),
            retry=package.RetryPolicy(**RETRY),
        )
        result, error, elapsed = driver.run(client, lambda client: operation.call(client, marker))
    assert not server.failures, server.failures
    tokens = [record for record in server.records if record.request.path == "/token"]
    creates = [record.request for record in server.records if operation.is_create(record.request.path)]
    processed = [record.request for record in server.processed(lambda request: operation.is_create(request.path))]
    duplicates = duplicates_of(processed)
    outcome = SUCCESS if error is None else type(error).__name__
    REPORT.fault(driver.label(scenario.name), outcome, len(tokens) + len(creates), len(processed), duplicates, elapsed)

    texts = [*log_texts(caplog.records), repr(client), repr(result)]
    if error is not None:
        texts += exception_texts(error)
    leaks = scan(f"{driver.label(scenario.name)} / {operation.id}", texts)

    assert duplicates == 0
    assert leaks == [], leaks
    if scenario.expect == SUCCESS:
        assert error is None, f"expected success, got {error!r}"
        assert operation.marker_of(result) == marker
    else:
        assert type(error) is getattr(package.errors, scenario.expect), f"expected {scenario.expect}, got {error!r}"
    assert (len(tokens), len(creates), len(processed)) == (
        scenario.token_requests,
        scenario.create_requests,
        scenario.processed,
    )
    assert CHIFT_CLIENT_SECRET in tokens[0].request.body.decode(), "the exchange did not send the client secret"
    for request, token in zip(creates, issued, strict=False):
        assert request.headers["authorization"] == f"Bearer {token}"


def test_every_public_operation_is_covered() -> None:
    """The matrix runs for every operation of every schema that is not x-internal."""
    public = set()
    for path in sorted((REPO / "schemas").glob("*/openapi.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        for item in document["paths"].values():
            for method, details in item.items():
                if isinstance(details, dict) and "operationId" in details and not details.get("x-internal"):
                    public.add((path.parent.name, details["operationId"], method))
    # The matrix is about creates: a read (Chift's transaction lookup) is retried on every fault anyway.
    creates = {(vendor, name, method) for vendor, name, method in public if method == "post"}
    assert creates == {(operation.vendor, operation.name, "post") for operation in OPERATIONS}

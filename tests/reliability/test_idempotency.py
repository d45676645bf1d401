"""Lost responses against a vendor that honours idempotency keys: a definite outcome, never a duplicate.

Every public create of every vendor runs against :class:`IdempotentFaultServer`: the
vendor processes the request, then its answer is lost (reset, stall, cut body, 5XX).
An operation whose schema declares ``x-idempotency`` sends the request again with the
same key, and the vendor answers 409 "already processed" (or, when it replays, the
original answer): the outcome is definite, the record or ``AlreadyProcessedError``
carrying the key. An operation without idempotency never re-sends its POST: the caller
gets ``ReadTimeout``, ``ConnectionLost`` or ``ServerError``, an indefinite outcome, and
still no duplicate. The summary prints the definite-outcome rate and the duplicate count.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pytest

from .drivers import ASYNC, SYNC, Driver
from .faultserver import Action, Plan, Received, json_bytes, sequence
from .hygiene import exception_texts, log_texts, scan
from .idemserver import IdempotentFaultServer
from .operations import OPERATIONS, Operation
from .report import REPORT

RETRY = {"max_attempts": 3, "backoff": 0.01, "retry_after_cap": 0.2}
FAST = {"connect": 1.0, "read": 0.5, "total": 3.0}
LOOKUP = r"/consumers/[^/]+/connections/[^/]+/transactions"


def header_of(operation: Operation) -> str | None:
    """The idempotency key header the operation's schema declares, if any."""
    idempotency = operation.package._spec.OPERATIONS[operation.name].idempotency
    return None if idempotency is None else str(idempotency.header)


def success(operation: Operation) -> Action:
    return Action(body=lambda request: json_bytes(operation.success(request.json())), label="200 success")


def server_error(code: int) -> Action:
    body = json_bytes({"message": f"HTTP {code} after processing", "status": "error"})
    return Action(status=code, body=body, processes=True, label=f"{code} after processing")


LOST: dict[str, Action] = {
    "reset after body read": Action(kind="reset_after_body"),
    "headers never sent": Action(kind="stall"),
    "body cut mid-stream": Action(body=b'{"id": "cut', declared_length=4096, cut_after=11, label="cut body"),
    "500 after processing": server_error(500),
    "502 after processing": server_error(502),
    "504 after processing": server_error(504),
}
"""Ways the answer to a processed create is lost."""


@dataclass(frozen=True)
class Run:
    """One call against an idempotency-honouring server, and what came of it."""

    result: Any
    error: Exception | None
    server: IdempotentFaultServer
    keys: list[str | None]
    marker: str


def run(
    driver: Driver, operation: Operation, plan: Plan, marker: str, *, replay: bool = False, in_process: int = 0
) -> Run:
    header = header_of(operation)
    with IdempotentFaultServer(
        plan,
        header=header or "X-No-Idempotency",
        success=lambda request: json_bytes(operation.success(request.json())),
        entity_id=lambda request: "entity-" + operation.marker_sent(request.json()),
        replay=replay,
        in_process=in_process,
        lookup_path=LOOKUP,
        max_connections=8,
    ) as server:
        client = driver.make(
            operation.package,
            **operation.credentials,
            base_url=server.url,
            timeout=operation.package.Timeout(**FAST),
            retry=operation.package.RetryPolicy(**RETRY),
        )
        result, error, _ = driver.run(client, lambda client: operation.call(client, marker))
    assert not server.failures, server.failures
    keys = server.keys(lambda request: operation.is_create(request.path)) if header else []
    return Run(result, error, server, keys, marker)


def creates(run: Run, operation: Operation) -> tuple[list[Received], list[Received]]:
    """Create requests received, and those processed."""
    received = [record.request for record in run.server.records if operation.is_create(record.request.path)]
    processed = [record.request for record in run.server.processed(lambda request: operation.is_create(request.path))]
    return received, processed


def definite(run: Run, operation: Operation) -> bool:
    """The record came back, or AlreadyProcessedError carrying the key that went on the wire."""
    if run.error is None:
        return bool(operation.marker_of(run.result) == run.marker)
    keys = {key for key in run.keys if key is not None}
    return type(run.error).__name__ == "AlreadyProcessedError" and keys == {run.error.idempotency_key}  # type: ignore[attr-defined]


DRIVERS = [pytest.param(driver, id=str(driver)) for driver in (SYNC, ASYNC)]
CASES = [
    pytest.param(name, action, operation, replay, id=f"{name}-{operation.id}{'-replay' if replay else ''}")
    for name, action in LOST.items()
    for operation in OPERATIONS
    for replay in (False, True)
]


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize(("name", "lost", "operation", "replay"), CASES)
def test_a_lost_response_gets_a_definite_outcome_with_keys_and_never_a_duplicate(
    driver: Driver, name: str, lost: Action, operation: Operation, replay: bool, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    marker = f"lost-{name.replace(' ', '-')}-{operation.name}"
    outcome = run(driver, operation, sequence(lost, success(operation)), marker, replay=replay)
    received, processed = creates(outcome, operation)
    keyed = header_of(operation) is not None
    duplicates = outcome.server.ledger.duplicates + max(len(processed) - 1, 0)
    is_definite = definite(outcome, operation)
    REPORT.lost_response(
        driver.label(operation.vendor),
        keyed,
        "success" if outcome.error is None else type(outcome.error).__name__,
        is_definite,
        duplicates,
    )
    texts = [*log_texts(caplog.records), repr(outcome.result)]
    if outcome.error is not None:
        texts += exception_texts(outcome.error)
    assert scan(f"idempotency {name} / {operation.id}", texts) == []

    assert duplicates == 0
    assert len(processed) == 1
    if keyed:
        assert is_definite, f"indefinite outcome {outcome.error!r}"
        assert len(received) == 2, "exactly one re-send"
        assert None not in outcome.keys, outcome.keys
        assert len(set(outcome.keys)) == 1, outcome.keys
        assert (outcome.error is None) == replay
    else:
        assert len(received) == 1, "a POST without idempotency is never re-sent"
        expected = {"ReadTimeout", "ConnectionLost", "ServerError"}
        assert type(outcome.error).__name__ in expected, repr(outcome.error)
        assert outcome.error is not None
        assert outcome.error.idempotency_key is None  # type: ignore[attr-defined]


KEYED = [pytest.param(operation, id=operation.id) for operation in OPERATIONS if header_of(operation)]


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("operation", KEYED)
def test_in_process_then_success_returns_the_record(driver: Driver, operation: Operation) -> None:
    outcome = run(driver, operation, sequence(success(operation)), f"in-process-{operation.name}", in_process=2)
    received, processed = creates(outcome, operation)
    assert outcome.error is None, repr(outcome.error)
    assert operation.marker_of(outcome.result) == outcome.marker
    assert len(received) == 3
    assert len(processed) == 1
    assert len(set(outcome.keys)) == 1


@pytest.mark.parametrize("operation", KEYED)
def test_the_caller_key_survives_a_restart(operation: Operation) -> None:
    """A second process sending the same key after a crash learns that the first one's create went through.

    The first process uses ``Client``, the second ``AsyncClient``: the key is the caller's, not the client's.
    """
    header = header_of(operation)
    assert header is not None
    with IdempotentFaultServer(
        sequence(Action(kind="reset_after_body"), success(operation)),
        header=header,
        success=lambda request: json_bytes(operation.success(request.json())),
        entity_id=lambda request: "entity-1",
        max_connections=8,
    ) as server:
        options = {
            "base_url": server.url,
            "timeout": operation.package.Timeout(**FAST),
            "retry": operation.package.NO_RETRY,  # the first process dies with the lost response
        }
        marker = f"restart-{operation.name}"

        def call(client: Any) -> Any:
            return operation.call(client, marker, idempotency_key="order-1234")

        _, lost, _ = SYNC.run(SYNC.make(operation.package, **operation.credentials, **options), call)
        _, again, _ = ASYNC.run(ASYNC.make(operation.package, **operation.credentials, **options), call)
    assert type(lost) is operation.package.errors.ConnectionLost
    assert type(again) is operation.package.errors.AlreadyProcessedError
    assert getattr(lost, "idempotency_key", None) == getattr(again, "idempotency_key", None) == "order-1234"
    assert server.ledger.created == {"order-1234": 1}

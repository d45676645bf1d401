"""``Timeout.total`` is a deadline for the whole attempt: connecting, sending, status line, headers, body.

A server that drips its answer one byte at a time, each byte well within the read timeout,
must not hold a call past ``total``; the connection it held is discarded, so the client's
next call is answered normally. Real servers on 127.0.0.1; no retry, so one attempt is timed.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from .faultserver import LOOPBACK, Action, FaultServer, json_bytes, sequence
from .operations import OPERATIONS, Operation

ACCEPTANCE = {"connect": 1.0, "read": 0.5, "total": 1.0}
FAST_DRIP = 0.05
"""Seconds between the dripped bytes: a tenth of the read timeout, so only ``total`` can end the wait."""


def dripped(operation: Operation, drip: float) -> Action:
    """The operation's normal answer, sent one byte at a time from the status line on."""
    return Action(
        body=lambda request: json_bytes(operation.success(request.json())),
        drip=drip,
        drip_head=True,
        label="drip from status line",
    )


def answered(operation: Operation) -> Action:
    """The operation's normal answer, at once."""
    return Action(body=lambda request: json_bytes(operation.success(request.json())), label="200 success")


@pytest.mark.parametrize("operation", OPERATIONS, ids=[operation.id for operation in OPERATIONS])
def test_a_dripping_status_line_cannot_hold_a_call_past_total(operation: Operation) -> None:
    package = operation.package
    with FaultServer(sequence(dripped(operation, FAST_DRIP), answered(operation)), hold_limit=4.0) as server:
        client = operation.make_client(
            base_url=server.url, timeout=package.Timeout(**ACCEPTANCE), retry=package.NO_RETRY
        )
        with client:
            started = time.monotonic()
            with pytest.raises(package.errors.ReadTimeout, match=r"Timeout\.total = 1\.0 s") as caught:
                operation.call(client, "dripped")
            elapsed = time.monotonic() - started
            # The connection that timed out is not reused: the next call gets a new one, and its answer.
            result = operation.call(client, "after")
    assert 0.95 <= elapsed < 1.5, f"took {elapsed:.3f} s"
    assert caught.value.request_sent is True  # the server may have acted: not retried for a create
    assert operation.marker_of(result) == "after"
    assert server.connections == 2
    assert not server.failures, server.failures


def test_an_answer_dripped_within_total_is_received_whole() -> None:
    """Each byte within the read timeout and the whole answer within total: a slow server is not an error."""
    operation = next(operation for operation in OPERATIONS if operation.vendor == "formation")
    package = operation.package
    with FaultServer(sequence(dripped(operation, 0.002)), hold_limit=10.0) as server:
        timeout = package.Timeout(connect=1.0, read=1.0, total=20.0)
        with operation.make_client(base_url=server.url, timeout=timeout, retry=package.NO_RETRY) as client:
            result = operation.call(client, "slow")
    assert operation.marker_of(result) == "slow"
    assert not server.failures, server.failures


@contextlib.contextmanager
def never_reading_server() -> Iterator[str]:
    """A listening socket that never accepts: the kernel completes connections, nobody reads what they send."""
    with socket.create_server((LOOPBACK, 0), backlog=4) as listener:
        yield f"http://{LOOPBACK}:{listener.getsockname()[1]}"


def test_a_server_that_stops_reading_the_request_cannot_hold_it_past_total() -> None:
    """Sending is part of the attempt: a body the server never reads times out at ``total``, not later."""
    package: Any = OPERATIONS[0].package
    transport = package.Urllib3Transport()
    body = b"0" * (64 * 1024 * 1024)  # more than the loopback socket buffers hold
    with never_reading_server() as url:
        request = package.Request(
            method="POST",
            url=url + "/upload",
            headers={"Content-Type": "application/octet-stream"},
            body=body,
            timeout=package.Timeout(connect=2.0, read=2.0, total=0.5),
        )
        started = time.monotonic()
        with pytest.raises(package.errors.ReadTimeout, match=r"Timeout\.total = 0\.5 s"):
            transport.send(request)
        elapsed = time.monotonic() - started
        transport.close()
    assert 0.45 <= elapsed < 1.0, f"took {elapsed:.3f} s"

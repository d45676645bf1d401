"""Concurrency for ``AsyncClient``: 200 tasks share one client while the token expires and is revoked.

The async twin of ``test_concurrency.py``, with the same server (:class:`TokenService`:
numbered tokens, a 401 for a revoked one, each contact's first_name echoed as its id) and
the same promises: no error, every response matched to its request, and exactly one
``POST /token`` after each forced expiry however many tasks wait for it (an asyncio lock,
not a thread lock, makes them wait without blocking the event loop).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from typing import Any

import pytest

from generated import chift
from generated.chift._auth import TokenAuth
from tests.helpers.vendors import CHIFT_ACCOUNT_ID, CHIFT_CLIENT_ID, CHIFT_CLIENT_SECRET

from .faultserver import EchoServer
from .hygiene import scan
from .report import REPORT
from .test_concurrency import EXPIRIES, TokenService

pytestmark = pytest.mark.anyio

TASKS = 200
CALLS_PER_TASK = 50


def make_client(url: str) -> chift.AsyncClient:
    """A Chift AsyncClient that exchanges client credentials for tokens (default transport: httpx)."""
    return chift.AsyncClient(
        client_id=CHIFT_CLIENT_ID,
        client_secret=CHIFT_CLIENT_SECRET,
        account_id=CHIFT_ACCOUNT_ID,
        base_url=url,
        timeout=chift.Timeout(connect=10.0, read=20.0, total=30.0),
        retry=chift.RetryPolicy(backoff=0.01, retry_after_cap=0.2),
    )


class AsyncLoad:
    """Tasks sharing one client, each making its calls; a gate lets the test hold new calls back.

    After a forced expiry and the new token, the test closes the gate until no call is in
    flight, so that no request still carries the old token when the next expiry is forced
    (a revocation would otherwise also hit requests sent with the token before).
    """

    def __init__(self, client: chift.AsyncClient, tasks: int, calls: int) -> None:
        self.client = client
        self.calls = calls
        self.errors: list[str] = []
        self.mismatches: list[str] = []
        self.completed = 0
        self.in_flight = 0
        self.gate = asyncio.Event()
        self.gate.set()

    async def work(self, index: int) -> None:
        """One task's calls, each with a marker of its own."""
        for call in range(self.calls):
            await self.gate.wait()
            marker = f"t{index:03d}-c{call:03d}"
            self.in_flight += 1
            try:
                result = await self.client.create_invoicing_contact(
                    consumer_id="consumer-1", body={"first_name": marker}
                )
            except Exception as exc:
                self.errors.append(repr(exc))
            else:
                if result.first_name != marker or result.id != marker:
                    self.mismatches.append(f"{marker} -> {result.id}/{result.first_name}")
            finally:
                self.in_flight -= 1
                self.completed += 1


async def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` (without blocking the event loop) until it holds; fail after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        await asyncio.sleep(0.002)


async def test_200_tasks_share_one_client_with_forced_token_expiry() -> None:
    service = TokenService(lifetime=1800)
    total = TASKS * CALLS_PER_TASK
    budget = total + 2 * len(EXPIRIES) * TASKS + 100  # every call, the 401 retries, the token requests
    with EchoServer(service.handle, max_requests=budget, max_connections=4 * TASKS, lifetime=240) as server:
        client = make_client(server.url)
        auth: Any = client._auth
        assert isinstance(auth, TokenAuth)
        load = AsyncLoad(client, TASKS, CALLS_PER_TASK)
        started = time.monotonic()
        workers = asyncio.gather(*(load.work(index) for index in range(TASKS)))
        for number, kind in enumerate(EXPIRIES, start=1):
            target = total * number // (len(EXPIRIES) + 1)
            await wait_until(lambda: load.completed >= target, 120, "progress")  # noqa: B023 (awaited here)
            before = service.tokens
            if kind == "expire":
                auth.expire()
            else:
                service.revoke()
            await wait_until(lambda: service.tokens > before, 30, f"the token after {kind}")  # noqa: B023
            load.gate.clear()  # let the calls in flight (some with the old token) end before the next expiry
            await wait_until(lambda: load.in_flight == 0, 60, "the calls in flight")
            load.gate.set()
        await asyncio.wait_for(workers, timeout=240)
        elapsed = time.monotonic() - started
        await client.aclose()
        connections = server.connections
    assert not server.failures, server.failures
    REPORT.concurrency.append(
        f"async: {TASKS} tasks x {CALLS_PER_TASK} calls = {total} calls in {elapsed:.1f} s "
        f"({total / elapsed:.0f}/s) over {connections} connections: {total - len(load.errors)} ok, "
        f"{len(load.errors)} errors, {len(load.mismatches)} mismatched; POST /token {service.tokens} for "
        f"{len(EXPIRIES)} forced expiries + the first; {service.unauthorized} 401s answered to revoked tokens"
    )
    assert load.errors == [], load.errors[:5]
    assert load.mismatches == [], load.mismatches[:5]
    assert load.completed == total
    assert service.creates == total
    assert service.tokens == 1 + len(EXPIRIES), f"{service.tokens} token requests for {len(EXPIRIES)} expiries"
    assert scan("async concurrency: client repr", [repr(client), repr(auth), repr(vars(auth))]) == []


async def test_token_refreshed_once_per_lifetime_by_all_tasks() -> None:
    """Tokens live 2 s and are refreshed at half their life: a new one every second, fetched by one task only."""
    service = TokenService(lifetime=2)
    duration = 3.5
    with EchoServer(service.handle, max_requests=200_000, max_connections=4 * TASKS, lifetime=60) as server:
        client = make_client(server.url)
        errors: list[str] = []
        calls = [0] * TASKS
        end = time.monotonic() + duration

        async def work(index: int) -> None:
            while time.monotonic() < end:
                marker = f"l{index:03d}-{calls[index]}"
                try:
                    result = await client.create_invoicing_contact(
                        consumer_id="consumer-1", body={"first_name": marker}
                    )
                    if result.first_name != marker:
                        errors.append(f"mismatch {marker}")
                except Exception as exc:
                    errors.append(repr(exc))
                calls[index] += 1

        await asyncio.wait_for(asyncio.gather(*(work(index) for index in range(TASKS))), timeout=duration + 30)
        await client.aclose()
    assert not server.failures, server.failures
    times = service.token_times
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    REPORT.concurrency.append(
        f"async lifetime refresh: {sum(calls)} calls by {TASKS} tasks in {duration} s, {len(errors)} errors, "
        f"POST /token {len(times)} (shortest gap {min(gaps, default=0):.2f} s, token valid 1 s)"
    )
    assert errors == [], errors[:5]
    assert all(gap >= 0.9 for gap in gaps), f"two token requests within one token lifetime: {gaps}"
    assert int(duration) <= len(times) <= int(duration) + 2

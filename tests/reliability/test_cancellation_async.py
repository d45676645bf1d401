"""Cancellation: a task cancelled during an ``AsyncClient`` call leaves the client and its pool usable.

A cancelled call's connection is closed (it may carry half a response), the other
connections stay pooled, a token fetch cancelled half-way does not hold the token lock, and
the cancelled request may have reached the server: the package README says so, and the
server here does record it.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

import pytest

from generated import chift, formation
from tests.helpers.loopback import LoopbackServer, Reply
from tests.helpers.paths import REPO
from tests.helpers.vendors import (
    CHIFT_ACCOUNT_ID,
    CHIFT_CLIENT_ID,
    CHIFT_CLIENT_SECRET,
    CHIFT_CONTACTS,
    FORMATION_API_KEY,
    FORMATION_CONTACTS,
    TokenIssuer,
    formation_contact,
    formation_success,
    token,
)

from .hygiene import exception_texts, scan
from .report import REPORT

pytestmark = pytest.mark.anyio

CONTACT_OUT = {"id": "c-1", "source_ref": {"id": "s-1", "model": "res.partner"}}
TIMEOUT = formation.Timeout(connect=2.0, read=5.0, total=10.0)


def formation_client(url: str) -> formation.AsyncClient:
    return formation.AsyncClient(api_key=FORMATION_API_KEY, base_url=url, timeout=TIMEOUT)


async def until(condition: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    """Wait (without blocking the loop) until ``condition()`` holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.005)


async def test_a_cancelled_call_leaves_the_client_usable(loopback: LoopbackServer) -> None:
    loopback.route(
        "POST",
        FORMATION_CONTACTS,
        Reply.json(200, formation_success(), delay=3.0),
        Reply.json(200, formation_success()),
    )

    async with formation_client(loopback.url) as client:
        call = asyncio.create_task(client.create_contact(body=formation_contact()))
        await until(lambda: loopback.count("POST", FORMATION_CONTACTS) == 1, "the request to arrive")
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        result = await client.create_contact(body=formation_contact())  # the pool still works

    assert result.id == "64b8f1a2e4b0c8d9f0123456"
    first, second = loopback.requests
    assert first.json() == formation_contact()  # the cancelled POST did reach the server
    assert second.connection != first.connection  # the cancelled call's connection was not reused
    assert loopback.wait_until_idle(timeout=5.0), "a connection stayed open after the client was closed"
    readme = (REPO / "generated" / "formation" / "README.md").read_text(encoding="utf-8")
    assert "A cancelled request may have reached the\n  vendor" in readme


async def test_a_deadline_around_a_call_is_a_cancellation_too(loopback: LoopbackServer) -> None:
    loopback.route(
        "POST",
        FORMATION_CONTACTS,
        Reply.json(200, formation_success(), delay=3.0),
        Reply.json(200, formation_success()),
    )

    async with formation_client(loopback.url) as client:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(client.create_contact(body=formation_contact()), timeout=0.2)
        await client.create_contact(body=formation_contact())

    assert loopback.count("POST", FORMATION_CONTACTS) == 2  # the user's deadline is not a reason to retry


async def test_a_token_fetch_cancelled_half_way_does_not_hold_the_lock(loopback: LoopbackServer) -> None:
    loopback.route("POST", "/token", TokenIssuer(delay=1.0))
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, CONTACT_OUT))

    async with chift.AsyncClient(
        client_id=CHIFT_CLIENT_ID, client_secret=CHIFT_CLIENT_SECRET, account_id=CHIFT_ACCOUNT_ID, base_url=loopback.url
    ) as client:
        waiting = [
            asyncio.create_task(client.create_invoicing_contact(consumer_id="consumer-1", body={})) for _ in range(5)
        ]
        await until(lambda: loopback.count("POST", "/token") == 1, "the token request")
        for task in waiting:
            task.cancel()
        await asyncio.gather(*waiting, return_exceptions=True)
        results = await asyncio.wait_for(
            asyncio.gather(*(client.create_invoicing_contact(consumer_id="consumer-1", body={}) for _ in range(5))),
            timeout=5.0,
        )

    assert [result.id for result in results] == ["c-1"] * 5
    assert loopback.count("POST", "/token") == 2  # the cancelled fetch's token never arrived: one new fetch
    assert {call.header("authorization") for call in loopback.requests_to("POST", CHIFT_CONTACTS)} == {
        f"Bearer {token(2)}"
    }


async def test_cancelling_many_tasks_at_random_moments_leaves_the_pool_sound() -> None:
    """60 calls to a server answering in 0-200 ms; 30 are cancelled at random moments; 60 more all succeed."""
    rng = random.Random(13)
    with LoopbackServer(max_requests=200) as loopback:
        loopback.route(
            "POST", FORMATION_CONTACTS, lambda request: Reply.json(200, formation_success(), delay=rng.uniform(0, 0.2))
        )
        await _cancel_at_random(loopback, rng)
        assert loopback.problems == []


async def _cancel_at_random(loopback: LoopbackServer, rng: random.Random) -> None:
    async with formation_client(loopback.url) as client:
        tasks = [asyncio.create_task(client.create_contact(body=formation_contact())) for _ in range(60)]
        await asyncio.sleep(0.02)
        for task in rng.sample(tasks, 30):
            await asyncio.sleep(rng.uniform(0, 0.003))
            task.cancel()
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        after = await asyncio.wait_for(
            asyncio.gather(*(client.create_contact(body=formation_contact()) for _ in range(60))), timeout=30
        )

    cancelled = sum(isinstance(outcome, asyncio.CancelledError) for outcome in outcomes)
    failures = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    REPORT.concurrency.append(
        f"async cancellation: 60 calls, {cancelled} cancelled at random moments, {len(failures)} other errors; "
        f"then 60 calls: {len(after)} ok over {loopback.connections} connections in all"
    )
    assert failures == []
    assert 0 < cancelled <= 30
    assert len(after) == 60
    assert loopback.wait_until_idle(timeout=5.0), "a connection stayed open after the client was closed"
    assert scan("async cancellation", [repr(client), *(text for f in failures for text in exception_texts(f))]) == []

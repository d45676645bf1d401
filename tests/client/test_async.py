"""What only ``AsyncClient`` has: its transport (httpx, optional), the asyncio token lock, the
attempt deadline, async rate limiting, and ``testing.AsyncMockTransport`` as documented.

The behaviour both clients share is tested once for both in ``test_sync_and_async.py``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from generated import billbee, chift, formation
from generated.formation.testing import AsyncMockTransport, Request, Response, json_response
from tests.helpers.loopback import LoopbackServer, Reply
from tests.helpers.paths import REPO
from tests.helpers.vendors import (
    BILLBEE_API_KEY,
    BILLBEE_API_PASSWORD,
    BILLBEE_CUSTOMERS,
    BILLBEE_USERNAME,
    CHIFT_ACCOUNT_ID,
    CHIFT_CLIENT_ID,
    CHIFT_CLIENT_SECRET,
    CHIFT_CONTACTS,
    CHIFT_RETRY,
    CHIFT_TIMEOUT,
    FORMATION_API_KEY,
    FORMATION_CONTACTS,
    FORMATION_RETRY,
    TokenIssuer,
    assert_exception_secret_free,
    formation_contact,
    formation_success,
    token,
)

pytestmark = pytest.mark.anyio

CONTACT_OUT = {"id": "c-1", "source_ref": {"id": "s-1", "model": "res.partner"}}


def chift_exchange_client(url: str) -> chift.AsyncClient:
    return chift.AsyncClient(
        client_id=CHIFT_CLIENT_ID,
        client_secret=CHIFT_CLIENT_SECRET,
        account_id=CHIFT_ACCOUNT_ID,
        base_url=url,
        retry=CHIFT_RETRY,
        timeout=CHIFT_TIMEOUT,
    )


async def create_contact(client: chift.AsyncClient, name: str = "Ada") -> chift.models.ContactItemOut:
    return await client.create_invoicing_contact(consumer_id="consumer-1", body={"first_name": name})


# -- the token, under concurrency -------------------------------------------------------------


async def test_fifty_tasks_cause_one_token_request(loopback: LoopbackServer) -> None:
    loopback.route("POST", "/token", TokenIssuer(delay=0.2))  # slow: every task arrives while it is fetched
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, CONTACT_OUT))

    async with chift_exchange_client(loopback.url) as client:
        results = await asyncio.gather(*(create_contact(client, f"n{index}") for index in range(50)))

    assert len(results) == 50
    assert loopback.count("POST", "/token") == 1
    assert {call.header("authorization") for call in loopback.requests_to("POST", CHIFT_CONTACTS)} == {
        f"Bearer {token(1)}"
    }


async def test_the_token_is_refreshed_before_it_expires_once_for_all_tasks(loopback: LoopbackServer) -> None:
    # expires_in 2: a short-lived token is refreshed at half its life, after 1 s.
    loopback.route("POST", "/token", TokenIssuer(2, 1800, delay=0.1))
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, CONTACT_OUT))

    async with chift_exchange_client(loopback.url) as client:
        await create_contact(client)
        await asyncio.sleep(1.1)
        await asyncio.gather(*(create_contact(client) for _ in range(20)))

    calls = loopback.requests_to("POST", CHIFT_CONTACTS)
    assert loopback.count("POST", "/token") == 2
    assert [call.header("authorization") for call in calls] == [f"Bearer {token(1)}"] + [f"Bearer {token(2)}"] * 20


async def test_a_revoked_token_is_refreshed_once_for_all_tasks(loopback: LoopbackServer) -> None:
    issuer = TokenIssuer(delay=0.1)
    loopback.route("POST", "/token", issuer)

    def contacts(request: Any) -> Reply:
        if request.header("authorization") == f"Bearer {token(1)}":
            return Reply.json(401, {"message": "revoked"})
        return Reply.json(200, CONTACT_OUT)

    loopback.route("POST", CHIFT_CONTACTS, contacts)
    async with chift_exchange_client(loopback.url) as client:
        await asyncio.gather(*(create_contact(client) for _ in range(20)))

    assert issuer.issued == [token(1), token(2)]


# -- the attempt deadline ----------------------------------------------------------------------


async def test_timeout_total_holds_for_the_whole_attempt(loopback: LoopbackServer) -> None:
    """The server answers after 2 s; each read is allowed 5 s, the whole attempt 0.3 s."""
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, formation_success(), delay=2.0))
    timeout = formation.Timeout(connect=2.0, read=5.0, total=0.3)

    async with formation.AsyncClient(
        api_key=FORMATION_API_KEY, base_url=loopback.url, timeout=timeout, retry=FORMATION_RETRY
    ) as client:
        started = time.monotonic()
        with pytest.raises(formation.errors.ReadTimeout) as caught:
            await client.create_contact(body=formation_contact())
        elapsed = time.monotonic() - started

    assert 0.25 < elapsed < 1.5
    assert "within 0.3 s" in str(caught.value)
    assert loopback.count("POST", FORMATION_CONTACTS) == 1  # it may have reached the vendor: a POST is not re-sent
    assert_exception_secret_free(caught.value)


# -- rate limiting -------------------------------------------------------------------------------


async def test_the_rate_limit_spaces_concurrent_calls(loopback: LoopbackServer) -> None:
    """Billbee allows 2 calls per second: 5 concurrent calls take two more seconds, never 3 in one second."""
    loopback.route("POST", BILLBEE_CUSTOMERS, Reply.json(200, {"ErrorMessage": None, "ErrorCode": 0, "Data": None}))

    async with billbee.AsyncClient(
        username=BILLBEE_USERNAME, api_password=BILLBEE_API_PASSWORD, api_key=BILLBEE_API_KEY, base_url=loopback.url
    ) as client:
        await asyncio.gather(*(client.create_customer(body={"Name": f"n{index}"}) for index in range(5)))

    times = [request.received_at for request in loopback.requests]
    assert len(times) == 5
    assert all(later - earlier >= 0.95 for earlier, later in zip(times, times[2:], strict=False))
    assert times[-1] - times[0] >= 1.9


# -- the transport --------------------------------------------------------------------------------


async def test_a_refused_connection_is_a_connect_error_retried(refused_url: str) -> None:
    retry = formation.RetryPolicy(max_attempts=2, backoff=0.01)
    async with formation.AsyncClient(api_key=FORMATION_API_KEY, base_url=refused_url, retry=retry) as client:
        with pytest.raises(formation.errors.ConnectError) as caught:
            await client.create_contact(body=formation_contact())

    assert caught.value.__cause__ is None
    assert caught.value.__suppress_context__  # httpx's exception (and its request) stay out of tracebacks
    assert_exception_secret_free(caught.value)


async def test_a_custom_httpx_transport_is_used() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=formation_success())

    transport = formation.HttpxTransport(transport=httpx.MockTransport(answer))
    async with formation.AsyncClient(api_key=FORMATION_API_KEY, transport=transport) as client:
        result = await client.create_contact(body=formation_contact())

    assert result.id == "64b8f1a2e4b0c8d9f0123456"
    (request,) = seen
    assert str(request.url) == "https://api.clemta.com/contacts"
    assert request.headers["x-api-key"] == FORMATION_API_KEY
    assert json.loads(request.content) == formation_contact()


async def test_a_response_larger_than_allowed_is_refused(loopback: LoopbackServer) -> None:
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, {"data": "x" * 5000}, chunked=True))

    async with formation.AsyncClient(
        api_key=FORMATION_API_KEY, base_url=loopback.url, max_response_bytes=1000
    ) as client:
        with pytest.raises(formation.errors.ResponseTooLarge) as caught:
            await client.create_contact(body=formation_contact())
        loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, formation_success()))
        await client.create_contact(body=formation_contact())  # the pool is still usable

    assert caught.value.status == 200
    assert len(caught.value.body) <= 1024


def test_without_httpx_client_works_and_async_client_names_the_pip_command() -> None:
    """In a process where httpx cannot be imported: the package imports, Client works, AsyncClient explains."""
    script = textwrap.dedent(
        """
        import asyncio, sys
        sys.modules["httpx"] = None  # import httpx raises ImportError from here on
        from generated import formation
        from generated.formation.testing import AsyncMockTransport, MockTransport, json_response

        from tests.helpers.vendors import formation_contact, formation_success

        answer = lambda request: json_response(200, formation_success())
        BODY = formation_contact()
        with formation.Client(api_key="k", transport=MockTransport(answer)) as client:
            client.create_contact(body=BODY)
        try:
            formation.AsyncClient(api_key="k")
        except formation.errors.ConfigurationError as exc:
            print("ConfigurationError:", exc)

        async def main():
            async with formation.AsyncClient(api_key="k", transport=AsyncMockTransport(answer)) as client:
                await client.create_contact(body=BODY)
            print("mock ok")

        asyncio.run(main())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "ConfigurationError: AsyncClient needs httpx, which is not installed: "
        'python -m pip install "httpx>=0.27" sniffio',
        "mock ok",
    ]


# -- testing.AsyncMockTransport, as documented ----------------------------------------------------


async def test_the_async_mock_transport_answers_as_the_docstring_shows() -> None:
    assert "AsyncMockTransport(handler)" in (formation.testing.__doc__ or "")
    assert "AsyncMockTransport" in (formation.__doc__ or "")

    async def handler(request: Request) -> Response:
        await asyncio.sleep(0.01)
        return json_response(200, formation_success())

    transport = AsyncMockTransport(handler)
    async with formation.AsyncClient(api_key=FORMATION_API_KEY, transport=transport) as client:
        result = await client.create_contact(body=formation_contact())

    assert result.id == "64b8f1a2e4b0c8d9f0123456"
    (request,) = transport.requests
    assert (request.method, request.url) == ("POST", "https://api.clemta.com/contacts")
    assert request.headers["X-API-KEY"] == FORMATION_API_KEY
    assert FORMATION_API_KEY not in repr(request) + repr(transport)


async def test_the_async_mock_transport_takes_plain_functions_and_simulated_failures() -> None:
    answers: Iterator[Exception | Response] = itertools.chain(
        [formation.errors.ConnectError("simulated: refused")],
        itertools.repeat(json_response(404, {"success": False, "message": "Company not found", "data": None})),
    )

    def handler(request: Request) -> Response:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    transport = AsyncMockTransport(handler)
    retry = formation.RetryPolicy(backoff=0.01)
    async with formation.AsyncClient(api_key=FORMATION_API_KEY, transport=transport, retry=retry) as client:
        with pytest.raises(formation.errors.NotFoundError):
            await client.create_contact(body=formation_contact())

    assert len(transport.requests) == 2  # the simulated connect error was retried

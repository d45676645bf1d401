"""Secret hygiene for ``AsyncClient``: its reprs, its errors and the DEBUG logs (httpx's and httpcore's too).

The async fault matrix (``test_faults_async.py``) scans every scenario's logs, exception
and reprs; here the places particular to the async client: the objects holding
credentials (the client, its TokenAuth with an asyncio lock, the httpx transport), an
``AsyncMockTransport``'s records, and a real exchange through httpx on loopback with
every logger at DEBUG, including its failures.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from generated import chift
from tests.helpers.loopback import LoopbackServer, Reply
from tests.helpers.vendors import CHIFT_ACCOUNT_ID, CHIFT_CLIENT_ID, CHIFT_CLIENT_SECRET, CHIFT_CONTACTS, find_secrets

from .hygiene import exception_texts, log_texts, scan
from .operations import OPERATIONS, Operation
from .test_secrets import answer_for

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("operation", [pytest.param(op, id=op.id) for op in OPERATIONS])
async def test_async_objects_holding_credentials_never_show_them(
    operation: Operation, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    transport = operation.package.testing.AsyncMockTransport(answer_for(operation))
    async with operation.make_async_client(transport=transport) as client:
        result = await operation.call(client, "hygiene")
    request = transport.requests[0]
    assert find_secrets(repr(dict(request.headers))), "the credentials were not sent: the check would be vacuous"
    texts = [
        repr(client),
        str(client),
        repr(vars(client)),
        repr(client._auth),
        repr(vars(client._auth)),
        repr(request),
        repr(transport),
        repr(result),
        *log_texts(caplog.records),
    ]
    assert scan(f"async objects / {operation.id}", texts) == []


async def test_the_async_token_exchange_through_httpx_shows_no_secret(
    loopback: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A token exchange, a call, a 401 and a failed refresh, with httpx and httpcore logging at DEBUG."""
    caplog.set_level(logging.DEBUG)
    issued: list[str] = []

    def token_endpoint(request: Any) -> Reply:
        if issued:
            return Reply.json(401, {"message": f"bad secret {json.loads(request.body)['clientSecret'][:3]}..."})
        issued.append("issued-token-7c0e-1")
        return Reply.json(200, {"access_token": issued[0], "token_type": "bearer", "expires_in": 1800})

    loopback.route("POST", "/token", token_endpoint)
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(401, {"message": "token revoked"}))
    client = chift.AsyncClient(
        client_id=CHIFT_CLIENT_ID, client_secret=CHIFT_CLIENT_SECRET, account_id=CHIFT_ACCOUNT_ID, base_url=loopback.url
    )
    async with client:
        with pytest.raises(chift.errors.AuthenticationError) as caught:
            await client.create_invoicing_contact(consumer_id="consumer-1", body={"first_name": "Ada"})

    assert [request.path for request in loopback.requests] == ["/token", CHIFT_CONTACTS, "/token"]
    assert any(record.name.startswith(("httpcore", "httpx")) for record in caplog.records), "httpx logged nothing"
    texts = [
        repr(client),
        repr(vars(client)),
        repr(vars(client._auth)),
        repr(client._transport),
        *exception_texts(caught.value),
        *log_texts(caplog.records),
    ]
    assert scan("async token exchange through httpx", texts) == []

"""``client.<group>.with_response.<method>``: a group's methods returning a ``CallResponse``, on 127.0.0.1.

The flat ``client.with_response`` view had no twin in the groups; both clients have it now,
typed like the group's own methods and made once per group.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from generated import cin7_omni
from tests.helpers.flavours import Flavour
from tests.helpers.loopback import LoopbackServer, Reply
from tests.helpers.vendors import (
    CIN7_API_KEY,
    CIN7_CONTACTS,
    CIN7_RETRY,
    CIN7_TIMEOUT,
    CIN7_USERNAME,
    request_example,
)

pytestmark = pytest.mark.anyio


async def test_a_group_method_with_response_gives_the_batch_result_status_headers_and_body(
    loopback: LoopbackServer, flavour: Flavour
) -> None:
    contacts = request_example("cin7_omni", "POST", CIN7_CONTACTS)[:1]
    answer = [{"index": 0, "success": True, "id": 11, "errors": []}]
    loopback.route("POST", CIN7_CONTACTS, Reply.json(200, answer, headers={"X-Request-Id": "req-7"}))
    options = {"username": CIN7_USERNAME, "api_key": CIN7_API_KEY, "retry": CIN7_RETRY, "timeout": CIN7_TIMEOUT}
    async with flavour.open(cin7_omni, base_url=loopback.url, **options) as client:
        view = client.contacts.with_response
        assert client.contacts.with_response is view  # made once, on first use
        called = await flavour.result(view.create_contacts(body=contacts))
    assert called.result.created_ids == [11]
    assert (called.status, called.request_id, called.idempotency_key) == (200, "req-7", None)
    assert json.loads(called.body) == answer
    assert loopback.count("POST", CIN7_CONTACTS) == 1


def test_a_group_with_response_is_typed_like_the_group_method(loopback: LoopbackServer) -> None:
    """mypy checks these annotations (nox -s typecheck): the result keeps the group method's type."""
    contacts = request_example("cin7_omni", "POST", CIN7_CONTACTS)[:1]
    loopback.route("POST", CIN7_CONTACTS, Reply.json(200, [{"index": 0, "success": True, "id": 3, "errors": []}]))
    with cin7_omni.Client(username=CIN7_USERNAME, api_key=CIN7_API_KEY, base_url=loopback.url) as client:
        called: cin7_omni.CallResponse[
            cin7_omni.BatchResult[cin7_omni.Contact | dict[str, Any], cin7_omni.BatchResultItem]
        ] = client.contacts.with_response.create_contacts(body=contacts)
    assert called.result.created_ids == [3]

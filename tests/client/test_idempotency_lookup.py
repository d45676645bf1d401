"""After "already processed", the client looks the created record up when the call's arguments allow it.

Chift's lookup needs a ``connection_id`` that its creates do not take, so the shipped client
names the call instead (see test_idempotency.py). Here a variant of Chift's schema
gives the contact create an optional ``connection_id`` query parameter and maps it in
``x-idempotency.lookup.arguments``; the package generated from it, in a temporary folder,
then finds the record by itself: ``created_entity_id`` and ``original_status`` on the error,
with ``Client`` and with ``AsyncClient``.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from codegen.pipeline import render_all
from tests.client.test_idempotency import HEADER, Vendor, contact_body
from tests.helpers.flavours import Flavour
from tests.helpers.loopback import LoopbackServer, Recorded, Reply
from tests.helpers.paths import load_schema

pytestmark = pytest.mark.anyio

PACKAGE = "chift_with_lookup"
CONTACTS = "/consumers/consumer-1/invoicing/contacts"
LOOKUP = "/consumers/consumer-1/connections/connection-9/transactions"


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The client generated from Chift's schema with a lookup the create's arguments can feed."""
    document = load_schema("chift")
    operation = document["paths"]["/consumers/{consumer_id}/invoicing/contacts"]["post"]
    operation["parameters"].append(
        {"name": "connection_id", "in": "query", "required": False, "schema": {"type": "string"}}
    )
    operation["x-idempotency"]["lookup"]["arguments"]["connection_id"] = "connection_id"
    root = tmp_path_factory.mktemp("lookup")
    schema = root / "schemas" / PACKAGE / "openapi.json"
    schema.parent.mkdir(parents=True)
    schema.write_text(json.dumps(document), encoding="utf-8")
    for name, text in render_all(root / "schemas", [PACKAGE]).files.items():
        target = root / "out" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    sys.path.insert(0, str(root / "out"))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root / "out"))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def options(package: ModuleType, url: str) -> dict[str, Any]:
    """Arguments of the package's Client or AsyncClient for the loopback server."""
    return {
        "token": "static-token",
        "base_url": url,
        "retry": package.RetryPolicy(backoff=0.01, retry_after_cap=0.2),
        "timeout": package.Timeout(connect=2.0, read=5.0, total=10.0),
    }


def found(request: Recorded) -> Reply:
    body = {
        "created_on": "2026-08-21T12:00:00Z",
        "method": "POST",
        "route": CONTACTS,
        "status_code": 200,
        "created_entity_id": "contact-1",
    }
    return Reply.json(200, body)


async def test_the_created_record_is_looked_up_after_already_processed(
    loopback: LoopbackServer, package: ModuleType, flavour: Flavour
) -> None:
    vendor = Vendor(lose=("drop",))
    loopback.route("POST", CONTACTS, vendor)
    loopback.route("GET", LOOKUP, found)
    async with flavour.open(package, **options(package, loopback.url)) as api:
        with pytest.raises(package.errors.AlreadyProcessedError) as caught:
            await flavour.result(
                api.create_invoicing_contact(
                    consumer_id="consumer-1", connection_id="connection-9", body=contact_body()
                )
            )

    creates = loopback.requests_to("POST", CONTACTS)
    key = creates[0].header(HEADER)
    assert [request.header(HEADER) for request in creates] == [key, key]
    (lookup,) = loopback.requests_to("GET", LOOKUP)
    assert lookup.query_dict == {"client_request_id": key}
    error = caught.value
    assert error.idempotency_key == key
    assert error.created_entity_id == "contact-1"
    assert error.original_status == 200
    assert "created entity id 'contact-1'" in str(error)
    assert sum(vendor.records.values()) == 1


async def test_a_failed_lookup_leaves_the_definite_outcome(
    loopback: LoopbackServer, package: ModuleType, flavour: Flavour
) -> None:
    loopback.route("POST", CONTACTS, Vendor(lose=("drop",)))
    loopback.route("GET", LOOKUP, Reply.json(404, {"message": "The specified transaction could not be found"}))
    async with flavour.open(package, **options(package, loopback.url)) as api:
        with pytest.raises(package.errors.AlreadyProcessedError) as caught:
            await flavour.result(
                api.create_invoicing_contact(
                    consumer_id="consumer-1", connection_id="connection-9", body=contact_body()
                )
            )
    assert caught.value.created_entity_id is None
    assert caught.value.idempotency_key == loopback.requests_to("POST", CONTACTS)[0].header(HEADER)
    assert loopback.count("GET", LOOKUP) == 1


async def test_without_the_lookup_arguments_the_error_names_the_call(
    loopback: LoopbackServer, package: ModuleType, flavour: Flavour
) -> None:
    loopback.route("POST", CONTACTS, Vendor(lose=("drop",)))
    async with flavour.open(package, **options(package, loopback.url)) as api:
        with pytest.raises(package.errors.AlreadyProcessedError) as caught:
            await flavour.result(
                api.create_invoicing_contact(consumer_id="consumer-1", body=contact_body(), idempotency_key="order-5")
            )
    assert loopback.count("GET", LOOKUP) == 0
    assert caught.value.lookup_call == (
        "client.get_transaction_by_client_request_id(consumer_id='consumer-1', "
        "client_request_id='order-5', connection_id=...)"
    )

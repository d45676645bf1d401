"""``strict_responses=True`` checks a 2XX payload against its whole schema, on 127.0.0.1.

Formats, lengths, bounds, patterns and enums, as a request is checked, not only what the
typed result needs; every place is named. By default (tolerant) the same answers are handed
over as received. Pages of an ``iter_`` method are checked one by one, their envelope or paging
fields included.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from generated import formation
from tests.helpers.flavours import Flavour
from tests.helpers.loopback import LoopbackServer, Reply
from tests.helpers.packages import generated_package
from tests.helpers.paged import paged_schema
from tests.helpers.vendors import (
    FORMATION_API_KEY,
    FORMATION_CONTACTS,
    FORMATION_RETRY,
    FORMATION_TIMEOUT,
    formation_contact,
    formation_success,
)

pytestmark = pytest.mark.anyio


def formation_answer(**changes: Any) -> dict[str, Any]:
    """The seed's success envelope with its contact changed."""
    answer = copy.deepcopy(formation_success())
    answer["data"].update(changes)
    return answer


async def test_strict_names_every_place_the_payload_breaks_its_schema(
    loopback: LoopbackServer, flavour: Flavour
) -> None:
    # "partner" is not one of the contact types; the typed result would keep it (an open enum).
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, formation_answer(type="partner")))
    options = {"api_key": FORMATION_API_KEY, "retry": FORMATION_RETRY, "timeout": FORMATION_TIMEOUT}
    async with flavour.open(formation, base_url=loopback.url, strict_responses=True, **options) as client:
        with pytest.raises(formation.errors.DecodeError) as caught:
            await flavour.result(client.create_contact(body=formation_contact()))
    assert "the response does not match the schema: $.type: must be one of 'customer', 'vendor'" in str(caught.value)
    assert caught.value.status == 200
    assert loopback.count("POST", FORMATION_CONTACTS) == 1  # a decode error is not retried


async def test_tolerant_hands_the_same_payload_over_as_received(loopback: LoopbackServer, flavour: Flavour) -> None:
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, formation_answer(type="partner")))
    options = {"api_key": FORMATION_API_KEY, "retry": FORMATION_RETRY, "timeout": FORMATION_TIMEOUT}
    async with flavour.open(formation, base_url=loopback.url, **options) as client:
        contact = await flavour.result(client.create_contact(body=formation_contact()))
    assert contact.type == "partner"


async def test_strict_accepts_a_payload_that_keeps_its_schema(loopback: LoopbackServer, flavour: Flavour) -> None:
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, formation_success()))
    options = {"api_key": FORMATION_API_KEY, "retry": FORMATION_RETRY, "timeout": FORMATION_TIMEOUT}
    async with flavour.open(formation, base_url=loopback.url, strict_responses=True, **options) as client:
        contact = await flavour.result(client.create_contact(body=formation_contact()))
    assert contact.id == formation_success()["data"]["id"]


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    with generated_package(paged_schema(), tmp_path_factory.mktemp("strict"), "paged_strict") as package:
        yield package


def test_strict_checks_each_page_of_an_iteration(paged: ModuleType, loopback: LoopbackServer) -> None:
    # The second page lacks the total the schema requires: the walk stops there, saying so.
    first = {"items": [{"id": 1}, {"id": 2}], "total": 3, "page": 1}
    loopback.route("GET", "/consumers/c1/things", Reply.json(200, first), Reply.json(200, {"items": [{"id": 3}]}))
    with paged.Client(api_key="k", base_url=loopback.url, strict_responses=True) as client:
        things = client.things.iter_get_things(consumer_id="c1", size=2)
        assert [next(things).id, next(things).id] == [1, 2]
        with pytest.raises(paged.errors.DecodeError, match=r"does not match the schema: \$\.total: is required"):
            next(things)
    assert len(loopback.requests) == 2

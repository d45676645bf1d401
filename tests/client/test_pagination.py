"""Groups and ``iter_`` methods of a generated client, against a real server on loopback.

A small schema declares the three pagination styles of ``x-pagination`` (page numbers
with a total of items, page numbers with a paging object inside an envelope, cursors and
next-page links); the package generated from it is driven against :class:`LoopbackServer`
and the test asserts what reached the server, page by page.
"""

from __future__ import annotations

import itertools
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.helpers.loopback import LoopbackServer, Recorded, Reply
from tests.helpers.packages import generated_package
from tests.helpers.paged import paged_schema


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The package generated from :func:`paged_schema`, imported as ``paged``."""
    with generated_package(paged_schema(), tmp_path_factory.mktemp("paged"), "paged") as package:
        yield package


Page = list[dict[str, int]]


def numbered_pages(items: int, build: Callable[[Page, int, int, int], Any]) -> Callable[[Recorded], Reply]:
    """A server answer for page numbers: ``build(items of the page, page, size, total)`` is the body."""
    everything = [{"id": index} for index in range(1, items + 1)]

    def answer(request: Recorded) -> Reply:
        query = request.query_dict
        page, size = int(query.get("page", "1")), int(query.get("size") or query.get("pageSize") or "50")
        return Reply.json(200, build(everything[(page - 1) * size : page * size], page, size, items))

    return answer


def chift_page(items: Page, page: int, size: int, total: int) -> Any:
    return {"items": items, "total": total, "page": page, "size": size}


def billbee_page(items: Page, page: int, size: int, total: int) -> Any:
    paging = {"Page": page, "TotalPages": -(-total // size), "TotalRows": total, "PageSize": size}
    return {"Paging": paging, "ErrorCode": 0, "ErrorMessage": None, "Data": items}


def test_groups_are_typed_attributes_sharing_the_client(paged: ModuleType) -> None:
    client = paged.Client(api_key="k")
    assert isinstance(client.things, paged.client.ThingsOperations)
    assert client.things is client.things  # made once, on first use
    assert client.things._client is client  # the same pool, credentials, retries and limits
    assert isinstance(client.shop, paged.client.ShopOperations)  # the tag's x-name
    assert sorted(name for name in vars(paged.client.ThingsOperations) if not name.startswith("_")) == [
        "get_enveloped",
        "get_thing",
        "get_things",
        "iter_get_enveloped",
        "iter_get_things",
        "with_response",  # the group's CallResponse view
    ]
    # Flat, every operation keeps a method; an operation without a tag is only flat.
    for flat in ("things_get_things", "iter_things_get_things", "get_thing", "thing_get_enveloped", "list_linked"):
        assert callable(getattr(client, flat)), flat
    assert not hasattr(client, "things_get_thing")
    assert callable(client.iter_list_linked)


def test_page_numbers_with_a_total_walk_every_item_lazily(paged: ModuleType, loopback: LoopbackServer) -> None:
    loopback.route("GET", "/consumers/c1/things", numbered_pages(7, chift_page))
    with paged.Client(api_key="k", base_url=loopback.url) as client:
        things = client.things.iter_get_things(consumer_id="c1", size=3, kind="big")
        assert loopback.requests == []  # nothing is sent before the iteration starts
        assert [thing.id for thing in things] == [1, 2, 3, 4, 5, 6, 7]
    assert [request.query for request in loopback.requests] == [
        (("page", "1"), ("size", "3"), ("kind", "big")),
        (("page", "2"), ("size", "3"), ("kind", "big")),
        (("page", "3"), ("size", "3"), ("kind", "big")),
    ]
    assert all(request.header("x-key") == "k" for request in loopback.requests)


def test_taking_the_first_item_sends_one_request(paged: ModuleType, loopback: LoopbackServer) -> None:
    loopback.route("GET", "/consumers/c1/things", numbered_pages(7, chift_page))
    with paged.Client(api_key="k", base_url=loopback.url) as client:
        first = next(iter(client.things.iter_get_things(consumer_id="c1", size=3)))
        assert first == paged.Thing(id=1)
        assert list(itertools.islice(client.iter_things_get_things(consumer_id="c1", size=3), 4))[-1].id == 4
    assert [request.query_dict["page"] for request in loopback.requests] == ["1", "1", "2"]


def test_paging_object_inside_an_envelope(paged: ModuleType, loopback: LoopbackServer) -> None:
    loopback.route("GET", "/enveloped", numbered_pages(7, billbee_page))
    with paged.Client(api_key="k", base_url=loopback.url) as client:
        assert [thing.id for thing in client.things.iter_get_enveloped(page_size=3)] == [1, 2, 3, 4, 5, 6, 7]
        assert client.things.get_enveloped(page=2, page_size=3) == [
            paged.Thing(id=4),
            paged.Thing(id=5),
            paged.Thing(id=6),
        ]
    assert [request.query_dict["page"] for request in loopback.requests] == ["1", "2", "3", "2"]


def test_an_envelope_error_on_a_later_page_raises_there(paged: ModuleType, loopback: LoopbackServer) -> None:
    loopback.route(
        "GET",
        "/enveloped",
        Reply.json(200, billbee_page([{"id": 1}], 1, 1, 2)),
        Reply.json(200, {"ErrorCode": 1, "ErrorMessage": "quota", "Data": None}),
    )
    with paged.Client(api_key="k", base_url=loopback.url) as client:
        things = client.things.iter_get_enveloped(page_size=1)
        assert next(things).id == 1
        with pytest.raises(paged.errors.EnvelopeError, match="quota"):
            next(things)


def test_without_totals_a_short_page_is_the_last(paged: ModuleType, loopback: LoopbackServer) -> None:
    def no_totals(items: Page, page: int, size: int, total: int) -> Any:
        return {"Data": items, "ErrorCode": 0}

    loopback.route("GET", "/enveloped", numbered_pages(6, no_totals))
    with paged.Client(api_key="k", base_url=loopback.url) as client:
        assert len(list(client.things.iter_get_enveloped(page_size=3))) == 6
        assert len(list(client.things.iter_get_enveloped())) == 6  # no size: an empty page ends it
    assert [request.query_dict["page"] for request in loopback.requests] == ["1", "2", "3", "1", "2"]


def test_a_server_ignoring_the_page_number_is_an_error_not_a_loop(paged: ModuleType, loopback: LoopbackServer) -> None:
    loopback.route("GET", "/enveloped", Reply.json(200, {"Data": [{"id": 1}], "ErrorCode": 0}))
    client = paged.Client(api_key="k", base_url=loopback.url)
    with client, pytest.raises(paged.errors.DecodeError, match="ignores the page number"):
        list(client.things.iter_get_enveloped())
    assert len(loopback.requests) == 2


def test_each_page_is_retried_like_a_single_call(paged: ModuleType, loopback: LoopbackServer) -> None:
    pages = numbered_pages(5, chift_page)
    calls = itertools.count()

    def flaky(request: Recorded) -> Reply:
        # The second page fails once with 503 and Retry-After: sent again, then answered.
        if request.query_dict["page"] == "2" and next(calls) == 0:
            return Reply.json(503, {"message": "busy"}, headers={"Retry-After": "0"})
        return pages(request)

    loopback.route("GET", "/consumers/c1/things", flaky)
    with paged.Client(api_key="k", base_url=loopback.url) as client:
        assert [thing.id for thing in client.things.iter_get_things(consumer_id="c1", size=3)] == [1, 2, 3, 4, 5]
    assert [request.query_dict["page"] for request in loopback.requests] == ["1", "2", "2"]


def test_a_failing_page_raises_after_the_items_before_it(paged: ModuleType, loopback: LoopbackServer) -> None:
    loopback.route(
        "GET",
        "/consumers/c1/things",
        Reply.json(200, chift_page([{"id": 1}], 1, 1, 2)),
        Reply.json(404, {"message": "gone"}),
    )
    with paged.Client(api_key="k", base_url=loopback.url) as client:
        things = client.things.iter_get_things(consumer_id="c1", size=1)
        assert next(things).id == 1
        with pytest.raises(paged.errors.NotFoundError):
            next(things)


def test_arguments_are_validated_at_the_call(paged: ModuleType, loopback: LoopbackServer) -> None:
    client = paged.Client(api_key="k", base_url=loopback.url)
    with client, pytest.raises(paged.errors.RequestValidationError, match=r"\$query\.size"):
        client.things.iter_get_things(consumer_id="c1", size=1000)
    assert loopback.requests == []


def test_cursors(paged: ModuleType, loopback: LoopbackServer) -> None:
    cursors = {None: ([1, 2], "b"), "b": ([3, 4], "c"), "c": ([5], None)}

    def answer(request: Recorded) -> Reply:
        ids, following = cursors[request.query_dict.get("cursor")]
        return Reply.json(200, {"data": [{"id": index} for index in ids], "next_cursor": following})

    loopback.route("GET", "/shop/things", answer)
    with paged.Client(api_key="k", base_url=loopback.url) as client:
        assert [thing.id for thing in client.shop.iter_get_things(limit=2)] == [1, 2, 3, 4, 5]
    assert [request.query for request in loopback.requests] == [
        (("limit", "2"),),
        (("cursor", "b"), ("limit", "2")),
        (("cursor", "c"), ("limit", "2")),
    ]


def test_a_repeated_cursor_is_an_error_not_a_loop(paged: ModuleType, loopback: LoopbackServer) -> None:
    loopback.route("GET", "/shop/things", Reply.json(200, {"data": [{"id": 1}], "next_cursor": "same"}))
    client = paged.Client(api_key="k", base_url=loopback.url)
    with client, pytest.raises(paged.errors.DecodeError, match="twice"):
        list(client.shop.iter_get_things())
    assert len(loopback.requests) == 2


def test_next_page_links(paged: ModuleType, loopback: LoopbackServer) -> None:
    loopback.route(
        "GET",
        "/linked",
        lambda request: Reply.json(
            200,
            {"results": [{"id": 1}], "links": {"next": "/linked?q=x&after=1"}}
            if "after" not in request.query_dict
            else {"results": [{"id": 2}], "links": {"next": None}},
        ),
    )
    with paged.Client(api_key="k", base_url=loopback.url) as client:
        assert [thing.id for thing in client.iter_list_linked(q="x")] == [1, 2]
    assert [request.target for request in loopback.requests] == ["/linked?q=x", "/linked?q=x&after=1"]
    assert loopback.requests[1].header("x-key") == "k"


def test_a_link_to_another_server_is_refused(paged: ModuleType, loopback: LoopbackServer) -> None:
    elsewhere = urllib.parse.urlsplit(loopback.url)._replace(netloc="localhost:1").geturl() + "/linked?page=2"
    loopback.route("GET", "/linked", Reply.json(200, {"results": [{"id": 1}], "links": {"next": elsewhere}}))
    with paged.Client(api_key="k", base_url=loopback.url) as client:
        things = client.iter_list_linked()
        assert next(things).id == 1
        with pytest.raises(paged.errors.DecodeError, match="another server"):
            next(things)
    assert len(loopback.requests) == 1


def test_the_page_number_is_not_an_argument_of_iter(paged: ModuleType) -> None:
    client = paged.Client(api_key="k")
    with pytest.raises(TypeError, match="page"):
        client.things.iter_get_things(consumer_id="c1", page=2)
    with pytest.raises(TypeError, match="cursor"):
        client.shop.iter_get_things(cursor="b")


def test_the_readme_lists_groups_and_shows_iteration(tmp_path: Path) -> None:
    with generated_package(paged_schema(), tmp_path, "paged_readme") as package:
        assert package.__name__ == "paged_readme"
    readme = (tmp_path / "out" / "paged_readme" / "README.md").read_text(encoding="utf-8")
    row = "| `client.things.get_things` | `GET /consumers/{consumer_id}/things` | List things; every page: "
    assert row + "`client.things.iter_get_things` | `things_get_things` |" in readme
    assert "| `client.list_linked` | `GET /linked` | every page: `client.iter_list_linked` | `list_linked` |" in readme
    assert "for item in client.things.iter_get_things(" in readme


@pytest.mark.anyio
async def test_async_groups_and_iteration(paged: ModuleType, loopback: LoopbackServer) -> None:
    loopback.route("GET", "/consumers/c1/things", numbered_pages(7, chift_page))
    loopback.route("GET", "/things/4", Reply.json(200, {"id": 4}))
    async with paged.AsyncClient(api_key="k", base_url=loopback.url) as client:
        assert isinstance(client.things, paged.client.AsyncThingsOperations)
        assert client.things._client is client
        assert await client.things.get_thing(id=4) == paged.Thing(id=4)
        assert [thing.id async for thing in client.things.iter_get_things(consumer_id="c1", size=3)] == list(
            range(1, 8)
        )
        assert len(loopback.requests) == 4
        things = client.iter_things_get_things(consumer_id="c1", size=3)  # the flat sibling
        assert (await anext(things)).id == 1
        assert len(loopback.requests) == 5
        with pytest.raises(paged.errors.RequestValidationError):
            client.things.iter_get_things(consumer_id="c1", size=0)  # checked at the call, nothing sent
    assert [request.query_dict.get("page") for request in loopback.requests] == [None, "1", "2", "3", "1"]

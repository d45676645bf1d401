"""The loopback server the client tests rely on: what it records, how it answers, its bounds.

Driven with urllib3 directly (not a generated client), so that a fault in the test server
is told apart from a fault in the clients.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import urllib3

from tests.helpers.loopback import LoopbackServer, Recorded, Reply, refusing_port


@pytest.fixture
def http() -> Iterator[urllib3.PoolManager]:
    pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(connect=2.0, read=5.0))
    yield pool
    pool.clear()


def test_requests_are_recorded_as_sent(loopback: LoopbackServer, http: urllib3.PoolManager) -> None:
    loopback.route("POST", "/a%2Fb/items", Reply.json(201, {"ok": True}, headers={"X-Request-Id": "r-1"}))

    response = http.request(
        "POST",
        loopback.url + "/a%2Fb/items?x=1&y=two+words&x=3",
        body=b'{"name": "n"}',
        headers={"Content-Type": "application/json", "X-Custom": "v"},
    )

    assert response.status == 201
    assert response.headers["X-Request-Id"] == "r-1"
    assert json.loads(response.data) == {"ok": True}
    (request,) = loopback.requests
    assert isinstance(request, Recorded)
    assert request.method == "POST"
    assert request.target == "/a%2Fb/items?x=1&y=two+words&x=3"
    assert request.path == "/a%2Fb/items"
    assert request.query == (("x", "1"), ("y", "two words"), ("x", "3"))
    assert request.query_dict == {"x": "3", "y": "two words"}
    assert request.header("x-custom") == "v"
    assert request.header("X-CUSTOM") == "v"
    assert request.header("absent") is None
    assert request.json() == {"name": "n"}
    assert request.connection == 1


def test_answers_come_in_order_and_the_last_one_repeats(loopback: LoopbackServer, http: urllib3.PoolManager) -> None:
    loopback.route("GET", "/s", Reply.json(503, {}), Reply.json(200, {"n": 1}))

    statuses = [http.request("GET", loopback.url + "/s").status for _ in range(3)]

    assert statuses == [503, 200, 200]
    assert loopback.count("GET", "/s") == 3
    assert [request.connection for request in loopback.requests] == [1, 1, 1]  # keep-alive


def test_unrouted_requests_get_404_and_exact_routes_beat_the_wildcard(
    loopback: LoopbackServer, http: urllib3.PoolManager
) -> None:
    loopback.route("POST", "*", Reply.json(200, {"route": "any"}))
    loopback.route("POST", "/exact", Reply.json(200, {"route": "exact"}))
    loopback.route("POST", "/exact", Reply.json(200, {"route": "replaced"}))

    assert json.loads(http.request("POST", loopback.url + "/exact").data) == {"route": "replaced"}
    assert json.loads(http.request("POST", loopback.url + "/other").data) == {"route": "any"}
    unrouted = http.request("GET", loopback.url + "/nothing")
    assert unrouted.status == 404
    assert "no route for GET /nothing" in json.loads(unrouted.data)["message"]
    assert loopback.count("POST", "*") == 2
    assert len(loopback.requests) == 3


def test_an_answer_function_decides_from_the_request(loopback: LoopbackServer, http: urllib3.PoolManager) -> None:
    loopback.route(
        "GET", "/echo", lambda request: Reply.raw(200, request.header("x-say") or "", content_type="text/plain")
    )

    assert http.request("GET", loopback.url + "/echo", headers={"X-Say": "hello"}).data == b"hello"


def test_chunked_replies_are_valid_http(loopback: LoopbackServer, http: urllib3.PoolManager) -> None:
    body = bytes(range(256)) * 100
    loopback.route("GET", "/big", Reply.raw(200, body, chunked=True))

    response = http.request("GET", loopback.url + "/big")

    assert response.headers["Transfer-Encoding"] == "chunked"
    assert response.data == body


def test_a_dropped_reply_closes_the_connection_without_an_answer(
    loopback: LoopbackServer, http: urllib3.PoolManager
) -> None:
    loopback.route("POST", "/drop", Reply.dropped())

    with pytest.raises(urllib3.exceptions.ProtocolError):
        http.request("POST", loopback.url + "/drop", body=b"x")

    assert loopback.count("POST", "/drop") == 1


def test_problems_are_reported_and_requests_are_bounded(http: urllib3.PoolManager) -> None:
    def broken(request: Recorded) -> Reply:
        raise RuntimeError("bug in the test")

    with LoopbackServer(max_requests=2) as server:
        server.route("GET", "/broken", broken)
        server.route("GET", "/ok", Reply.json(200, {}))
        assert http.request("GET", server.url + "/broken").status == 500
        assert http.request("GET", server.url + "/ok").status == 200
        with pytest.raises(urllib3.exceptions.ProtocolError):
            http.request("GET", server.url + "/ok")  # the third request is over the limit: no answer

        problems = server.problems
    assert len(problems) == 2
    assert "bug in the test" in problems[0]
    assert "more than 2 requests" in problems[1]


def test_stop_cuts_a_scripted_delay_short(http: urllib3.PoolManager) -> None:
    server = LoopbackServer().start()
    server.route("GET", "/slow", Reply.json(200, {}, delay=10.0))
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(http.request, "GET", server.url + "/slow")
        deadline = time.monotonic() + 2.0
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        server.stop()
        stopped_in = time.monotonic() - started
        with pytest.raises(urllib3.exceptions.ProtocolError):
            pending.result(timeout=5.0)

    assert stopped_in < 2.0
    assert server.count("GET", "/slow") == 1


def test_a_delay_longer_than_the_bound_is_refused() -> None:
    with pytest.raises(ValueError, match="delay"):
        Reply(delay=60.0)


def test_connections_are_counted_until_the_client_closes_them(
    loopback: LoopbackServer, http: urllib3.PoolManager
) -> None:
    loopback.route("GET", "/", Reply.json(200, {}))
    http.request("GET", loopback.url + "/")
    assert loopback.open_connections == 1

    http.clear()

    assert loopback.wait_until_idle(timeout=2.0)
    assert loopback.connections == 1


def test_a_refusing_port_refuses(http: urllib3.PoolManager) -> None:
    with refusing_port() as port, pytest.raises(urllib3.exceptions.NewConnectionError):
        http.request("GET", f"http://127.0.0.1:{port}/")

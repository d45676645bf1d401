"""The default transport's fast paths send and receive exactly what the general paths do.

A request with a small bytes body is written in one piece (head and body together, as
http.client does); larger or absent bodies as before. A response of known length without a
content coding is read in one go; a compressed one through the chunk loop, which keeps the
size limit on the decoded bytes. Writes are observed on a ``SOCK_SEQPACKET`` socket pair,
which keeps the boundaries of each write; responses come from the loopback server.
"""

from __future__ import annotations

import gzip
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from generated.formation import _transport as transport_module
from generated.formation import errors
from generated.formation._retry import Timeout
from generated.formation._transport import Request, Urllib3Transport
from tests.helpers.loopback import LoopbackServer, Reply

CONNECTIONS = [transport_module._HTTPConnection, transport_module._HTTPSConnection]


@pytest.fixture
def packets() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A pair of connected sockets that keep each write a message of its own."""
    if not hasattr(socket, "AF_UNIX"):
        pytest.skip("needs AF_UNIX sockets")
    near, far = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    far.settimeout(2.0)
    with near, far:
        yield near, far


def writes(far: socket.socket) -> list[bytes]:
    """Every message written so far to the other end, in order."""
    found: list[bytes] = []
    far.setblocking(False)
    try:
        while message := far.recv(1 << 20):
            found.append(message)
    except BlockingIOError:
        pass
    return found


def connected(connection_class: Any, sock: socket.socket) -> Any:
    connection = connection_class("127.0.0.1", 80)
    connection.sock = sock  # already connected: the writes go to the socket pair
    return connection


@pytest.mark.parametrize("connection_class", CONNECTIONS, ids=["http", "https"])
def test_a_small_body_is_written_with_the_head_in_one_write(
    packets: tuple[socket.socket, socket.socket], connection_class: Any
) -> None:
    near, far = packets
    body = json.dumps({"name": "Jane", "notes": "x" * 1000}).encode()
    connected(connection_class, near).request("POST", "/contacts", body=body, headers={"X-Key": "k"})
    [message] = writes(far)
    head, _, sent = message.partition(b"\r\n\r\n")
    assert head.startswith(b"POST /contacts HTTP/1.1\r\n")
    assert f"Content-Length: {len(body)}".encode() in head.split(b"\r\n")
    assert sent == body


@pytest.mark.parametrize("connection_class", CONNECTIONS, ids=["http", "https"])
def test_without_a_body_the_head_is_written_at_once(
    packets: tuple[socket.socket, socket.socket], connection_class: Any
) -> None:
    near, far = packets
    connected(connection_class, near).request("GET", "/contacts?limit=5", headers={"X-Key": "k"})
    [message] = writes(far)
    assert message.startswith(b"GET /contacts?limit=5 HTTP/1.1\r\n")
    assert message.endswith(b"\r\n\r\n")


def test_a_large_body_is_not_copied_to_join_the_head(packets: tuple[socket.socket, socket.socket]) -> None:
    near, far = packets
    near.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    far.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    body = b"0" * (transport_module._CHUNK + 1)
    connected(transport_module._HTTPConnection, near).request("PUT", "/files/1", body=body)
    head, sent = writes(far)
    assert head.endswith(b"\r\n\r\n")
    assert b"Content-Length: 65537" in head
    assert sent == body


def send(url: str, *, limit: int = 10 * 1024 * 1024) -> Any:
    request = Request(
        method="GET",
        url=url,
        headers={"Accept": "application/json"},
        timeout=Timeout(connect=2.0, read=2.0, total=5.0),
        max_response_bytes=limit,
    )
    transport = Urllib3Transport()
    try:
        return transport.send(request)
    finally:
        transport.close()


def test_a_body_of_known_length_is_read_whole(loopback: LoopbackServer) -> None:
    data = {"items": [{"id": index, "name": "é" * 50} for index in range(2000)]}  # more than one read of 64 KiB
    loopback.route("GET", "/big", Reply.json(200, data, headers={"X-Request-Id": "r1"}))
    response = send(loopback.url + "/big")
    assert json.loads(response.body) == data
    assert response.headers["x-request-id"] == "r1"
    assert int(response.headers["content-length"]) == len(response.body)


def test_a_compressed_body_is_decoded(loopback: LoopbackServer) -> None:
    data = {"items": list(range(5000))}
    packed = gzip.compress(json.dumps(data).encode())
    loopback.route(
        "GET", "/packed", Reply.raw(200, packed, content_type="application/json", headers={"Content-Encoding": "gzip"})
    )
    response = send(loopback.url + "/packed")
    assert json.loads(response.body) == data


def test_a_compressed_body_over_the_limit_once_decoded_is_refused(loopback: LoopbackServer) -> None:
    packed = gzip.compress(b"[" + b"0," * 500_000 + b"0]")  # about 1 MB decoded, a few KiB sent
    loopback.route(
        "GET", "/bomb", Reply.raw(200, packed, content_type="application/json", headers={"Content-Encoding": "gzip"})
    )
    assert len(packed) < 100_000
    with pytest.raises(errors.ResponseTooLarge, match="exceeds the limit of 100000 bytes"):
        send(loopback.url + "/bomb", limit=100_000)

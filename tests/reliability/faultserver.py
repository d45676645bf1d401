"""HTTP/1.1 servers on 127.0.0.1 built on raw sockets, for the reliability suite.

:class:`FaultServer` answers each request with an :class:`Action` chosen by a plan: a
normal response, or a fault (reset before or after the body, no answer at all, a body cut
off, a body dripped one byte at a time, a huge body). It records every request it
received and whether it *processed* it: a create is processed when its complete body was
received and the action answers as a server that acted on it would (a 2XX, a 5XX other
than 503, a reset or a stall after the body; not a 429, a 503 or a redirect).
:class:`EchoServer` is a fast threaded keep-alive server for the concurrency tests.

Both are bounded: a number of connections (or requests) and a lifetime, after which they
stop accepting; every socket operation has a timeout, so no test can hang on them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

LOOPBACK = "127.0.0.1"
MAX_HEAD_BYTES = 64 * 1024
MAX_BODY_BYTES = 4 * 1024 * 1024
_CHUNK = 64 * 1024
_POLL = 0.05


class ClientGone(Exception):
    """The client closed the connection (or the server is stopping)."""


@dataclass(frozen=True)
class Received:
    """One request as the server read it."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    complete: bool

    @property
    def path(self) -> str:
        """The target without its query string."""
        return self.target.split("?", 1)[0]

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body.decode("utf-8"))

    @property
    def digest(self) -> str:
        """sha256 of method, target and body: one client call sends the same bytes on every attempt."""
        return hashlib.sha256(f"{self.method} {self.target}\n".encode() + self.body).hexdigest()


@dataclass(frozen=True)
class Record:
    """What the server did with one request."""

    request: Received
    action: str
    processed: bool


@dataclass(frozen=True)
class Action:
    """How to answer one request.

    ``kind`` is ``"respond"``, ``"reset_before_body"``, ``"reset_after_body"`` or ``"stall"``
    (read the body, never answer). For ``"respond"``: ``body`` (bytes, or a function of
    the request), ``declared_length`` announced instead of the real length, ``cut_after``
    body bytes sent before closing, ``drip`` seconds between single bytes (of the body, or
    of the whole response when ``drip_head``), ``filler`` zero bytes streamed after the
    body (chunked when ``chunked``).
    """

    kind: str = "respond"
    status: int = 200
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)
    body: bytes | Callable[[Received], bytes] = b"{}"
    processes: bool = True
    declared_length: int | None = None
    cut_after: int | None = None
    drip: float | None = None
    drip_head: bool = False
    filler: int = 0
    chunked: bool = False
    label: str = ""

    @property
    def name(self) -> str:
        """A short description for records and reports."""
        return self.label or (f"{self.kind} {self.status}" if self.kind == "respond" else self.kind)


Plan = Callable[[int, Received], Action]
"""Chooses the action for the n-th request (0-based) a server received, from its head (no body yet)."""


def sequence(*actions: Action) -> Plan:
    """A plan answering request n with ``actions[n]``, and the last action from then on."""

    def plan(index: int, request: Received) -> Action:
        return actions[min(index, len(actions) - 1)]

    return plan


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class _Connection:
    """Reads requests from one socket, with a deadline and a stop event."""

    def __init__(self, sock: socket.socket, stop: threading.Event, deadline: float) -> None:
        self.sock = sock
        self.stop = stop
        self.deadline = deadline
        self.buffer = bytearray()
        sock.settimeout(_POLL)

    def _recv(self) -> bytes:
        while True:
            if self.stop.is_set() or time.monotonic() > self.deadline:
                raise ClientGone("server stopping")
            try:
                data = self.sock.recv(_CHUNK)
            except TimeoutError:
                continue
            except OSError as exc:
                raise ClientGone(str(exc)) from None
            if not data:
                raise ClientGone("client closed the connection")
            return data

    def read_head(self) -> tuple[str, str, dict[str, str]] | None:
        """Request line and headers; None when the client closed before sending anything."""
        while b"\r\n\r\n" not in self.buffer:
            if len(self.buffer) > MAX_HEAD_BYTES:
                raise ClientGone("request head too large")
            try:
                self.buffer += self._recv()
            except ClientGone:
                if not self.buffer:
                    return None
                raise
        head, _, rest = bytes(self.buffer).partition(b"\r\n\r\n")
        self.buffer = bytearray(rest)
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return method, target, headers

    def read_body(self, headers: dict[str, str]) -> tuple[bytes, bool]:
        """The body announced by Content-Length, and whether all of it arrived."""
        length = int(headers.get("content-length", "0") or "0")
        if length > MAX_BODY_BYTES:
            raise ClientGone("request body too large")
        try:
            while len(self.buffer) < length:
                self.buffer += self._recv()
        except ClientGone:
            return bytes(self.buffer), False
        body, self.buffer = bytes(self.buffer[:length]), self.buffer[length:]
        return body, True

    def send(self, data: bytes) -> None:
        """Send everything or raise ClientGone."""
        self.sock.settimeout(2.0)
        try:
            self.sock.sendall(data)
        except OSError as exc:
            raise ClientGone(str(exc)) from None
        finally:
            self.sock.settimeout(_POLL)

    def pause(self, seconds: float) -> None:
        """Sleep, unless the server stops meanwhile."""
        if self.stop.wait(seconds) or time.monotonic() > self.deadline:
            raise ClientGone("server stopping")

    def wait_for_close(self, limit: float) -> None:
        """Hold the connection open without answering, until the client leaves or ``limit`` passes."""
        end = time.monotonic() + limit
        while time.monotonic() < end:
            try:
                self._recv()
            except ClientGone:
                return

    def reset(self) -> None:
        """Close with a TCP RST (SO_LINGER 0)."""
        with contextlib.suppress(OSError):
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


class _BaseServer:
    """Listening socket, accept loop and bookkeeping shared by both servers."""

    def __init__(self, *, max_connections: int, lifetime: float) -> None:
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((LOOPBACK, 0))
        self._listener.listen(128)
        self._listener.settimeout(_POLL)
        self.port: int = self._listener.getsockname()[1]
        self._max_connections = max_connections
        self._deadline = time.monotonic() + lifetime
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self.connections = 0
        self.failures: list[str] = []
        """Unexpected server-side exceptions (a test asserts there are none)."""
        self._acceptor = threading.Thread(target=self._accept_loop, name=f"{type(self).__name__}:{self.port}")
        self._acceptor.daemon = True

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        """Start accepting connections."""
        self._acceptor.start()

    def _accept_loop(self) -> None:
        try:
            while not self._stop.is_set() and time.monotonic() < self._deadline:
                if self.connections >= self._max_connections:
                    break
                try:
                    sock, _ = self._listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    break
                with self._lock:
                    self.connections += 1
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                thread = threading.Thread(target=self._serve_guarded, args=(sock,), daemon=True)
                with self._lock:
                    self._threads.append(thread)
                thread.start()
        finally:
            self._listener.close()

    def _serve_guarded(self, sock: socket.socket) -> None:
        connection = _Connection(sock, self._stop, self._deadline)
        try:
            self._serve(connection)
        except ClientGone:
            pass
        except Exception as exc:  # recorded for the test to fail on, never silently lost
            with self._lock:
                self.failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            sock.close()

    def _serve(self, connection: _Connection) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Stop accepting, end every connection and wait for the threads."""
        self._stop.set()
        if self._acceptor.is_alive():
            self._acceptor.join(timeout=5)
        else:
            self._listener.close()
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout=5)

    def __enter__(self) -> _BaseServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class FaultServer(_BaseServer):
    """One request per connection, answered (or not) as the plan says; every request recorded."""

    def __init__(
        self, plan: Plan, *, max_connections: int = 32, lifetime: float = 60.0, hold_limit: float = 3.0
    ) -> None:
        super().__init__(max_connections=max_connections, lifetime=lifetime)
        self._plan = plan
        self._hold_limit = hold_limit
        self._planned = 0
        self.records: list[Record] = []

    def __enter__(self) -> FaultServer:
        self.start()
        return self

    @property
    def requests(self) -> int:
        """Requests whose head arrived."""
        return len(self.records)

    def processed(self, predicate: Callable[[Received], bool] = lambda request: True) -> list[Record]:
        """Processed requests (those matching ``predicate``)."""
        return [record for record in self.records if record.processed and predicate(record.request)]

    def _serve(self, connection: _Connection) -> None:
        head = connection.read_head()
        if head is None:
            return
        method, target, headers = head
        with self._lock:
            index, self._planned = self._planned, self._planned + 1
        probe = Received(method, target, headers, b"", False)
        action = self._plan(index, probe)  # from the head alone: a body callable sees the whole request
        if action.kind == "reset_before_body":
            self._record(probe, action, processed=False)
            connection.reset()
            return
        body, complete = connection.read_body(headers)
        request = Received(method, target, headers, body, complete)
        self._record(request, action, processed=complete and action.processes)
        if not complete:
            return
        if action.kind == "reset_after_body":
            connection.reset()
        elif action.kind == "stall":
            connection.wait_for_close(self._hold_limit)
        else:
            self._respond(connection, action, request)

    def _record(self, request: Received, action: Action, *, processed: bool) -> None:
        with self._lock:
            self.records.append(Record(request, action.name, processed))

    def _respond(self, connection: _Connection, action: Action, request: Received) -> None:
        body = action.body(request) if callable(action.body) else action.body
        lines = [f"HTTP/1.1 {action.status} {_reason(action.status)}", *(f"{k}: {v}" for k, v in action.headers)]
        if action.chunked:
            lines.append("Transfer-Encoding: chunked")
        else:
            length = action.declared_length if action.declared_length is not None else len(body) + action.filler
            lines.append(f"Content-Length: {length}")
        lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        started = time.monotonic()
        if action.drip_head:
            for byte in head + body:
                connection.send(bytes([byte]))
                if time.monotonic() - started + (action.drip or 1.0) > self._hold_limit:
                    return
                connection.pause(action.drip or 1.0)
            return
        connection.send(head)
        if action.chunked:
            connection.send(f"{len(body):x}\r\n".encode() + body + b"\r\n" if body else b"")
            self._stream(connection, action.filler, chunked=True)
            connection.send(b"0\r\n\r\n")
        elif action.drip is not None:
            for byte in body:
                connection.send(bytes([byte]))
                if time.monotonic() - started + action.drip > self._hold_limit:
                    return
                connection.pause(action.drip)
        elif action.cut_after is not None:
            connection.send(body[: action.cut_after])
        else:
            connection.send(body)
            self._stream(connection, action.filler, chunked=False)
        connection.sock.shutdown(socket.SHUT_WR)
        connection.wait_for_close(1.0)

    @staticmethod
    def _stream(connection: _Connection, size: int, *, chunked: bool) -> None:
        block = b"0" * _CHUNK
        framed = f"{len(block):x}\r\n".encode() + block + b"\r\n"
        sent = 0
        while sent < size:
            connection.send(framed if chunked else block)
            sent += len(block)


Handler = Callable[[Received], tuple[int, dict[str, str], bytes]]


class EchoServer(_BaseServer):
    """Keep-alive, one thread per connection; ``handler`` answers each request. Counts requests."""

    def __init__(self, handler: Handler, *, max_requests: int, max_connections: int = 64, lifetime: float = 300.0):
        super().__init__(max_connections=max_connections, lifetime=lifetime)
        self._handler = handler
        self._max_requests = max_requests
        self.request_count = 0

    def __enter__(self) -> EchoServer:
        self.start()
        return self

    def _serve(self, connection: _Connection) -> None:
        while True:
            head = connection.read_head()
            if head is None:
                return
            method, target, headers = head
            body, complete = connection.read_body(headers)
            if not complete:
                return
            with self._lock:
                self.request_count += 1
                over = self.request_count > self._max_requests
            if over:
                raise ClientGone("request budget spent")
            status, response_headers, payload = self._handler(Received(method, target, headers, body, True))
            lines = [f"HTTP/1.1 {status} {_reason(status)}", *(f"{k}: {v}" for k, v in response_headers.items())]
            lines.append(f"Content-Length: {len(payload)}")
            connection.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload)


def refused_port() -> tuple[socket.socket, int]:
    """A socket bound on 127.0.0.1 that does not listen: connecting to its port is refused.

    Keep the socket open while the port is used (so nothing else takes it), then close it.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((LOOPBACK, 0))
    return sock, sock.getsockname()[1]


def json_bytes(value: Any) -> bytes:
    """Compact JSON bytes."""
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


@dataclass
class Counter:
    """A thread-safe counter with a history of timestamps."""

    times: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self) -> int:
        """Count one event; returns the new count."""
        with self._lock:
            self.times.append(time.monotonic())
            return len(self.times)

    @property
    def count(self) -> int:
        """Events so far."""
        with self._lock:
            return len(self.times)


__all__: Sequence[str] = [
    "Action",
    "ClientGone",
    "Counter",
    "EchoServer",
    "FaultServer",
    "Received",
    "Record",
    "json_bytes",
    "refused_port",
    "sequence",
]

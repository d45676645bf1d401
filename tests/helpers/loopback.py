"""A real HTTP/1.1 server on 127.0.0.1, in a thread, that answers from a script and records every request.

Tests of the generated clients use it instead of mocks: requests go through the real
transport (urllib3, sockets, keep-alive), and the test then asserts exactly what reached
the server. Everything is bounded: the number of requests a server accepts, the time a
connection may idle, the time a scripted delay may last, and the time ``stop()`` takes.

Usage, in a test module::

    from tests.helpers.loopback import LoopbackServer, Reply


    def test_create(loopback: LoopbackServer) -> None:
        loopback.route(
            "POST", "/contacts", Reply.json(429, {}, headers={"Retry-After": "0"}), Reply.json(200, {"id": 1})
        )
        with Client(base_url=loopback.url, ...) as client:
            client.create_contact(...)
        assert [request.method for request in loopback.requests] == ["POST", "POST"]
        assert loopback.requests[0].header("x-api-key") == "..."

Script:

- ``route(method, path, *answers)``: requests with that method and raw path (the path as
  sent, percent-encoding kept, without the query; ``"*"`` matches any path not routed
  exactly) get the answers in order, and the last answer again once the others are used
  up. An answer is a :class:`Reply` or a function ``(Recorded) -> Reply``, which can
  decide from the request (for example answer 401 to an old token); it runs in the
  server's thread for that connection, so it must be thread-safe.
- A request no route matches gets ``404 {"message": "loopback: no route ..."}``; it is still
  recorded.
- ``Reply(delay=...)`` waits before answering (a slow server); ``Reply(chunked=True)``
  sends the body with chunked transfer encoding (no Content-Length); ``Reply.dropped()``
  closes the connection without answering (the request arrived, the response never does).

Records: ``requests`` (every request, in arrival order, as :class:`Recorded`),
``count(method, path)``, ``open_connections`` and ``wait_until_idle()`` (to check that a
client released its connections).

Fixtures (``tests/conftest.py``): ``loopback``, a server started for one test and stopped
afterwards, and the test fails at teardown when the server saw a problem (more requests
than ``max_requests``, an answer function that raised); ``refused_url``, an address where
every connection is refused (see :func:`refusing_port`).
"""

from __future__ import annotations

import contextlib
import http.server
import json
import socket
import socketserver
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Answer",
    "LoopbackServer",
    "Recorded",
    "Reply",
    "refusing_port",
]

MAX_DELAY = 10.0
"""The longest ``Reply.delay`` allowed, in seconds: a scripted delay can never hang a test."""

MAX_REQUEST_BODY = 16 * 1024 * 1024
"""Request bodies larger than this are not read: the connection is closed and a problem recorded."""


@dataclass(frozen=True)
class Recorded:
    """One request as the server received it."""

    method: str
    target: str
    """The request target exactly as sent: raw path plus ``?query``."""
    path: str
    """The raw path, percent-encoding kept (``/consumers/..%2Fx``), without the query."""
    query: tuple[tuple[str, str], ...]
    """The query as decoded ``(name, value)`` pairs, in order."""
    headers: tuple[tuple[str, str], ...]
    """Every header line as received, in order (names as sent)."""
    body: bytes
    connection: int
    """Sequence number of the TCP connection the request came on (1 for the first)."""
    received_at: float
    """``time.monotonic()`` when the request was complete."""

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (case-insensitive); None when absent; values of repeats joined by ", "."""
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return ", ".join(values) if values else None

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body.decode("utf-8"))

    @property
    def query_dict(self) -> dict[str, str]:
        """The query as a dict (the last value of a repeated name wins)."""
        return dict(self.query)


@dataclass(frozen=True)
class Reply:
    """A scripted answer."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0
    """Seconds to wait before answering (at most ``MAX_DELAY``; cut short when the server stops)."""
    chunked: bool = False
    """Send the body with ``Transfer-Encoding: chunked`` instead of a Content-Length."""
    drop: bool = False
    """Close the connection without answering (after ``delay``): the request reached the server, no response."""

    def __post_init__(self) -> None:
        if not 0 <= self.delay <= MAX_DELAY:
            raise ValueError(f"delay must be between 0 and {MAX_DELAY} seconds")

    @classmethod
    def json(
        cls,
        status: int,
        data: Any,
        *,
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
        chunked: bool = False,
    ) -> Reply:
        """``data`` serialised as JSON, with ``Content-Type: application/json``."""
        return cls.raw(
            status,
            json.dumps(data).encode("utf-8"),
            content_type="application/json",
            headers=headers,
            delay=delay,
            chunked=chunked,
        )

    @classmethod
    def dropped(cls, *, delay: float = 0.0) -> Reply:
        """No answer: the connection is closed once the request has arrived (after ``delay``)."""
        return cls(drop=True, delay=delay)

    @classmethod
    def raw(
        cls,
        status: int,
        body: bytes | str,
        *,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
        chunked: bool = False,
    ) -> Reply:
        """Any body (``str`` is encoded as UTF-8), with ``content_type`` when given."""
        lines = [("Content-Type", content_type)] if content_type else []
        lines += list((headers or {}).items())
        data = body.encode("utf-8") if isinstance(body, str) else body
        return cls(status=status, body=data, headers=tuple(lines), delay=delay, chunked=chunked)


Answer = Reply | Callable[[Recorded], Reply]
"""What a route answers with: a fixed reply, or a function of the request."""


@dataclass
class _Route:
    method: str
    path: str
    answers: list[Answer]
    used: int = 0

    def matches(self, request: Recorded) -> bool:
        return self.method == request.method and self.path in ("*", request.path)

    def next_answer(self) -> Answer:
        answer = self.answers[min(self.used, len(self.answers) - 1)]
        self.used += 1
        return answer


def _pick_route(routes: list[_Route], request: Recorded) -> _Route | None:
    """The route for ``request``: one for its exact path before a ``"*"`` one."""
    matching = [route for route in routes if route.matches(request)]
    exact = [route for route in matching if route.path != "*"]
    candidates = exact or matching
    return candidates[0] if candidates else None


@dataclass
class _State:
    max_requests: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    routes: list[_Route] = field(default_factory=list)
    requests: list[Recorded] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    connections: int = 0
    open_sockets: dict[int, socket.socket] = field(default_factory=dict)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real APIs do: the client's pool is exercised
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.idle_timeout)  # an idle or stuck connection is dropped
        state = self.server.state
        with state.lock:
            state.connections += 1
            self.connection_number = state.connections
            state.open_sockets[self.connection_number] = self.connection

    def finish(self) -> None:
        with contextlib.suppress(OSError):  # the client went away first
            super().finish()
        state = self.server.state
        with state.lock:
            state.open_sockets.pop(self.connection_number, None)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr log: the records are the log."""

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except OSError:
            self.close_connection = True  # reset or timed out: the client is gone

    def _serve(self) -> None:
        state = self.server.state
        body = self._read_body()
        target = self.path
        raw_path, _, raw_query = target.partition("?")
        request = Recorded(
            method=self.command,
            target=target,
            path=raw_path,
            query=tuple(urllib.parse.parse_qsl(raw_query, keep_blank_values=True)),
            headers=tuple(self.headers.items()),
            body=body,
            connection=self.connection_number,
            received_at=time.monotonic(),
        )
        with state.lock:
            state.requests.append(request)
            over_limit = len(state.requests) > state.max_requests
            if over_limit:
                state.problems.append(f"more than {state.max_requests} requests; dropped {request.method} {target}")
            route = _pick_route(state.routes, request)
            answer = route.next_answer() if route is not None else None
        if over_limit:
            self.close_connection = True
            return
        if answer is None:
            reply = Reply.json(404, {"message": f"loopback: no route for {request.method} {request.path}"})
        elif isinstance(answer, Reply):
            reply = answer
        else:
            try:
                reply = answer(request)
            except Exception as exc:  # a broken answer function must fail the test, not the server thread
                with state.lock:
                    state.problems.append(f"answer to {request.method} {target} raised {exc!r}")
                reply = Reply.json(500, {"message": "loopback: the answer function raised"})
        if reply.delay and state.stopping.wait(reply.delay):
            self.close_connection = True
            return
        if reply.drop:
            self.close_connection = True
            return
        self._write(reply)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass  # trailers
                    return b"".join(chunks)
                total += size
                if total > MAX_REQUEST_BODY:
                    raise ValueError(f"chunked request body over {MAX_REQUEST_BODY} bytes")
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BODY:
            raise ValueError(f"request body of {length} bytes, over {MAX_REQUEST_BODY}")
        return self.rfile.read(length) if length else b""

    def _write(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
                if name.lower() == "connection" and value.lower() == "close":
                    self.close_connection = True
            if reply.chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if reply.chunked:
                for start in range(0, len(reply.body), 4096):
                    piece = reply.body[start : start + 4096]
                    self.wfile.write(f"{len(piece):x}\r\n".encode("ascii") + piece + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.wfile.write(reply.body)
            self.wfile.flush()
        except OSError:
            self.close_connection = True  # the client gave up (for example after its read timeout)


# http.server dispatches on do_<METHOD>; every method is served the same way.
for _method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
    setattr(_Handler, f"do_{_method}", _Handler._serve)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # many threads may connect at once
    state: _State
    idle_timeout: float

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse DNS lookup of the host name (which can be slow)."""
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Record instead of printing a traceback; the fixture turns records into a failure."""
        error = sys.exc_info()[1]
        with self.state.lock:
            self.state.problems.append(f"server error on a connection from {client_address}: {error!r}")


class LoopbackServer:
    """An HTTP server on 127.0.0.1 (a free port) answering from a script; see the module docstring.

    Args:
        max_requests: requests beyond this many are dropped (connection closed, no answer)
            and reported as a problem, so a client stuck in a retry loop ends quickly.
        idle_timeout: seconds a connection may stay silent before the server closes it.
    """

    def __init__(self, *, max_requests: int = 100, idle_timeout: float = 5.0) -> None:
        self._state = _State(max_requests=max_requests)
        self._idle_timeout = idle_timeout
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> LoopbackServer:
        """Bind a free port on 127.0.0.1 and serve in a daemon thread."""
        if self._server is not None:
            raise RuntimeError("the server is already started")
        server = _Server(("127.0.0.1", 0), _Handler, bind_and_activate=False)
        server.state = self._state
        server.idle_timeout = self._idle_timeout
        try:
            server.server_bind()
            server.server_activate()
        except OSError:
            server.server_close()
            raise
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="loopback", daemon=True
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving: cut scripted delays short, close every connection, release the port."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._state.stopping.set()
        server.shutdown()
        with self._state.lock:
            sockets = list(self._state.open_sockets.values())
        for sock in sockets:
            with contextlib.suppress(OSError):  # already closed by the handler or the peer
                sock.shutdown(socket.SHUT_RDWR)
        server.server_close()
        thread.join(timeout)
        self._server = self._thread = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- script -----------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: the base URL to give a client."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def port(self) -> int:
        """The port the server listens on."""
        if self._server is None:
            raise RuntimeError("the server is not started")
        return int(self._server.server_address[1])

    def route(self, method: str, path: str, *answers: Answer) -> None:
        """Answer ``method path`` with ``answers`` in order (the last one repeats); see the module docstring.

        A later route for the same method and path replaces the earlier one.
        """
        if not answers:
            raise ValueError("a route needs at least one answer")
        with self._state.lock:
            self._state.routes = [
                route for route in self._state.routes if (route.method, route.path) != (method.upper(), path)
            ]
            self._state.routes.append(_Route(method.upper(), path, list(answers)))

    # -- records ----------------------------------------------------------------------

    @property
    def requests(self) -> list[Recorded]:
        """Every request received so far, in arrival order (a copy)."""
        with self._state.lock:
            return list(self._state.requests)

    def requests_to(self, method: str, path: str) -> list[Recorded]:
        """The requests with this method and raw path (``"*"``: any path)."""
        return [
            request for request in self.requests if request.method == method.upper() and path in ("*", request.path)
        ]

    def count(self, method: str, path: str) -> int:
        """How many requests had this method and raw path (``"*"``: any path)."""
        return len(self.requests_to(method, path))

    @property
    def problems(self) -> list[str]:
        """What went wrong on the server side (too many requests, an answer function that raised)."""
        with self._state.lock:
            return list(self._state.problems)

    @property
    def open_connections(self) -> int:
        """Connections currently open from clients."""
        with self._state.lock:
            return len(self._state.open_sockets)

    @property
    def connections(self) -> int:
        """Connections accepted so far."""
        with self._state.lock:
            return self._state.connections

    def wait_until_idle(self, timeout: float = 2.0) -> bool:
        """Wait until no client connection is open; False if some still are after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while self.open_connections:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True


@contextlib.contextmanager
def refusing_port() -> Iterator[int]:
    """A port on 127.0.0.1 bound to a socket that never listens: connecting to it is refused at once.

    The socket stays bound while the context is open, so nothing else can start listening there.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])
    finally:
        sock.close()

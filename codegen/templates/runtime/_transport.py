"""Transports: how a prepared request reaches a server. The one boundary with urllib3.

:class:`Urllib3Transport` is the default of ``Client`` (a thread-safe urllib3 PoolManager
that reuses connections). :class:`MockTransport`, in ``testing``, answers from a function
instead. Every urllib3 or socket exception is mapped here to the ``errors`` tree.
``AsyncClient`` takes an :class:`AsyncTransport`: ``HttpxTransport`` (``_httpx.py``) or
``testing.AsyncMockTransport``.

``Timeout.total`` is enforced here as a deadline for the whole attempt: the connection
classes of the transport's pools give every send and every read of the socket only the
time left until it (see :class:`_DeadlineResponse`), so a server that drips its status
line or headers cannot hold a call past it. A connection that hit the deadline is closed
by urllib3, never returned to the pool half-read.
"""

from __future__ import annotations

import contextvars
import http.client
import io
import socket
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

import attrs
import urllib3
from urllib3 import connection as urllib3_connection
from urllib3 import exceptions as urllib3_errors

from ._retry import DEFAULT_TIMEOUT, Timeout, seconds_left
from .errors import (
    ConnectError,
    ConnectionLost,
    ConnectTimeout,
    ReadTimeout,
    ResponseTooLarge,
    TransportError,
    request_id,
)

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import TypeAlias

    from _typeshed import ReadableBuffer, SupportsRead, WriteableBuffer

    _Sendable: TypeAlias = ReadableBuffer | SupportsRead[bytes] | Iterable[ReadableBuffer] | str

__all__ = ["AsyncTransport", "BodyBuffer", "Request", "Response", "Transport", "Urllib3Transport"]

_CHUNK = 65536
# What urllib3 would build from retries=False on every request; it never changes, so build it once.
_NO_RETRIES = urllib3.Retry(False, redirect=False)

# The deadline (time.monotonic()) of the attempt this thread is sending; the connection
# classes below read it, as urllib3 gives them no other way to learn it.
_DEADLINE: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)


@attrs.frozen
class Request:
    """A request ready to send. ``headers`` may hold credentials: never log or show them."""

    method: str
    url: str
    headers: Mapping[str, str] = attrs.field(repr=False)
    body: bytes | None = attrs.field(default=None, repr=False)
    timeout: Timeout = DEFAULT_TIMEOUT
    max_response_bytes: int = 10 * 1024 * 1024


@attrs.frozen
class Response:
    """A response: status, headers (lower-case names) and the whole body."""

    status: int
    headers: Mapping[str, str]
    body: bytes = attrs.field(repr=lambda body: f"<{len(body)} bytes>")


class Transport(Protocol):
    """Anything that can send a :class:`Request` and return a :class:`Response`."""

    def send(self, request: Request) -> Response:
        """Send ``request``; raise an ``errors.TransportError`` subclass on failure."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class AsyncTransport(Protocol):
    """Anything that can send a :class:`Request` from a coroutine and return a :class:`Response`."""

    async def send(self, request: Request) -> Response:
        """Send ``request``; raise an ``errors.TransportError`` subclass on failure."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


class Urllib3Transport:
    """Sends requests with one urllib3 PoolManager: connections are reused, and it is thread-safe.

    It never follows redirects (a redirect to another host must not receive credentials)
    and never retries by itself: retries are the client's policy.
    """

    def __init__(self, *, pool_maxsize: int = 16, pool_manager: urllib3.PoolManager | None = None) -> None:
        """A transport on a PoolManager of its own, or on ``pool_manager``.

        A ``pool_manager`` given keeps its own connection classes: with it, ``Timeout.total``
        is checked only between reads of the body, not while connecting, sending or reading headers.
        """
        self._deadline_pools = pool_manager is None
        if pool_manager is None:
            pool_manager = urllib3.PoolManager(maxsize=pool_maxsize, block=False, retries=False)
            pool_manager.pool_classes_by_scheme = {"http": _HTTPConnectionPool, "https": _HTTPSConnectionPool}
        self._pool = pool_manager
        # The urllib3 Timeout of the last Timeout sent with: clients send with one, and building it costs.
        self._timeouts: tuple[Timeout, urllib3.Timeout] | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def send(self, request: Request) -> Response:
        """Send one request; the body is read up to ``request.max_response_bytes``."""
        limits = request.timeout
        timeout = self._urllib3_timeout(limits)
        started = time.monotonic()
        token = _DEADLINE.set(started + limits.total)
        try:
            # urlopen, not request: the body is bytes already, and urllib3 copies the headers once.
            raw = self._pool.urlopen(
                request.method,
                request.url,
                body=request.body,
                headers=request.headers,
                timeout=timeout,
                retries=_NO_RETRIES,
                redirect=False,
                preload_content=False,
                decode_content=True,
            )
        except urllib3_errors.NewConnectionError as exc:  # first: a subclass of ConnectTimeoutError
            raise ConnectError(f"cannot connect: {_reason(exc)}", **_context(request)) from None
        except urllib3_errors.ConnectTimeoutError as exc:
            raise ConnectTimeout(f"connecting timed out: {_reason(exc)}", **_context(request)) from None
        except urllib3_errors.SSLError as exc:
            raise ConnectError(f"TLS handshake failed: {_reason(exc)}", **_context(request)) from None
        except urllib3_errors.ReadTimeoutError:
            raise ReadTimeout(
                _late(limits, started, f"no response within {limits.read} s"), **_context(request)
            ) from None
        except urllib3_errors.ProtocolError as exc:
            if any(isinstance(cause, TimeoutError) for cause in (*exc.args, exc.__context__)):
                # Sending timed out: the server stopped reading the request.
                message = _late(limits, started, f"request not sent within {limits.connect} s")
                raise ReadTimeout(message, **_context(request)) from None
            raise ConnectionLost(f"connection lost: {_reason(exc)}", **_context(request)) from None
        except ConnectionError as exc:
            raise ConnectionLost(f"connection lost: {_reason(exc)}", **_context(request)) from None
        except UnicodeError:
            # http.client's message would quote the offending header value, possibly a secret.
            raise TransportError("a request header is not Latin-1 text", **_context(request)) from None
        except urllib3_errors.LocationValueError as exc:
            raise ConnectError(f"invalid URL: {_reason(exc)}", **_context(request)) from None
        except (urllib3_errors.HTTPError, OSError) as exc:
            raise TransportError(f"request failed: {_reason(exc)}", **_context(request)) from None
        finally:
            _DEADLINE.reset(token)
        try:
            buffer = BodyBuffer(raw.status, raw.headers, request.max_response_bytes)
            body = self._read_body(raw, buffer, request, started)
        finally:
            raw.release_conn()
        return Response(status=raw.status, headers=buffer.headers, body=body)

    def _urllib3_timeout(self, limits: Timeout) -> urllib3.Timeout:
        last = self._timeouts
        if last is not None and last[0] is limits:
            return last[1]
        # No wait may outlast the deadline; the connection classes below shorten them as it nears.
        timeout = urllib3.Timeout(connect=min(limits.connect, limits.total), read=min(limits.read, limits.total))
        self._timeouts = (limits, timeout)
        return timeout

    def _read_body(self, raw: urllib3.BaseHTTPResponse, buffer: BodyBuffer, request: Request, started: float) -> bytes:
        oversized = buffer.declared_too_large()
        if oversized is not None:
            raw.drain_conn() if buffer.declared <= 4 * _CHUNK else raw.close()
            raise oversized
        try:
            if self._deadline_pools and buffer.declared >= 0 and "content-encoding" not in buffer.headers:
                # The usual answer: its length is known and within the limit, and every read of the
                # socket is bounded by the deadline (_DeadlineReader), so one read takes it all.
                return raw.read()
            while True:
                chunk = raw.read1(_CHUNK) if hasattr(raw, "read1") else raw.read(_CHUNK)
                if not chunk:
                    break
                oversized = buffer.add(chunk)
                if oversized is not None:
                    raw.close()
                    raise oversized
                if time.monotonic() - started > request.timeout.total:  # a pool_manager without the deadline
                    raw.close()
                    message = f"response not complete within {request.timeout.total} s"
                    raise ReadTimeout(message, **_context(request))
        except urllib3_errors.ReadTimeoutError:
            message = _late(request.timeout, started, f"response stalled for {request.timeout.read} s")
            raise ReadTimeout(message, **_context(request)) from None
        except (urllib3_errors.ProtocolError, urllib3_errors.DecodeError, ConnectionError, OSError) as exc:
            raise ConnectionLost(f"response cut off: {_reason(exc)}", **_context(request)) from None
        return buffer.body()

    def close(self) -> None:
        """Close every pooled connection."""
        self._pool.clear()


class BodyBuffer:
    """A response body gathered chunk by chunk up to ``limit`` bytes; the transports feed it (no I/O here)."""

    def __init__(self, status: int, headers: Mapping[str, str], limit: int) -> None:
        self._status = status
        self.headers = {name.lower(): value for name, value in headers.items()}
        """The response headers, names lower-cased."""
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        length = self.headers.get("content-length", "")
        self.declared = int(length) if length.isdigit() else -1
        """The Content-Length, -1 when not given."""

    def declared_too_large(self) -> ResponseTooLarge | None:
        """The error to raise when the declared length alone exceeds the limit."""
        if self.declared > self._limit:
            return self._too_large(f"response of {self.declared} bytes exceeds the limit of {self._limit}", b"")
        return None

    def add(self, chunk: bytes) -> ResponseTooLarge | None:
        """Keep ``chunk``; the error to raise (after closing the connection) when the limit is passed."""
        self._size += len(chunk)
        if self._size > self._limit:
            return self._too_large(f"response body exceeds the limit of {self._limit} bytes", self.body()[:1024])
        self._chunks.append(chunk)
        return None

    def body(self) -> bytes:
        """The bytes gathered so far."""
        return b"".join(self._chunks)

    def _too_large(self, message: str, body: bytes) -> ResponseTooLarge:
        return ResponseTooLarge(
            message, status=self._status, headers=self.headers, body=body, request_id=request_id(self.headers)
        )


class _DeadlineReader(io.RawIOBase):
    """The socket's reader for a response: each read may wait ``read`` seconds, never past the deadline."""

    def __init__(self, sock: socket.socket, raw: io.RawIOBase, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        self._raw = raw  # http.client's reader of the socket, which keeps it open while the response is read
        self._deadline = deadline
        self._wait = sock.gettimeout()  # urllib3 set it to the read timeout

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._raw.fileno()

    def readinto(self, buffer: WriteableBuffer) -> int | None:
        left = seconds_left(self._deadline)
        if left <= 0:
            raise TimeoutError("the attempt's deadline has passed")  # urllib3 makes it a ReadTimeoutError
        if self._wait is None or left < self._wait:  # settimeout costs system calls: only when it changes
            self._wait = left
            self._sock.settimeout(left)
        return self._sock.recv_into(buffer)  # what self._raw.readinto does, minus a layer

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    """http.client's response, reading the status line, headers and body by the attempt's deadline."""

    def __init__(
        self, sock: socket.socket, debuglevel: int = 0, method: str | None = None, url: str | None = None
    ) -> None:
        super().__init__(sock, debuglevel, method, url)
        deadline = _DEADLINE.get()
        if deadline is not None and isinstance(sock, socket.socket):  # not urllib3's TLS-in-TLS wrapper
            self.fp = io.BufferedReader(_DeadlineReader(sock, self.fp.detach(), deadline))


def _send_by_deadline(connection: urllib3_connection.HTTPConnection) -> None:
    """Before a send: the socket's timeout, at most the time left until the attempt's deadline."""
    deadline = _DEADLINE.get()
    if deadline is not None:
        if connection.sock is None:
            connection.connect()  # as http.client would, so that the send below has a socket to bound
        left = seconds_left(deadline)
        if left <= 0:
            raise TimeoutError("the attempt's deadline has passed")
        if connection.timeout is None or left < connection.timeout:
            connection.sock.settimeout(left)


if TYPE_CHECKING:
    _Connection = urllib3_connection.HTTPConnection
else:
    _Connection = object


class _DeadlineSending(_Connection):
    """Sends by the attempt's deadline, and a small bytes body in the same write as the head (see ``_coalesce``)."""

    response_class = _DeadlineResponse
    _head: bytes | None = None

    def request(self, method: str, url: str, body: Any = None, headers: Any = None, **options: Any) -> None:
        self._head = b"" if isinstance(body, bytes) and 0 < len(body) <= _CHUNK else None
        try:
            super().request(method, url, body, headers, **options)
        finally:
            self._head = None

    def send(self, data: _Sendable) -> None:
        sending = _coalesce(self, data)
        if sending is not None:
            _send_by_deadline(self)
            super().send(sending)


class _HTTPConnection(_DeadlineSending, urllib3_connection.HTTPConnection):
    """urllib3's HTTP connection, sending and reading by the attempt's deadline."""


class _HTTPSConnection(_DeadlineSending, urllib3_connection.HTTPSConnection):
    """urllib3's HTTPS connection, sending and reading by the attempt's deadline."""


def _coalesce(connection: _DeadlineSending, data: _Sendable) -> _Sendable | None:
    """What to send now: None for the head of a request with a bytes body, the head and the body together next.

    urllib3 writes the request line and headers, then the body: two writes, two packets and,
    with a timeout, two polls. One write, as http.client does for a bytes body, saves them;
    only for a body up to ``_CHUNK`` bytes, as joining copies it.
    """
    head = connection._head
    if head is None or not isinstance(data, bytes):
        return data
    if not head:
        connection._head = data  # the head: http.client sends it in one piece
        return None
    connection._head = None
    return head + data


class _HTTPConnectionPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_CLOCK_SLACK = 0.005
"""Seconds of rounding in socket timeouts: a wait that ends this close to the deadline ended by it."""


def _late(limits: Timeout, started: float, stalled: str) -> str:
    """Why an attempt timed out: its deadline (``Timeout.total``) passed, or one wait lasted too long."""
    if time.monotonic() - started >= limits.total - _CLOCK_SLACK:
        return f"attempt not complete within Timeout.total = {limits.total} s"
    return stalled


def _context(request: Request) -> dict[str, str]:
    """What a transport error says of its request (built only when one is raised): never the query."""
    return {"method": request.method, "url": request.url.split("?", 1)[0]}


def _reason(exc: BaseException) -> str:
    text = str(exc)
    # urllib3 prefixes messages with the connection object's repr; keep the reason only.
    return text.split(": ", 1)[-1][:300] if ": " in text else text[:300]

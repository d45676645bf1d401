"""Transports: how a prepared request reaches a server. The one boundary with urllib3.

:class:`Urllib3Transport` is the default of ``Client`` (a thread-safe urllib3 PoolManager
that reuses connections). :class:`MockTransport`, in ``testing``, answers from a function
instead. Every urllib3 or socket exception is mapped here to the ``errors`` tree.
``AsyncClient`` takes an :class:`AsyncTransport`: ``HttpxTransport`` (``_httpx.py``) or
``testing.AsyncMockTransport``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Protocol

import attrs
import urllib3
from urllib3 import exceptions as urllib3_errors

from ._retry import DEFAULT_TIMEOUT, Timeout
from .errors import (
    ConnectError,
    ConnectionLost,
    ConnectTimeout,
    ReadTimeout,
    ResponseTooLarge,
    TransportError,
    request_id,
)

__all__ = ["AsyncTransport", "BodyBuffer", "Request", "Response", "Transport", "Urllib3Transport"]

_CHUNK = 65536


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
        self._pool = pool_manager or urllib3.PoolManager(maxsize=pool_maxsize, block=False, retries=False)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def send(self, request: Request) -> Response:
        """Send one request; the body is read up to ``request.max_response_bytes``."""
        timeout = urllib3.Timeout(connect=request.timeout.connect, read=request.timeout.read)
        context = {"method": request.method, "url": _without_query(request.url)}
        started = time.monotonic()
        try:
            raw = self._pool.request(
                request.method,
                request.url,
                body=request.body,
                headers=dict(request.headers),
                timeout=timeout,
                retries=False,
                redirect=False,
                preload_content=False,
                decode_content=True,
            )
        except urllib3_errors.NewConnectionError as exc:  # first: a subclass of ConnectTimeoutError
            raise ConnectError(f"cannot connect: {_reason(exc)}", **context) from None
        except urllib3_errors.ConnectTimeoutError as exc:
            raise ConnectTimeout(f"connecting timed out: {_reason(exc)}", **context) from None
        except urllib3_errors.SSLError as exc:
            raise ConnectError(f"TLS handshake failed: {_reason(exc)}", **context) from None
        except urllib3_errors.ReadTimeoutError:
            raise ReadTimeout(f"no response within {request.timeout.read} s", **context) from None
        except (urllib3_errors.ProtocolError, ConnectionError) as exc:
            raise ConnectionLost(f"connection lost: {_reason(exc)}", **context) from None
        except UnicodeError:
            # http.client's message would quote the offending header value, possibly a secret.
            raise TransportError("a request header is not Latin-1 text", **context) from None
        except urllib3_errors.LocationValueError as exc:
            raise ConnectError(f"invalid URL: {_reason(exc)}", **context) from None
        except (urllib3_errors.HTTPError, OSError) as exc:
            raise TransportError(f"request failed: {_reason(exc)}", **context) from None
        try:
            body = self._read_body(raw, request, started, context)
        finally:
            raw.release_conn()
        headers = {name.lower(): value for name, value in raw.headers.items()}
        return Response(status=raw.status, headers=headers, body=body)

    @staticmethod
    def _read_body(raw: urllib3.BaseHTTPResponse, request: Request, started: float, context: dict[str, str]) -> bytes:
        buffer = BodyBuffer(raw.status, raw.headers, request.max_response_bytes)
        oversized = buffer.declared_too_large()
        if oversized is not None:
            raw.drain_conn() if buffer.declared <= 4 * _CHUNK else raw.close()
            raise oversized
        try:
            while True:
                chunk = raw.read1(_CHUNK) if hasattr(raw, "read1") else raw.read(_CHUNK)
                if not chunk:
                    break
                oversized = buffer.add(chunk)
                if oversized is not None:
                    raw.close()
                    raise oversized
                if time.monotonic() - started > request.timeout.total:
                    raw.close()
                    raise ReadTimeout(f"response not complete within {request.timeout.total} s", **context)
        except urllib3_errors.ReadTimeoutError:
            raise ReadTimeout(f"response stalled for {request.timeout.read} s", **context) from None
        except (urllib3_errors.ProtocolError, urllib3_errors.DecodeError, ConnectionError, OSError) as exc:
            raise ConnectionLost(f"response cut off: {_reason(exc)}", **context) from None
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


def _without_query(url: str) -> str:
    return url.split("?", 1)[0]


def _reason(exc: BaseException) -> str:
    text = str(exc)
    # urllib3 prefixes messages with the connection object's repr; keep the reason only.
    return text.split(": ", 1)[-1][:300] if ": " in text else text[:300]

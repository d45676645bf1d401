"""The transport of ``AsyncClient``: httpx's connection pool. The one boundary with httpx.

httpx is optional: this module imports without it, and only building an
:class:`HttpxTransport` (which an ``AsyncClient`` does unless given another transport)
requires it. Every httpx exception is mapped here to the ``errors`` tree.
"""

from __future__ import annotations

from typing import Any

from ._transport import BodyBuffer, Request, Response
from .errors import (
    ConfigurationError,
    ConnectError,
    ConnectionLost,
    ConnectTimeout,
    ReadTimeout,
    TransportError,
)

try:
    import httpx
except ImportError:  # the blocking Client needs no httpx
    _HTTPX_MISSING = True
else:
    _HTTPX_MISSING = False

__all__ = ["INSTALL_HINT", "HttpxTransport"]

INSTALL_HINT = 'python -m pip install "httpx>=0.27" sniffio'
"""sniffio is optional for httpx, but httpcore tries to import it on every request: a failing import costs CPU."""


class HttpxTransport:
    """Sends requests from coroutines with one httpx connection pool (keep-alive, HTTP/1.1).

    It never follows redirects (a redirect to another host must not receive credentials),
    never retries by itself (retries are the client's policy) and keeps no cookies. Pass
    ``transport`` to use another httpx transport, such as
    ``httpx.AsyncHTTPTransport(http2=True, verify=...)``.

    Raises:
        ConfigurationError: httpx is not installed.
    """

    def __init__(self, *, pool_maxsize: int = 100, transport: httpx.AsyncBaseTransport | None = None) -> None:
        if _HTTPX_MISSING:
            raise ConfigurationError(f"AsyncClient needs httpx, which is not installed: {INSTALL_HINT}")
        limits = httpx.Limits(max_connections=pool_maxsize, max_keepalive_connections=pool_maxsize)
        self._transport = transport if transport is not None else httpx.AsyncHTTPTransport(limits=limits)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    async def send(self, request: Request) -> Response:
        """Send one request; the body is read up to ``request.max_response_bytes``."""
        context = {"method": request.method, "url": request.url.split("?", 1)[0]}
        try:
            # Latin-1, as http.client writes them: httpx would refuse what is not ASCII.
            headers = [(name.encode("ascii"), value.encode("latin-1")) for name, value in request.headers.items()]
        except UnicodeEncodeError:
            # The codec's message would quote the offending header value, possibly a secret.
            raise TransportError("a request header is not Latin-1 text", **context) from None
        timeout = request.timeout
        outgoing = httpx.Request(
            request.method,
            request.url,
            headers=headers,
            content=request.body,
            extensions={
                "timeout": {
                    "connect": timeout.connect,
                    "read": timeout.read,
                    "write": timeout.read,
                    "pool": timeout.connect,
                }
            },
        )
        try:
            raw = await self._transport.handle_async_request(outgoing)
        except httpx.RequestError as exc:
            raise _mapped(exc, request, context) from None
        try:
            return await _read(raw, request, context)
        finally:
            await raw.aclose()

    async def aclose(self) -> None:
        """Close every pooled connection."""
        await self._transport.aclose()


def _mapped(exc: httpx.RequestError, request: Request, context: dict[str, Any]) -> TransportError:
    """The ``errors`` exception for an httpx failure before the response head arrived."""
    if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
        return ConnectTimeout(f"connecting timed out: {_reason(exc)}", **context)
    if isinstance(exc, (httpx.ConnectError, httpx.ProxyError)):
        return ConnectError(f"cannot connect: {_reason(exc)}", **context)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return ConnectError(f"invalid URL: {_reason(exc)}", **context)
    if isinstance(exc, (httpx.ReadTimeout, httpx.WriteTimeout)):
        return ReadTimeout(f"no response within {request.timeout.read} s", **context)
    if isinstance(exc, httpx.LocalProtocolError):
        # h11's message may quote a header value, possibly a secret.
        return TransportError("the request is not valid HTTP", **context)
    if isinstance(exc, (httpx.NetworkError, httpx.RemoteProtocolError)):
        return ConnectionLost(f"connection lost: {_reason(exc)}", **context)
    return TransportError(f"request failed: {_reason(exc)}", **context)


async def _read(raw: httpx.Response, request: Request, context: dict[str, Any]) -> Response:
    buffer = BodyBuffer(raw.status_code, raw.headers, request.max_response_bytes)
    oversized = buffer.declared_too_large()
    if oversized is not None:
        raise oversized  # the caller closes the response, and with it the connection
    try:
        async for chunk in raw.aiter_bytes():
            oversized = buffer.add(chunk)
            if oversized is not None:
                raise oversized
    except httpx.ReadTimeout:
        raise ReadTimeout(f"response stalled for {request.timeout.read} s", **context) from None
    except httpx.RequestError as exc:  # network errors, a broken chunked or gzip stream
        raise ConnectionLost(f"response cut off: {_reason(exc)}", **context) from None
    return Response(status=raw.status_code, headers=buffer.headers, body=buffer.body())


def _reason(exc: BaseException) -> str:
    return str(exc)[:300] or type(exc).__name__

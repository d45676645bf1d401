"""Run a client against canned responses, without a network.

Example::

    from mypackage import Client
    from mypackage.testing import MockTransport, json_response

    transport = MockTransport(lambda request: json_response(200, {"id": "42"}))
    client = Client(..., transport=transport)
    ...  # call operations as usual
    assert transport.requests[0].method == "POST"

The handler receives each :class:`Request` (method, URL, headers, body bytes) and returns
a :class:`Response`; it may also raise an ``errors.TransportError`` to simulate a failure.

``AsyncClient`` takes an :class:`AsyncMockTransport` (no httpx needed), whose handler may
be a plain function or a coroutine function (to simulate a slow server, for example)::

    from mypackage import AsyncClient
    from mypackage.testing import AsyncMockTransport, json_response

    async def handler(request):
        await asyncio.sleep(0.1)
        return json_response(200, {"id": "42"})

    transport = AsyncMockTransport(handler)
    async with AsyncClient(..., transport=transport) as client:
        ...  # await operations as usual
    assert transport.requests[0].method == "POST"
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar

from ._json import dumps
from ._transport import Request, Response

__all__ = ["AsyncMockTransport", "MockTransport", "Request", "Response", "json_response"]

H = TypeVar("H")


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON response with ``body`` written as the package writes JSON (a ``Decimal`` with exactly its digits)."""
    merged = {"content-type": "application/json"}
    merged.update({name.lower(): value for name, value in (headers or {}).items()})
    return Response(status=status, headers=merged, body=dumps(body))


class _Recording(Generic[H]):
    """A handler, and every request received, in order."""

    def __init__(self, handler: H) -> None:
        self._handler = handler
        self._lock = threading.Lock()
        self.requests: list[Request] = []
        """Every request received, in order."""

    def _record(self, request: Request) -> Request:
        with self._lock:
            self.requests.append(request)
        return request

    def __repr__(self) -> str:
        return f"{type(self).__name__}(requests={len(self.requests)})"


class MockTransport(_Recording[Callable[[Request], Response]]):
    """A transport that answers every request with ``handler(request)`` and records requests."""

    def send(self, request: Request) -> Response:
        """Record the request and return the handler's response."""
        return self._handler(self._record(request))

    def close(self) -> None:
        """Nothing to release."""


class AsyncMockTransport(_Recording[Callable[[Request], Response | Awaitable[Response]]]):
    """An ``AsyncClient`` transport that answers with ``handler(request)`` (awaited if need be) and records requests."""

    async def send(self, request: Request) -> Response:
        """Record the request and return the handler's response."""
        answer = self._handler(self._record(request))
        return await answer if inspect.isawaitable(answer) else answer

    async def aclose(self) -> None:
        """Nothing to release."""

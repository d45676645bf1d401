"""The async client: does what the core's flow (``_core.py``) asks, with ``await``.

Generated ``AsyncClient`` methods only gather their arguments and await the core's call
flow (:meth:`ClientCore._call_flow`) run by :meth:`AsyncBaseClient._run`; everything but
sending and sleeping is written once, free of I/O, in ``_core.py``, and shared with the
blocking ``Client``.

Each attempt runs under ``Timeout.total`` (an asyncio timeout around sending and reading
the whole response). Cancelling a task during a call closes that call's connection and
leaves the pool usable; a cancelled request may still have reached the server.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Mapping
from typing import Any, TypeVar, cast

from ._auth import Auth, Secret, TokenAuth
from ._core import ClientCore, Credentials, Flow, Pages
from ._httpx import HttpxTransport
from ._operation import OperationSpec, TokenExchange
from ._transport import AsyncTransport, Request, Response
from ._unset import UNSET
from .errors import ReadTimeout, TransportError

__all__ = ["AsyncBaseClient"]

T = TypeVar("T")
C = TypeVar("C", bound="AsyncBaseClient")


class AsyncBaseClient(ClientCore[AsyncTransport]):
    """Shared behaviour of generated async clients; see the generated ``AsyncClient`` for the public API."""

    def _default_transport(self) -> AsyncTransport:
        return HttpxTransport()

    async def aclose(self) -> None:
        """Close pooled connections."""
        await self._transport.aclose()

    async def __aenter__(self: C) -> C:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _iterate(
        self, operation: OperationSpec, arguments: Mapping[str, Any], item_type: type[T], body: Any = UNSET
    ) -> AsyncIterator[T]:
        """Every item of every page, typed, for ``async for``: one request per page as the iteration reaches it.

        The arguments of the first page are validated here, before anything is sent.
        """
        return self._walk(Pages(self, operation, arguments, body), item_type)

    async def _walk(self, pages: Pages, item_type: type[T]) -> AsyncIterator[T]:
        while (prepared := pages.next_request()) is not None:
            items, response = await self._run(self._page_flow(pages, prepared))
            for item in items:
                yield self._structure(item, item_type, response, prepared.operation)

    async def _run(self, flow: Flow[T]) -> T:
        """Do each step the flow asks for, until it returns its value (or raises)."""
        reply: Any = None
        try:
            while True:
                step = flow.send(reply)
                if isinstance(step, Request):
                    reply = await self._attempt(step)
                elif isinstance(step, Credentials):
                    reply = await step.auth.headers_async()
                else:
                    await asyncio.sleep(step.seconds)
                    reply = None
        except StopIteration as done:
            return cast("T", done.value)

    async def _attempt(self, request: Request) -> Response | TransportError:
        try:
            return await _within(request.timeout.total, self._transport.send(request))
        except asyncio.TimeoutError:
            where = {"method": request.method, "url": request.url.split("?", 1)[0]}
            return ReadTimeout(f"response not complete within {request.timeout.total} s", **where)
        except TransportError as exc:
            return exc

    def _token_auth(self, exchange: TokenExchange, secrets: Mapping[str, Secret]) -> Auth:
        """Bearer tokens from the schema's x-token-exchange, fetched without blocking the event loop."""
        return TokenAuth(
            fetch_async=lambda: self._run(self._token_flow(exchange, secrets)),
            refresh_margin=exchange.refresh_margin,
            exchange=(exchange, secrets),
        )


async def _within(seconds: float, awaitable: Awaitable[T]) -> T:
    """``await awaitable``, cancelled with ``asyncio.TimeoutError`` after ``seconds``."""
    if sys.version_info >= (3, 11):
        async with asyncio.timeout(seconds):
            return await awaitable
    return await asyncio.wait_for(awaitable, seconds)

"""The blocking client: does what the core's flow (``_core.py``) asks, waiting with ``time.sleep``.

Generated ``Client`` methods only gather their arguments and run the core's call flow
(:meth:`ClientCore._call_flow`) with :meth:`BaseClient._run`; everything but sending and
sleeping is written once, free of I/O, in ``_core.py``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar, cast

from ._auth import Auth, Secret, TokenAuth
from ._core import ClientCore, Credentials, Flow, Pages, check_base_url
from ._operation import OperationSpec, TokenExchange
from ._transport import Request, Response, Transport, Urllib3Transport
from ._unset import UNSET
from .errors import TransportError

__all__ = ["BaseClient", "check_base_url"]

T = TypeVar("T")
C = TypeVar("C", bound="BaseClient")


class BaseClient(ClientCore[Transport]):
    """Shared behaviour of generated clients; see the generated ``Client`` for the public API."""

    def _default_transport(self) -> Transport:
        return Urllib3Transport()

    def close(self) -> None:
        """Close pooled connections."""
        self._transport.close()

    def __enter__(self: C) -> C:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _run(self, flow: Flow[T]) -> T:
        """Do each step the flow asks for, until it returns its value (or raises)."""
        reply: Any = None
        try:
            while True:
                step = flow.send(reply)
                if isinstance(step, Request):
                    reply = self._attempt(step)
                elif isinstance(step, Credentials):
                    reply = step.auth.headers()
                else:
                    time.sleep(step.seconds)
                    reply = None
        except StopIteration as done:
            return cast("T", done.value)

    def _iterate(
        self, operation: OperationSpec, arguments: Mapping[str, Any], item_type: type[T], body: Any = UNSET
    ) -> Iterator[T]:
        """Every item of every page, typed, one request per page as the iteration reaches it.

        The arguments of the first page are validated here, before anything is sent.
        """
        return self._walk(Pages(self, operation, arguments, body), item_type)

    def _walk(self, pages: Pages, item_type: type[T]) -> Iterator[T]:
        while (prepared := pages.next_request()) is not None:
            items, response = self._run(self._page_flow(pages, prepared))
            for item in items:
                yield self._structure(item, item_type, response, prepared.operation)

    def _attempt(self, request: Request) -> Response | TransportError:
        try:
            return self._transport.send(request)
        except TransportError as exc:
            return exc

    def _token_auth(self, exchange: TokenExchange, secrets: Mapping[str, Secret]) -> Auth:
        """Bearer tokens from the schema's x-token-exchange, fetched by a blocking call."""
        return TokenAuth(
            lambda: self._run(self._token_flow(exchange, secrets)),
            refresh_margin=exchange.refresh_margin,
            exchange=(exchange, secrets),
        )

"""The blocking client: sends what the core (``_core.py``) prepares, sleeps when it says to wait.

Generated ``Client`` methods only gather their arguments and call :meth:`BaseClient._call`;
everything but sending and sleeping is written once, free of I/O, in ``_core.py``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from ._auth import Auth, NoAuth, Secret
from ._core import Attempts, ClientCore, PreparedRequest, check_base_url
from ._operation import OperationSpec, TokenExchange
from ._retry import RetryPolicy, Timeout
from ._transport import Response, Transport, Urllib3Transport
from ._unset import UNSET
from .errors import TransportError

__all__ = ["BaseClient", "check_base_url"]

T = TypeVar("T")


class BaseClient(ClientCore):
    """Shared behaviour of generated clients; see the generated ``Client`` for the public API."""

    def __init__(
        self,
        *,
        base_url: str,
        auth: Auth,
        timeout: Timeout,
        retry: RetryPolicy,
        transport: Transport | None,
        max_response_bytes: int,
        user_agent: str,
    ) -> None:
        super().__init__(
            base_url=base_url,
            timeout=timeout,
            retry=retry,
            max_response_bytes=max_response_bytes,
            user_agent=user_agent,
        )
        self._auth = auth
        self._transport: Transport = transport if transport is not None else Urllib3Transport()
        self._sleep: Callable[[float], None] = time.sleep

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._base_url!r}, auth={self._auth!r})"

    def close(self) -> None:
        """Close pooled connections."""
        self._transport.close()

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _call(
        self,
        operation: OperationSpec,
        arguments: Mapping[str, Any],
        body: Any = UNSET,
    ) -> tuple[Any, Response]:
        """Validate, send (with the retry policy) and decode; returns (payload JSON, response)."""
        response = self._send(self._prepare(operation, arguments, body))
        return self._decode(operation, response), response

    def _send(self, prepared: PreparedRequest) -> Response:
        """Send ``prepared`` until the core accepts a response or gives up (raising the last error)."""
        operation = prepared.operation
        auth = NoAuth() if operation.anonymous else self._auth
        limiter = self._limiter(operation)
        attempts = Attempts(self, prepared, auth.on_unauthorized)
        while True:
            if limiter is not None:
                limiter.acquire()
            auth_headers = auth.headers()
            try:
                response = self._transport.send(attempts.request(auth_headers))
            except TransportError as exc:
                retry = attempts.after_error(exc)
                if retry is None:
                    raise
            else:
                retry = attempts.after_response(response, auth_headers)
                if retry is None:
                    return response
            if retry.delay:
                self._sleep(retry.delay)

    def _exchange_token(self, exchange: TokenExchange, secrets: Mapping[str, Secret]) -> tuple[str, float]:
        """Obtain a Bearer token from credentials (the schema's x-token-exchange)."""
        prepared = self._prepare_token_request(exchange, secrets)
        return self._read_token(exchange, prepared.operation, self._send(prepared))

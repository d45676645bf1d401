"""Call metadata: the typed result of a call together with its response (``client.with_response``).

``client.with_response.create_contact(...)`` takes the same arguments as
``client.create_contact(...)`` and returns a :class:`CallResponse` (awaited, for an
``AsyncClient``) whose ``result`` is what the plain call returns, beside the status,
headers, raw body, the vendor's request id and the call's idempotency key: no second
request is needed to read a rate-limit header.

The plain call stays as it is: the wrapper lends it a slot in a context variable, where the
client puts the response it accepted; calls in other threads or tasks have slots of their own.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import Generic, ParamSpec, TypeVar

import attrs

from ._transport import Response
from .errors import request_id

__all__ = ["CallResponse", "async_with_response", "record", "with_response"]

T = TypeVar("T")
P = ParamSpec("P")


@attrs.frozen
class CallResponse(Generic[T]):
    """A call's typed ``result`` and the response it came from."""

    result: T
    status: int
    headers: Mapping[str, str]
    """Response headers, names in lower case."""
    body: bytes = attrs.field(repr=lambda body: f"<{len(body)} bytes>")
    """The raw response body, as received."""
    idempotency_key: str | None = None
    """The key the call sent, when its operation takes idempotency keys (not a secret)."""

    @property
    def request_id(self) -> str | None:
        """The vendor's id for the request, from the response headers, when it sent one."""
        return request_id(self.headers)

    @property
    def text(self) -> str:
        """The body as text (undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")


@attrs.define
class _Slot:
    response: Response | None = None
    idempotency_key: str | None = None


_SLOT: contextvars.ContextVar[_Slot | None] = contextvars.ContextVar("call_response_slot", default=None)


def record(response: Response, idempotency_key: str | None) -> None:
    """Keep the response a call accepted, for ``with_response`` (nothing happens for a plain call)."""
    slot = _SLOT.get()
    if slot is not None:
        slot.response = response
        slot.idempotency_key = idempotency_key


def with_response(method: Callable[P, T]) -> Callable[P, CallResponse[T]]:
    """``method`` returning a :class:`CallResponse` around its result instead of the result alone."""

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> CallResponse[T]:
        slot = _Slot()
        token = _SLOT.set(slot)
        try:
            result = method(*args, **kwargs)
        finally:
            _SLOT.reset(token)
        return _call_response(method, result, slot)

    return call


def async_with_response(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[CallResponse[T]]]:
    """:func:`with_response` for a coroutine method (``AsyncClient``); the slot belongs to the awaiting task."""

    @functools.wraps(method)
    async def call(*args: P.args, **kwargs: P.kwargs) -> CallResponse[T]:
        slot = _Slot()
        token = _SLOT.set(slot)
        try:
            result = await method(*args, **kwargs)
        finally:
            _SLOT.reset(token)
        return _call_response(method, result, slot)

    return call


def _call_response(method: object, result: T, slot: _Slot) -> CallResponse[T]:
    response = slot.response
    if response is None:  # every operation method accepts one response before it returns
        raise RuntimeError(f"{getattr(method, '__name__', method)!r} returned without a response")
    return CallResponse(
        result=result,
        status=response.status,
        headers=response.headers,
        body=response.body,
        idempotency_key=slot.idempotency_key,
    )

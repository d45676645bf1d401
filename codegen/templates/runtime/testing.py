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
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

from ._transport import Request, Response

__all__ = ["MockTransport", "Request", "Response", "json_response"]


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> Response:
    """A JSON response with ``body`` serialised."""
    merged = {"content-type": "application/json"}
    merged.update({name.lower(): value for name, value in (headers or {}).items()})
    return Response(status=status, headers=merged, body=json.dumps(body).encode("utf-8"))


class MockTransport:
    """A transport that answers every request with ``handler(request)`` and records requests."""

    def __init__(self, handler: Callable[[Request], Response]) -> None:
        self._handler = handler
        self._lock = threading.Lock()
        self.requests: list[Request] = []
        """Every request received, in order."""

    def send(self, request: Request) -> Response:
        """Record the request and return the handler's response."""
        with self._lock:
            self.requests.append(request)
        return self._handler(request)

    def close(self) -> None:
        """Nothing to release."""

    def __repr__(self) -> str:
        return f"MockTransport(requests={len(self.requests)})"

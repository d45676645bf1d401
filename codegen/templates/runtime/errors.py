"""Every exception this client raises, as one tree::

    ClientError
    ├── ConfigurationError            bad Client arguments (missing credentials, plain http://...)
    ├── RequestValidationError        the request breaks the schema; nothing was sent
    ├── TransportError                the exchange with the server failed
    │   ├── ConnectError              could not connect; nothing was sent (retried)
    │   │   └── ConnectTimeout        connecting took too long; nothing was sent (retried)
    │   ├── ReadTimeout               no (complete) answer in time; the server may have acted
    │   └── ConnectionLost            the connection broke after sending; the server may have acted
    ├── ResponseError                 a response arrived; status, headers, body and request_id
    │   ├── HTTPStatusError           a non-2XX status; ``error`` holds the parsed vendor error body
    │   │   ├── BadRequestError       400
    │   │   ├── AuthenticationError   401
    │   │   ├── PermissionDeniedError 403
    │   │   ├── NotFoundError         404
    │   │   ├── ConflictError         409
    │   │   │   ├── AlreadyProcessedError  a request with this idempotency key was already processed
    │   │   │   └── InProcessError        one with this key is still being processed (after the retries)
    │   │   ├── UnprocessableEntityError 422
    │   │   ├── RateLimitError        429 (``retry_after`` in seconds, when given)
    │   │   └── ServerError           5XX
    │   ├── EnvelopeError             a 2XX whose envelope says the call failed (message, code)
    │   └── DecodeError               the body is not what the schema promises (HTML, bad JSON, ...)
    │       └── ResponseTooLarge      the body is larger than the client accepts
    └── BatchPartialFailure           some items of a batch failed; ``result`` has every created id

One warning, not an exception::

    UserWarning
    └── ResponseValidationWarning     a 2XX JSON body broke the schema; the result holds the values as received

Lower-layer exceptions (urllib3, socket, json, cattrs) never escape: they are mapped to
this tree where the client meets them. No exception text contains a credential.

Every exception of a call to an operation that takes idempotency keys carries the call's
key as ``idempotency_key`` (None for other operations). The key is not a secret: log it,
and call again with ``idempotency_key=exc.idempotency_key`` to learn the outcome of a
call whose outcome was lost; the vendor will not act on the same key twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

__all__ = [
    "REQUEST_ID_HEADERS",
    "STATUS_ERRORS",
    "AlreadyProcessedError",
    "AuthenticationError",
    "BadRequestError",
    "BatchPartialFailure",
    "ClientError",
    "ConfigurationError",
    "ConflictError",
    "ConnectError",
    "ConnectTimeout",
    "ConnectionLost",
    "DecodeError",
    "EnvelopeError",
    "HTTPStatusError",
    "InProcessError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ReadTimeout",
    "RequestValidationError",
    "ResponseError",
    "ResponseTooLarge",
    "ResponseValidationWarning",
    "ServerError",
    "TransportError",
    "UnprocessableEntityError",
    "Violation",
    "request_id",
    "status_error_class",
]


class ClientError(Exception):
    """Base of every exception raised by this client."""

    idempotency_key: str | None = None
    """The idempotency key of the call that raised this, when its operation takes one."""


class ConfigurationError(ClientError, ValueError):
    """The Client was given unusable arguments."""


@attrs.frozen
class Violation:
    """One way a request (or a response) breaks its schema, located by a JSON path such as ``$.lines[3].tax_rate``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class RequestValidationError(ClientError, ValueError):
    """The request breaks the schema; ``violations`` lists every problem. Nothing was sent."""

    def __init__(self, operation: str, violations: Sequence[Violation]) -> None:
        self.operation = operation
        self.violations = tuple(violations)
        lines = "\n".join(f"  {violation}" for violation in self.violations)
        count = len(self.violations)
        super().__init__(f"{operation}: {count} violation{'s' if count != 1 else ''}, nothing was sent\n{lines}")


class TransportError(ClientError):
    """The exchange with the server failed; ``request_sent`` tells whether it may have acted."""

    request_sent: bool = True

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        self.method = method
        self.url = url
        super().__init__(f"{message} ({method} {url})" if method else message)


class ConnectError(TransportError):
    """Could not connect to the server; nothing was sent."""

    request_sent = False


class ConnectTimeout(ConnectError):
    """Connecting took longer than the connect timeout; nothing was sent."""


class ReadTimeout(TransportError):
    """The server did not answer (completely) in time; it may have processed the request."""


class ConnectionLost(TransportError):
    """The connection broke after the request was sent; the server may have processed it."""


class ResponseError(ClientError):
    """A response arrived but cannot be returned as a result."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        request_id: str | None = None,
    ) -> None:
        self.status = status
        self.headers = dict(headers)
        self.body = body
        self.request_id = request_id
        suffix = f" [request id {request_id}]" if request_id else ""
        super().__init__(f"{message}{suffix}")

    @property
    def text(self) -> str:
        """The body as text (undecodable bytes replaced)."""
        return self.body.decode("utf-8", errors="replace")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, message={str(self)!r})"


REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-correlation-id", "x-amzn-requestid", "cf-ray")


def request_id(headers: Mapping[str, str]) -> str | None:
    """The server's request id from response headers (lower-case names), if it sent one."""
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value[:200]
    return None


class HTTPStatusError(ResponseError):
    """The server answered with a status that is not a success.

    ``error`` is the vendor's error body: the schema's model for that status when it
    matches, else the parsed JSON, else None.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        request_id: str | None = None,
        error: Any = None,
    ) -> None:
        self.error = error
        super().__init__(message, status=status, headers=headers, body=body, request_id=request_id)


class BadRequestError(HTTPStatusError):
    """400 Bad Request."""


class AuthenticationError(HTTPStatusError):
    """401 Unauthorized: credentials missing, wrong or expired."""


class PermissionDeniedError(HTTPStatusError):
    """403 Forbidden."""


class NotFoundError(HTTPStatusError):
    """404 Not Found."""


class ConflictError(HTTPStatusError):
    """409 Conflict."""


class AlreadyProcessedError(ConflictError):
    """The vendor already processed a request with this call's idempotency key.

    After a retry this means an earlier attempt of the same call succeeded even though its
    answer was lost; on a first attempt, that an earlier call used the same key (the
    caller's own ``idempotency_key``). Either way the vendor has recorded an outcome for the
    key, usually a created record (Chift says "Request already processed: 200"): do not send
    the request again under a new key before checking.

    ``idempotency_key`` is the key, ``vendor_message`` the vendor's message. When the
    schema declares a lookup operation and the call's arguments supply its parameters,
    the client has called it: ``created_entity_id`` is the id of the created record and
    ``original_status`` the status the processed request got. Otherwise both are None and
    ``lookup_call`` names the call that finds the record (the package README shows it too).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        request_id: str | None = None,
        error: Any = None,
        idempotency_key: str,
        vendor_message: Any = None,
        created_entity_id: str | None = None,
        original_status: int | None = None,
        lookup_call: str | None = None,
    ) -> None:
        self.idempotency_key = idempotency_key
        self.vendor_message = vendor_message
        self.created_entity_id = created_entity_id
        self.original_status = original_status
        self.lookup_call = lookup_call
        super().__init__(message, status=status, headers=headers, body=body, request_id=request_id, error=error)


class InProcessError(ConflictError):
    """The vendor is still processing a request with this call's idempotency key.

    The client waited and retried as the retry policy allows. Call again later with the same
    ``idempotency_key`` (an attribute of this error) to get the outcome; never with a new key.
    """


class UnprocessableEntityError(HTTPStatusError):
    """422 Unprocessable Entity: the server rejected the content."""


class RateLimitError(HTTPStatusError):
    """429 Too Many Requests (after the retries the policy allows)."""

    @property
    def retry_after(self) -> float | None:
        """Seconds the server asked to wait, when it said so in a form the client understands."""
        from ._retry import parse_retry_after

        return parse_retry_after(self.headers.get("retry-after"))


class ServerError(HTTPStatusError):
    """5XX: the server failed."""


STATUS_ERRORS: dict[int, type[HTTPStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status: int) -> type[HTTPStatusError]:
    """The exception class for an HTTP status."""
    if status >= 500:
        return ServerError
    return STATUS_ERRORS.get(status, HTTPStatusError)


class EnvelopeError(ResponseError):
    """A 2XX response whose envelope says the call failed (``message``, ``code``, ``detail``)."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        request_id: str | None = None,
        vendor_message: Any = None,
        code: Any = None,
        detail: Any = None,
    ) -> None:
        self.vendor_message = vendor_message
        self.code = code
        self.detail = detail
        super().__init__(message, status=status, headers=headers, body=body, request_id=request_id)


class DecodeError(ResponseError):
    """The response body is not what the schema promises (HTML page, truncated or invalid JSON...)."""


class ResponseTooLarge(DecodeError):
    """The response body exceeds the client's ``max_response_bytes``."""


class ResponseValidationWarning(UserWarning):
    """A 2XX JSON response broke the schema; the call returned its result anyway.

    The values that break the schema (a null where none is allowed, a missing required
    field, a value of another type) are kept as received, and the rest of the result is
    typed as usual: after a create, an exception would hide a record that exists, and the
    natural retry would duplicate it. ``violations`` says where (JSON paths relative to the
    returned payload). Turn it into an error with
    ``warnings.simplefilter("error", ResponseValidationWarning)``, or pass
    ``Client(strict_responses=True)`` to get a ``DecodeError`` instead.
    """

    def __init__(
        self, operation: str, status: int, violations: Sequence[Violation], request_id: str | None = None
    ) -> None:
        self.operation = operation
        self.status = status
        self.violations = tuple(violations)
        self.request_id = request_id
        lines = "\n".join(f"  {violation}" for violation in self.violations)
        suffix = f" [request id {request_id}]" if request_id else ""
        super().__init__(
            f"{operation}: HTTP {status}: the response breaks the schema; values kept as received{suffix}\n{lines}"
        )


class BatchPartialFailure(ClientError):
    """Some items of a batch failed. ``result`` has every item: created ids and errors.

    Re-send only ``result.failed`` inputs: the others were created.
    """

    def __init__(self, operation: str, result: Any) -> None:
        self.operation = operation
        self.result = result
        failed = len(result.failed)
        super().__init__(
            f"{operation}: {failed} of {len(result.items)} item(s) failed; "
            f"{len(result.created_ids)} created, do not re-send those"
        )

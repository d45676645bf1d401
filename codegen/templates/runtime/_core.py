"""The I/O-free core of every client: build requests, interpret responses, decide on retries.

Nothing here sends, reads a socket or sleeps, in the sans-I/O style of h11 and httpcore:
``Client`` (``_client.py``) and ``AsyncClient`` (``_async_client.py``) drive the same core,
one blocking, one with ``await``. One call goes through these steps:

1. :meth:`ClientCore._prepare`: validate the arguments, serialise the body, build the URL
   and headers (``RequestValidationError`` lists every violation; nothing is sent);
2. per attempt, :meth:`Attempts.request` adds the credentials' headers, the I/O layer
   sends the :class:`Request`, and :meth:`Attempts.after_error` or
   :meth:`Attempts.after_response` says whether to try again and after how long;
3. :meth:`ClientCore._decode` interprets the final response (status, envelope, errors);
   :meth:`ClientCore._structure` and :meth:`ClientCore._batch_result` build the typed result.

:meth:`ClientCore._call_flow` strings these together as a generator, like httpx's
``Auth.auth_flow``: it yields each thing to do (a :class:`Request` to send, a
:class:`Credentials` to obtain, a :class:`Sleep`) and receives the outcome, so that an I/O
layer is only a loop that does what it is told.

An operation whose schema declares idempotency keys (``OperationSpec.idempotency``) sends
the call's key on every attempt, which makes a re-send harmless: such a request is retried
like an idempotent one, the vendor's "in process" answer is waited for like a 429, and its
"already processed" answer becomes ``AlreadyProcessedError``. When the schema names a
lookup operation that the call's arguments can feed, the flow sends it too
(:meth:`ClientCore._lookup_request`) and puts the created record's id on the error.

A paginated operation's ``iter_`` method repeats these steps once per page
(:meth:`ClientCore._page_flow`): :class:`Pages` says which request comes next and which
items each answer holds.
"""

from __future__ import annotations

import contextlib
import functools
import ipaddress
import json
import logging
import re
import sys
import threading
import time
import urllib.parse
import uuid
import warnings
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar

import attrs
import cattrs

from ._auth import Auth, NoAuth, Secret, token_exchanges
from ._batch import BatchItem, BatchResult
from ._bodies import download, encode_body, is_json_type
from ._converter import converter
from ._enums import OpenEnum
from ._json import dumps, loads
from ._operation import KEY_SOURCE, OperationSpec, Pagination, TokenExchange, json_equal, pointer_get
from ._ratelimit import RateLimiter
from ._response import record
from ._retry import IDEMPOTENT_METHODS, RetryPolicy, Timeout, parse_retry_after
from ._tolerant import structure_tolerant
from ._transport import Request, Response
from ._unset import UNSET
from ._validation import SchemaValidator, child_path
from .errors import (
    AlreadyProcessedError,
    BatchPartialFailure,
    ClientError,
    ConfigurationError,
    ConnectError,
    ConnectionLost,
    DecodeError,
    EnvelopeError,
    InProcessError,
    ReadTimeout,
    RequestValidationError,
    ResponseValidationWarning,
    TransportError,
    Violation,
    request_id,
    status_error_class,
)

__all__ = [
    "Attempts",
    "ClientCore",
    "Credentials",
    "Flow",
    "Pages",
    "PreparedRequest",
    "Retry",
    "Sleep",
    "Step",
    "check_base_url",
    "keyed",
    "new_key",
]

T = TypeVar("T")
TransportT = TypeVar("TransportT")
logger = logging.getLogger(__name__.rpartition(".")[0] or __name__)
_JSON_TYPES = ("application/json", "text/json")
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(base_url: str) -> str:
    """The base URL without a trailing slash; HTTPS is required except for loopback hosts."""
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConfigurationError(f"base_url must be an absolute http(s) URL, not {base_url!r}")
    if parts.username or parts.password:
        raise ConfigurationError("base_url must not carry credentials; pass them as Client arguments")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ConfigurationError(f"base_url must use https (plain http is allowed for loopback only): {base_url!r}")
    if parts.query or parts.fragment:
        raise ConfigurationError("base_url must not have a query or fragment")
    return base_url.rstrip("/")


@functools.lru_cache(maxsize=1024)
def _param_path(location: str, wire_name: str) -> str:
    """Where a parameter's violations are reported (``$query.limit``): the same on every call."""
    return child_path(f"${location}", wire_name)


def _encode_segment(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def new_key(given: str | None) -> str:
    """The idempotency key of a call: the caller's own, else a new UUID4 (checked by ``_prepare``)."""
    return str(uuid.uuid4()) if given is None else given


@contextlib.contextmanager
def keyed(idempotency_key: str) -> Iterator[None]:
    """Every client error raised inside carries the call's idempotency key (``exc.idempotency_key``)."""
    try:
        yield
    except ClientError as exc:
        exc.idempotency_key = idempotency_key
        raise


def _key_violations(key: Any, max_length: int) -> list[Violation]:
    where = "$idempotency_key"
    if not isinstance(key, str):
        return [Violation(where, f"must be a string, not {type(key).__name__}")]
    if not key:
        return [Violation(where, "must be at least 1 character long")]
    if len(key) > max_length:
        return [Violation(where, f"must be at most {max_length} characters (it has {len(key)})")]
    if not _is_header_text(key):
        return [Violation(where, "must be printable Latin-1 text without CR or LF")]
    return []


def _wire_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, OpenEnum):
        return str(value.value)
    return str(converter.unstructure(value))


@attrs.frozen
class PreparedRequest:
    """A validated call without credentials: what every attempt of the call sends.

    ``retry_safe`` says whether sending it again after it may have reached the server
    is harmless (an idempotent method, or an idempotency key the vendor honours); only
    then do timeouts, lost connections and 500/502/504 lead to a retry.
    ``arguments`` are the call's, for a lookup of what an earlier attempt did.
    """

    operation: OperationSpec
    url: str
    headers: Mapping[str, str] = attrs.field(repr=False)
    body: bytes | None = attrs.field(default=None, repr=False)
    retry_safe: bool = False
    idempotency_key: str | None = None
    arguments: Mapping[str, Any] = attrs.field(factory=dict, repr=False)


@attrs.frozen
class Sleep:
    """A step of a flow: wait ``seconds``, then send back None."""

    seconds: float


@attrs.frozen
class Credentials:
    """A step of a flow: send back ``auth``'s headers (obtaining a token when one is due)."""

    auth: Auth


Step = Request | Sleep | Credentials
"""What a flow asks its I/O layer to do; a :class:`Request` is answered by a Response or a TransportError."""

Flow = Generator[Step, Any, T]
"""A call as the core runs it: yields steps, receives their outcomes, returns the call's value."""


@attrs.frozen
class Retry:
    """The decision to send the request again, after ``delay`` seconds."""

    delay: float
    reason: str


class Attempts:
    """The attempts of one call: builds each :class:`Request` and decides what follows its outcome.

    ``on_unauthorized`` is the credentials' answer to a 401 (``Auth.on_unauthorized``):
    True when a retry with fresh credentials may help; that retry happens once per call.
    """

    def __init__(
        self,
        core: ClientCore[Any],
        prepared: PreparedRequest,
        on_unauthorized: Callable[[Mapping[str, str]], bool],
    ) -> None:
        self._core = core
        self._prepared = prepared
        self._on_unauthorized = on_unauthorized
        self._refreshed = False
        self._started = 0.0
        self.number = 0
        """How many attempts were started."""

    def request(self, auth_headers: Mapping[str, str]) -> Request:
        """The request of the next attempt, sent with ``auth_headers``."""
        self.number += 1
        prepared, core = self._prepared, self._core
        self._started = time.monotonic()
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("%s %s: attempt %d", prepared.operation.method, prepared.operation.path, self.number)
        return Request(
            method=prepared.operation.method,
            url=prepared.url,
            headers={**core._default_headers, **auth_headers, **prepared.headers},
            body=prepared.body,
            timeout=core._timeout,
            max_response_bytes=core._max_response_bytes,
        )

    def after_error(self, error: TransportError) -> Retry | None:
        """Whether to retry after the transport raised ``error``; None means raise it."""
        policy = self._core._retry
        if self.number >= policy.max_attempts:
            return None
        if isinstance(error, ConnectError):
            if policy.retry_connect_errors:
                return self._retry(None, f"{type(error).__name__}, nothing was sent")
        elif isinstance(error, (ReadTimeout, ConnectionLost)) and self._prepared.retry_safe:
            return self._retry(None, type(error).__name__)
        return None

    def after_response(self, response: Response, auth_headers: Mapping[str, str]) -> Retry | None:
        """Whether to retry after ``response`` (answering a request sent with ``auth_headers``); None means done."""
        operation, policy = self._prepared.operation, self._core._retry
        status = response.status
        if logger.isEnabledFor(logging.DEBUG):
            elapsed = time.monotonic() - self._started
            logger.debug("%s %s: HTTP %d in %.3f s", operation.method, operation.path, status, elapsed)
        if status == 401 and not self._refreshed and self._on_unauthorized(auth_headers):
            self._refreshed = True  # one fresh credential per call: a second 401 is the answer
            return Retry(0.0, "HTTP 401, fresh credentials")
        in_process = operation.idempotency.in_process if operation.idempotency is not None else None
        if (
            self._prepared.idempotency_key is not None
            and in_process is not None
            and in_process.status == status  # before parsing: a success body is not read twice
            and in_process.matches(status, _lenient_json(response))
        ):
            # An earlier attempt with this key is still running: wait for it as for a 429.
            if self.number >= policy.max_attempts:
                return None
            return self._retry(parse_retry_after(response.headers.get("retry-after")), f"HTTP {status}, in process")
        retryable = status in policy.retry_statuses or (
            self._prepared.retry_safe and status in policy.idempotent_retry_statuses
        )
        if retryable and self.number < policy.max_attempts:
            return self._retry(parse_retry_after(response.headers.get("retry-after")), f"HTTP {status}")
        return None

    def _retry(self, retry_after: float | None, reason: str) -> Retry:
        operation, key = self._prepared.operation, self._prepared.idempotency_key
        delay = self._core._retry.delay(self.number, retry_after)
        if key is not None:  # not a secret, and what tells a vendor's log lines of this call apart
            reason = f"{reason} (idempotency key {key})"
        logger.info("%s %s: %s, retrying in %.2f s", operation.method, operation.path, reason, delay)
        return Retry(delay, reason)


class ClientCore(Generic[TransportT]):
    """The I/O-free half of every generated client; see the generated ``Client`` for the public API.

    It holds the transport (of the type its I/O layer sends with) but never uses it.
    """

    _components: Mapping[str, Any] = {}
    _operations: Mapping[str, OperationSpec] = {}

    def __init__(
        self,
        *,
        base_url: str,
        auth: Auth,
        timeout: Timeout,
        retry: RetryPolicy,
        transport: TransportT | None,
        max_response_bytes: int,
        user_agent: str,
        strict_responses: bool = False,
    ) -> None:
        self._base_url = check_base_url(base_url)
        self._auth = auth
        self._transport: TransportT = transport if transport is not None else self._default_transport()
        self._strict_responses = strict_responses
        self._timeout = timeout
        self._retry = retry
        self._max_response_bytes = max_response_bytes
        self._validator = SchemaValidator(self._components)
        self._limiters: dict[str, RateLimiter] = {}
        self._limiters_lock = threading.Lock()
        if any(char in user_agent for char in "\r\n"):
            raise ConfigurationError("user_agent must not contain CR or LF")
        self._default_headers = {"Accept": "application/json", "User-Agent": user_agent}
        self._check_credentials(auth)

    @property
    def base_url(self) -> str:
        """The URL every operation path is appended to."""
        return self._base_url

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._base_url!r}, auth={self._auth!r})"

    def _default_transport(self) -> TransportT:
        """The transport used when none is given."""
        raise NotImplementedError

    # -- the flow of a call -------------------------------------------------------------

    def _call_flow(
        self,
        operation: OperationSpec,
        arguments: Mapping[str, Any],
        body: Any = UNSET,
        idempotency_key: str | None = None,
    ) -> Flow[tuple[Any, Response]]:
        """Validate, send (with the retry policy) and decode; returns (payload JSON, response).

        After "already processed", looks up what the earlier attempt created when the call's
        arguments allow it (a failed lookup leaves the error as it is).
        """
        prepared = self._prepare(operation, arguments, body, idempotency_key)
        response = yield from self._send_flow(prepared)
        try:
            return self._accept(prepared, response), response
        except AlreadyProcessedError as exc:
            lookup = self._lookup_request(prepared)
            if lookup is not None:
                try:
                    found: Response | ClientError = yield from self._send_flow(lookup)
                except ClientError as failure:
                    found = failure
                self._read_lookup(exc, prepared, lookup, found)
            raise

    def _send_flow(self, prepared: PreparedRequest) -> Flow[Response]:
        """Attempts of ``prepared`` until a response is accepted, or the last transport error is raised."""
        operation = prepared.operation
        auth = NoAuth() if operation.anonymous else self._auth
        limiter = self._limiter(operation)
        attempts = Attempts(self, prepared, auth.on_unauthorized)
        while True:
            while limiter is not None and (pause := limiter.reserve()) > 0:
                yield Sleep(pause)
            auth_headers: dict[str, str] = yield Credentials(auth)
            outcome: Response | TransportError = yield attempts.request(auth_headers)
            if isinstance(outcome, TransportError):
                retry = attempts.after_error(outcome)
                if retry is None:
                    raise outcome
            else:
                retry = attempts.after_response(outcome, auth_headers)
                if retry is None:
                    return outcome
            if retry.delay:
                yield Sleep(retry.delay)

    def _page_flow(self, pages: Pages, prepared: PreparedRequest) -> Flow[tuple[list[Any], Response]]:
        """One page of an iteration: send it like a single call; returns (its items as JSON, the response)."""
        response = yield from self._send_flow(prepared)
        operation = prepared.operation
        body = self._decode(operation, response, prepared, unwrap=False)
        payload = body if operation.envelope is None else pointer_get(body, operation.envelope.data, UNSET)
        self._check_payload(operation, payload, response)
        return pages.receive(body, response), response

    def _token_flow(self, exchange: TokenExchange, secrets: Mapping[str, Secret]) -> Flow[tuple[str, float]]:
        """Obtain a Bearer token from credentials (the schema's x-token-exchange): ``(token, lifetime)``."""
        prepared = self._prepare_token_request(exchange, secrets)
        response = yield from self._send_flow(prepared)
        return self._read_token(exchange, prepared.operation, response)

    # -- request side -------------------------------------------------------------------

    def _prepare(
        self,
        operation: OperationSpec,
        arguments: Mapping[str, Any],
        body: Any = UNSET,
        idempotency_key: str | None = None,
    ) -> PreparedRequest:
        """Validate and serialise a call; raises RequestValidationError with every violation.

        ``idempotency_key`` goes in the header the operation's idempotency names (ignored
        when it has none).
        """
        violations: list[Violation] = []
        path_values: dict[str, str] = {}
        query: list[tuple[str, str]] = []
        headers: dict[str, str] = {}
        for param in operation.params:
            value = arguments.get(param.python_name, UNSET)
            where = _param_path(param.location, param.wire_name)
            if value is UNSET or (value is None and not param.required):
                if param.required:
                    violations.append(Violation(where, "is required"))
                continue
            wire = value.value if isinstance(value, OpenEnum) else converter.unstructure(value)
            violations += self._validator.validate(wire, param.schema, where)
            items = wire if isinstance(wire, list) else [wire]
            if param.location == "path":
                segment = _wire_scalar(value)
                if segment in ("", ".", ".."):
                    # Servers drop or collapse such segments, even percent-encoded: another route.
                    violations.append(Violation(where, f"must not be {segment!r} (it is a path segment)"))
                path_values[param.wire_name] = _encode_segment(segment)
            elif param.location == "query":
                query += [(param.wire_name, _wire_scalar(item)) for item in items]
            else:
                text = ",".join(_wire_scalar(item) for item in items)
                if not _is_header_text(text):
                    violations.append(Violation(where, "must be printable Latin-1 text without CR or LF"))
                headers[param.wire_name] = text
        idempotency = operation.idempotency if idempotency_key is not None else None
        if idempotency is not None:
            violations += _key_violations(idempotency_key, idempotency.max_length)
            headers[idempotency.header] = str(idempotency_key)
        payload = self._encode_body(operation, body, headers, violations)
        if violations:
            raise RequestValidationError(operation.operation_id, violations)
        path = operation.path
        if path_values:
            # Not str.format: a parameter named "a.b" or "x[0]" would be read as attribute access.
            path = _PATH_PARAMETER.sub(lambda match: path_values[match.group(1)], path)
        url = self._base_url + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        return PreparedRequest(
            operation=operation,
            url=url,
            headers=headers,
            body=payload,
            retry_safe=operation.method in IDEMPOTENT_METHODS or idempotency is not None,
            idempotency_key=idempotency_key if idempotency is not None else None,
            arguments=arguments if idempotency is not None else {},
        )

    def _encode_body(
        self, operation: OperationSpec, body: Any, headers: dict[str, str], violations: list[Violation]
    ) -> bytes | None:
        """The request body's bytes (adding its Content-Type to ``headers``), or None when there is none.

        JSON, a form (multipart or urlencoded) or a file, as the operation's media type says;
        also the Accept header of an operation whose result is not JSON.
        """
        if operation.accept != "application/json":
            headers["Accept"] = operation.accept
        media_type = operation.body_media_type
        json_body = operation.form is None and (media_type == "application/json" or is_json_type(media_type))
        if json_body and operation.body_schema is None:
            return None
        if body is UNSET:
            if operation.body_required:
                violations.append(Violation("$", "a request body is required"))
            return None
        if not json_body:
            encoded = encode_body(media_type, operation.form, body, self._validator, violations)
            if encoded is None:
                return None
            headers["Content-Type"] = encoded[1]
            return encoded[0]
        wire_body = _to_wire(body, violations)
        if wire_body is UNSET:
            return None
        violations += self._validator.validate(wire_body, operation.body_schema, "$")
        if violations:
            return None
        payload = _to_json(wire_body, violations)  # valid, so every number in it is finite
        if payload is not None:
            headers["Content-Type"] = media_type
        return payload

    def _limiter(self, operation: OperationSpec) -> RateLimiter | None:
        limit = operation.rate_limit
        if limit is None:
            return None
        with self._limiters_lock:
            limiter = self._limiters.get(operation.operation_id)
            if limiter is None:
                limiter = self._limiters[operation.operation_id] = RateLimiter(limit.requests, limit.per_seconds)
            return limiter

    def _check_credentials(self, auth: Auth) -> None:
        """Check the credentials the schema constrains (a token exchange's body) now, not on the first call."""
        for exchange, secrets in token_exchanges(auth):
            self._prepare_token_request(exchange, secrets)

    def _prepare_token_request(self, exchange: TokenExchange, secrets: Mapping[str, Secret]) -> PreparedRequest:
        """The token exchange call (the schema's x-token-exchange) with these credentials."""
        operation = self._operations[exchange.operation_id]
        body = {wire: secrets[argument].reveal() for argument, wire, _ in exchange.arguments if argument in secrets}
        try:
            return self._prepare(operation, {}, body)
        except RequestValidationError as exc:
            problems = "; ".join(_credential_problem(exchange, secrets, violation) for violation in exc.violations)
            raise ConfigurationError(f"credentials that break the schema: {problems}") from None

    def _read_token(self, exchange: TokenExchange, operation: OperationSpec, response: Response) -> tuple[str, float]:
        """``(token, lifetime in seconds)`` from the token exchange's response."""
        data = self._decode(operation, response)
        token = pointer_get(data, exchange.token)
        if not isinstance(token, str) or not token:
            raise self._decode_error(response, f"the token response has no token at {exchange.token!r}")
        lifetime = pointer_get(data, exchange.expires_in)
        if not isinstance(lifetime, (int, float)) or isinstance(lifetime, bool) or lifetime <= 0:
            lifetime = exchange.default_lifetime
        return token, float(lifetime)

    # -- response side ------------------------------------------------------------------

    @staticmethod
    def _request_id(response: Response) -> str | None:
        return request_id(response.headers)

    def _decode_error(self, response: Response, message: str) -> DecodeError:
        return DecodeError(
            message,
            status=response.status,
            headers=response.headers,
            body=response.body,
            request_id=self._request_id(response),
        )

    def _parse_json(self, response: Response, exact_numbers: bool = False) -> Any:
        content_type = response.headers.get("content-type", "")
        if content_type != "application/json":  # else the usual answer, nothing to normalise
            content_type = content_type.split(";", 1)[0].strip().lower()
            if content_type and not (content_type in _JSON_TYPES or content_type.endswith("+json")):
                raise self._decode_error(response, f"expected a JSON response, got content type {content_type!r}")
        try:
            return loads(response.body, decimals=exact_numbers)  # the bytes: orjson reads them as they are
        except UnicodeDecodeError as exc:
            raise self._decode_error(response, f"response is not valid UTF-8 (byte {exc.start})") from None
        except json.JSONDecodeError as exc:
            reason = f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
            raise self._decode_error(response, reason) from None
        except (ValueError, RecursionError) as exc:
            raise self._decode_error(response, f"unusable JSON: {str(exc)[:200]}") from None

    def _accept(self, prepared: PreparedRequest, response: Response) -> Any:
        """The payload JSON of a call's final response (kept for ``with_response``), or the error it stands for."""
        data = self._decode(prepared.operation, response, prepared)
        self._check_payload(prepared.operation, data, response)
        record(response, prepared.idempotency_key)
        return data

    def _decode(
        self,
        operation: OperationSpec,
        response: Response,
        prepared: PreparedRequest | None = None,
        *,
        unwrap: bool = True,
    ) -> Any:
        """The payload JSON of the final response (the whole body unless ``unwrap``), or the error it stands for."""
        status = response.status
        if 200 <= status < 300:
            if operation.download:  # never parsed as JSON
                return download(response.body, response.headers, operation.result_media_type)
            if not operation.has_result and not response.body.strip():
                return None
            data = self._parse_json(response, operation.exact_numbers)
            envelope = operation.envelope
            if envelope is None:
                return data
            if envelope.success_pointer is not None:
                flag = pointer_get(data, envelope.success_pointer)
                if not json_equal(flag, envelope.success_equals):
                    vendor_message = pointer_get(data, envelope.message)
                    code = pointer_get(data, envelope.code)
                    raise EnvelopeError(
                        f"{operation.operation_id}: the server reported a failure: {_short(vendor_message)}"
                        + (f" (code {_short(code)})" if code is not None else ""),
                        status=status,
                        headers=response.headers,
                        body=response.body,
                        request_id=self._request_id(response),
                        vendor_message=vendor_message,
                        code=code,
                        detail=pointer_get(data, envelope.detail),
                    )
            if not unwrap:
                return data
            payload = pointer_get(data, envelope.data, UNSET)
            if payload is UNSET and self._strict_responses:
                raise self._decode_error(response, f"the response envelope has no payload at {envelope.data!r}")
            return payload  # UNSET when absent: _structure reports it
        raise self._status_error(operation, response, prepared)

    def _status_error(
        self, operation: OperationSpec, response: Response, prepared: PreparedRequest | None = None
    ) -> Exception:
        status = response.status
        parsed: Any = None
        try:
            parsed = loads(response.body.decode("utf-8"), decimals=operation.exact_numbers)
        except (ValueError, RecursionError):
            parsed = None
        error: Any = parsed
        model_of = (
            operation.error_types.get(str(status))
            or operation.error_types.get(f"{str(status)[0]}XX")
            or operation.error_types.get("default")
        )
        model = model_of() if model_of is not None else None
        if model is not None and parsed is not None:
            try:
                error = converter.structure(parsed, model)
            except (cattrs.BaseValidationError, TypeError, ValueError, AttributeError, RecursionError):
                error = parsed
        message: Any = None
        if isinstance(parsed, dict):
            pointer = operation.envelope.message if operation.envelope else None
            message = pointer_get(parsed, pointer) if pointer else None
            message = message if message is not None else parsed.get("message")
        text = f"{operation.operation_id}: HTTP {status}" + (f": {_short(message)}" if message is not None else "")
        error_class = status_error_class(status)
        idempotency = operation.idempotency
        key = prepared.idempotency_key if prepared is not None else None
        if key is not None and idempotency is not None and prepared is not None:
            if idempotency.already_processed is not None and idempotency.already_processed.matches(status, parsed):
                lookup_call = self._lookup_call(prepared)
                text += f" (already processed: idempotency key {key!r})"
                if lookup_call is not None:
                    text += f"; find the record with {lookup_call}"
                return AlreadyProcessedError(
                    text,
                    status=status,
                    headers=response.headers,
                    body=response.body,
                    request_id=self._request_id(response),
                    error=error,
                    idempotency_key=key,
                    vendor_message=pointer_get(parsed, idempotency.message or "/message"),
                    lookup_call=lookup_call,
                )
            if idempotency.in_process is not None and idempotency.in_process.matches(status, parsed):
                error_class = InProcessError
        return error_class(
            text,
            status=status,
            headers=response.headers,
            body=response.body,
            request_id=self._request_id(response),
            error=error,
        )

    # -- idempotency: what did an earlier attempt do? -------------------------------------

    def _lookup_call(self, prepared: PreparedRequest) -> str | None:
        """The call that finds what a processed request with this key created, as Python source."""
        idempotency = prepared.operation.idempotency
        lookup = idempotency.lookup if idempotency is not None else None
        if lookup is None:
            return None
        given = self._lookup_arguments(prepared)
        names = [name for name, _ in lookup.arguments] + list(lookup.missing)
        shown = ", ".join(f"{name}={given[name]!r}" if name in given else f"{name}=..." for name in names)
        return f"client.{lookup.operation_id}({shown})"

    def _lookup_arguments(self, prepared: PreparedRequest) -> dict[str, Any]:
        idempotency = prepared.operation.idempotency
        lookup = idempotency.lookup if idempotency is not None else None
        arguments: dict[str, Any] = {}
        for name, source in lookup.arguments if lookup is not None else ():
            value = prepared.idempotency_key if source == KEY_SOURCE else prepared.arguments.get(source)
            if value is not None and value is not UNSET:
                arguments[name] = value
        return arguments

    def _lookup_request(self, prepared: PreparedRequest) -> PreparedRequest | None:
        """The lookup of what an already processed call did, when its arguments supply every required parameter."""
        idempotency = prepared.operation.idempotency
        lookup = idempotency.lookup if idempotency is not None else None
        if lookup is None or lookup.missing:
            return None
        operation = self._operations[lookup.operation_id]
        arguments = self._lookup_arguments(prepared)
        if any(param.required and param.python_name not in arguments for param in operation.params):
            return None
        try:
            return self._prepare(operation, arguments)
        except RequestValidationError:
            return None  # the call's values do not fit the lookup: the error names the call instead

    def _read_lookup(
        self,
        error: AlreadyProcessedError,
        prepared: PreparedRequest,
        lookup: PreparedRequest,
        outcome: Response | ClientError,
    ) -> None:
        """Put what the lookup (``_lookup_request(prepared)``) found on ``error``: the created record's id
        and the status the processed request got.

        A failed lookup changes nothing: the outcome of the call is definite without it.
        """
        idempotency = prepared.operation.idempotency
        spec = idempotency.lookup if idempotency is not None else None
        if spec is None:
            return
        failure = outcome if isinstance(outcome, ClientError) else None
        data: Any = None
        if isinstance(outcome, Response):
            try:
                data = self._decode(lookup.operation, outcome)
            except ClientError as exc:
                failure = exc
        if failure is not None:
            logger.info(
                "%s: the lookup of idempotency key %s failed: %s",
                lookup.operation.operation_id,
                error.idempotency_key,
                type(failure).__name__,
            )
            return
        entity = pointer_get(data, spec.created_entity_id)
        status = pointer_get(data, spec.status)
        if isinstance(status, int) and not isinstance(status, bool):
            error.original_status = status
        if entity is not None:
            error.created_entity_id = str(entity)
            error.args = (f"{error.args[0]}; created entity id {error.created_entity_id!r}",)

    def _check_payload(self, operation: OperationSpec, payload: Any, response: Response) -> None:
        """With ``strict_responses``: DecodeError naming every place where the payload breaks its schema.

        Types, formats, lengths, bounds, patterns and enums alike, as a request is validated; by
        default only what the typed result needs is checked (see ``_structure``).
        """
        schema = operation.result_schema
        if not self._strict_responses or schema is None or payload is UNSET:
            return
        violations = self._validator.validate(payload, schema, "$")
        if violations:
            details = "; ".join(str(violation) for violation in violations[:20])
            more = f" (and {len(violations) - 20} more)" if len(violations) > 20 else ""
            raise self._decode_error(response, f"the response does not match the schema: {details[:1000]}{more}")

    def _structure(self, data: Any, kind: type[T], response: Response, operation: OperationSpec | None = None) -> T:
        """Build the typed result from the payload of ``operation``'s response.

        A payload that breaks the schema is returned with the offending values as received
        and a ResponseValidationWarning; with ``strict_responses`` it raises DecodeError.
        """
        if not self._strict_responses:
            try:
                return converter.structure(data, kind)  # the usual case, at the usual cost
            except Exception:  # the tolerant walk below finds the parts that break the schema
                pass
            result, violations = self._tolerant(data, kind, response, operation)
            self._warn(operation, response, violations)
            return result
        try:
            return converter.structure(data, kind)
        except cattrs.BaseValidationError as exc:
            details = "; ".join(cattrs.transform_error(exc, path="$"))[:1000]
            raise self._decode_error(response, f"the response does not match the schema: {details}") from None
        except (TypeError, ValueError, AttributeError, KeyError, RecursionError) as exc:
            reason = f"{type(exc).__name__}: {str(exc)[:300]}"
            raise self._decode_error(response, f"the response does not match the schema: {reason}") from None

    def _tolerant(
        self, data: Any, kind: type[T], response: Response, operation: OperationSpec | None, path: str = "$"
    ) -> tuple[T, list[Violation]]:
        """The result typed where the data fits, and where it does not."""
        if data is UNSET:  # an envelope without its payload (see _decode)
            envelope = operation.envelope if operation is not None else None
            where = envelope.data if envelope is not None else ""
            found = [Violation(path, f"is absent: the response envelope has no payload at {where!r} (left UNSET)")]
            return data, found  # type: ignore[return-value]
        try:
            return structure_tolerant(data, kind, path)
        except RecursionError:
            raise self._decode_error(response, "the response is nested too deeply") from None

    def _warn(self, operation: OperationSpec | None, response: Response, violations: Sequence[Violation]) -> None:
        """Report a response that breaks the schema: a ResponseValidationWarning, and a log line at WARNING."""
        if not violations:
            return
        name = operation.operation_id if operation is not None else "response"
        warning = ResponseValidationWarning(name, response.status, violations, self._request_id(response))
        logger.warning("%s", warning)
        warnings.warn(warning, stacklevel=_caller_stacklevel())

    def _batch_result(
        self,
        operation: OperationSpec,
        inputs: Sequence[Any],
        data: Any,
        item_type: type[T],
        response: Response,
        raise_on_failure: bool,
    ) -> BatchResult[Any, T]:
        """One BatchItem per input, matched by the result's index; raises on partial failure."""
        batch = operation.batch
        if batch is None or not isinstance(data, list):
            raise self._decode_error(response, "a batch response must be a JSON array")
        by_index: dict[int, tuple[int, Any]] = {}
        for position, raw in enumerate(data):
            index = pointer_get(raw, batch.index)
            if isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(inputs):
                by_index.setdefault(index, (position, raw))
        items: list[BatchItem[Any, T]] = []
        violations: list[Violation] = []
        for index, given in enumerate(inputs):
            if index not in by_index:
                items.append(BatchItem(index=index, input=given, success=False, errors=("no result for this input",)))
                continue
            position, raw = by_index[index]
            if self._strict_responses:
                typed = self._structure(raw, item_type, response, operation)
            else:
                typed, found = self._tolerant(raw, item_type, response, operation, f"$[{position}]")
                violations += found
            reported = pointer_get(raw, batch.errors)
            errors = () if reported is None else reported
            items.append(
                BatchItem(
                    index=index,
                    input=given,
                    success=pointer_get(raw, batch.success) is True,
                    id=pointer_get(raw, batch.id),
                    errors=tuple(str(error) for error in _as_iterable(errors)),
                    result=typed,
                )
            )
        self._warn(operation, response, violations)  # one warning for the whole batch
        result: BatchResult[Any, T] = BatchResult(items=tuple(items))
        if raise_on_failure and not result.ok:
            raise BatchPartialFailure(operation.operation_id, result)
        return result


_PATH_PARAMETER = re.compile(r"\{([^{}]+)\}")


class Pages:
    """The pages of one iteration over a paginated operation: the request of each, the items of its answer.

    Page numbers (``pagination.page``): the first request asks for ``first_page``, each next
    one for the page after. A page is the last when it is empty; when the body gives the
    number of pages (``total_pages``), the page of that number; else when it gives the
    number of items (``total``), the page that completes them; else when the caller gave
    a page size, a page with fewer items than that. A server that answers a page with the
    very items of the page before ignores the page number: that raises DecodeError rather
    than loop forever.

    Cursors and links (``pagination.next``): the value at ``next`` in each body is sent as
    the ``cursor`` parameter of the next request, or, without ``cursor``, is the URL of
    the next page (relative to the page's own). The last page has none (absent, null or
    empty). A link to another server than ``base_url``'s, or a value seen before, raises
    DecodeError: the client neither sends credentials elsewhere nor loops.

    I/O-free: the client sends :meth:`next_request` (until it is None) and hands each
    answer's whole JSON body to :meth:`receive`.
    """

    def __init__(
        self, core: ClientCore[Any], operation: OperationSpec, arguments: Mapping[str, Any], body: Any
    ) -> None:
        if operation.pagination is None:
            raise TypeError(f"{operation.operation_id} is not paginated")
        self._core = core
        self._operation = operation
        self._pagination: Pagination = operation.pagination
        self._arguments = dict(arguments)
        self._body = body
        self._page = self._pagination.first_page
        if self._pagination.page is not None:
            self._arguments[self._pagination.page] = self._page
        self._received = 0
        self._previous: list[Any] | None = None
        self._seen: set[str] = set()
        self._current = core._prepare(operation, self._arguments, body)
        self._next: PreparedRequest | None = self._current
        self._last: tuple[Any, int, Response] | None = None

    def next_request(self) -> PreparedRequest | None:
        """The request of the next page; None after the last page.

        Decided from the answer before, only now: an error that concerns the next page
        (a link to another server) is raised after the items of the page before.
        """
        if self._last is not None:
            body, count, response = self._last
            self._last = None
            self._next = self._after_page(body, count) if self._pagination.page else self._after_cursor(body, response)
        prepared, self._next = self._next, None
        if prepared is not None:
            self._current = prepared
        return prepared

    def receive(self, body: Any, response: Response) -> list[Any]:
        """The items of a page, from its answer's whole JSON body."""
        pagination = self._pagination
        items = pointer_get(body, pagination.items)
        if not isinstance(items, list):
            raise self._core._decode_error(response, f"the page has no list of items at {pagination.items!r}")
        if pagination.page is not None:
            if items and items == self._previous:
                raise self._core._decode_error(
                    response, f"page {self._page} repeats the page before: the server ignores the page number"
                )
            self._previous = items
        self._received += len(items)
        self._last = (body, len(items), response)
        return items

    def _after_page(self, body: Any, count: int) -> PreparedRequest | None:
        pagination = self._pagination
        if count == 0:
            return None
        total_pages = _count(pointer_get(body, pagination.total_pages))
        total = _count(pointer_get(body, pagination.total))
        size = _count(self._arguments.get(pagination.size)) if pagination.size is not None else None
        if total_pages is not None:
            more = self._page - pagination.first_page + 1 < total_pages
        elif total is not None:
            more = self._received < total
        else:
            more = size is None or count >= size
        if not more or pagination.page is None:
            return None
        self._page += 1
        self._arguments[pagination.page] = self._page
        return self._core._prepare(self._operation, self._arguments, self._body)

    def _after_cursor(self, body: Any, response: Response) -> PreparedRequest | None:
        value = pointer_get(body, self._pagination.next)
        if value is None or value == "":
            return None
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise self._core._decode_error(response, f"the next-page value is {type(value).__name__}, not text")
        key = str(value)
        if key in self._seen:
            raise self._core._decode_error(response, f"the server sent the next-page value {key[:100]!r} twice")
        self._seen.add(key)
        if self._pagination.cursor is not None:
            self._arguments[self._pagination.cursor] = value
            return self._core._prepare(self._operation, self._arguments, self._body)
        url = urllib.parse.urljoin(self._current.url, key)
        if _origin(url) != _origin(self._core._base_url):
            raise self._core._decode_error(response, "the next-page link leads to another server than base_url")
        return attrs.evolve(self._current, url=url)


def _count(value: Any) -> int | None:
    """A count read from a body: a non-negative integer, else None."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def _to_wire(body: Any, violations: list[Violation]) -> Any:
    try:
        if isinstance(body, list):
            return [item if isinstance(item, dict) else converter.unstructure(item) for item in body]
        return body if isinstance(body, dict) else converter.unstructure(body)
    except (AttributeError, TypeError, ValueError, RecursionError) as exc:
        violations.append(Violation("$", f"cannot be written as JSON: {type(exc).__name__}"))
        return UNSET


def _to_json(value: Any, violations: list[Violation]) -> bytes | None:
    """UTF-8 JSON of a validated body, or None with a violation when JSON cannot carry the value."""
    try:
        return dumps(value, finite=True)  # the validator accepts no NaN or infinity, anywhere
    except (ValueError, TypeError, RecursionError, UnicodeEncodeError) as exc:
        # ValueError also covers integers too long to write (NaN and infinities fail validation first).
        violations.append(Violation("$", f"cannot be written as JSON: {type(exc).__name__}: {str(exc)[:100]}"))
        return None


def _caller_stacklevel() -> int:
    """The ``stacklevel`` of the first frame outside this package: a warning points at the caller's line."""
    package = __name__.rpartition(".")[0] + "."
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and str(frame.f_globals.get("__name__", "")).startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _is_header_text(text: str) -> bool:
    return all(char == "\t" or " " <= char <= "~" or "\xa0" <= char <= "\xff" for char in text)


def _as_iterable(value: Any) -> Iterable[Any]:
    return value if isinstance(value, (list, tuple)) else [value]


def _lenient_json(response: Response) -> Any:
    """The body as JSON, or None when it is not JSON."""
    try:
        return loads(response.body.decode("utf-8"))
    except (ValueError, RecursionError):
        return None


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text[:300]


def _credential_problem(exchange: TokenExchange, secrets: Mapping[str, Secret], violation: Violation) -> str:
    """One violation of the token exchange's body, by Client argument, never quoting a credential."""
    # Messages that quote the offending value put it after ", not " (the validator's style);
    # a credential quoted anywhere else is masked too.
    message = violation.message.split(", not ", 1)[0]
    for secret in secrets.values():
        message = message.replace(repr(secret.reveal()), "'***'")
    for argument, wire, _ in exchange.arguments:
        where = child_path("$", wire)
        if violation.path == where or violation.path.startswith((where + ".", where + "[")):
            return f"{argument} {message} (sent as {violation.path} to {exchange.operation_id})"
    return f"{violation.path} {message} (in the body of {exchange.operation_id})"

"""What the client knows about each operation, rendered from the schema into ``_spec.py``."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import attrs

__all__ = [
    "KEY_SOURCE",
    "Batch",
    "Envelope",
    "Form",
    "FormField",
    "Idempotency",
    "IdempotencyLookup",
    "OperationSpec",
    "Pagination",
    "Param",
    "RateLimit",
    "ResponseMatch",
    "SchemeSpec",
    "TokenExchange",
    "json_equal",
    "pointer_get",
]


@attrs.frozen
class Param:
    """A path, query or header parameter."""

    wire_name: str
    python_name: str
    location: str
    required: bool
    schema: Mapping[str, Any]


@attrs.frozen
class Envelope:
    """Where a wrapped response keeps its payload and its success flag (JSON pointers)."""

    data: str
    success_pointer: str | None = None
    success_equals: Any = None
    message: str | None = None
    code: str | None = None
    detail: str | None = None


@attrs.frozen
class Batch:
    """Where each result item of a batch keeps its index, success flag, id and errors."""

    index: str
    success: str
    id: str | None = None
    errors: str | None = None


@attrs.frozen
class RateLimit:
    """At most ``requests`` calls every ``per_seconds`` seconds."""

    requests: int
    per_seconds: float


KEY_SOURCE = "$idempotency_key"
"""In ``IdempotencyLookup.arguments``: the lookup parameter takes the call's idempotency key."""


@attrs.frozen
class ResponseMatch:
    """An error answer recognised by its status and, when ``pointer`` is set, the JSON value there."""

    status: int
    pointer: str | None = None
    equals: Any = None

    def matches(self, status: int, document: Any) -> bool:
        """Whether an answer with this status and parsed JSON body (None when not JSON) is this one."""
        if status != self.status:
            return False
        if self.pointer is None:
            return True
        return json_equal(pointer_get(document, self.pointer, _MISSING), self.equals)


@attrs.frozen
class IdempotencyLookup:
    """The operation that tells what an earlier request with a key did, and how a call's arguments feed it."""

    operation_id: str
    arguments: tuple[tuple[str, str], ...]  # (lookup argument, call argument or KEY_SOURCE)
    created_entity_id: str
    status: str | None = None
    missing: tuple[str, ...] = ()  # required lookup arguments a call cannot supply


@attrs.frozen
class Idempotency:
    """Every call carries a key in ``header``; repeats are recognised by the vendor's answers."""

    header: str
    max_length: int
    already_processed: ResponseMatch | None = None
    in_process: ResponseMatch | None = None
    message: str | None = None
    lookup: IdempotencyLookup | None = None


@attrs.frozen
class FormField:
    """How one field of a form body is sent: ``kind`` is "file", "json", "text" or "any" (decided by the value).

    ``content_type`` is the schema's ``encoding.<field>.contentType`` (for a file: the types
    allowed, comma-separated); ``array`` is true for a list sent as one part (or pair) per
    item; ``json_text`` is true for a JSON part declared as a string (the JSON text itself).
    """

    kind: str
    content_type: str | None = None
    array: bool = False
    json_text: bool = False


@attrs.frozen
class Form:
    """A ``multipart/form-data`` or urlencoded body: its fields, and how other keys are sent.

    ``schema`` validates the form with every file field accepting any value (files are
    checked to be files apart); ``additional`` is None when the schema allows no other key.
    """

    fields: Mapping[str, FormField]
    schema: Mapping[str, Any]
    additional: FormField | None = FormField("any")


@attrs.frozen
class Pagination:
    """How the pages of a list operation follow one another (the schema's ``x-pagination``).

    Pointers are into the whole response body (an envelope included); ``page``, ``size``
    and ``cursor`` are the Python names of the operation's parameters. Either ``page``
    (page numbers from ``first_page``) or ``next`` (the next page's cursor, sent as
    ``cursor``, or without ``cursor`` the next page's URL) is set.
    """

    items: str
    page: str | None = None
    first_page: int = 1
    size: str | None = None
    total: str | None = None
    total_pages: str | None = None
    next: str | None = None
    cursor: str | None = None


@attrs.frozen
class OperationSpec:
    """One operation: method, path template, parameters, body and response handling."""

    operation_id: str
    method: str
    path: str
    params: tuple[Param, ...] = ()
    body_schema: Mapping[str, Any] | None = None
    body_required: bool = False
    success_statuses: tuple[int, ...] = (200,)
    has_result: bool = True
    result_schema: Mapping[str, Any] | None = None
    """The JSON Schema of a 2XX response's payload (inside its envelope): ``strict_responses`` checks it."""
    error_types: Mapping[str, Callable[[], Any]] = attrs.field(factory=dict)
    """Status (``"422"``, ``"4XX"``, ``"default"``) -> a function giving the type its error body decodes into.

    A function, so that the models are imported only when such an error comes.
    """
    envelope: Envelope | None = None
    batch: Batch | None = None
    rate_limit: RateLimit | None = None
    anonymous: bool = False
    body_media_type: str = "application/json"
    form: Form | None = None  # a multipart or urlencoded body; None for JSON or a file
    accept: str = "application/json"
    download: bool = False  # the result is not JSON: a Download
    result_media_type: str = "application/json"
    idempotency: Idempotency | None = None
    exact_numbers: bool = False
    """A response schema has ``format: decimal`` numbers: read them exactly, as ``Decimal``."""
    pagination: Pagination | None = None


_MISSING = object()


@functools.lru_cache(maxsize=256)
def _tokens(pointer: str) -> tuple[str, ...]:
    # The schema's pointers are few and read on every response: split each once.
    return tuple(raw.replace("~1", "/").replace("~0", "~") for raw in pointer.split("/")[1:])


def json_equal(value: Any, expected: Any) -> bool:
    """Whether a JSON value is the one a schema declares: equal and of the same class (``1`` is not ``true``)."""
    return type(value) is type(expected) and bool(value == expected)


def pointer_get(document: Any, pointer: str | None, default: Any = None) -> Any:
    """The value at a JSON pointer, or ``default`` when it is absent."""
    if pointer is None:
        return default
    node = document
    for token in _tokens(pointer):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return default
    return node


@attrs.frozen
class TokenExchange:
    """How to obtain a Bearer token: the (internal) operation and where the answer keeps it."""

    operation_id: str
    arguments: tuple[tuple[str, str, bool], ...]  # (Client argument, wire name, required)
    token: str
    expires_in: str | None = None
    default_lifetime: float = 1800.0
    refresh_margin: float = 60.0


@attrs.frozen
class SchemeSpec:
    """A security scheme: ``kind`` is "basic", "header" or "bearer"; ``credentials`` maps roles to Client arguments."""

    key: str
    kind: str
    header: str
    credentials: Mapping[str, str]
    exchange: TokenExchange | None = None

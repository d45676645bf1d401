"""Hostile response bodies meet the decoder (testing.MockTransport, no network).

Deep nesting (100,000 levels), huge numbers (1e400, a 10,000-digit integer), NaN and
Infinity, duplicate keys, a wrong JSON type in every field of every operation's success
response, hostile error bodies and hostile batch results: each call must end in an error
of the package's tree (a decode error, an HTTP status error...) or in a tolerant value
that can still be shown and written back, never another exception, a hang or unbounded
memory. The clients are strict (``strict_responses=True``): a body that breaks the schema
is a decode error here; tests/client/test_tolerant_responses.py covers the default.
"""

from __future__ import annotations

import copy
import json
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .operations import OPERATIONS, Operation
from .report import REPORT

DEPTH = 100_000
WRONG_VALUES: tuple[Any, ...] = (None, True, 0, -1, 1.5, "", "wrong", [], {}, [[["deep"]]], {"nested": {"x": 1}})
RAW_NUMBERS = ("1e400", "-1e400", "1E-400", "-0", "9" * 5000, "4" * 4300, "1.5e308")
"""Number literals put as is into the JSON text (json.dumps cannot write them)."""
SENTINEL = "\u0000raw number here\u0000"
Body = bytes | Callable[[Any], bytes]
"""A response body, or a function of the request JSON giving one."""


def run_call(
    operation: Operation, status: int, body: Body, content_type: str = "application/json", *, strict: bool = True
) -> str:
    """Make one call answered by ``body``; return the outcome, failing on anything but a value or a ClientError.

    The client is strict (``strict_responses=True``) unless ``strict`` is false: a JSON body
    that breaks the schema is then a DecodeError, not a value with a warning.
    """
    package = operation.package

    def handler(request: Any) -> Any:
        payload = body(json.loads(request.body)) if callable(body) else body
        return package.testing.Response(status=status, headers={"content-type": content_type}, body=payload)

    client = operation.make_client(
        transport=package.testing.MockTransport(handler),
        retry=package.RetryPolicy(max_attempts=1),
        strict_responses=strict,
    )
    try:
        result = operation.call(client, "hostile")
    except package.errors.ClientError as exc:
        str(exc), repr(exc)  # showing the error must work too
        outcome = type(exc).__name__
    else:
        repr(result)
        if isinstance(result, package.BatchResult):  # a batch: its items' results
            [package.unstructure(item.result) for item in result.items if item.result is not None]
        else:
            package.unstructure(result)
        outcome = "tolerant value"
    REPORT.response(outcome)
    return outcome


def run_bounded(operation: Operation, status: int, body: Body, *, seconds: float = 10.0) -> tuple[str, float, int]:
    """run_call in a thread: (outcome, seconds taken, peak traced memory in bytes); fails on a hang."""
    outcome: list[str] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(run_call(operation, status, body))
        except BaseException as exc:  # re-raised in the test's thread below
            failure.append(exc)

    tracemalloc.start()
    started = time.monotonic()
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout=seconds)
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not thread.is_alive(), f"decoding hung for more than {seconds} s"
    if failure:
        raise failure[0]
    return outcome[0], elapsed, peak


def success_text(operation: Operation, request: Any) -> str:
    """The operation's success body as JSON text."""
    return json.dumps(operation.success(request))


def inject(text: str, member: str) -> str:
    """Add ``"key": value`` text to the top-level object of ``text`` (or to the first item of an array)."""
    if text.startswith("["):
        return "[{" + member + ", " + text[2:]
    return "{" + member + ", " + text[1:]


OPS = [pytest.param(operation, id=operation.id) for operation in OPERATIONS]
ERRORS_OR_VALUE = {"tolerant value", "DecodeError", "EnvelopeError", "BatchPartialFailure"}

HOSTILE_BODIES: dict[str, Callable[[Operation], Body]] = {
    "arrays nested 100,000 deep": lambda op: b"[" * DEPTH + b"]" * DEPTH,
    "objects nested 100,000 deep": lambda op: b'{"a":' * DEPTH + b"1" + b"}" * DEPTH,
    "100,000 deep in an unknown field": lambda op: (
        lambda request: inject(success_text(op, request), '"extra": ' + "[" * DEPTH + "]" * DEPTH).encode()
    ),
    "900 deep in an unknown field": lambda op: (
        lambda request: inject(success_text(op, request), '"extra": ' + "[" * 900 + "]" * 900).encode()
    ),
    "1e400 in an unknown field": lambda op: (
        lambda request: inject(success_text(op, request), '"extra": 1e400').encode()
    ),
    "-1e400 in an unknown field": lambda op: lambda request: inject(success_text(op, request), '"x": -1e400').encode(),
    "10,000-digit integer in an unknown field": lambda op: (
        lambda request: inject(success_text(op, request), '"extra": ' + "9" * 10_000).encode()
    ),
    "10,000-digit integer as the body": lambda op: b"9" * 10_000,
    "1e400 as the body": lambda op: b"1e400",
    "NaN in an unknown field": lambda op: lambda request: inject(success_text(op, request), '"extra": NaN').encode(),
    "Infinity in an unknown field": lambda op: (
        lambda request: inject(success_text(op, request), '"extra": Infinity').encode()
    ),
    "-Infinity as the body": lambda op: b"-Infinity",
    "duplicate keys": lambda op: (
        lambda request: (
            success_text(op, request)[:-1] + ', "id": "dup", "id": 7, "Data": null, "data": 1}'
            if not success_text(op, request).startswith("[")
            else b"[]".decode()
        ).encode()
    ),
    "9 MB string in an unknown field": lambda op: (
        lambda request: inject(success_text(op, request), '"extra": "' + "x" * 9_000_000 + '"').encode()
    ),
    "empty body": lambda op: b"",
    "whitespace body": lambda op: b" \r\n\t ",
    "null": lambda op: b"null",
    "a string": lambda op: b'"just a string"',
    "truncated JSON": lambda op: lambda request: success_text(op, request)[:-7].encode(),
    "byte order mark": lambda op: lambda request: b"\xef\xbb\xbf" + success_text(op, request).encode(),
    "UTF-16": lambda op: lambda request: success_text(op, request).encode("utf-16"),
    "lone surrogate escape": lambda op: (
        lambda request: inject(success_text(op, request), '"extra": "\\ud800"').encode()
    ),
    "NUL characters": lambda op: (
        lambda request: inject(success_text(op, request), '"extra\\u0000": "a\\u0000b"').encode()
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE_BODIES))
@pytest.mark.parametrize("operation", OPS)
def test_hostile_success_body(operation: Operation, case: str) -> None:
    outcome, elapsed, peak = run_bounded(operation, 200, HOSTILE_BODIES[case](operation))
    assert outcome in ERRORS_OR_VALUE, outcome
    assert elapsed < 5.0, f"{case}: {elapsed:.1f} s"
    assert peak < 200 * 1024 * 1024, f"{case}: peak {peak / 1e6:.0f} MB"


@pytest.mark.parametrize("status", [400, 401, 404, 409, 422, 429, 500, 503])
@pytest.mark.parametrize("operation", OPS)
def test_hostile_error_body(operation: Operation, status: int) -> None:
    bodies: list[bytes] = [
        b"[" * DEPTH + b"]" * DEPTH,
        b"NaN",
        b"9" * 10_000,
        b"<html>oops</html>",
        b"\xff\xfe",
        json.dumps({"message": ["not", "a", "string"], "status": 1, "error_code": {}, "detail": "x"}).encode(),
        json.dumps({"detail": [{"loc": "no list", "msg": None, "type": 5}], "message": None}).encode(),
        json.dumps({"ErrorMessage": {"deep": [1]}, "error": {"code": [], "details": 1e300}, "success": "no"}).encode(),
        b'{"message": "x", "message": 1}',
    ]
    expected = operation.package.errors.status_error_class(status).__name__
    for body in bodies:
        outcome, elapsed, _ = run_bounded(operation, status, body)
        assert outcome == expected
        assert elapsed < 5.0


def leaf_paths(value: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Every path into a JSON value (the first two items of each array)."""
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from leaf_paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value[:2]):
            yield from leaf_paths(child, (*prefix, index))


def replaced(value: Any, path: tuple[str | int, ...], new: Any) -> Any:
    """A copy of ``value`` with the node at ``path`` replaced by ``new``."""
    result = copy.deepcopy(value)
    node = result
    for token in path[:-1]:
        node = node[token]
    node[path[-1]] = copy.deepcopy(new)
    return result


@pytest.mark.parametrize("operation", OPS)
def test_wrong_type_in_every_field(operation: Operation) -> None:
    """Each field of the success response in turn holds each wrong JSON type: an error or a value, nothing else."""
    captured: list[Any] = []

    def capture(request: Any) -> bytes:
        captured.append(request)
        return json.dumps(operation.success(request)).encode()

    assert run_call(operation, 200, capture) == "tolerant value"
    template = operation.success(captured[0])
    paths = list(leaf_paths(template))
    assert len(paths) >= 5
    outcomes: dict[str, int] = {}
    started = time.monotonic()
    for path in paths:
        bodies = [json.dumps(replaced(template, path, wrong)) for wrong in WRONG_VALUES]
        marked = json.dumps(replaced(template, path, SENTINEL))
        bodies += [marked.replace(json.dumps(SENTINEL), raw) for raw in RAW_NUMBERS]
        for body in bodies:
            outcome = run_call(operation, 200, body.encode())
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assert set(outcomes) <= ERRORS_OR_VALUE, outcomes
    assert outcomes.get("DecodeError", 0) > 0, "no wrong type was ever rejected"
    assert time.monotonic() - started < 60


def test_billbee_payload_of_the_wrong_shape_is_a_decode_error() -> None:
    """Data is anyOf [Customer, null]: a Data that fits neither is a DecodeError, not a raw dict."""
    operation = next(op for op in OPERATIONS if op.vendor == "billbee")

    def body(request: Any) -> bytes:
        answer = operation.success(request)
        answer["Data"]["Name"] = 12345  # a string in the schema
        return json.dumps(answer).encode()

    assert run_call(operation, 200, body) == "DecodeError"


BATCH_RESULTS: dict[str, Any] = {
    "index as a boolean": [{"index": True, "success": True, "id": 1}],
    "index as a string": [{"index": "0", "success": True, "id": 1}],
    "index negative": [{"index": -1, "success": True, "id": 1}],
    "index huge": [{"index": 10**30, "success": True, "id": 1}],
    "index as a float": [{"index": 0.0, "success": True, "id": 1}],
    "duplicate index": [{"index": 0, "success": True, "id": 1}, {"index": 0, "success": False, "id": 2}],
    "success as a string": [{"index": 0, "success": "true", "id": 1}, {"index": 1, "success": 1, "id": 2}],
    "items that are not objects": [None, "x", 1, [0]],
    "errors as an object": [{"index": 0, "success": False, "errors": {"a": 1}}],
    "errors nested 500 deep": [{"index": 0, "success": False, "errors": json.loads("[" * 500 + "]" * 500)}],
    "no items": [],
    "an object, not an array": {"index": 0, "success": True},
}


@pytest.mark.parametrize("case", list(BATCH_RESULTS))
def test_hostile_batch_results(case: str) -> None:
    operation = next(op for op in OPERATIONS if op.vendor == "cin7_omni")
    body = json.dumps(BATCH_RESULTS[case]).encode()
    outcome, elapsed, _ = run_bounded(operation, 200, body)
    assert outcome in ERRORS_OR_VALUE, outcome
    assert elapsed < 5.0


ENVELOPES: dict[str, dict[str, Any]] = {
    "billbee": {
        "ErrorCode as a string": {"ErrorCode": "0", "Data": {}},
        "ErrorCode as a float": {"ErrorCode": 0.0, "Data": {}},
        "ErrorCode missing": {"Data": {}},
        "Data missing": {"ErrorCode": 0},
        "Data null": {"ErrorCode": 0, "Data": None},
        "failure with hostile message": {"ErrorCode": 1, "ErrorMessage": {"x": [1e300]}, "ErrorDescription": [None]},
    },
    "formation": {
        "success as a string": {"success": "true", "data": {}},
        "success as 1": {"success": 1, "data": {}},
        "success missing": {"data": {}},
        "data missing": {"success": True},
        "data null": {"success": True, "data": None},
        "failure with hostile error": {"success": False, "message": ["m"], "error": "not an object"},
    },
}


@pytest.mark.parametrize(("vendor", "case"), [(vendor, case) for vendor, cases in ENVELOPES.items() for case in cases])
def test_hostile_envelopes(vendor: str, case: str) -> None:
    operation = next(op for op in OPERATIONS if op.vendor == vendor)
    outcome, elapsed, _ = run_bounded(operation, 200, json.dumps(ENVELOPES[vendor][case]).encode())
    assert outcome in ERRORS_OR_VALUE, outcome
    assert elapsed < 5.0

"""Request bodies JSON cannot carry: the client must refuse them with RequestValidationError, sending nothing.

Found while round-tripping hostile responses: a value the decoder tolerates (an integer
of 5,000 digits given by the user, NaN in an undeclared key, a lone surrogate...) breaks
the encoder on the way out with a bare ValueError, RecursionError, TypeError or
UnicodeEncodeError from json/str, outside the package's error tree.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from generated import chift

OK = {"id": "x", "source_ref": {"id": "x", "model": "contact"}}


def _deep(levels: int) -> Any:
    value: Any = []
    for _ in range(levels):
        value = [value]
    return value


BODIES: dict[str, Callable[[], dict[str, Any]]] = {
    "NaN in an undeclared key": lambda: {"first_name": "a", "extra": float("nan")},
    "5,000-digit integer in an undeclared key": lambda: {"first_name": "a", "extra": 10**5000},
    "100,000 levels in an undeclared key": lambda: {"first_name": "a", "extra": _deep(100_000)},
    "an object JSON cannot write": lambda: {"first_name": "a", "extra": object()},
    "a lone surrogate in a declared string": lambda: {"first_name": "a\ud800"},
}


@pytest.mark.parametrize("case", list(BODIES))
def test_unwritable_body_is_a_request_validation_error(case: str) -> None:
    transport = chift.testing.MockTransport(lambda request: chift.testing.json_response(200, OK))
    client = chift.Client(token="static-token", transport=transport)
    with pytest.raises(chift.errors.RequestValidationError):
        client.create_invoicing_contact(consumer_id="c", body=BODIES[case]())
    assert transport.requests == []


def test_writable_values_near_the_limits_are_sent() -> None:
    """The guard must not be too strict: big but valid values go out unchanged."""
    transport = chift.testing.MockTransport(lambda request: chift.testing.json_response(200, OK))
    client = chift.Client(token="static-token", transport=transport)
    body = {"first_name": '名前 😀 "quoted" \\ \n', "extra": [10**4000, 1e308, _deep(500)]}
    client.create_invoicing_contact(consumer_id="c", body=body)
    sent = transport.requests[0].body
    assert sent is not None
    assert json.loads(sent)["first_name"] == body["first_name"]

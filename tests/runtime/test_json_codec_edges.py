"""Edges of the runtime's JSON module the speed work touched: bytes in, Decimal markers, NaN payloads.

Each test runs with orjson and as without it (``codec`` of ``test_json_codec``).
"""

from __future__ import annotations

import json
from decimal import Decimal
from types import ModuleType

import pytest

from tests.runtime.test_json_codec import codec, stdlib_bytes

__all__ = ["codec"]  # the fixture, imported for the tests below


@pytest.mark.parametrize(
    "text",
    ['{"a":[1,2.5,"é",null,true]}', "123456789012345678901234567890", '{"amount":0.30,"when":"2024-01-02"}'],
)
def test_loads_reads_utf8_bytes_as_it_reads_their_text(codec: ModuleType, text: str) -> None:
    raw = text.encode("utf-8")
    assert codec.loads(raw) == codec.loads(text)
    exact = codec.loads(raw, decimals=True)
    assert exact == codec.loads(text, decimals=True)
    assert codec.dumps(exact) == codec.dumps(codec.loads(text, decimals=True))


@pytest.mark.parametrize("decimals", [False, True])
def test_loads_refuses_bytes_that_are_not_utf8(codec: ModuleType, decimals: bool) -> None:
    with pytest.raises(UnicodeDecodeError):
        codec.loads(b'{"name":"\xff"}', decimals=decimals)
    with pytest.raises(json.JSONDecodeError):  # UTF-16 is not guessed, as json.loads(bytes) would
        codec.loads('{"a":1}'.encode("utf-16-le"), decimals=decimals)


def test_a_caller_string_starting_with_the_marker_is_kept_beside_decimals(codec: ModuleType) -> None:
    marker = codec._MARKER
    document = {"before": f"{marker}x", "amount": Decimal("0.50"), "after": f"{marker}1.5", "total": Decimal("2.25")}
    strings = stdlib_bytes({"before": document["before"], "after": document["after"]})
    before, after = strings[1:-1].split(b",", 1)
    assert codec.dumps(document) == b"{" + before + b',"amount":0.50,' + after + b',"total":2.25}'


def test_a_caller_string_ending_with_the_marker_is_kept_beside_decimals(codec: ModuleType) -> None:
    marker = codec._MARKER
    document = [Decimal("0.10"), f"x{marker}", Decimal("1E+3"), f"{marker}"]
    expected = b"[0.10," + stdlib_bytes(document[1]) + b",1E+3," + stdlib_bytes(document[3]) + b"]"
    assert codec.dumps(document) == expected


@pytest.mark.parametrize("text", ["NaN123", "-NaN7", "sNaN1"])
def test_a_decimal_nan_with_a_payload_is_refused(codec: ModuleType, text: str) -> None:
    # str() of such a NaN ends with a digit: it must not pass as a number's text.
    with pytest.raises(ValueError, match="JSON"):
        codec.dumps({"amount": Decimal(text)})

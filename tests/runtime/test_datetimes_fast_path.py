"""``parse_datetime``'s fast path (``fromisoformat``, in C, once the pattern matched) answers as the pattern does.

The reference is the same function with the fast path switched off, which builds every value
from the pattern's groups: for any text, both give the same instant, offset and wire text, or
both refuse it.
"""

from __future__ import annotations

import sys

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from generated.chift import _datetimes
from tests.helpers import hypothesis_profiles

hypothesis_profiles.load()

pytestmark = pytest.mark.skipif(sys.version_info < (3, 11), reason="the fast path needs Python 3.11's fromisoformat")

DIGIT = st.sampled_from("0123456789")
# Pieces of RFC 3339 date-times, and the near misses fromisoformat reads but the pattern does not.
PIECES = st.one_of(
    st.sampled_from(["2024", "-", "11", "16", "T", "t", "13", ":", "41", "56", "60", "99", "00", "24"]),
    st.sampled_from([".", ",", "Z", "z", "+", "-", "+01:00", "-05:30", "+01", "+0100", "+01:00:30", " ", "٣", "W"]),
    st.text(DIGIT, min_size=1, max_size=9),
)
DATE_TIMES = st.builds(
    lambda year, month, day, hour, minute, second, fraction, offset: (
        f"{year}-{month}-{day}T{hour}:{minute}:{second}{fraction}{offset}"
    ),
    st.sampled_from(["2024", "0001", "9999", "0000"]),
    st.sampled_from(["01", "02", "11", "12", "13", "00"]),
    st.sampled_from(["01", "16", "29", "30", "31", "32"]),
    st.sampled_from(["00", "13", "23", "24"]),
    st.sampled_from(["00", "41", "59", "60"]),
    st.sampled_from(["00", "56", "59", "60", "61"]),
    st.one_of(st.just(""), st.builds(lambda digits: "." + digits, st.text(DIGIT, max_size=12))),
    st.sampled_from(["", "Z", "z", "+01:00", "-05:30", "+14:00", "+24:00", "+01", "+0100", "-00:00", "+01:60"]),
)


def outcome(text: str, *, fast: bool) -> tuple[str, object]:
    saved = _datetimes._NATIVE_ISO
    _datetimes._NATIVE_ISO = fast
    try:
        value = _datetimes.parse_datetime(text)
    except ValueError:
        return ("refused", None)
    finally:
        _datetimes._NATIVE_ISO = saved
    assert isinstance(value, _datetimes.WireDatetime)
    return ("read", (value, value.utcoffset(), value.wire_text, value.tzinfo is None))


@given(st.one_of(DATE_TIMES, st.lists(PIECES, max_size=12).map("".join)))
@example("2024-11-16T13:41:56.1638179Z")
@example("2024-11-16T13:41:56.Z")
@example("2024-11-16T13:41:56,5Z")
@example("2024-11-16T23:59:60Z")
@example("2024-11-16T13:41:56+01")
@example("2024-11-16T13:41:56.5+01:00:30")
def test_the_fast_path_reads_what_the_pattern_reads(text: str) -> None:
    assert outcome(text, fast=True) == outcome(text, fast=False)

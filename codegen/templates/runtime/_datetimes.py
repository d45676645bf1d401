"""Dates and date-times in RFC 3339 wire form, parsed the same way on every Python >= 3.10.

A value parsed from the wire remembers its exact text, so that a response goes back out
byte for byte (``Z`` stays ``Z``, seven fraction digits stay seven); a value built or
changed in Python is written in canonical ISO 8601 form, ``Z`` for UTC.
"""

from __future__ import annotations

import re
import sys
from datetime import date, datetime, timedelta, timezone

__all__ = ["WireDatetime", "format_date", "format_datetime", "parse_date", "parse_datetime"]

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?",
    re.ASCII,
)
# The same shape without groups, to test a text before the C parser reads it: no groups to fill.
_DATETIME_SHAPE = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(?:\.\d+)?(?:[Zz]|[+-]\d\d:\d\d)?", re.ASCII)


# From Python 3.11 datetime.fromisoformat reads every RFC 3339 form the pattern admits
# (Z, any number of fraction digits), in C: a fast path, checked by the pattern first.
_NATIVE_ISO = sys.version_info >= (3, 11)


class WireDatetime(datetime):
    """A datetime parsed from the wire; ``wire_text`` is the text it came from."""

    __slots__ = ("wire_text",)
    wire_text: str


def parse_date(text: str) -> date:
    """Parse ``YYYY-MM-DD``; ValueError otherwise."""
    match = _DATE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a date (YYYY-MM-DD): {text[:64]!r}")
    year, month, day = map(int, match.groups())
    return date(year, month, day)


def parse_datetime(text: str) -> datetime:
    """Parse an RFC 3339 date-time (offset optional); ValueError otherwise."""
    if _NATIVE_ISO and _DATETIME_SHAPE.fullmatch(text) is not None:
        try:
            value = WireDatetime.fromisoformat(text)
        except ValueError:
            pass  # a leap second, lower-case t or z: the general path below decides
        else:
            value.wire_text = text
            return value
    match = _DATETIME.fullmatch(text)
    if match is None:
        raise ValueError(f"not a date-time (RFC 3339): {text[:64]!r}")
    year, month, day, hour, minute, second = map(int, match.groups()[:6])
    fraction, offset = match.group(7), match.group(8)
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    tz = None
    if offset in ("Z", "z"):
        tz = timezone.utc
    elif offset:
        sign = 1 if offset[0] == "+" else -1
        delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
        tz = timezone(sign * delta)
    second_leap = min(second, 59)  # RFC 3339 allows a leap second, datetime does not
    value = WireDatetime(year, month, day, hour, minute, second_leap, micro, tzinfo=tz)
    value.wire_text = text
    return value


def format_date(value: date | str) -> str:
    """``YYYY-MM-DD`` (a string given in its place passes through, for validation to judge)."""
    return value if isinstance(value, str) else value.isoformat()


def format_datetime(value: datetime | str) -> str:
    """The wire text the value was parsed from, or its ISO 8601 form with ``Z`` for UTC."""
    if isinstance(value, str):
        return value
    wire_text: str | None = getattr(value, "wire_text", None)
    if wire_text is not None:
        return wire_text
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text

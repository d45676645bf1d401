"""JSON text <-> Python data for this package: exact for decimals, orjson when it is installed.

- ``dumps`` writes compact UTF-8 JSON (``,`` and ``:`` without spaces, non-ASCII kept as it
  is, keys in the order given), byte for byte what ``json.dumps(value, ensure_ascii=False,
  separators=(",", ":"), allow_nan=False)`` writes, and ``decimal.Decimal`` as a JSON number
  with exactly its digits (``Decimal("0.30")`` -> ``0.30``), never through a float. NaN and
  the infinities (float or Decimal) raise ``ValueError``: JSON has no such numbers.
- ``loads`` reads JSON text as ``json.loads`` does, refusing ``NaN`` and ``Infinity``; with
  ``decimals=True`` every number with a fraction or an exponent becomes a ``Decimal`` with
  the digits of the text, written back as a number with a fraction or an exponent too
  (integers stay ``int``).

orjson is an optional accelerator, used when it can be imported; the package needs only the
standard library for this. Its answer is taken only when it is the standard library's: it
writes small floats (below 1e-4) in another notation and NaN as ``null``, reads integers of
19 digits and more as floats, and knows no ``Decimal``; in those cases (and on any error) the
standard library does the work, so results and error messages are the same with and without
orjson. Numbers are read exactly (``decimals=True``) only by the standard library: where the
two differ, exactness wins over speed.

Without orjson, a value holding Decimals is written by the standard library's encoder too:
an integral Decimal becomes an int, any other a string between two markers (``\\x00``),
which are then cut out with their quotes in one pass, leaving the digits; if a string of the
caller's ends with the marker (the text then holds more ends than there were Decimals), a
pure-Python writer that follows the standard library's rules does the work instead.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

try:  # the ignores keep mypy --strict quiet with orjson installed and without it
    import orjson  # type: ignore[import-not-found,unused-ignore]
except ImportError:
    orjson = None  # type: ignore[assignment,unused-ignore]

__all__ = ["decimal_text", "dumps", "finite_numbers", "fraction_decimal", "loads"]

_orjson: Any = orjson if hasattr(orjson, "Fragment") else None  # Fragment came with orjson 3.9
"""The orjson module, or None: then the standard library does all the work."""

_ORJSON_OPTIONS = 0
if _orjson is not None:
    # Subclasses of str, int, dict and list, date-times and dataclasses go to the standard
    # library, which writes (or refuses) them as it always has.
    _ORJSON_OPTIONS = (
        _orjson.OPT_PASSTHROUGH_SUBCLASS | _orjson.OPT_PASSTHROUGH_DATETIME | _orjson.OPT_PASSTHROUGH_DATACLASS
    )

# orjson's output differs from the standard library's only for floats below 1e-4 (``1e-7``
# for ``1e-07``, ``0.00001`` for ``1e-05``) and NaN or an infinity (written ``null``). Each
# search starts with a literal, which the regex engine and ``in`` find fast.
_SMALL_EXPONENT = re.compile(rb"e-[0-9]")
_SMALL_FRACTION = b"0.0000"
# orjson reads an integer beyond 64 bits as a float; the standard library keeps it exact.
_DIGITS_AS_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_LONG_NUMBER = b"0" * 19


def _refuse_other(value: Any) -> Any:
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_refuse_other)
_LEAF = _ENCODER.encode  # a string or a float, as json.dumps writes it (and refuses NaN)
# Short, to keep the text small: correctness rests on counting, not on the marker being unusual.
_MARKER = "\x00"
_MARKER_TEXT = _LEAF(_MARKER)[1:-1].encode("ascii")  # as the encoder writes it: \u0000
_MARKED_START = b'"' + _MARKER_TEXT
_MARKED_END = _MARKER_TEXT + b'"'


def decimal_text(value: Decimal) -> str:
    """``value`` as a JSON number with exactly its digits; ValueError for NaN and the infinities."""
    if not value.is_finite():
        raise ValueError(f"Decimal {value} is not a JSON number")
    return str(value)  # [-]digits[.digits][E±digits]: the grammar of a JSON number


def fraction_decimal(text: str) -> Decimal:
    """The Decimal of a number text with a fraction or an exponent (JSON's or ``repr(float)``'s).

    Its digits are kept, and so is its kind: ``1.5e1`` is ``Decimal("15")``, which would be
    written ``15``, an integer to JSON readers, so it gets a fractional zero: ``15.0``.
    """
    value = Decimal(text)
    if "e" not in text and "E" not in text:
        return value  # a fraction without exponent: the exponent is negative
    sign, digits, exponent = value.as_tuple()
    return Decimal((sign, (*digits, 0), -1)) if exponent == 0 else value


def _orjson_default(value: Any) -> Any:
    if value.__class__ is Decimal:  # called once per Decimal: kept short
        if value.is_finite():
            return _orjson.Fragment(str(value))
    elif isinstance(value, Decimal):
        return _orjson.Fragment(decimal_text(value))
    raise TypeError  # the standard library decides (and refuses NaN)


def finite_numbers(value: Any, decimal_check: Callable[[Decimal], bool] | None = None) -> bool:
    """Whether every float anywhere in ``value`` is finite (orjson writes NaN and the infinities ``null``).

    With ``decimal_check``, every ``Decimal`` must pass it too (the request validator's test).
    """
    pending = [value]
    pop, extend, isfinite = pending.pop, pending.extend, math.isfinite
    while pending:
        item = pop()
        kind = item.__class__
        if kind is str or item is None or kind is int or kind is bool:  # the usual leaves first, by exact class
            continue
        if kind is dict:
            extend(item.values())
        elif kind is list:
            extend(item)
        elif kind is float:
            if not isfinite(item):
                return False
        elif isinstance(item, dict):
            extend(item.values())
        elif isinstance(item, (list, tuple)):
            extend(item)
        elif isinstance(item, float):
            if not isfinite(item):
                return False
        elif decimal_check is not None and isinstance(item, Decimal) and not decimal_check(item):
            return False
    return True


def dumps(value: Any, *, finite: bool = False) -> bytes:
    """``value`` as compact UTF-8 JSON (see the module docstring); ValueError or TypeError when impossible.

    ``finite=True`` is the caller's word that no float in ``value`` is NaN or infinite, as the
    request validator has made sure of a body it passed. orjson writes such a float as ``null``,
    so without that word every output holding ``null`` is searched for one, at the cost of a
    walk over the whole value.
    """
    if _orjson is not None:
        try:
            text: bytes = _orjson.dumps(value, default=_orjson_default, option=_ORJSON_OPTIONS)
        except Exception:  # anything orjson cannot write: the standard library's answer
            pass
        else:
            differs = _SMALL_FRACTION in text or _SMALL_EXPONENT.search(text) is not None
            if not differs and (finite or b"null" not in text or finite_numbers(value)):
                return text
    decimals = 0

    def marked(item: Any) -> Any:  # called once per Decimal: kept short
        nonlocal decimals
        if item.__class__ is not Decimal and not isinstance(item, Decimal):
            return _refuse_other(item)
        if not item.is_finite():
            return decimal_text(item)  # raises
        text = str(item)
        if "." not in text and "E" not in text and text != "-0":
            return int(text)  # an integer the encoder writes with the same digits: no marker
        decimals += 1
        return _MARKER + text + _MARKER

    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=marked)
    written = encoder.encode(value).encode("utf-8")
    if not decimals:
        return written
    unmarked = _unmarked(written, decimals)
    return unmarked if unmarked is not None else "".join(_exact(value, [], set())).encode("utf-8")


def _unmarked(written: bytes, decimals: int) -> bytes | None:
    """``written`` with its ``decimals`` marked Decimals as bare numbers; None when a caller's string got in the way.

    One pass splits the text after each Decimal's end (``\u0000"``); each piece but the last
    then ends with its start (``"\u0000``) and digits. A caller's string ending with the marker
    makes one piece more than there are Decimals: then None.
    """
    pieces = written.split(_MARKED_END)
    if len(pieces) != decimals + 1:
        return None
    kept = []
    for piece in pieces[:-1]:
        head, start, digits = piece.rpartition(_MARKED_START)
        if not start:
            return None
        kept.append(head)
        kept.append(digits)
    kept.append(pieces[-1])
    return b"".join(kept)


def _exact(value: Any, parts: list[str], active: set[int]) -> list[str]:
    """What ``json.dumps`` writes, in its order of type checks, plus Decimal with its own digits."""
    if isinstance(value, str):
        parts.append(_LEAF(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, float):
        parts.append(_LEAF(value))
    elif isinstance(value, Decimal):
        parts.append(decimal_text(value))
    elif isinstance(value, (list, tuple, dict)):
        marker = id(value)
        if marker in active:
            raise ValueError("Circular reference detected")
        active.add(marker)
        if isinstance(value, dict):
            parts.append("{")
            for position, (key, item) in enumerate(value.items()):
                parts.append(_key(key) if position == 0 else "," + _key(key))
                _exact(item, parts, active)
            parts.append("}")
        else:
            parts.append("[")
            for position, item in enumerate(value):
                if position:
                    parts.append(",")
                _exact(item, parts, active)
            parts.append("]")
        active.discard(marker)
    else:
        raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")
    return parts


def _key(key: Any) -> str:
    """A dict key and its colon, converted as ``json.dumps`` converts keys."""
    if isinstance(key, str):
        text = key
    elif isinstance(key, float):
        text = _LEAF(key)
    elif key is True or key is False or key is None:
        text = {True: "true", False: "false", None: "null"}[key]
    elif isinstance(key, int):
        text = int.__repr__(key)
    else:
        raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")
    return _LEAF(text) + ":"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# Made once, as json.loads does for its defaults (with other arguments it makes one per call);
# shared by threads like json's own: a scan keeps its state to itself.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)
_EXACT_DECODER = json.JSONDecoder(parse_float=fraction_decimal, parse_constant=_refuse_constant)


def loads(text: str | bytes, *, decimals: bool = False) -> Any:
    """The JSON value of ``text`` (str or UTF-8 bytes); with ``decimals``, fractional numbers as exact ``Decimal``.

    Raises ``json.JSONDecodeError`` (a ValueError) for text that is not JSON, ValueError for
    ``NaN`` and ``Infinity``, RecursionError for nesting too deep, as ``json.loads`` does, and
    UnicodeDecodeError for bytes that are not UTF-8.
    """
    if not decimals and _orjson is not None:
        raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
        if raw.translate(_DIGITS_AS_ZEROS).find(_LONG_NUMBER) < 0:
            try:
                return _orjson.loads(raw)
            except ValueError:  # orjson.JSONDecodeError: the standard library reads it, or says why not
                pass
    if isinstance(text, bytes):
        text = text.decode("utf-8")  # json.loads would also guess UTF-16 and UTF-32
    if text.startswith("\ufeff"):  # json.loads checks this before decoding, with this message
        raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
    if decimals:
        return _EXACT_DECODER.decode(text)
    return _DECODER.decode(text)

"""The runtime's JSON module (``_json``): the standard library's bytes, Decimal exactly, orjson or not.

Every test runs twice, with orjson (installed by requirements/dev.txt) and with the module's
``_orjson`` set to None, which is what a package finds when orjson cannot be imported; a
subprocess test checks that fallback for real, with the import of orjson blocked. Both
paths must give the bytes ``json.dumps(..., ensure_ascii=False, separators=(",", ":"),
allow_nan=False)`` gives, the values ``json.loads`` gives, and the same errors.
"""

from __future__ import annotations

import contextlib
import json
import math
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generated.chift import _json as chift_json
from tests.helpers import hypothesis_profiles
from tests.helpers.paths import REPO
from tests.helpers.schema_strategies import arbitrary_json

hypothesis_profiles.load()

ORJSON_PRESENT = chift_json._orjson is not None


PATHS = ["orjson", "stdlib"]


@contextlib.contextmanager
def json_path(path: str) -> Iterator[ModuleType]:
    """The ``_json`` module with orjson (when installed) or as without it, restored afterwards."""
    if path == "orjson" and not ORJSON_PRESENT:
        pytest.fail("orjson is not installed: pip install -r requirements/dev.txt")
    saved = chift_json._orjson
    chift_json._orjson = saved if path == "orjson" else None
    try:
        yield chift_json
    finally:
        chift_json._orjson = saved


@pytest.fixture(params=PATHS)
def codec(request: pytest.FixtureRequest) -> Iterator[ModuleType]:
    """``json_path`` for a whole test (not for ``@given`` tests: they use the context manager)."""
    with json_path(request.param) as module:
        yield module


def stdlib_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def typed(value: Any) -> Any:
    """``value`` with each number tagged by its class: 1 and 1.0 differ, as do 0.5 and Decimal("0.5")."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return (type(value).__name__, str(value))
    return value


# Numbers where orjson and the standard library part ways: small floats, 64-bit limits.
EDGE_NUMBERS = st.sampled_from(
    [
        1e-7,
        -2.5e-5,
        1.5e-4,
        1e-10,
        1e16,
        1.7484806498868834e16,
        0.0,
        -0.0,
        5e-324,
        1.7976931348623157e308,
        2**63 - 1,
        2**63,
        2**64,
        -(2**63) - 1,
        10**30,
    ]
)
JSON_VALUES = st.recursive(
    st.one_of(arbitrary_json(max_leaves=10), EDGE_NUMBERS, st.text(alphabet='é€😀\u2028\x00\x1f"\\ab', max_size=8)),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children, children),
        st.dictionaries(st.text(max_size=6), children, max_size=4),
    ),
    max_leaves=25,
)


def decimals(max_digits: int = 28, max_exponent: int = 30) -> st.SearchStrategy[Decimal]:
    """Finite Decimals of up to ``max_digits`` significant digits, exponents either side of 0.

    Not ``Decimal("-0")``: its text ``-0`` is an integer to JSON, which Python reads as 0.
    """
    return st.builds(
        lambda sign, coefficient, exponent: Decimal((sign, tuple(int(d) for d in str(coefficient)), exponent)),
        st.integers(0, 1),
        st.integers(0, 10**max_digits - 1),
        st.integers(-max_exponent, max_exponent),
    ).filter(lambda number: str(number) != "-0")


@pytest.mark.parametrize("path", PATHS)
@given(value=JSON_VALUES)
def test_dumps_writes_the_bytes_of_the_standard_library(path: str, value: Any) -> None:
    with json_path(path) as codec:
        assert codec.dumps(value) == stdlib_bytes(value)


@pytest.mark.parametrize("path", PATHS)
@given(value=JSON_VALUES)
def test_loads_reads_what_the_standard_library_reads(path: str, value: Any) -> None:
    with json_path(path) as codec:
        check_loads(codec, value)


def check_loads(codec: ModuleType, value: Any) -> None:
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False), stdlib_bytes(value).decode("utf-8")):
        assert typed(codec.loads(text)) == typed(json.loads(text))
        exact = json.loads(text, parse_float=codec.fraction_decimal)
        assert typed(codec.loads(text, decimals=True)) == typed(exact)


@pytest.mark.parametrize("path", PATHS)
@given(number=decimals(), value=JSON_VALUES)
def test_a_decimal_is_written_with_exactly_its_digits(path: str, number: Decimal, value: Any) -> None:
    with json_path(path) as codec:
        check_decimal(codec, number, value)


def check_decimal(codec: ModuleType, number: Decimal, value: Any) -> None:
    document = {"amount": number, "other": value, "list": [number, -number]}
    written = codec.dumps(document)
    parts = [b'{"amount":', str(number).encode(), b',"other":', stdlib_bytes(value), b',"list":[']
    assert written == b"".join([*parts, str(number).encode(), b",", str(-number).encode(), b"]}"])
    back = codec.loads(written.decode("utf-8"), decimals=True)
    # An integral Decimal written without exponent reads back as an int: the same digits.
    assert str(back["amount"]) == str(number)
    expected = json.loads(stdlib_bytes(value).decode("utf-8"), parse_float=codec.fraction_decimal)
    assert typed(back["other"]) == typed(expected)


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (Decimal("0.363"), b"0.363"),
        (Decimal("0.30"), b"0.30"),
        (Decimal("12345678901234567.89"), b"12345678901234567.89"),
        (Decimal("-0"), b"-0"),
        (Decimal("1E+2"), b"1E+2"),
        (Decimal("0.0000001"), b"1E-7"),
        (Decimal("1234567890123456789012345678"), b"1234567890123456789012345678"),
    ],
)
def test_money_is_written_as_a_json_number_never_through_a_float(
    codec: ModuleType, number: Decimal, text: bytes
) -> None:
    assert codec.dumps(number) == text
    assert codec.dumps({"total": number}) == b'{"total":' + text + b"}"
    assert json.loads(text, parse_float=Decimal, parse_int=Decimal) == number


@pytest.mark.parametrize(
    "value",
    [
        math.nan,
        math.inf,
        -math.inf,
        {"unknown": [1, None, math.nan]},  # where orjson writes null
        {"a": None, "b": -math.inf},
        Decimal("NaN"),
        Decimal("sNaN"),
        Decimal("-Infinity"),
        [Decimal("1.5"), Decimal("Infinity")],
    ],
    ids=repr,
)
def test_nan_and_infinities_are_refused(codec: ModuleType, value: Any) -> None:
    with pytest.raises(ValueError, match="JSON"):
        codec.dumps(value)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ({"a": {1, 2}}, TypeError),
        ({(1, 2): "tuple key"}, TypeError),
        ({"date": __import__("datetime").date(2024, 1, 2)}, TypeError),
        ("\ud800", UnicodeEncodeError),
        (10**5000, ValueError),  # more digits than int -> str allows
    ],
    ids=["set", "tuple key", "date", "lone surrogate", "huge int"],
)
def test_what_json_cannot_carry_fails_as_with_the_standard_library(
    codec: ModuleType, value: Any, error: type[Exception]
) -> None:
    with pytest.raises(error) as ours:
        codec.dumps(value)
    with pytest.raises(error) as theirs:
        stdlib_bytes(value)
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(error):
        codec.dumps({"amount": Decimal("1.5"), "bad": value})  # the exact writer says the same


def test_a_string_holding_the_internal_marker_does_not_confuse_the_writer(codec: ModuleType) -> None:
    # Without orjson, Decimals travel through the stdlib encoder between markers that are then
    # cut out; a caller's string that holds the marker must come out as it was.
    marker = codec._MARKER
    document = {"note": f"{marker}0.5{marker}", "quoted": f'"{marker}', "amount": Decimal("0.50")}
    expected = stdlib_bytes({"note": document["note"], "quoted": document["quoted"]})[:-1] + b',"amount":0.50}'
    assert codec.dumps(document) == expected
    assert codec.dumps([Decimal("1.10"), marker]) == b"[1.10," + stdlib_bytes(marker) + b"]"


def test_a_circular_structure_is_refused(codec: ModuleType) -> None:
    loop: list[Any] = [Decimal("1")]
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        codec.dumps(loop)


def test_keys_are_converted_as_the_standard_library_converts_them(codec: ModuleType) -> None:
    keys = {"s": 1, 2: 2, 1.5: 3, True: 4, None: 5}
    assert codec.dumps(keys) == stdlib_bytes(keys)
    assert codec.dumps({**keys, "d": Decimal("0.10")}) == stdlib_bytes(keys)[:-1] + b',"d":0.10}'


@pytest.mark.parametrize(
    "text",
    ["NaN", "[Infinity]", '{"a": -Infinity}', "{", "[1,]", "01", '"\\x"', "\ufeff[]", "[1] x", ""],
)
def test_loads_refuses_what_the_standard_library_refuses_with_the_same_message(codec: ModuleType, text: str) -> None:
    with pytest.raises(ValueError, match=r".") as ours:
        codec.loads(text)
    with pytest.raises(ValueError, match=r".") as exact:
        codec.loads(text, decimals=True)
    assert str(ours.value) == str(exact.value)
    if isinstance(ours.value, json.JSONDecodeError):
        with pytest.raises(json.JSONDecodeError) as theirs:
            json.loads(text)
        assert (ours.value.msg, ours.value.pos) == (theirs.value.msg, theirs.value.pos)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("123456789012345678901234567890", 123456789012345678901234567890),
        ("-9223372036854775809", -9223372036854775809),
        ("18446744073709551616", 18446744073709551616),
        ('"\\ud800"', "\ud800"),  # a lone surrogate escape: orjson refuses it, the stdlib keeps it
        ("1e400", math.inf),
    ],
)
def test_loads_keeps_what_orjson_would_read_otherwise(codec: ModuleType, text: str, expected: Any) -> None:
    assert typed(codec.loads(text)) == typed(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.30", "0.30"),
        ("12345678901234567.89", "12345678901234567.89"),
        ("1.5e1", "15.0"),  # 15 would read back as an integer: the fraction stays
        ("1.7484806498868834e+16", "17484806498868834.0"),
        ("1e2", "1E+2"),
        ("-0.0", "-0.0"),
        ("1E-7", "1E-7"),
    ],
)
def test_exact_loads_keeps_the_digits_and_the_kind_of_number(text: str, expected: str) -> None:
    value = chift_json.loads(text, decimals=True)
    assert isinstance(value, Decimal)
    assert str(value) == expected
    assert json.loads(chift_json.dumps(value)) == json.loads(text)
    assert type(json.loads(chift_json.dumps(value))) is float


def test_without_orjson_the_package_imports_and_writes_the_same_bytes() -> None:
    # orjson's import is refused by a meta path finder, as on a machine without it.
    script = textwrap.dedent(
        """
        import importlib.abc, sys
        from decimal import Decimal

        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name == "orjson" or name.startswith("orjson."):
                    raise ImportError("orjson blocked for this test")
                return None

        sys.meta_path.insert(0, Block())
        import generated.chift as chift
        from generated.chift.testing import MockTransport, json_response

        assert chift._json._orjson is None, "orjson was imported"
        assert "orjson" not in sys.modules
        sent = []

        def answer(request):
            sent.append(request.body)
            return json_response(200, {"id": "c-1", "source_ref": {"id": "s", "model": "m"}, "score": 0.5})

        with chift.Client(token="t", transport=MockTransport(answer)) as client:
            client.create_invoicing_contact(consumer_id="c", body={"name": "N", "balance": Decimal("0.30")})
        print(sent[0].decode())
        print(chift._json.dumps({"x": 1e-07, "y": "é"}).decode())
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    body, other = completed.stdout.splitlines()
    assert body.endswith('"balance":0.30}')
    assert other == '{"x":1e-07,"y":"é"}'

"""Property tests of money: every ``format: decimal`` field, random ``Decimal`` values.

For each model of the shipped schemas with ``format: decimal`` properties, instances
generated from its JSON Schema get random Decimals (up to 28 significant digits, exponents
from -30 to 30, within the property's bounds) in every such property, and then:

1. Exact round trip, with orjson and without: structure into the attrs model, unstructure,
   write (``_json.dumps``), read back as the client reads a response with decimal fields
   (``_json.loads(..., decimals=True)``), structure again: every amount is a ``Decimal``
   with exactly the digits it started with (``str`` equal, not only ``==``), and nothing
   else changed.
2. Agreement: the client's validation and ``jsonschema`` both accept the instance; both
   reject it once an amount exceeds its bound by one unit of its last digit (a change no
   float could see in 28 digits), and the client reports that property's path.
3. Exact bounds: against a number schema with bounds and ``multipleOf``, the client's
   compiled check, its interpreter and exact rational arithmetic agree on every Decimal.
"""

from __future__ import annotations

import contextlib
import decimal
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache
from types import ModuleType
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from codegen.openapi import is_decimal
from generated.chift import _json as chift_json
from tests.helpers import hypothesis_profiles
from tests.helpers.schema_strategies import (
    COMPONENT_REF,
    components,
    load_document,
    package,
    reference_validator,
    valid_instances,
    vendors,
)

hypothesis_profiles.load()

MAX_DIGITS = 28
MAX_EXPONENT = 30


@cache
def _document(vendor: str) -> dict[str, Any]:
    return load_document(vendor)


@dataclass(frozen=True)
class MoneyModel:
    """A component with ``format: decimal`` properties (wire name -> schema)."""

    vendor: str
    name: str
    amounts: tuple[tuple[str, Mapping[str, Any]], ...]

    def __str__(self) -> str:
        return f"{self.vendor}.{self.name}"


MONEY_MODELS = [
    MoneyModel(vendor, name, amounts)
    for vendor in vendors()
    for name, schema in components(_document(vendor)).items()
    if (amounts := tuple((wire, prop) for wire, prop in (schema.get("properties") or {}).items() if is_decimal(prop)))
]


def test_the_shipped_schemas_have_money_fields_where_the_project_reads_them() -> None:
    found = {str(model): sorted(wire for wire, _ in model.amounts) for model in MONEY_MODELS}
    invoice = ["tax_amount", "total", "untaxed_amount"]
    line = ["quantity", "tax_amount", "tax_rate", "total", "unit_price", "untaxed_amount"]
    assert found == {
        "chift.NlPaymentTermsAccount": ["amount"],
        "chift.InvoiceLineItemIn": line,
        "chift.InvoiceLineItemOut": line,
        "chift.Payment": ["amount", "dedicated_amount"],
        "chift.InvoiceItemIn": ["currency_exchange_rate", *invoice],
        "chift.InvoiceItemOut": invoice,
        "cin7_omni.Contact": ["balanceOwing", "creditLimit", "percentageOff"],
    }


def amounts_within(schema: Mapping[str, Any]) -> st.SearchStrategy[Decimal]:
    """Decimals of up to 28 significant digits; within ``minimum``..``maximum`` when the schema has them."""
    low, high = schema.get("minimum"), schema.get("maximum")

    @st.composite
    def draw(draw: st.DrawFn) -> Decimal:
        digits = draw(st.integers(1, MAX_DIGITS))
        coefficient = draw(st.integers(0, 10**digits - 1))
        if low is None or high is None:
            exponent = draw(st.integers(-MAX_EXPONENT, MAX_EXPONENT))
            sign = draw(st.integers(0, 1)) if coefficient or exponent else 0  # not "-0": JSON reads 0
            return Decimal((sign, tuple(map(int, str(coefficient))), exponent))
        width = Decimal(high) - Decimal(low)
        # coefficient * 10**exponent < 10**(digits + exponent) <= 10**adjusted(width) <= width
        exponent = draw(st.integers(-MAX_EXPONENT, width.adjusted() - digits))
        with decimal.localcontext(decimal.Context(prec=100)):  # exact: no rounding to 28 digits
            return Decimal(low) + Decimal((0, tuple(map(int, str(coefficient))), exponent))

    return draw()


@contextlib.contextmanager
def json_path(path: str) -> Iterator[ModuleType]:
    """The package's JSON module with orjson, or as without it (restored afterwards)."""
    saved = chift_json._orjson
    if path == "orjson" and saved is None:
        pytest.fail("orjson is not installed: pip install -r requirements/dev.txt")
    chift_json._orjson = saved if path == "orjson" else None
    try:
        yield chift_json
    finally:
        chift_json._orjson = saved


def attribute(cls: type, wire: str) -> str:
    """The attrs attribute of a wire name."""
    return next(str(field.name) for field in attrs.fields(cls) if field.metadata.get("wire") == wire)


def with_amounts(model: MoneyModel) -> st.SearchStrategy[tuple[dict[str, Any], dict[str, Decimal]]]:
    """A valid instance of the model, its amounts replaced by random Decimals (returned too)."""
    ref = {"$ref": COMPONENT_REF + model.name}
    numbers = st.fixed_dictionaries({wire: amounts_within(schema) for wire, schema in model.amounts})
    return st.tuples(valid_instances(ref, components(_document(model.vendor))), numbers).map(
        lambda pair: ({**pair[0], **pair[1]}, pair[1])
    )


def typed(value: Any) -> Any:
    """JSON data with numbers tagged by class and text, so that 0.30 and 0.3 (and 1 and 1.0) differ."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return (type(value).__name__, str(value))
    return value


@pytest.mark.parametrize("path", ["orjson", "stdlib"])
@pytest.mark.parametrize("model", MONEY_MODELS, ids=str)
def test_amounts_round_trip_with_exactly_their_digits(model: MoneyModel, path: str) -> None:
    pkg = package(model.vendor)
    cls = getattr(pkg.models, model.name)

    @given(with_amounts(model))
    def round_trip(case: tuple[dict[str, Any], dict[str, Decimal]]) -> None:
        wire, amounts = case
        built = pkg.structure(wire, cls)
        with json_path(path) as codec:
            sent = codec.dumps(pkg.unstructure(built))
            received = codec.loads(sent.decode("utf-8"), decimals=True)
        for name, amount in amounts.items():
            assert str(received[name]) == str(amount), f"{name}: {amount} went out as {received[name]}"
        back = pkg.structure(received, cls)
        for name, amount in amounts.items():
            value = getattr(back, attribute(cls, name))
            assert isinstance(value, Decimal)
            assert str(value) == str(amount)
        assert typed(json.loads(sent)) == typed(json.loads(chift_json.dumps(pkg.unstructure(back))))

    round_trip()


@pytest.mark.parametrize("model", MONEY_MODELS, ids=str)
def test_client_validation_and_jsonschema_agree_on_decimal_amounts(model: MoneyModel) -> None:
    pkg = package(model.vendor)
    document = _document(model.vendor)
    ref = {"$ref": COMPONENT_REF + model.name}
    client = pkg._validation.SchemaValidator(pkg._spec.COMPONENTS)
    reference = reference_validator(document, ref)
    bounded = [(wire, schema) for wire, schema in model.amounts if "maximum" in schema]

    @given(with_amounts(model), st.data())
    def agreement(case: tuple[dict[str, Any], dict[str, Decimal]], data: st.DataObject) -> None:
        wire, _ = case
        assert reference.is_valid(wire)
        assert client.validate(wire, ref) == []
        if bounded:
            name, schema = data.draw(st.sampled_from(bounded))
            amount = data.draw(amounts_within(schema))
            with decimal.localcontext(decimal.Context(prec=100)):  # exact: no rounding to 28 digits
                over = Decimal(schema["maximum"]) + Decimal((0, (1,), int(amount.as_tuple().exponent)))
            broken = {**wire, name: over}
            assert not reference.is_valid(broken)
            found = client.validate(broken, ref)
            assert [violation.path for violation in found] == [f"$.{name}"], found

    agreement()


NUMBER_SCHEMAS = [
    {"type": "number", "minimum": 0.1, "maximum": 100},
    {"type": "number", "exclusiveMinimum": -0.05, "exclusiveMaximum": 1e3},
    {"type": "number", "multipleOf": 0.01},
    {"type": "number", "multipleOf": 0.25, "minimum": -2.5},
    {"type": "integer", "maximum": 1e20},
    {"anyOf": [{"type": "number", "maximum": 0.3}, {"type": "null"}]},
    {"enum": [0.1, 2, "x"]},
]


def exactly_valid(value: Decimal, schema: Mapping[str, Any]) -> bool:
    """The schema's verdict in rational arithmetic, each bound read as its JSON text (0.1 is 1/10)."""
    if "anyOf" in schema:
        return any(exactly_valid(value, member) for member in schema["anyOf"] if member.get("type") != "null")
    if "enum" in schema:
        return any(
            Fraction(value) == Fraction(repr(option)) for option in schema["enum"] if not isinstance(option, str)
        )
    exact = Fraction(value)

    def bound(keyword: str) -> Fraction:
        return Fraction(repr(schema[keyword]))

    checks = [
        schema.get("type") != "integer" or exact.denominator == 1,
        "minimum" not in schema or exact >= bound("minimum"),
        "maximum" not in schema or exact <= bound("maximum"),
        "exclusiveMinimum" not in schema or exact > bound("exclusiveMinimum"),
        "exclusiveMaximum" not in schema or exact < bound("exclusiveMaximum"),
        "multipleOf" not in schema or (exact / bound("multipleOf")).denominator == 1,
    ]
    return all(checks)


def near_bounds() -> st.SearchStrategy[Decimal]:
    """Decimals at and around the bounds above: the same digits, one unit of the last place either side."""
    edges = [Decimal(text) for text in ("0.1", "100", "-0.05", "1000", "0.01", "0.25", "-2.5", "1E+20", "0.3", "2")]

    @st.composite
    def draw(draw: st.DrawFn) -> Decimal:
        edge = draw(st.sampled_from(edges))
        places = draw(st.integers(0, MAX_DIGITS - 2))
        step = Decimal((0, (1,), int(edge.as_tuple().exponent) - places))
        return edge + draw(st.integers(-3, 3)) * step

    return draw()


@pytest.mark.parametrize("schema", NUMBER_SCHEMAS, ids=json.dumps)
@given(value=st.one_of(near_bounds(), amounts_within({})))
def test_decimal_bounds_are_exact_in_the_compiled_check_and_the_interpreter(
    schema: dict[str, Any], value: Decimal
) -> None:
    validator = package("chift")._validation.SchemaValidator({})
    expected = exactly_valid(value, schema)
    assert (validator.validate(value, schema) == []) is expected
    assert (validator._violations(value, schema) == []) is expected


OUT_OF_RANGE = "must be within the range of a double (JSON readers would get infinity or 0)"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Decimal("NaN"), "$: must be a finite number"),
        (Decimal("sNaN"), "$: must be a finite number"),
        (Decimal("Infinity"), "$: must be a finite number"),
        (
            Decimal("2E+308"),
            "$: must be within the range of a double (JSON readers would get infinity or 0), not 2E+308",
        ),
        (
            Decimal("-1E-330"),
            "$: must be within the range of a double (JSON readers would get infinity or 0), not -1E-330",
        ),
        (Decimal("1.5"), "$: must be of type integer, not number"),
        (Decimal("0.305"), "$: must be a multiple of 0.01"),
    ],
)
def test_a_decimal_no_json_reader_could_take_is_a_violation(value: Decimal, message: str) -> None:
    validator = package("chift")._validation.SchemaValidator({})
    schema: dict[str, Any] = {"type": "integer"} if message.endswith("not number") else {"type": "number"}
    if "multiple" in message:
        schema = {"type": "number", "multipleOf": 0.01}
    assert [str(violation) for violation in validator.validate(value, schema)] == [message]
    assert [str(violation) for violation in validator._violations(value, {})] == (
        [message] if "finite" in message or "range" in message else []
    )

"""The converter's number hooks: ``Decimal`` fields exact, other numbers as they always were.

The shipped schemas now type every number as ``format: decimal``, so plain ``float`` fields
are exercised on small attrs models here, with the package's own converter (both its
compiled fast path and cattrs' detailed path).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import cattrs
import pytest

from generated.chift import _converter
from generated.chift._unset import UNSET, UnsetType


@attrs.define(kw_only=True)
class Line:
    """A model with a plain number, an amount, and an optional nullable amount."""

    ratio: float = attrs.field(metadata={"wire": "ratio"})
    amount: Decimal = attrs.field(metadata={"wire": "amount"})
    rebate: Decimal | UnsetType | None = attrs.field(default=UNSET, metadata={"wire": "rebate"})
    extra_fields: dict[str, Any] = attrs.field(factory=dict, metadata={"extra": True})


FLOAT_HALF = (float, "0.5")
CONVERTERS = {
    "fast": _converter.make_converter(),
    "detailed": _converter._make_detailed_converter(),
}


@pytest.fixture(params=sorted(CONVERTERS))
def converter(request: pytest.FixtureRequest) -> cattrs.Converter:
    return CONVERTERS[request.param]


@pytest.mark.parametrize(
    ("wire", "ratio", "amount", "rebate"),
    [
        ({"ratio": 2, "amount": 12, "rebate": None}, (int, "2"), "12", None),
        ({"ratio": 2.0, "amount": 0.1}, (float, "2.0"), "0.1", UNSET),
        (
            {"ratio": Decimal("0.5"), "amount": Decimal("0.30"), "rebate": Decimal("1E+2")},
            (float, "0.5"),
            "0.30",
            "1E+2",
        ),
        ({"ratio": 1e16, "amount": 1.7484806498868834e16}, (float, "1e+16"), "17484806498868834.0", UNSET),
        (
            {"ratio": 1.5, "amount": 123456789012345678901234567890},
            (float, "1.5"),
            "123456789012345678901234567890",
            UNSET,
        ),
    ],
)
def test_amounts_are_decimals_and_other_numbers_keep_their_type(
    converter: cattrs.Converter, wire: dict[str, Any], ratio: tuple[type, str], amount: str, rebate: Any
) -> None:
    line = converter.structure(wire, Line)
    assert (type(line.ratio), str(line.ratio)) == ratio
    assert isinstance(line.amount, Decimal)
    assert str(line.amount) == amount
    assert line.rebate is rebate if not isinstance(rebate, str) else str(line.rebate) == rebate
    out = converter.unstructure(line)
    assert out["amount"] is line.amount  # written as the Decimal itself: the JSON writer keeps its digits
    assert list(out) == [key for key in ("ratio", "amount", "rebate") if key in wire]


@pytest.mark.parametrize("wrong", ["12.50", True, None, [1], {"a": 1}])
def test_an_amount_is_a_json_number_not_a_string_or_a_boolean(converter: cattrs.Converter, wrong: Any) -> None:
    with pytest.raises((TypeError, cattrs.BaseValidationError)):
        converter.structure({"ratio": 1.0, "amount": wrong}, Line)


def test_the_fast_path_is_taken_and_agrees_with_the_detailed_path() -> None:
    wire = {"ratio": 0.25, "amount": Decimal("19.99"), "rebate": 3, "note": Decimal("0.1")}
    fast, detailed = CONVERTERS["fast"], CONVERTERS["detailed"]
    hook = fast.get_structure_hook(Line)
    assert hook.__code__.co_filename.startswith("<structure of ")  # compiled for this class
    built = fast.structure(dict(wire), Line)
    assert repr(built) == repr(detailed.structure(dict(wire), Line))
    assert fast.unstructure(built) == detailed.unstructure(built) == {**wire, "rebate": Decimal(3)}
    assert built.extra_fields == {"note": Decimal("0.1")}

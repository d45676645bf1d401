"""User code that passes ``Decimal`` amounts, as a user would write it: ``mypy --strict`` is clean.

``nox -s typecheck`` runs mypy --strict over tests/, this module included: the models take
``Decimal`` where the schema says ``format: decimal`` and the typed results give
``Decimal`` back (``assert_type``). The test runs the same code against a mock transport,
and a second test shows mypy flagging a float where an amount is declared (the breaking
change recorded in CHANGES.md: amounts were floats before).
"""

from __future__ import annotations

import datetime
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

from typing_extensions import assert_type

from generated import chift
from generated.chift.testing import MockTransport, Request, Response
from tests.helpers.paths import REPO


def invoice_line(price: Decimal, quantity: Decimal, rate: Decimal) -> chift.InvoiceLineItemIn:
    """One invoice line; amounts computed in Decimal arithmetic, rounded to the cent."""
    untaxed = (price * quantity).quantize(Decimal("0.01"))
    tax = (untaxed * rate / 100).quantize(Decimal("0.01"))
    return chift.InvoiceLineItemIn(
        unit_price=price,
        quantity=quantity,
        untaxed_amount=untaxed,
        tax_rate=rate,
        tax_amount=tax,
        total=untaxed + tax,
        account_number="701000",
        tax_code="V21",
    )


def invoice(lines: list[chift.InvoiceLineItemIn]) -> chift.InvoiceItemIn:
    """An invoice whose totals are the exact sums of its lines."""
    untaxed = sum((line.untaxed_amount for line in lines), Decimal(0))
    tax = sum((line.tax_amount for line in lines), Decimal(0))
    return chift.InvoiceItemIn(
        invoice_type=chift.InvoiceType.CUSTOMER_INVOICE,
        currency="EUR",
        untaxed_amount=untaxed,
        tax_amount=tax,
        total=untaxed + tax,
        currency_exchange_rate=Decimal("1.0825"),
        invoice_date=datetime.date(2026, 11, 2),
        due_date=datetime.date(2026, 12, 2),
        lines=lines,
    )


def answer(request: Request) -> Response:
    """The vendor's side: echo the invoice back with an id and a partner, the numbers as sent."""
    assert request.body is not None
    return Response(
        status=200,
        headers={"content-type": "application/json"},
        body=request.body[:-1] + b',"id":"inv-1","partner_id":"p-1"}',
    )


def test_user_code_passing_decimal_amounts_type_checks_and_runs() -> None:
    body = invoice(
        [
            invoice_line(Decimal("0.10"), Decimal("3"), Decimal("21")),
            invoice_line(Decimal("0.20"), Decimal("1"), Decimal("21")),
        ]
    )
    with chift.Client(token="token", transport=MockTransport(answer)) as client:
        result = client.create_accounting_invoice(consumer_id="consumer-1", body=body)
    total: Decimal = result.total
    assert_type(result.lines[0].unit_price, Decimal)
    assert_type(body.currency_exchange_rate, Decimal | chift.UnsetType | None)
    assert total == Decimal("0.60")  # 0.30 + 0.06 + 0.20 + 0.04, exactly; floats give 0.6000000000000001
    assert str(result.lines[0].unit_price) == "0.10"
    assert result.untaxed_amount + result.tax_amount == result.total


def test_mypy_flags_a_float_where_an_amount_is_declared(tmp_path: Path) -> None:
    user_code = tmp_path / "user_code.py"
    user_code.write_text(
        textwrap.dedent(
            """
            from decimal import Decimal
            from generated import chift

            line = chift.InvoiceLineItemIn(
                unit_price=0.1, quantity=Decimal(3), untaxed_amount=Decimal("0.30"), tax_rate=Decimal(21),
                tax_amount=Decimal("0.06"), total=Decimal("0.36"), account_number="701000", tax_code="V21",
            )
            """
        ),
        encoding="utf-8",
    )
    completed = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--follow-imports=silent", str(user_code)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert 'Argument "unit_price" to "InvoiceLineItemIn" has incompatible type "float"; expected "Decimal"' in (
        completed.stdout
    )
    assert "Found 1 error in 1 file" in completed.stdout

"""Money end to end: ``Decimal`` amounts through a real HTTP exchange on 127.0.0.1.

A Chift invoice built with ``Decimal`` amounts (sent with ``Client`` and with ``AsyncClient``)
goes out with exactly their digits (never through a float), and the typed answer holds
``Decimal`` values read exactly from the response text, ``12345678901234567.89`` included (a
float would give ...568). Amounts a vendor could not read (NaN, infinities, beyond a double's
range) are violations before anything is sent, and a bound is checked in exact arithmetic.
Operations whose responses have no ``format: decimal`` numbers keep floats.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import attrs
import pytest

from generated import chift, cin7_omni
from generated.chift._json import dumps as wire_json
from tests.helpers.flavours import Flavour
from tests.helpers.loopback import LoopbackServer, Reply
from tests.helpers.vendors import (
    CHIFT_CONTACTS,
    CHIFT_INVOICES,
    CHIFT_RETRY,
    CHIFT_STATIC_TOKEN,
    CHIFT_TIMEOUT,
    CIN7_CONTACTS,
    chift_token_client,
    cin7_client,
    request_example,
    response_example,
)

INVOICES = "/consumers/{consumer_id}/accounting/invoices"
BIG = "12345678901234567.89"
"""Beyond a double's 15-17 digits: ``float(BIG)`` is 12345678901234568.0."""


def exact(text: str | bytes) -> Any:
    """JSON with each fractional number as (its text): 0.30 and 0.3 differ, as on the wire."""
    return json.loads(text, parse_float=lambda number: ("number", number))


def invoice_in() -> chift.InvoiceItemIn:
    """The seed invoice with Decimal amounts on the invoice, its line and the payment terms split."""
    seed = chift.structure(request_example("chift", "POST", INVOICES), chift.InvoiceItemIn)
    line = attrs.evolve(
        seed.lines[0],
        unit_price=Decimal("0.30"),
        quantity=Decimal("3"),
        untaxed_amount=Decimal("0.90"),
        tax_rate=Decimal("21.0"),
        tax_amount=Decimal("0.189"),
        total=Decimal("1.089"),
    )
    assert not isinstance(seed.nl_payment_terms_split, (chift.UnsetType, type(None)))
    split = seed.nl_payment_terms_split
    assert not isinstance(split.g_account, (chift.UnsetType, type(None)))
    terms = attrs.evolve(split, g_account=attrs.evolve(split.g_account, amount=Decimal("0.363")))
    return attrs.evolve(
        seed,
        untaxed_amount=Decimal(BIG),
        tax_amount=Decimal("2592592569209259.2569"),
        total=Decimal("14938271470443827.1469"),
        currency_exchange_rate=Decimal("1.0825"),
        nl_payment_terms_split=terms,
        lines=[line],
    )


def invoice_answer() -> bytes:
    """The seed's invoice response, compact, with amounts written as a vendor would write them."""
    answer = response_example("chift", "POST", INVOICES)
    numbers = {
        "@untaxed@": BIG,
        "@tax@": "2592592569209259.2569",
        "@total@": "14938271470443827.1469",
        "@price@": "0.30",
        "@rate@": "21.0",
        "@paid@": "1E+3",
        "@rounding@": "0.1000000000000000055511151231257827",
    }
    answer.update(untaxed_amount="@untaxed@", tax_amount="@tax@", total="@total@", rounding="@rounding@")
    answer["lines"][0].update(unit_price="@price@", tax_rate="@rate@")
    answer["payments"][0]["amount"] = "@paid@"
    text = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
    for placeholder, number in numbers.items():
        text = text.replace(f'"{placeholder}"', number)
    return text.encode("utf-8")


@pytest.mark.anyio
async def test_a_chift_invoice_with_decimal_amounts_goes_out_and_comes_back_exactly(
    loopback: LoopbackServer, flavour: Flavour
) -> None:
    body = invoice_in()
    loopback.route("POST", CHIFT_INVOICES, Reply.raw(200, invoice_answer(), content_type="application/json"))

    options = {"token": CHIFT_STATIC_TOKEN, "base_url": loopback.url, "retry": CHIFT_RETRY, "timeout": CHIFT_TIMEOUT}
    async with flavour.open(chift, **options) as client:
        result = await flavour.result(client.create_accounting_invoice(consumer_id="consumer-1", body=body))

    (call,) = loopback.requests
    for wire in (
        f'"untaxed_amount":{BIG},"tax_amount":2592592569209259.2569,"total":14938271470443827.1469,',
        '"currency_exchange_rate":1.0825,',
        '"g_account":{"amount":0.363,',
        '"unit_price":0.30,',
        '"quantity":3,"untaxed_amount":0.90,"tax_rate":21.0,"tax_amount":0.189,"total":1.089,',
    ):
        assert wire.encode() in call.body, wire
    assert call.body == wire_json(chift.unstructure(body))
    assert exact(call.body)["untaxed_amount"] == ("number", BIG)

    assert isinstance(result, chift.InvoiceItemOut)
    assert isinstance(result.untaxed_amount, Decimal)
    assert str(result.untaxed_amount) == BIG
    assert result.untaxed_amount + result.tax_amount == result.total  # exact: no 0.1 + 0.2 drift
    assert str(result.lines[0].unit_price) == "0.30"
    assert str(result.lines[0].tax_rate) == "21.0"
    assert str(result.lines[0].quantity) == "123"  # an integer on the wire: Decimal("123")
    assert isinstance(result.payments, list)
    assert str(result.payments[0].amount) == "1E+3"
    # In a response parsed exactly, a number no field declares is kept exactly too.
    assert result.extra_fields["rounding"] == Decimal("0.1000000000000000055511151231257827")
    # And the typed result writes back the numbers it was given, digit for digit.
    assert exact(wire_json(chift.unstructure(result))) == exact(invoice_answer())


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("NaN"), "must be a finite number"),
        (Decimal("-Infinity"), "must be a finite number"),
        (float("nan"), "must be a finite number"),
        (Decimal("1E+400"), "must be within the range of a double (JSON readers would get infinity or 0), not 1E+400"),
        (Decimal("1E-400"), "must be within the range of a double (JSON readers would get infinity or 0), not 1E-400"),
    ],
    ids=["nan", "-inf", "float nan", "too large", "too small"],
)
def test_amounts_a_vendor_cannot_read_are_violations_and_nothing_is_sent(
    loopback: LoopbackServer, amount: Any, message: str
) -> None:
    body = attrs.evolve(invoice_in(), total=amount)
    with chift_token_client(loopback.url) as client, pytest.raises(chift.errors.RequestValidationError) as caught:
        client.create_accounting_invoice(consumer_id="consumer-1", body=body)
    assert [str(violation) for violation in caught.value.violations] == [f"$.total: {message}"]
    assert loopback.requests == []


def test_a_dict_body_with_decimals_is_sent_exactly_and_nan_in_an_unknown_field_is_refused_by_its_path(
    loopback: LoopbackServer,
) -> None:
    body = chift.unstructure(invoice_in())
    body["lines"][0]["unit_price"] = Decimal("0.3333333333333333333333333333")
    loopback.route("POST", CHIFT_INVOICES, Reply.raw(200, invoice_answer(), content_type="application/json"))
    with chift_token_client(loopback.url) as client:
        client.create_accounting_invoice(consumer_id="consumer-1", body=body)
        (call,) = loopback.requests
        assert b'"unit_price":0.3333333333333333333333333333,' in call.body
        # No schema covers an unknown field, but JSON cannot carry NaN: refused before sending, where it is.
        with pytest.raises(chift.errors.RequestValidationError) as caught:
            client.create_accounting_invoice(consumer_id="consumer-1", body={**body, "note": [None, float("nan")]})
        assert [str(violation) for violation in caught.value.violations] == ["$.note[1]: must be a finite number"]
        # The same in a model's unknown fields, at any depth.
        model = attrs.evolve(invoice_in(), extra_fields={"meta": {"ratios": [1.5, float("-inf")]}})
        with pytest.raises(chift.errors.RequestValidationError) as caught:
            client.create_accounting_invoice(consumer_id="consumer-1", body=model)
        assert [str(violation) for violation in caught.value.violations] == [
            "$.meta.ratios[1]: must be a finite number"
        ]
    assert len(loopback.requests) == 1


def test_cin7_decimal_fields_are_exact_on_the_wire_and_bounds_are_checked_exactly(loopback: LoopbackServer) -> None:
    contact = cin7_omni.structure(request_example("cin7_omni", "POST", "/v1/Contacts")[0], cin7_omni.Contact)
    contact = attrs.evolve(
        contact, credit_limit=Decimal("1234567.891"), percentage_off=Decimal("12.50"), balance_owing=None
    )
    answer = [{"index": 0, "success": True, "id": 7, "errors": []}]
    loopback.route("POST", CIN7_CONTACTS, Reply.json(200, answer))
    with cin7_client(loopback.url) as client:
        client.create_contacts(body=[contact])
        # 100 and a hair: a float rounds it to 100.0, which passes "maximum": 100; exactly, it does not.
        over = attrs.evolve(contact, percentage_off=Decimal("100.0000000000000000000000001"))
        with pytest.raises(cin7_omni.errors.RequestValidationError) as caught:
            client.create_contacts(body=[over])
    (call,) = loopback.requests
    assert b'"percentageOff":12.50,' in call.body
    assert b'"creditLimit":1234567.891,' in call.body
    assert [str(violation) for violation in caught.value.violations] == [
        "$[0].percentageOff: must be <= 100, not 100.0000000000000000000000001"
    ]


def test_an_operation_without_decimal_fields_keeps_floats(loopback: LoopbackServer) -> None:
    answer = {"id": "c-1", "source_ref": {"id": "s-1", "model": "res.partner"}, "score": 0.1}
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, answer))
    with chift_token_client(loopback.url) as client:
        result = client.create_invoicing_contact(consumer_id="consumer-1", body={"name": "Acme"})
    assert chift._spec.OPERATIONS["create_invoicing_contact"].exact_numbers is False
    assert chift._spec.OPERATIONS["create_accounting_invoice"].exact_numbers is True
    assert type(result.extra_fields["score"]) is float


def test_testing_json_response_writes_decimal_amounts_exactly() -> None:
    # A canned answer built with Decimal amounts, as a user's test of their own code would.
    answer = response_example("chift", "POST", INVOICES)
    answer.update(untaxed_amount=Decimal(BIG), tax_amount=Decimal("0.30"), total=Decimal(BIG) + Decimal("0.30"))
    transport = chift.testing.MockTransport(lambda request: chift.testing.json_response(200, answer))
    client = chift.Client(token=CHIFT_STATIC_TOKEN, base_url="https://chift.test", transport=transport)
    with client:
        result = client.create_accounting_invoice(consumer_id="consumer-1", body=invoice_in())
    assert (str(result.untaxed_amount), str(result.tax_amount)) == (BIG, "0.30")
    assert result.total == Decimal("12345678901234568.19")

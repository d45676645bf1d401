"""Prism accepts the numbers the client writes for ``Decimal`` amounts (``nox -s contract``).

A Chift invoice and a Cin7 contact built with ``Decimal`` amounts (``0.30``, ``0.363``,
``12345678901234567.89``, 28 significant digits) go to Prism through the generated client;
Prism validates each request against the schema and reports no violation, the bytes sent
hold the amounts' digits, and the answer decodes into the typed model.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import attrs
import pytest

from tests.client.test_money import BIG, invoice_in
from tests.helpers.schema_strategies import Operation, call_operation, load_document, public_operations

from .conftest import PrismServers
from .test_prism_contract import RecordingTransport, assert_clean, check_result, setup

pytestmark = pytest.mark.contract


def operation_named(vendor: str, operation_id: str) -> Operation:
    (found,) = [op for op in public_operations(load_document(vendor), vendor) if op.operation_id == operation_id]
    return found


def send(operation: Operation, prism: PrismServers, body: Any) -> bytes:
    """Call the operation on Prism with ``body``; checks that Prism found nothing wrong; returns the bytes sent."""
    s = setup(operation, prism)
    transport = RecordingTransport(s.pkg)
    try:
        result = call_operation(s.client(transport), s.pkg, operation, body, **s.batch_arguments)
    finally:
        transport.close()
    assert_clean(transport.exchanges)
    sent: bytes = transport.exchanges[-1].request.body
    check_result(s, result, body, json.loads(transport.exchanges[-1].response.body))
    return sent


def test_prism_accepts_a_chift_invoice_with_decimal_amounts(prism: PrismServers) -> None:
    body = attrs.evolve(invoice_in(), tax_amount=Decimal("1234567890.123456789012345678"))
    sent = send(operation_named("chift", "create_accounting_invoice"), prism, body)
    for text in (f'"untaxed_amount":{BIG}', '"tax_amount":1234567890.123456789012345678', '"unit_price":0.30'):
        assert text.encode() in sent


def test_prism_accepts_a_cin7_contact_with_decimal_amounts(prism: PrismServers) -> None:
    operation = operation_named("cin7_omni", "create_contacts")
    (example,) = operation.body_examples[0][:1]
    pkg = setup(operation, prism).pkg
    contact = attrs.evolve(
        pkg.structure(example, pkg.Contact), credit_limit=Decimal("1E+3"), percentage_off=Decimal("99.999")
    )
    sent = send(operation, prism, [contact])
    assert b'"percentageOff":99.999,' in sent
    assert b'"creditLimit":1E+3,' in sent

"""``import`` recognises the paginated shapes of Chift and Billbee, declares them and reports them; x-name survives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from codegen.maintain.operations import parse_operation
from codegen.maintain.spec_import import import_operations
from tests.helpers.paths import SCHEMA_FILE, run_codegen, vendor_spec

CHIFT = "chift/openapi-2026-08-21.json"
BILLBEE = "billbee/swagger-2024-10-08.yaml"
CHIFT_INVOICES = "GET /consumers/{consumer_id}/accounting/invoices/type/{invoice_type}"
CHIFT_TRANSACTIONS = "GET /consumers/{consumer_id}/connections/{connection_id}/transactions"


def _operation(document: dict[str, Any], text: str) -> dict[str, Any]:
    key = parse_operation(text)
    operation: dict[str, Any] = document["paths"][key.path][key.method]
    return operation


def test_page_numbers_with_items_and_total(tmp_path: Path) -> None:
    result = import_operations(
        vendor_spec(CHIFT), [parse_operation(CHIFT_INVOICES), parse_operation(CHIFT_TRANSACTIONS)], "c", tmp_path
    )
    assert _operation(result.document, CHIFT_INVOICES)["x-pagination"] == {
        "page": "page",
        "size": "size",
        "items": "/items",
        "total": "/total",
    }
    assert "x-pagination" not in _operation(result.document, CHIFT_TRANSACTIONS)
    report = result.report()
    assert "paginated: 1 operation(s)" in report
    assert f"{CHIFT_INVOICES}: page numbers, the items and their total in the body: x-pagination" in report
    # The report also says where the client offers each operation: in its group, and flat.
    transactions = "client.connections.get_transaction_by_client_request_id"
    assert f"{CHIFT_TRANSACTIONS} -> {transactions} (flat: client.get_transaction_by_client_request_id)" in report
    invoices = "client.accounting.get_invoices_by_type"
    assert f"{CHIFT_INVOICES} -> {invoices} (flat: client.accounting_get_invoices_by_type)" in report


def test_page_numbers_with_a_paging_object_in_the_envelope(tmp_path: Path) -> None:
    wanted = ["GET /api/v1/customers", "GET /api/v1/events", "GET /api/v1/customers/{id}"]
    result = import_operations(vendor_spec(BILLBEE), [parse_operation(text) for text in wanted], "b", tmp_path)
    assert _operation(result.document, "GET /api/v1/customers")["x-pagination"] == {
        "page": "page",
        "size": "pageSize",
        "items": "/Data",
        "total_pages": "/Paging/TotalPages",
    }
    # A page parameter alone is not enough: the events' answer is an untyped object.
    assert "x-pagination" not in _operation(result.document, "GET /api/v1/events")
    assert "x-pagination" not in _operation(result.document, "GET /api/v1/customers/{id}")
    assert "GET /api/v1/customers: page numbers, a paging object (Paging) beside the items" in result.report()
    assert "GET /api/v1/customers -> client.customers.get_all (flat: client.customer_get_all)" in result.report()


def test_a_re_import_keeps_x_name_and_a_hand_written_x_pagination(tmp_path: Path) -> None:
    spec = vendor_spec(BILLBEE)
    keys = [parse_operation("GET /api/v1/customers"), parse_operation("GET /api/v1/orders")]
    import_operations(spec, keys, "b", tmp_path)
    target = tmp_path / "b" / SCHEMA_FILE
    document = json.loads(target.read_text(encoding="utf-8"))
    document["paths"]["/api/v1/customers"]["get"]["x-name"] = "list_customers"
    document["paths"]["/api/v1/orders"]["get"]["x-pagination"] = False  # not paginated, says the maintainer
    target.write_text(json.dumps(document), encoding="utf-8")
    again = import_operations(spec, keys, "b", tmp_path)
    assert _operation(again.document, "GET /api/v1/customers")["x-name"] == "list_customers"
    assert _operation(again.document, "GET /api/v1/orders")["x-pagination"] is False
    report = again.report()
    assert "GET /api/v1/customers -> client.customers.list_customers (flat: client.list_customers)" in report
    assert "GET /api/v1/customers: declared in the schema, kept" in report
    assert again.paginated == [
        'GET /api/v1/customers: declared in the schema, kept: {"page": "page", "size": "pageSize", "items": "/Data", '
        '"total_pages": "/Paging/TotalPages"}'
    ]


def test_the_command_prints_the_report(tmp_path: Path) -> None:
    completed = run_codegen(
        Path.cwd(),
        "import",
        str(vendor_spec(CHIFT)),
        "--operation",
        CHIFT_INVOICES,
        "--vendor",
        "c",
        "--schemas",
        str(tmp_path),
    )
    assert completed.returncode == 0, completed.stderr
    assert "paginated: 1 operation(s)" in completed.stdout

"""``format: decimal`` for maintainers: kept on re-import, breaking in the diff, Decimal in the IR.

- ``import`` into an existing schema keeps a hand-added ``format: decimal`` on a number the
  vendor types ``double`` or not at all (Chift's published spec, and a Swagger 2.0 spec).
- ``diff`` classifies number -> decimal (and back) as breaking on both sides: the Python
  type of the value changes for users.
- The intermediate model types a decimal parameter ``decimal.Decimal``, flags the
  operations whose responses hold decimals (they are parsed exactly), and ``check`` has no
  warning for the format.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any

import yaml

from codegen.ir import build_spec
from codegen.maintain.convert import normalise
from codegen.maintain.operations import parse_operation
from codegen.maintain.schema_diff import ChangeSeverity, diff_documents
from codegen.maintain.spec_import import import_operations
from codegen.openapi import is_decimal
from codegen.problems import Severity
from codegen.schema import check_document, load_document
from tests.helpers.paths import REPO, vendor_spec

INVOICES = "POST /consumers/{consumer_id}/accounting/invoices"


def decimal_locations(node: Any, path: str = "") -> set[str]:
    """The JSON pointers of every ``format: decimal`` number in a document."""
    found = {path} if is_decimal(node) else set()
    if isinstance(node, dict):
        for key, value in node.items():
            found |= decimal_locations(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found |= decimal_locations(value, f"{path}/{index}")
    return found


def test_reimporting_chift_keeps_every_hand_added_decimal_format(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(REPO / "schemas" / "chift", schemas / "chift")
    spec = vendor_spec("chift/openapi-2026-08-21.json")
    published = json.loads(spec.read_text(encoding="utf-8"))
    assert decimal_locations(published) == set()  # the vendor says only "number"

    import_operations(spec, [parse_operation(INVOICES)], "chift", schemas)
    document = json.loads((schemas / "chift" / "openapi.json").read_text(encoding="utf-8"))

    # A property the vendor makes nullable with anyOf keeps the format on its number member.
    kept = {re.sub(r"/anyOf/\d+$", "", location).rsplit("/", 1)[-1] for location in decimal_locations(document)}
    assert kept == {
        "amount",
        "currency_exchange_rate",
        "dedicated_amount",
        "quantity",
        "tax_amount",
        "tax_rate",
        "total",
        "unit_price",
        "untaxed_amount",
    }
    vendor_invoice = document["components"]["schemas"]["InvoiceItemInMonoAnalyticPlan"]["properties"]
    for name in ("untaxed_amount", "tax_amount", "total"):
        assert vendor_invoice[name]["format"] == "decimal", name
        assert "the project's reading" in vendor_invoice[name]["description"]
    # The vendor's own numbers that the seed-derived schema never marked stay plain numbers.
    assert [p for p in check_document(document) if p.severity is Severity.ERROR] == []


ORDER = "#/definitions/Order"
SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "Shop", "version": "1"},
    "host": "api.example.com",
    "schemes": ["https"],
    "paths": {
        "/orders": {
            "post": {
                "operationId": "create_order",
                "consumes": ["application/json"],
                "produces": ["application/json"],
                "parameters": [{"name": "body", "in": "body", "required": True, "schema": {"$ref": ORDER}}],
                "responses": {"200": {"description": "ok", "schema": {"$ref": ORDER}}},
            }
        }
    },
    "definitions": {
        "Order": {
            "type": "object",
            "properties": {
                "total": {"type": "number", "format": "double"},
                "discount": {"type": "number", "format": "double", "x-nullable": True},
                "weight": {"type": "number", "format": "double"},
                "note": {"type": "string"},
            },
        }
    },
}


def test_a_hand_added_decimal_survives_a_vendor_double_and_nullable_wrapping(tmp_path: Path) -> None:
    spec = tmp_path / "shop.yaml"
    spec.write_text(yaml.safe_dump(SWAGGER), encoding="utf-8")
    schemas = tmp_path / "schemas"
    key = parse_operation("POST /orders")
    import_operations(spec, [key], "shop", schemas)
    path = schemas / "shop" / "openapi.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    order = document["components"]["schemas"]["Order"]["properties"]
    assert decimal_locations(document) == set()
    # The maintainer reads total and discount as money; weight stays a double.
    for name in ("total", "discount"):
        target = order[name] if "type" in order[name] else order[name]["anyOf"][0]
        target["format"] = "decimal"
    order["note"]["format"] = "decimal"  # on a string it means nothing to codegen: not kept
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")

    import_operations(spec, [key], "shop", schemas)
    again = json.loads(path.read_text(encoding="utf-8"))["components"]["schemas"]["Order"]["properties"]
    assert {name for name in again if decimal_locations(again[name])} == {"total", "discount"}
    assert again["weight"]["format"] == "double"
    assert "format" not in again["note"]


def thing(format_: str | None) -> dict[str, Any]:
    """A one-operation document whose request and response both hold an ``amount`` number."""
    amount: dict[str, Any] = {"type": "number"} | ({"format": format_} if format_ else {})
    model = {"type": "object", "properties": {"amount": amount}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things": {
                "post": {
                    "operationId": "create_thing",
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/In"}}}},
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Out"}}},
                        }
                    },
                }
            }
        },
        "components": {"schemas": {"In": copy.deepcopy(model), "Out": copy.deepcopy(model)}},
    }


def test_number_to_decimal_and_back_is_breaking_on_both_sides() -> None:
    for old, new in ((None, "decimal"), ("decimal", None), ("double", "decimal")):
        report = diff_documents(normalise(thing(old), "old"), normalise(thing(new), "new"))
        changes = {(change.side, change.location, change.severity, change.message) for change in report.changes}
        message = f"format {old or 'none'} -> {new or 'none'}: the Python type changes"
        assert changes == {
            ("request", "/components/schemas/In/properties/amount", ChangeSeverity.BREAKING, message),
            ("response", "/components/schemas/Out/properties/amount", ChangeSeverity.BREAKING, message),
        }, report.text()


def test_the_ir_types_decimal_parameters_and_flags_operations_answering_decimals(tmp_path: Path) -> None:
    document = thing("decimal")
    operation = document["paths"]["/things"]["post"]
    operation["parameters"] = [
        {"name": "min_total", "in": "query", "schema": {"type": ["number", "null"], "format": "decimal"}},
        {"name": "ratio", "in": "query", "schema": {"type": "number"}},
    ]
    document["paths"]["/other"] = {"post": {"operationId": "other", "responses": {"204": {"description": "done"}}}}
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert [problem for problem in check_document(document) if "decimal" in problem.message] == []

    spec = build_spec(load_document(path), "things", "things/openapi.json")
    create, other = spec.operations
    assert [parameter.type_hint for parameter in create.parameters] == ["decimal.Decimal | None", "float"]
    assert create.exact_numbers is True
    assert other.exact_numbers is False
    plain = build_spec(load_document(_write(tmp_path / "plain.json", thing(None))), "things", "things/openapi.json")
    assert plain.operations[0].exact_numbers is False


def _write(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path

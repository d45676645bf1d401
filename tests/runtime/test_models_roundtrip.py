"""Wire JSON -> generated attrs models -> wire JSON, losing nothing.

Every example payload of every operation in schemas/*/openapi.json is structured into the
model its media type names and unstructured back; the result must be the same JSON (same
keys, 0 is not 0.0). Focused tests cover absent vs null, unknown fields, unknown enum
values, dates and date-times, type strictness, and what the generated code imports.
"""

from __future__ import annotations

import ast
import copy
import importlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from types import GenericAlias, ModuleType
from typing import Any

import cattrs
import pytest

from generated.chift._json import dumps as wire_json
from tests.helpers.paths import GENERATED, load_schema, resolve_local_ref, vendors

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SEED_OPERATIONS = frozenset(
    {"create_invoicing_contact", "create_accounting_invoice", "create_customer", "create_contacts", "create_contact"}
)
JSON = "application/json"
STRUCTURE_ERRORS = (TypeError, ValueError, cattrs.BaseValidationError)


def package(vendor: str) -> ModuleType:
    """The generated package of ``vendor`` (``generated.<vendor>``)."""
    return importlib.import_module(f"generated.{vendor}")


def list_of(cls: Any) -> Any:
    """``list[cls]`` for a class only known at run time."""
    return GenericAlias(list, (cls,))


def canonical(value: Any) -> str:
    """JSON text in which key order does not matter but key sets, 0 vs 0.0 and null do.

    Taken from the text the package writes, so that a Decimal compares by its digits.
    """
    return json.dumps(json.loads(wire_json(value)), sort_keys=True)


@dataclass(frozen=True)
class ExampleCase:
    """One example payload of one operation's request or response media type."""

    vendor: str
    operation_id: str
    status: str  # "request" for the request body, else the response status
    name: str
    schema: dict[str, Any]
    value: Any

    @property
    def id(self) -> str:
        return f"{self.vendor}-{self.operation_id}-{self.status}-{self.name}"


def _media_types(document: dict[str, Any], operation: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found = []
    body = resolve_local_ref(document, operation.get("requestBody"))
    if isinstance(body, dict) and JSON in body.get("content", {}):
        found.append(("request", body["content"][JSON]))
    for status, response in operation.get("responses", {}).items():
        response = resolve_local_ref(document, response)
        if isinstance(response, dict) and JSON in response.get("content", {}):
            found.append((str(status), response["content"][JSON]))
    return found


def collect_examples() -> list[ExampleCase]:
    """Every example of every application/json request body and response of every schema."""
    cases = []
    for vendor in vendors():
        document = load_schema(vendor)
        for item in document.get("paths", {}).values():
            for method in HTTP_METHODS:
                operation = item.get(method)
                if not isinstance(operation, dict):
                    continue
                for status, media in _media_types(document, operation):
                    for name, example in media.get("examples", {}).items():
                        example = resolve_local_ref(document, example)
                        assert "value" in example, f"{vendor} {operation['operationId']} {status} {name}: no value"
                        cases.append(
                            ExampleCase(
                                vendor, operation["operationId"], status, name, media["schema"], example["value"]
                            )
                        )
    return cases


EXAMPLES = collect_examples()


def candidate_types(module: ModuleType, schema: dict[str, Any]) -> list[Any]:
    """The Python types a media type's schema stands for: a component class, list[...], or anyOf members."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        assert hasattr(module, name), f"{module.__name__} exports no class {name} for component {schema['$ref']}"
        return [getattr(module, name)]
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        return [list_of(item) for item in candidate_types(module, schema["items"])]
    for keyword in ("anyOf", "oneOf"):
        if isinstance(schema.get(keyword), list):
            return [kind for member in schema[keyword] for kind in candidate_types(module, member)]
    pytest.fail(f"the test does not know which model stands for the schema {schema!r}")


@pytest.mark.parametrize("case", EXAMPLES, ids=[case.id for case in EXAMPLES])
def test_example_round_trips(case: ExampleCase) -> None:
    module = package(case.vendor)
    failures: list[str] = []
    structured = 0
    for kind in candidate_types(module, case.schema):
        try:
            instance = module.structure(copy.deepcopy(case.value), kind)
        except STRUCTURE_ERRORS as exc:
            failures.append(f"{kind}: {exc!r}")
            continue
        structured += 1
        assert canonical(module.unstructure(instance)) == canonical(case.value), f"round trip through {kind}"
    assert structured, f"no model structures the example: {failures}"


def test_examples_cover_every_seed_operation() -> None:
    requests = {case.operation_id for case in EXAMPLES if case.status == "request"}
    responses = {case.operation_id for case in EXAMPLES if case.status.startswith("2")}
    assert requests >= SEED_OPERATIONS, f"no request example for {sorted(SEED_OPERATIONS - requests)}"
    assert responses >= SEED_OPERATIONS, f"no success response example for {sorted(SEED_OPERATIONS - responses)}"


def example(vendor: str, operation_id: str, status: str, name: str = "seed") -> Any:
    """A deep copy of one example payload."""
    for case in EXAMPLES:
        if (case.vendor, case.operation_id, case.status, case.name) == (vendor, operation_id, status, name):
            return copy.deepcopy(case.value)
    pytest.fail(f"no example {name!r} for {vendor} {operation_id} {status}")


# Absent vs null ---------------------------------------------------------------------------

REQUIRED_CONTACT = {"type": "customer", "full_name": "Jane Doe", "email": "jane@example.com", "company_id": "c-1"}


def test_absent_optional_field_is_unset_and_left_out() -> None:
    formation = package("formation")
    contact = formation.ContactIn(
        type=formation.ContactType.CUSTOMER, full_name="Jane Doe", email="jane@example.com", company_id="c-1"
    )
    assert contact.description is formation.UNSET
    assert formation.unstructure(contact) == REQUIRED_CONTACT
    structured = formation.structure(dict(REQUIRED_CONTACT), formation.ContactIn)
    assert structured.description is formation.UNSET
    assert canonical(formation.unstructure(structured)) == canonical(REQUIRED_CONTACT)


@pytest.mark.parametrize(
    ("vendor", "model", "wire_name", "attribute"),
    [
        ("formation", "ErrorResponse", "data", "data"),
        ("billbee", "Customer", "Name", "name"),
        ("billbee", "CustomerAddress", "AddressType", "address_type"),
    ],
    ids=["formation-ErrorResponse-data", "billbee-Customer-Name", "billbee-CustomerAddress-AddressType"],
)
def test_null_and_absent_both_survive(vendor: str, model: str, wire_name: str, attribute: str) -> None:
    module = package(vendor)
    cls = getattr(module, model)

    absent = module.structure({}, cls)
    assert getattr(absent, attribute) is module.UNSET
    assert module.unstructure(absent) == {}

    null = module.structure({wire_name: None}, cls)
    assert getattr(null, attribute) is None
    assert canonical(module.unstructure(null)) == canonical({wire_name: None})

    assert module.unstructure(cls(**{attribute: None})) == {wire_name: None}
    assert module.unstructure(cls()) == {}


# Unknown fields ---------------------------------------------------------------------------


def test_unknown_fields_of_a_response_are_kept_and_written_back() -> None:
    formation = package("formation")
    payload = example("formation", "create_contact", "200")
    payload["request_id"] = "req-7"
    payload["data"]["tags"] = ["vip", {"since": 2021}]
    payload["data"]["billing"]["vat_exempt"] = None

    response = formation.structure(copy.deepcopy(payload), formation.CreateContactResponse)

    assert response.extra_fields == {"request_id": "req-7"}
    assert response.data.extra_fields == {"tags": ["vip", {"since": 2021}]}
    assert response.data.billing.extra_fields == {"vat_exempt": None}
    assert response.data.id == payload["data"]["id"]
    assert canonical(formation.unstructure(response)) == canonical(payload)


def test_unknown_fields_in_a_list_of_models_are_kept() -> None:
    cin7 = package("cin7_omni")
    payload = example("cin7_omni", "create_contacts", "200")
    for index, item in enumerate(payload):
        item[f"traceId{index}"] = f"t-{index}"
    items = cin7.structure(copy.deepcopy(payload), list_of(cin7.BatchResultItem))
    assert [item.extra_fields for item in items] == [{f"traceId{i}": f"t-{i}"} for i in range(len(payload))]
    assert canonical(cin7.unstructure(items)) == canonical(payload)


# Open enums -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnumCase:
    vendor: str
    model: str
    enum: str
    payload: dict[str, Any]
    wire_name: str
    attribute: str
    unknown: Any
    known: Any


def _enum_cases() -> list[EnumCase]:
    invoice = example("chift", "create_accounting_invoice", "200")
    contact = example("cin7_omni", "create_contacts", "request")[0]
    address = example("billbee", "create_customer", "request")["Address"]
    return [
        EnumCase("chift", "InvoiceItemOut", "InvoiceStatusOut", invoice, "status", "status", "archived", "paid"),
        EnumCase("cin7_omni", "Contact", "ContactType", contact, "type", "type", "Partner", "Supplier"),
        EnumCase("billbee", "CustomerAddress", "AddressType", address, "AddressType", "address_type", 7, 2),
    ]


ENUM_CASES = _enum_cases()
ENUM_IDS = [f"{case.vendor}-{case.model}-{case.wire_name}" for case in ENUM_CASES]


@pytest.mark.parametrize("case", ENUM_CASES, ids=ENUM_IDS)
def test_unknown_enum_value_is_kept_and_written_back(case: EnumCase) -> None:
    module = package(case.vendor)
    payload = {**case.payload, case.wire_name: case.unknown}

    instance = module.structure(copy.deepcopy(payload), getattr(module, case.model))

    value = getattr(instance, case.attribute)
    assert isinstance(value, getattr(module, case.enum)), f"{value!r} is not an {case.enum}"
    assert value.value == case.unknown
    assert value.is_known is False
    assert canonical(module.unstructure(instance)) == canonical(payload)


@pytest.mark.parametrize("case", ENUM_CASES, ids=ENUM_IDS)
def test_known_enum_value_is_the_member(case: EnumCase) -> None:
    module = package(case.vendor)
    enum_class = getattr(module, case.enum)
    payload = {**case.payload, case.wire_name: case.known}

    instance = module.structure(copy.deepcopy(payload), getattr(module, case.model))

    assert getattr(instance, case.attribute) is enum_class(case.known)
    assert getattr(instance, case.attribute).is_known is True
    assert canonical(module.unstructure(instance)) == canonical(payload)


# Dates and date-times ---------------------------------------------------------------------


def test_dates_and_date_times_are_python_values_written_back_verbatim() -> None:
    chift = package("chift")
    payload = example("chift", "create_accounting_invoice", "200")
    assert payload["last_updated_on"] == "2023-11-07T05:31:56Z"

    invoice = chift.structure(copy.deepcopy(payload), chift.InvoiceItemOut)

    assert type(invoice.invoice_date) is date
    assert invoice.invoice_date == date.fromisoformat(payload["invoice_date"])
    assert type(invoice.payments[0].payment_date) is date
    assert isinstance(invoice.last_updated_on, datetime)
    assert invoice.last_updated_on == datetime(2023, 11, 7, 5, 31, 56, tzinfo=timezone.utc)
    assert invoice.last_updated_on.utcoffset() is not None
    out = chift.unstructure(invoice)
    assert out["last_updated_on"] == "2023-11-07T05:31:56Z"
    assert out["partner"]["last_updated_on"] == "2023-11-07T05:31:56Z"
    assert out["invoice_date"] == payload["invoice_date"]
    assert canonical(out) == canonical(payload)


def test_seven_fraction_digits_stay_byte_identical() -> None:
    cin7 = package("cin7_omni")
    contact = example("cin7_omni", "create_contacts", "request")[0]
    contact["createdDate"] = "2024-11-16T13:41:56.1638179Z"

    structured = cin7.structure(copy.deepcopy(contact), cin7.Contact)

    assert isinstance(structured.created_date, datetime)
    assert structured.created_date == datetime(2024, 11, 16, 13, 41, 56, 163817, tzinfo=timezone.utc)
    assert cin7.unstructure(structured)["createdDate"] == "2024-11-16T13:41:56.1638179Z"
    assert canonical(cin7.unstructure(structured)) == canonical(contact)


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("2023-11-07T05:31:56Z", datetime(2023, 11, 7, 5, 31, 56, tzinfo=timezone.utc)),
        ("2023-11-07T05:31:56.120Z", datetime(2023, 11, 7, 5, 31, 56, 120000, tzinfo=timezone.utc)),
        ("2023-11-07T05:31:56+00:00", datetime(2023, 11, 7, 5, 31, 56, tzinfo=timezone.utc)),
        ("2023-11-07T07:31:56+02:00", datetime(2023, 11, 7, 5, 31, 56, tzinfo=timezone.utc)),
        ("2023-11-07T05:31:56.1638179Z", datetime(2023, 11, 7, 5, 31, 56, 163817, tzinfo=timezone.utc)),
    ],
    ids=["Z", "millis-Z", "plus-00-00", "plus-02-00", "seven-digits-Z"],
)
def test_date_time_wire_form_is_kept(wire: str, expected: datetime) -> None:
    chift = package("chift")
    payload = {**example("chift", "create_accounting_invoice", "200"), "last_updated_on": wire}

    invoice = chift.structure(copy.deepcopy(payload), chift.InvoiceItemOut)

    assert invoice.last_updated_on == expected
    assert chift.unstructure(invoice)["last_updated_on"] == wire


def test_python_built_date_times_are_written_in_iso_form_with_z_for_utc() -> None:
    chift = package("chift")
    cin7 = package("cin7_omni")
    payload = example("chift", "create_accounting_invoice", "200")
    invoice = chift.structure(payload, chift.InvoiceItemOut)
    invoice.last_updated_on = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    invoice.invoice_date = date(2024, 2, 29)

    out = chift.unstructure(invoice)

    assert out["last_updated_on"] == "2024-01-02T03:04:05Z"
    assert out["invoice_date"] == "2024-02-29"

    contact = cin7.structure(example("cin7_omni", "create_contacts", "request")[0], cin7.Contact)
    contact.modified_date = datetime(2024, 11, 16, 13, 41, 56, 163817, tzinfo=timezone.utc)
    assert cin7.unstructure(contact)["modifiedDate"] == "2024-11-16T13:41:56.163817Z"


# Types are checked, not coerced -----------------------------------------------------------


def _leaf_messages(exc: BaseException) -> list[str]:
    """The messages of the innermost exceptions of an exception (group)."""
    inner: Any = getattr(exc, "exceptions", None)
    if isinstance(inner, tuple):
        return [message for nested in inner for message in _leaf_messages(nested)]
    return [str(exc)]


def base_payload(vendor: str, model: str) -> dict[str, Any]:
    """A valid payload of ``model``, taken from the schema's examples, to change one field of."""
    invoice = example("chift", "create_accounting_invoice", "200")
    bases: dict[tuple[str, str], Any] = {
        ("formation", "ContactIn"): dict(REQUIRED_CONTACT),
        ("formation", "CreateContactResponse"): example("formation", "create_contact", "200"),
        ("formation", "ContactOut"): example("formation", "create_contact", "200")["data"],
        ("billbee", "CustomerAddress"): example("billbee", "create_customer", "request")["Address"],
        ("chift", "Payment"): invoice["payments"][0],
        ("chift", "InvoiceItemOut"): invoice,
    }
    base: dict[str, Any] = bases[vendor, model]
    return base


WRONG_TYPES: list[tuple[str, str, str, Any, str | None]] = [
    # (vendor, model, wire name, wrong value, text expected in the error, None: any)
    ("formation", "ContactIn", "company_id", 5, "expected string"),
    ("formation", "ContactIn", "description", None, "null"),
    ("formation", "ContactIn", "cc_emails", "a@example.com", "expected array"),
    ("formation", "ContactIn", "cc_emails", ["a@example.com", 7], "expected string"),
    ("formation", "CreateContactResponse", "success", "true", "expected boolean"),
    ("formation", "CreateContactResponse", "data", "none", "expected object"),
    ("formation", "ContactOut", "created_at", "1640995200", "expected integer"),
    ("formation", "ContactOut", "created_at", 1640995200.5, "expected integer"),
    ("billbee", "CustomerAddress", "Id", "12", "expected integer"),
    ("billbee", "CustomerAddress", "Id", True, "expected integer"),
    ("billbee", "CustomerAddress", "City", 12, "expected string"),
    ("billbee", "CustomerAddress", "AddressType", True, None),
    ("billbee", "CustomerAddress", "AddressType", "1", None),
    ("chift", "Payment", "payment_date", 20231225, "date"),
    ("chift", "Payment", "payment_date", "25/12/2023", "date"),
    ("chift", "Payment", "amount", "123", "number"),
    ("chift", "InvoiceItemOut", "last_updated_on", 1699335116, "date-time"),
    ("chift", "InvoiceItemOut", "status", 3, None),
]


@pytest.mark.parametrize(
    ("vendor", "model", "wire_name", "wrong", "expected"),
    WRONG_TYPES,
    ids=[f"{vendor}-{model}-{name}-{json.dumps(wrong)}" for vendor, model, name, wrong, _ in WRONG_TYPES],
)
def test_wrong_json_types_are_rejected(
    vendor: str, model: str, wire_name: str, wrong: Any, expected: str | None
) -> None:
    module = package(vendor)
    cls = getattr(module, model)
    valid = base_payload(vendor, model)
    module.structure(copy.deepcopy(valid), cls)  # the payload is valid before the change
    with pytest.raises(STRUCTURE_ERRORS) as caught:
        module.structure({**valid, wire_name: wrong}, cls)
    messages = _leaf_messages(caught.value)
    assert expected is None or any(expected in message for message in messages), messages


def test_a_wrong_item_type_in_a_list_is_rejected() -> None:
    cin7 = package("cin7_omni")
    contacts = example("cin7_omni", "create_contacts", "request")
    contacts[0]["id"] = "17"
    with pytest.raises(STRUCTURE_ERRORS):
        cin7.structure(contacts, list_of(cin7.Contact))


# What the generated code depends on -------------------------------------------------------

FORBIDDEN_IMPORTS = frozenset({"pydantic", "dataclasses"})


def imported_modules(source: str, filename: str) -> set[str]:
    """Top-level names of every module a Python source imports (absolute imports only)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_imported_modules_sees_every_import_form() -> None:
    source = "import pydantic.v1 as p\nfrom dataclasses import dataclass\ndef f():\n    import attrs\nfrom . import x\n"
    assert imported_modules(source, "<test>") == {"pydantic", "dataclasses", "attrs"}


def test_generated_code_imports_neither_pydantic_nor_dataclasses() -> None:
    sources = sorted(path for path in GENERATED.rglob("*.py") if "__pycache__" not in path.parts)
    scanned = {path.relative_to(GENERATED).as_posix() for path in sources}
    assert {f"{vendor}/models.py" for vendor in vendors()} <= scanned
    offenders = {
        path.relative_to(GENERATED).as_posix(): sorted(found)
        for path in sources
        if (found := imported_modules(path.read_text(encoding="utf-8"), str(path)) & FORBIDDEN_IMPORTS)
    }
    assert offenders == {}

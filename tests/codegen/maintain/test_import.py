"""``python -m codegen import``: operations from vendors' published specs, as schemas codegen accepts.

Each case imports real operations from ../shared/vendor-specs/ into a temporary schemas/
folder, checks the result with codegen's own checks, generates a package from it, imports
that package under a unique name and round-trips the vendor's own examples (or, where the
vendor gives none, an instance built from the schema) through its models. The imported
schema is then compared with the seed-derived one in schemas/<vendor>/ and the
differences are asserted as facts.
"""

from __future__ import annotations

import importlib
import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from codegen.ir import build_spec
from codegen.maintain.convert import normalise
from codegen.maintain.operations import parse_operation
from codegen.maintain.schema_diff import Change, diff_documents
from codegen.maintain.spec_import import ImportResult, import_operations
from codegen.pipeline import render_all, write
from codegen.problems import SchemaError, Severity
from codegen.schema import check_document, load_document, resolve_pointer
from tests.helpers.paths import REPO, run_codegen, vendor_spec

CHIFT_CONTACTS = "POST /consumers/{consumer_id}/invoicing/contacts"
CHIFT_INVOICES = "POST /consumers/{consumer_id}/accounting/invoices"
FORMAT_SAMPLES = {
    "date": "2024-01-31",
    "date-time": "2024-01-31T12:30:00Z",
    "email": "someone@example.com",
    "uuid": "123e4567-e89b-12d3-a456-426614174000",
    "uri": "https://example.com/a",
}


@dataclass(frozen=True)
class Case:
    """One import: which spec, which operations, which seed-derived schema it corresponds to."""

    seed_vendor: str
    spec: str
    operations: tuple[str, ...]


CASES = {
    "chift": Case("chift", "chift/openapi-2026-08-21.json", (CHIFT_CONTACTS, CHIFT_INVOICES)),
    "formation": Case("formation", "clemta-formation/openapi-2025-06-24.json", ("POST /contacts",)),
    "billbee": Case("billbee", "billbee/swagger-2024-10-08.yaml", ("POST /api/v1/customers",)),
}


def run_import(case: Case, schemas: Path, vendor: str | None = None) -> ImportResult:
    keys = [parse_operation(text) for text in case.operations]
    return import_operations(vendor_spec(case.spec), keys, vendor or case.seed_vendor, schemas)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ImportResult]:
    """Every case imported once into a fresh schemas folder (no existing schema to merge with)."""
    schemas = tmp_path_factory.mktemp("schemas")
    return {name: run_import(case, schemas) for name, case in CASES.items()}


# --- helpers: walking the imported schema, building wire data ---------------------------------


def deref(document: dict[str, Any], node: Any) -> Any:
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        node = resolve_pointer(document, node["$ref"])
    return node


def wire_value(document: dict[str, Any], schema: Any, depth: int = 0) -> Any:
    """A JSON value valid for ``schema``: the vendor's own example where it gives one, else built."""
    schema = deref(document, schema)
    if not isinstance(schema, dict):
        return "x"
    examples = schema.get("examples")
    if isinstance(examples, list) and examples and fits(examples[0], schema):
        return examples[0]
    for keyword in ("anyOf", "oneOf"):
        members = [m for m in schema.get(keyword) or [] if deref(document, m).get("type") != "null"]
        if members:
            return wire_value(document, members[0], depth)
    if isinstance(schema.get("enum"), list):
        return next(value for value in schema["enum"] if value is not None)
    kind = schema.get("type")
    kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
    if kind == "object" or "properties" in schema or "allOf" in schema:
        value: dict[str, Any] = {}
        for member in schema.get("allOf") or []:
            value.update(wire_value(document, member, depth))
        required = set(schema.get("required") or [])
        for name, child in (schema.get("properties") or {}).items():
            if depth < 4 or name in required:  # every field, down to a depth that ends recursion
                value[name] = wire_value(document, child, depth + 1)
        return value
    if kind == "array":
        return [wire_value(document, schema.get("items", {}), depth + 1)]
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return 2.5
    if kind == "boolean":
        return True
    if kind == "string":
        return FORMAT_SAMPLES.get(schema.get("format", ""), "x" * max(1, int(schema.get("minLength", 1))))
    return {"any": "value"}


JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


def fits(value: Any, schema: dict[str, Any]) -> bool:
    """Whether a vendor's field example has the JSON type its schema declares (some do not:
    Chift's AccountingInfoOut.main_currency_total is a number whose examples are strings)."""
    kind = schema.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()
    if not kinds or value is None:
        return not kinds and value is not None
    matches = any(
        isinstance(value, JSON_TYPES[k]) and (k == "boolean" or not isinstance(value, bool))
        for k in kinds
        if k in JSON_TYPES
    )
    if matches and schema.get("format") in ("date", "date-time") and isinstance(value, str):
        return value[:10].count("-") == 2
    return matches


def component_name(node: Any) -> str | None:
    ref = node.get("$ref") if isinstance(node, dict) else None
    prefix = "#/components/schemas/"
    return ref[len(prefix) :] if isinstance(ref, str) and ref.startswith(prefix) else None


def generate_package(document_path: Path, vendor: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Render the schema as a package with a unique name, write it and import it from there."""
    name = f"imported_{vendor}_{uuid.uuid4().hex[:8]}"
    schemas = tmp_path / "gen-schemas"
    (schemas / name).mkdir(parents=True)
    shutil.copy(document_path, schemas / name / "openapi.json")
    rendered = render_all(schemas, [name])
    output = tmp_path / "gen-output"
    write(rendered, output)
    monkeypatch.syspath_prepend(str(output))
    return importlib.import_module(name)


def round_trips(package: ModuleType, class_name: str, data: Any) -> None:
    cls = getattr(package, class_name)
    value = package.structure(data, cls)
    assert type(value) is cls
    assert package.unstructure(value) == data, f"{class_name} does not round-trip {data!r}"


# --- each case: accepted by codegen's checks, generates, round-trips ---------------------------


@pytest.mark.parametrize("case_name", sorted(CASES))
def test_imported_schema_passes_the_checks_and_generates_a_package_whose_models_round_trip(
    case_name: str, imported: dict[str, ImportResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = imported[case_name]
    document = result.document
    assert [p for p in check_document(document) if p.severity is Severity.ERROR] == []
    assert json.loads(result.target.read_text(encoding="utf-8")) == document
    package = generate_package(result.target, case_name, tmp_path, monkeypatch)
    spec = build_spec(load_document(result.target), "pkg", "pkg/openapi.json")
    round_tripped: list[str] = []
    for text in CASES[case_name].operations:
        key = parse_operation(text)
        operation = document["paths"][key.path][key.method]
        holders = [operation["requestBody"], *operation["responses"].values()]
        for holder in holders:
            media = (deref(document, holder).get("content") or {}).get("application/json")
            if not media or component_name(media.get("schema")) is None:
                continue
            component = component_name(media["schema"])
            assert component is not None
            class_name = spec.class_names[component]
            # The vendor's own examples of the whole body, then a value built from the schema
            # (which itself uses the vendor's field examples wherever the spec gives them).
            for example in (media.get("examples") or {}).values():
                round_trips(package, class_name, example["value"])
                round_tripped.append(f"{class_name} (vendor example)")
            round_trips(package, class_name, wire_value(document, media["schema"]))
            round_tripped.append(class_name)
    assert round_tripped, "no model of the imported operations was exercised"


def test_chift_import_keeps_the_vendor_names_and_derives_a_bearer_credential(
    imported: dict[str, ImportResult],
) -> None:
    result = imported["chift"]
    document = result.document
    assert document["openapi"] == "3.1.0"
    assert [(str(key), operation_id) for key, operation_id in result.operations] == [
        (CHIFT_CONTACTS, "invoicing_post_contacts"),
        (CHIFT_INVOICES, "accounting_create_invoice"),
    ]
    invoices = document["paths"]["/consumers/{consumer_id}/accounting/invoices"]["post"]
    assert invoices["x-source"] == "vendor-specs/chift/openapi-2026-08-21.json"
    assert [p["name"] for p in invoices["parameters"]] == [
        "consumer_id",
        "folder_id",
        "force_financial_period",
        "regroup_lines",
        "ignore_accounting_id",
        "force_currency_exchange",
    ]
    # The operations name an undefined scheme ("mcp_auth"): dropped, so the root bearer applies.
    assert "security" not in invoices
    assert document["security"] == [{"bearerAuth": []}]
    assert document["components"]["securitySchemes"]["bearerAuth"]["x-credential"] == "token"
    assert any("'mcp_auth' is not defined" in note for note in result.notes)
    assert any("bearerAuth/x-credential" in note and '"token"' in note for note in result.notes)
    # Only what the two operations reach: the transitive closure of their references.
    schemas = document["components"]["schemas"]
    assert {"ContactItemIn", "ContactItemOut", "InvoiceItemInMonoAnalyticPlan", "ChiftError", "BoolParam"} <= set(
        schemas
    )
    assert "ProductItemIn" not in schemas
    assert len(schemas) == 37
    invoice_in = schemas["InvoiceItemInMonoAnalyticPlan"]
    assert "partner_id" not in invoice_in["required"]
    assert invoice_in["properties"]["partner_id"]["anyOf"] == [{"type": "string", "minLength": 1}, {"type": "null"}]


def test_formation_import_converts_openapi_30_to_31(imported: dict[str, ImportResult]) -> None:
    document = imported["formation"].document
    text = json.dumps(document)
    assert '"nullable"' not in text
    schemas = document["components"]["schemas"]
    # 3.0 ``type: object, nullable: true`` became a 3.1 type list.
    assert schemas["BadRequestError"]["properties"]["data"]["type"] == ["object", "null"]
    # A schema's ``example`` became ``examples`` (a list).
    message = schemas["ContactCreateResponse"]["properties"]["message"]
    assert "example" not in message
    assert message["examples"] == ["Contact created successfully"]
    assert schemas["ContactResponse"]["examples"][0]["full_name"] == "John Doe"
    scheme = document["components"]["securitySchemes"]["ApiKeyAuth"]
    assert scheme["name"] == "X-API-Key"
    assert scheme["x-credential"] == "api_key"  # snake_case of the header without its x- prefix
    assert imported["formation"].operations[0][1] == "create_contact"  # the Client method of 'createContact'


def test_billbee_import_converts_swagger_20(imported: dict[str, ImportResult]) -> None:
    document = imported["billbee"].document
    text = json.dumps(document)
    assert "#/definitions/" not in text
    assert document["servers"] == [{"url": "https://app.billbee.io"}]  # host + schemes (no basePath)
    operation = document["paths"]["/api/v1/customers"]["post"]
    assert operation["operationId"] == "Customer_Create"
    assert "parameters" not in operation  # the body parameter became the request body
    body = operation["requestBody"]
    assert body["required"] is True
    assert list(body["content"]) == ["application/json"]  # consumes: JSON kept, XML and forms dropped
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Billbee.Interfaces.BillbeeAPI.Model.CreateCustomerApiModel"
    }
    assert list(operation["responses"]["200"]["content"]) == ["application/json"]  # from produces
    schemes = document["components"]["securitySchemes"]
    assert schemes["basicAuth"]["type"] == "http"
    assert schemes["basicAuth"]["scheme"] == "basic"
    assert schemes["basicAuth"]["x-credential"] == {"username": "username", "password": "password"}
    assert schemes["ApiKeyAuth"]["x-credential"] == "billbee_api_key"
    assert document["security"] == [{"basicAuth": [], "ApiKeyAuth": []}]
    assert any("never marks a value nullable" in note for note in imported["billbee"].notes)


# --- the imported schema against the seed-derived one in schemas/<vendor>/ ----------------------


def differences(case_name: str, result: ImportResult) -> list[Change]:
    """Every difference but descriptions between schemas/<vendor>/ (old) and the import (new)."""
    seed_path = REPO / "schemas" / CASES[case_name].seed_vendor / "openapi.json"
    seed = normalise(load_document(seed_path).content, str(seed_path))
    new = normalise(result.document, "imported")
    keys = [parse_operation(text) for text in CASES[case_name].operations]
    report = diff_documents(seed, new, keys, old_label="seed", new_label="imported")
    return [change for change in report.changes if change.kind != "description"]


def facts(changes: list[Change]) -> set[tuple[str, str, str]]:
    """(severity, location, message) of each change, the way the report prints them."""
    return {(change.severity, change.location, change.message) for change in changes}


def test_chift_imported_versus_seed(imported: dict[str, ImportResult]) -> None:
    found = facts(differences("chift", imported["chift"]))
    schemas = "/components/schemas/"
    invoices = "/paths/~1consumers~1{consumer_id}~1accounting~1invoices/post"
    contacts = "/paths/~1consumers~1{consumer_id}~1invoicing~1contacts/post"
    expected = {
        # The seed names the methods; the vendor's operationIds differ.
        (
            "breaking",
            f"{contacts}/operationId",
            "operationId 'create_invoicing_contact' -> 'invoicing_post_contacts': the client method is renamed",
        ),
        (
            "breaking",
            f"{invoices}/operationId",
            "operationId 'create_accounting_invoice' -> 'accounting_create_invoice': the client method is renamed",
        ),
        # Types: the vendor says consumer_id is a uuid and regroup_lines a "true"/"false" string.
        ("breaking", f"{contacts}/parameters/0/schema", "format none -> uuid"),
        ("breaking", f"{schemas}BoolParam", "type boolean -> string (changed)"),
        # Fields the vendor's 2026-08-21 spec has and the seed-derived schema does not.
        *(
            ("compatible", f"{schemas}InvoiceItemInMonoAnalyticPlan/properties/{name}", f"optional field {name} added")
            for name in (
                "delivery_date",
                "end_date",
                "payment_method_id",
                "payment_term_id",
                "pdf_name",
                "start_date",
                "withholding_tax",
            )
        ),
        ("compatible", f"{invoices}/parameters/4", "optional query parameter ignore_accounting_id added"),
        ("compatible", f"{invoices}/parameters/5", "optional query parameter force_currency_exchange added"),
        ("compatible", f"{schemas}ValidationError/properties/ctx", "optional field ctx added"),
        # The seed adds a pattern the vendor does not state, and makes query parameters non-null.
        (
            "compatible",
            f"{invoices}/parameters/2/schema/anyOf/0",
            'pattern removed: "^(0[1-9]|1[0-2])[0-9]{4}$" -> null (relaxed)',
        ),
        ("compatible", f"{invoices}/parameters/1/schema", "may now be null"),
        # The seed's 422 body is ChiftError or HTTPValidationError; the vendor's is ChiftError only.
        ("compatible", f"{schemas}ChiftError", "alternative HTTPValidationError removed (narrowed)"),
    }
    assert expected <= found, sorted(expected - found)
    # Required-ness of the two request bodies is the same in both.
    assert not [f for f in found if "required" in f[2] and "/properties/" in f[1] and "InvoiceItemIn" in f[1]]


def test_formation_imported_versus_seed(imported: dict[str, ImportResult]) -> None:
    found = facts(differences("formation", imported["formation"]))
    # Different component names (ContactIn / CreateContactRequest) but the same fields, the
    # same required ones and the same types: followed through $ref, they are no difference.
    assert found == {
        (
            "compatible",
            "/paths/~1contacts/post/operationId",
            "operationId 'create_contact' -> 'createContact': the client method keeps its name 'create_contact'",
        ),
        *(
            ("breaking", f"/components/schemas/{name}/properties/data", "type null -> null | object (widened)")
            for name in ("BadRequestError", "UnauthorizedError", "NotFoundError", "InternalServerError")
        ),
    }


def test_billbee_imported_versus_seed(imported: dict[str, ImportResult]) -> None:
    changes = differences("billbee", imported["billbee"])
    found = facts(changes)
    model = "/components/schemas/Billbee.Interfaces.BillbeeAPI.Model."
    result = "/components/schemas/Rechnungsdruck.WebApp.Controllers.Api.ApiResultOfBillbee.Interfaces.BillbeeAPI."
    expected = {
        # The seed's response Customer carries an Address the vendor's CustomerApiModel lacks.
        ("breaking", "/components/schemas/Customer/properties/Address", "field Address removed"),
        # The seed accepts an integer or a string as ErrorDescription; the vendor says int32 0-29.
        (
            "compatible",
            f"{result}Model.CustomerApiModel/properties/ErrorDescription",
            "alternative string removed (narrowed)",
        ),
        ("compatible", f"{result}Model.CustomerApiModel/properties/ErrorDescription", "format none -> int32"),
        # The seed documents 429 (rate limit); the vendor's spec does not.
        ("compatible", "/paths/~1api~1v1~1customers/post/responses/429", "response 429 removed"),
        # Swagger 2.0 cannot say null: everything the seed marks nullable is not nullable here.
        ("breaking", f"{model}CreateCustomerApiModel/properties/Email", "may no longer be null"),
        ("compatible", f"{model}CustomerApiModel/properties/Email", "may no longer be null"),
    }
    assert expected <= found, sorted(expected - found)
    nullability = [c for c in changes if c.kind == "nullable"]
    assert len(nullability) == 72  # every value the seed marks nullable, request and response models
    assert all(c.message == "may no longer be null" for c in nullability)
    # No field is added or removed on the request side, and required-ness agrees everywhere.
    assert not [c for c in changes if c.kind in ("field-added", "required")]
    assert [c.location for c in changes if c.kind == "field-removed"] == [
        "/components/schemas/Customer/properties/Address"
    ]
    # What the diff does not compare: the Client arguments and the envelope, hand-set in the seed.
    seed = json.loads((REPO / "schemas" / "billbee" / "openapi.json").read_text(encoding="utf-8"))
    seed_schemes = seed["components"]["securitySchemes"]
    schemes = imported["billbee"].document["components"]["securitySchemes"]
    assert seed_schemes["basicAuth"]["x-credential"] == {"username": "username", "password": "api_password"}
    assert schemes["basicAuth"]["x-credential"] == {"username": "username", "password": "password"}
    assert (seed_schemes["apiKey"]["x-credential"], schemes["ApiKeyAuth"]["x-credential"]) == (
        "api_key",
        "billbee_api_key",
    )
    assert {"x-envelope", "x-rate-limit"} <= set(seed)
    assert not {"x-envelope", "x-rate-limit"} & set(imported["billbee"].document)


# --- merging into an existing schema ----------------------------------------------------------


def test_import_into_the_existing_formation_schema_keeps_its_extensions_and_descriptions(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(REPO / "schemas" / "formation", schemas / "formation")
    seed = json.loads((schemas / "formation" / "openapi.json").read_text(encoding="utf-8"))
    result = run_import(CASES["formation"], schemas)
    document = json.loads((schemas / "formation" / "openapi.json").read_text(encoding="utf-8"))
    assert [p for p in check_document(document) if p.severity is Severity.ERROR] == []
    # Root extensions, info, servers and security of the existing schema win.
    for key in ("x-envelope", "info", "servers", "security"):
        assert document[key] == seed[key], key
    assert document["x-source"] == [*seed["x-source"], "vendor-specs/clemta-formation/openapi-2025-06-24.json"]
    operation = document["paths"]["/contacts"]["post"]
    seed_operation = seed["paths"]["/contacts"]["post"]
    assert operation["operationId"] == "create_contact"  # the existing operationId wins
    assert operation["x-source"] == seed_operation["x-source"]
    assert operation["description"] == seed_operation["description"]
    # The body is now the vendor's component, and the seed's descriptions followed it there.
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CreateContactRequest"
    }
    request = document["components"]["schemas"]["CreateContactRequest"]
    seed_request = seed["components"]["schemas"]["ContactIn"]
    assert request["description"] == seed_request["description"]
    for name in ("email", "type", "description", "billing"):  # "description" is a field here
        assert request["properties"][name]["description"] == seed_request["properties"][name]["description"]
    assert request["required"] == ["type", "full_name", "email", "company_id"]
    assert document["components"]["securitySchemes"] == seed["components"]["securitySchemes"]
    # Seed components nothing refers to any more are dropped, and the report says which.
    assert "ContactIn" not in document["components"]["schemas"]
    assert any("dropped from the existing schema: schemas ContactIn" in note for note in result.notes)
    assert any("keeps the existing operationId 'create_contact'" in note for note in result.notes)
    # A second import of the same operation changes nothing.
    again = run_import(CASES["formation"], schemas)
    assert not again.written
    assert json.loads((schemas / "formation" / "openapi.json").read_text(encoding="utf-8")) == document


def test_import_into_the_existing_chift_schema_keeps_the_token_exchange(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(REPO / "schemas" / "chift", schemas / "chift")
    seed = json.loads((schemas / "chift" / "openapi.json").read_text(encoding="utf-8"))
    run_import(CASES["chift"], schemas)
    document = json.loads((schemas / "chift" / "openapi.json").read_text(encoding="utf-8"))
    bearer = document["components"]["securitySchemes"]["bearerAuth"]
    assert bearer["x-token-exchange"] == seed["components"]["securitySchemes"]["bearerAuth"]["x-token-exchange"]
    assert bearer["x-credential"] == "token"
    assert bearer["bearerFormat"] == "JWT"  # from the vendor
    assert document["paths"]["/token"] == seed["paths"]["/token"]  # an operation not imported stays
    contact_in = document["components"]["schemas"]["ContactItemIn"]
    seed_contact_in = seed["components"]["schemas"]["ContactItemIn"]
    assert contact_in["properties"]["email"]["description"] == seed_contact_in["properties"]["email"]["description"]
    package = generate_package(schemas / "chift" / "openapi.json", "chift", tmp_path, monkeypatch)
    assert hasattr(package, "InvoiceItemInMonoAnalyticPlan")


# --- problems a user can cause: one line each, exit status 2, no traceback ------------------------


def cli(*arguments: str) -> tuple[int, str, str]:
    completed = run_codegen(REPO, *arguments)
    return completed.returncode, completed.stdout, completed.stderr


def test_cli_imports_and_reports(tmp_path: Path) -> None:
    status, out, err = cli(
        "import",
        str(vendor_spec("billbee/swagger-2024-10-08.yaml")),
        "--operation",
        "POST /api/v1/customers",
        "--vendor",
        "billbee",
        "--schemas",
        str(tmp_path),
    )
    assert status == 0, err
    assert f"{tmp_path / 'billbee' / 'openapi.json'}: created, 1 operation(s) imported" in out
    assert "POST /api/v1/customers -> client.customers.create (flat: client.customer_create)" in out
    assert 'ApiKeyAuth/x-credential: none given; derived "billbee_api_key"' in out
    assert (tmp_path / "billbee" / "openapi.json").is_file()


@pytest.mark.parametrize(
    ("spec", "operation", "message"),
    [
        ("missing.json", "POST /contacts", "cannot read the file: No such file or directory"),
        (
            "clemta-formation/openapi-2025-06-24.json",
            "POST /contact",
            "no operation POST /contact in",
        ),
        ("clemta-formation/openapi-2025-06-24.json", "CREATE /contacts", "must be written 'METHOD /path'"),
    ],
)
def test_cli_import_rejects_bad_input_with_exit_status_2(
    spec: str, operation: str, message: str, tmp_path: Path
) -> None:
    path = vendor_spec(spec) if spec != "missing.json" else tmp_path / spec
    status, _, err = cli("import", str(path), "--operation", operation, "--vendor", "v", "--schemas", str(tmp_path))
    assert status == 2
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "v").exists()


def test_unknown_operation_suggests_the_nearest(tmp_path: Path) -> None:
    status, _, err = cli(
        "import",
        str(vendor_spec("chift/openapi-2026-08-21.json")),
        "--operation",
        "POST /consumers/{consumer_id}/invoicing/contact",
        "--vendor",
        "chift",
        "--schemas",
        str(tmp_path),
    )
    assert status == 2
    assert f"did you mean {CHIFT_CONTACTS}" in err


ONE_OPERATION = (
    "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    post:\n      responses:\n"
    "        '200': {description: ok, content: {application/json: {schema: {$ref: 'REF'}}}}\n"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("openapi: 3.0.0\npaths: {a: [1, 2\n", "invalid YAML at line 3"),
        ("swagger: '1.2'\npaths: {}\n", "only Swagger 2.0 is supported"),
        (
            ONE_OPERATION.replace("REF", "#/components/schemas/A")
            + "components:\n  schemas:\n"
            + "    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n",
            "$ref cycle: #/components/schemas/A -> #/components/schemas/B -> #/components/schemas/A",
        ),
        (ONE_OPERATION.replace("REF", "other.yaml#/A"), "the reference points into an external document"),
        (ONE_OPERATION.replace("REF", "#/components/schemas/X"), "the reference target does not exist"),
    ],
)
def test_cli_import_reports_document_problems(text: str, message: str, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    status, _, err = cli("import", str(spec), "--operation", "POST /a", "--vendor", "v", "--schemas", str(tmp_path))
    assert status == 2
    assert message in err
    assert "Traceback" not in err
    assert not (tmp_path / "v").exists()


def test_a_schema_codegen_would_reject_is_not_written(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "openapi": "3.0.3",
                "info": {"title": "t", "version": "1"},
                "servers": [{"url": "https://api.example.com"}],
                "paths": {"/a": {"post": {"operationId": "a", "responses": {"404": {"description": "no"}}}}},
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(SchemaError) as caught:
        import_operations(spec, [parse_operation("POST /a")], "v", tmp_path)
    assert "needs a 2XX response" in str(caught.value)
    assert not (tmp_path / "v").exists()

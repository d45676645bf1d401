"""``python -m codegen diff``: schema changes classified as breaking or compatible for client users.

Two parts: the real history of Chift's published spec in ../shared/vendor-specs/chift/
(five versions, OpenAPI 3.0.2 then 3.1.0) for the two operations the project uses, with
the findings asserted one by one; and one tiny hand-made schema pair per rule.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from codegen.maintain.convert import Normalised, normalise
from codegen.maintain.documents import load_spec
from codegen.maintain.operations import parse_operation
from codegen.maintain.schema_diff import ChangeSeverity, DiffReport, diff_documents
from tests.helpers.paths import REPO, run_codegen, vendor_spec

CHIFT_VERSIONS = ("2023-12-06", "2024-10-07", "2025-02-18", "2026-02-17", "2026-08-21")
CONTACTS = "POST /consumers/{consumer_id}/invoicing/contacts"
INVOICES = "POST /consumers/{consumer_id}/accounting/invoices"
INVOICES_POINTER = "/paths/~1consumers~1{consumer_id}~1accounting~1invoices/post"
INVOICE_IN = "/components/schemas/InvoiceItemInMonoAnalyticPlan"
BREAKING, COMPATIBLE = ChangeSeverity.BREAKING, ChangeSeverity.COMPATIBLE


@pytest.fixture(scope="module")
def chift() -> dict[str, Normalised]:
    """The five Chift versions, normalised once."""
    return {
        version: normalise(load_spec(vendor_spec(f"chift/openapi-{version}.json")), version)
        for version in CHIFT_VERSIONS
    }


def chift_step(chift: dict[str, Normalised], old: str, new: str) -> DiffReport:
    keys = [parse_operation(CONTACTS), parse_operation(INVOICES)]
    return diff_documents(chift[old], chift[new], keys, old_label=old, new_label=new)


def found(report: DiffReport, operation: str) -> set[tuple[str, str, str, str]]:
    """(severity, side, location, message) of each change of one operation."""
    (group,) = [group for group in report.operations if str(group.key) == operation]
    return {(c.severity, c.side, c.location, c.message) for c in group.changes}


# --- Chift's real history -------------------------------------------------------------------


def test_chift_2023_12_to_2024_10_adds_folder_id_and_tightens_line_codes(chift: dict[str, Normalised]) -> None:
    report = chift_step(chift, "2023-12-06", "2024-10-07")
    invoices = found(report, INVOICES)
    assert (
        COMPATIBLE,
        "request",
        f"{INVOICES_POINTER}/parameters/3",
        "optional query parameter folder_id added",
    ) in invoices
    line = "/components/schemas/InvoiceLineItemInMonoAnalyticPlan/properties"
    assert (BREAKING, "request", f"{line}/account_number", "minLength added: null -> 1 (tightened)") in invoices
    assert (BREAKING, "request", f"{line}/tax_code", "minLength added: null -> 1 (tightened)") in invoices
    assert len(report.breaking) == 2
    assert found(report, CONTACTS) == {
        (
            COMPATIBLE,
            "response",
            "/components/schemas/ContactItemOut/properties/external_reference",
            "optional field external_reference added",
        )
    }


def test_chift_2024_10_to_2025_02_only_drops_parameter_descriptions(chift: dict[str, Normalised]) -> None:
    report = chift_step(chift, "2024-10-07", "2025-02-18")
    assert report.breaking == []
    assert {change.kind for change in report.changes} == {"description"}
    # folder_id moved from the last to the second place: matched by name, not reported.
    assert not [change for change in report.changes if "folder_id added" in change.message]


def test_chift_2025_02_to_2026_02_the_move_to_openapi_31(chift: dict[str, Normalised]) -> None:
    report = chift_step(chift, "2025-02-18", "2026-02-17")
    invoices = found(report, INVOICES)
    # partner_id on the invoice request went from required to optional: compatible.
    assert (
        COMPATIBLE,
        "request",
        f"{INVOICE_IN}/properties/partner_id",
        "field partner_id: required -> optional",
    ) in invoices
    for position, name in ((4, "ignore_accounting_id"), (5, "force_currency_exchange")):
        message = f"optional query parameter {name} added"
        assert (COMPATIBLE, "request", f"{INVOICES_POINTER}/parameters/{position}", message) in invoices
    # 3.0.2 never wrote nullable, 3.1.0 spells null out as anyOf: not one change from that.
    assert not [change for change in report.changes if change.kind in ("nullable", "type")]
    assert any("2025-02-18 (OpenAPI 3.0.2) never marks a value nullable" in note for note in report.notes)
    assert "105 value(s) differ only in being documented as nullable" in report.notes
    # What is breaking is real: three response fields that were always there may now be absent.
    assert sorted(change.location.rsplit("/", 1)[-1] for change in report.breaking) == [
        "account_number",
        "description",
        "journal_id",
    ]
    assert all(c.side == "response" and "required -> optional" in c.message for c in report.breaking)
    contacts = found(report, CONTACTS)
    assert {severity for severity, *_ in contacts} == {COMPATIBLE}


def test_chift_2026_02_to_2026_08_turns_the_invoice_422_into_a_chift_error(chift: dict[str, Normalised]) -> None:
    report = chift_step(chift, "2026-02-17", "2026-08-21")
    invoices = found(report, INVOICES)
    error = "/components/schemas/ChiftError/properties"
    assert (BREAKING, "response", f"{error}/detail/anyOf/0", "type array -> string (changed)") in invoices
    assert (BREAKING, "response", f"{error}/status", "may now be null") in invoices
    assert (COMPATIBLE, "response", f"{INVOICES_POINTER}/responses/409", "response 409 added") in invoices
    assert (COMPATIBLE, "request", f"{INVOICE_IN}/properties/pdf_name", "optional field pdf_name added") in invoices
    (group,) = [group for group in report.operations if str(group.key) == INVOICES]
    assert {c.context for c in group.changes if c.severity == BREAKING} == {"response 422"}
    assert [c.severity for c in group.changes][:3] == [BREAKING] * 3  # breaking first
    assert found(report, CONTACTS) == {
        (
            COMPATIBLE,
            "response",
            "/components/schemas/ChiftError/properties/error_code",
            "optional field error_code added",
        ),
        (COMPATIBLE, "response", "/components/schemas/ValidationError/properties/ctx", "optional field ctx added"),
        (COMPATIBLE, "response", "/components/schemas/ValidationError/properties/input", "optional field input added"),
    }


def test_chift_contacts_never_broke(chift: dict[str, Normalised]) -> None:
    for old, new in itertools.pairwise(CHIFT_VERSIONS):
        (group,) = [g for g in chift_step(chift, old, new).operations if str(g.key) == CONTACTS]
        assert [change for change in group.changes if change.breaking] == [], (old, new)


def test_the_report_text_groups_by_operation_breaking_first(chift: dict[str, Normalised]) -> None:
    text = chift_step(chift, "2026-02-17", "2026-08-21").text()
    lines = text.splitlines()
    assert lines[0] == "Schema changes from 2026-02-17 to 2026-08-21"
    assert lines[1] == "2 operation(s) compared: 3 breaking, 18 compatible"
    contacts = lines.index(f"{CONTACTS} (invoicing_post_contacts): 0 breaking, 3 compatible")
    invoices = lines.index(f"{INVOICES} (accounting_create_invoice): 3 breaking, 15 compatible")
    assert contacts < invoices
    assert lines[invoices + 1] == (
        "  breaking   response 422  /components/schemas/ChiftError/properties/detail: may now be null"
    )
    assert lines[invoices + 4].startswith("  compatible ")


# --- 3.0 and 3.1 spellings of the same schema are no change -----------------------------------


def one_operation(openapi: str, body: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": openapi,
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things": {
                "post": {
                    "operationId": "create_thing",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": response}}}},
                }
            }
        },
        "components": {"schemas": {"Kind": {"type": "string", "enum": ["a", "b"]}}},
    }


def test_openapi_30_nullable_and_31_null_types_are_the_same() -> None:
    old = one_operation(
        "3.0.3",
        {
            "type": "object",
            "properties": {
                "name": {"type": "string", "nullable": True, "maxLength": 5, "example": "ab"},
                "kind": {"allOf": [{"$ref": "#/components/schemas/Kind"}], "nullable": True},
                "size": {"type": "integer", "nullable": True, "minimum": 0, "exclusiveMinimum": True},
                "tag": {"type": "string", "enum": ["x", "y"], "nullable": True},
            },
        },
        {"type": "object", "properties": {"id": {"type": "string", "nullable": True}}},
    )
    new = one_operation(
        "3.1.0",
        {
            "type": "object",
            "properties": {
                "name": {"type": ["string", "null"], "maxLength": 5, "examples": ["ab"]},
                "kind": {"anyOf": [{"$ref": "#/components/schemas/Kind"}, {"type": "null"}]},
                "size": {"type": ["integer", "null"], "exclusiveMinimum": 0},
                "tag": {"anyOf": [{"type": "string", "enum": ["x", "y"]}, {"type": "null"}]},
            },
        },
        {"type": "object", "properties": {"id": {"anyOf": [{"type": "string"}, {"type": "null"}]}}},
    )
    report = diff_documents(normalise(old, "old"), normalise(new, "new"))
    assert report.changes == []
    assert report.notes == ()
    assert "no changes" in report.text()


# --- one rule at a time, on tiny schemas -----------------------------------------------------


BASE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/things/{id}": {
            "post": {
                "operationId": "update_thing",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "mode", "in": "query", "required": False, "schema": {"type": "string"}},
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ThingIn"}}},
                },
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ThingOut"}}},
                    }
                },
            }
        }
    },
    "components": {
        "schemas": {
            "ThingIn": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "maxLength": 50, "description": "The name."},
                    "note": {"type": "string"},
                    "size": {"type": "number", "minimum": 0},
                    "kind": {"type": "string", "enum": ["a", "b"]},
                    "when": {"type": "string", "format": "date"},
                },
            },
            "ThingOut": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "string"},
                    "label": {"type": "string", "maxLength": 50},
                    "count": {"type": "integer"},
                    "kind": {"type": "string", "enum": ["a", "b"]},
                },
            },
        }
    },
}
THING_IN = "/components/schemas/ThingIn"
THING_OUT = "/components/schemas/ThingOut"
OPERATION = "/paths/~1things~1{id}/post"


def changed(edit: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    edit(document)
    return document


def comp(document: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["components"]["schemas"][name]
    return schema


def props(document: dict[str, Any], name: str) -> dict[str, Any]:
    properties: dict[str, Any] = comp(document, name)["properties"]
    return properties


def operation(document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = document["paths"]["/things/{id}"]["post"]
    return found


Edit = Callable[[dict[str, Any]], object]


def update(component: str, field: str, **values: Any) -> Edit:
    """An edit that updates one property schema of a component."""
    return lambda document: props(document, component)[field].update(values)


def drop(component: str, field: str) -> Edit:
    return lambda document: props(document, component).pop(field)


def add_field(component: str, field: str, *, required: bool) -> Edit:
    def edit(document: dict[str, Any]) -> None:
        props(document, component)[field] = {"type": "string"}
        if required:
            comp(document, component)["required"].append(field)

    return edit


def require(component: str, field: str) -> Edit:
    return lambda document: comp(document, component)["required"].append(field)


def add_parameter(*, required: bool) -> Edit:
    parameter = {"name": "page", "in": "query", "required": required, "schema": {"type": "integer"}}
    return lambda document: operation(document)["parameters"].append(parameter)


@dataclass(frozen=True)
class Rule:
    """One classification rule: an edit of the new document and the single change it must give."""

    name: str
    edit: Edit
    severity: str
    location: str
    message: str
    old_edit: Edit | None = None


OTHER_OPERATION = {"get": {"operationId": "other", "responses": {"200": {"description": "ok"}}}}
RULES = [
    Rule(
        "request field removed", drop("ThingIn", "note"), BREAKING, f"{THING_IN}/properties/note", "field note removed"
    ),
    Rule(
        "response field removed",
        drop("ThingOut", "label"),
        BREAKING,
        f"{THING_OUT}/properties/label",
        "field label removed",
    ),
    Rule("operation removed", lambda d: d["paths"].pop("/things/{id}"), BREAKING, OPERATION, "operation removed"),
    Rule(
        "operation added",
        lambda d: d["paths"].update({"/other": OTHER_OPERATION}),
        COMPATIBLE,
        "/paths/~1other/get",
        "operation added",
    ),
    Rule(
        "request enum value removed",
        update("ThingIn", "kind", enum=["a"]),
        BREAKING,
        f"{THING_IN}/properties/kind",
        'enum value(s) removed: "b"',
    ),
    Rule(
        "response enum value removed",
        update("ThingOut", "kind", enum=["a"]),
        BREAKING,
        f"{THING_OUT}/properties/kind",
        'enum value(s) removed: "b"',
    ),
    Rule(
        "enum value added",
        update("ThingOut", "kind", enum=["a", "b", "c"]),
        COMPATIBLE,
        f"{THING_OUT}/properties/kind",
        'enum value(s) added: "c"',
    ),
    Rule(
        "optional request field became required",
        require("ThingIn", "note"),
        BREAKING,
        f"{THING_IN}/properties/note",
        "field note: optional -> required",
    ),
    Rule(
        "required request field became optional",
        lambda d: comp(d, "ThingIn").update(required=[]),
        COMPATIBLE,
        f"{THING_IN}/properties/name",
        "field name: required -> optional",
    ),
    Rule(
        "required response field became optional",
        lambda d: comp(d, "ThingOut").update(required=[]),
        BREAKING,
        f"{THING_OUT}/properties/id",
        "field id: required -> optional: the field may be absent",
    ),
    Rule(
        "optional response field became required",
        require("ThingOut", "label"),
        COMPATIBLE,
        f"{THING_OUT}/properties/label",
        "field label: optional -> required",
    ),
    Rule(
        "new required request field",
        add_field("ThingIn", "code", required=True),
        BREAKING,
        f"{THING_IN}/properties/code",
        "required field code added",
    ),
    Rule(
        "new optional request field",
        add_field("ThingIn", "code", required=False),
        COMPATIBLE,
        f"{THING_IN}/properties/code",
        "optional field code added",
    ),
    Rule(
        "new required response field",
        add_field("ThingOut", "code", required=True),
        COMPATIBLE,
        f"{THING_OUT}/properties/code",
        "required field code added",
    ),
    Rule(
        "optional parameter became required",
        lambda d: operation(d)["parameters"][1].update(required=True),
        BREAKING,
        f"{OPERATION}/parameters/1",
        "query parameter mode: optional -> required",
    ),
    Rule(
        "optional parameter added",
        add_parameter(required=False),
        COMPATIBLE,
        f"{OPERATION}/parameters/2",
        "optional query parameter page added",
    ),
    Rule(
        "required parameter added",
        add_parameter(required=True),
        BREAKING,
        f"{OPERATION}/parameters/2",
        "required query parameter page added",
    ),
    Rule(
        "parameter removed",
        lambda d: operation(d)["parameters"].pop(1),
        BREAKING,
        f"{OPERATION}/parameters/1",
        "query parameter mode removed",
    ),
    Rule(
        "request type narrowed",
        update("ThingIn", "size", type="integer"),
        BREAKING,
        f"{THING_IN}/properties/size",
        "type number -> integer (narrowed)",
    ),
    Rule(
        "request type widened",
        update("ThingIn", "note", type=["string", "integer"]),
        COMPATIBLE,
        f"{THING_IN}/properties/note",
        "alternative integer added (widened)",
    ),
    Rule(
        "request type changed",
        update("ThingIn", "note", type="boolean"),
        BREAKING,
        f"{THING_IN}/properties/note",
        "type string -> boolean (changed)",
    ),
    Rule(
        "response type widened",
        update("ThingOut", "count", type="number"),
        BREAKING,
        f"{THING_OUT}/properties/count",
        "type integer -> number (widened)",
    ),
    Rule(
        "response type narrowed",
        update("ThingOut", "count", type="integer"),
        COMPATIBLE,
        f"{THING_OUT}/properties/count",
        "type number -> integer (narrowed)",
        old_edit=update("ThingOut", "count", type="number"),
    ),
    Rule(
        "request maxLength lowered",
        update("ThingIn", "name", maxLength=10),
        BREAKING,
        f"{THING_IN}/properties/name",
        "maxLength lowered: 50 -> 10 (tightened)",
    ),
    Rule(
        "request maxLength raised",
        update("ThingIn", "name", maxLength=100),
        COMPATIBLE,
        f"{THING_IN}/properties/name",
        "maxLength raised: 50 -> 100 (relaxed)",
    ),
    Rule(
        "request minimum raised",
        update("ThingIn", "size", minimum=1),
        BREAKING,
        f"{THING_IN}/properties/size",
        "minimum raised: 0 -> 1 (tightened)",
    ),
    Rule(
        "request minimum removed",
        lambda d: props(d, "ThingIn")["size"].pop("minimum"),
        COMPATIBLE,
        f"{THING_IN}/properties/size",
        "minimum removed: 0 -> null (relaxed)",
    ),
    Rule(
        "request pattern added",
        update("ThingIn", "note", pattern="^[a-z]+$"),
        BREAKING,
        f"{THING_IN}/properties/note",
        'pattern added: null -> "^[a-z]+$" (tightened)',
    ),
    Rule(
        "response constraint tightened",
        update("ThingOut", "label", maxLength=5),
        COMPATIBLE,
        f"{THING_OUT}/properties/label",
        "maxLength lowered: 50 -> 5 (tightened)",
    ),
    Rule(
        "description changed",
        update("ThingIn", "name", description="Another."),
        COMPATIBLE,
        f"{THING_IN}/properties/name",
        "description changed",
    ),
    Rule(
        "request value may now be null",
        update("ThingIn", "note", type=["string", "null"]),
        COMPATIBLE,
        f"{THING_IN}/properties/note",
        "may now be null",
    ),
    Rule(
        "response value may now be null",
        update("ThingOut", "label", type=["string", "null"]),
        BREAKING,
        f"{THING_OUT}/properties/label",
        "may now be null",
    ),
    Rule(
        "format changes the Python type",
        update("ThingIn", "when", format="date-time"),
        BREAKING,
        f"{THING_IN}/properties/when",
        "format date -> date-time: the Python type changes",
    ),
    Rule(
        "request body became optional",
        lambda d: operation(d)["requestBody"].update(required=False),
        COMPATIBLE,
        f"{OPERATION}/requestBody",
        "request body: required -> optional",
    ),
]


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_rule(rule: Rule) -> None:
    old = copy.deepcopy(BASE)
    if rule.old_edit is not None:
        rule.old_edit(old)
    report = diff_documents(normalise(old, "old"), normalise(changed(rule.edit), "new"))
    assert [(c.severity, c.location, c.message) for c in report.changes] == [
        (rule.severity, rule.location, rule.message)
    ]


def test_a_change_in_a_component_is_reported_under_each_operation_that_uses_it() -> None:
    old = copy.deepcopy(BASE)
    old["paths"]["/copies"] = {"post": copy.deepcopy(operation(old)) | {"operationId": "copy_thing"}}
    old["paths"]["/copies"]["post"]["parameters"] = []
    new = copy.deepcopy(old)
    props(new, "ThingOut").pop("label")
    report = diff_documents(normalise(old, "old"), normalise(new, "new"))
    assert [(str(g.key), len(g.changes)) for g in report.operations] == [
        ("POST /things/{id}", 1),
        ("POST /copies", 1),
    ]


def test_renamed_component_with_the_same_content_is_no_change() -> None:
    new = copy.deepcopy(BASE)
    new["components"]["schemas"]["ThingInput"] = new["components"]["schemas"].pop("ThingIn")
    operation(new)["requestBody"]["content"]["application/json"]["schema"] = {"$ref": "#/components/schemas/ThingInput"}
    report = diff_documents(normalise(BASE, "old"), normalise(new, "new"))
    assert report.changes == []


# --- the command line ------------------------------------------------------------------------


def write_json(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_cli_text_json_and_exit_status(tmp_path: Path) -> None:
    old = write_json(tmp_path / "old.json", BASE)
    new = write_json(tmp_path / "new.json", changed(lambda d: props(d, "ThingIn").pop("note")))
    text = run_codegen(REPO, "diff", str(old), str(new))
    assert text.returncode == 0  # whatever it finds
    assert "POST /things/{id} (update_thing): 1 breaking, 0 compatible" in text.stdout
    assert f"  breaking   request body  {THING_IN}/properties/note (old): field note removed" in text.stdout
    as_json = run_codegen(REPO, "diff", str(old), str(new), "--format", "json")
    data = json.loads(as_json.stdout)
    assert data["summary"] == {"breaking": 1, "compatible": 0}
    (group,) = data["operations"]
    assert group["operation"] == "POST /things/{id}"
    assert group["changes"][0] | {"message": ""} == {
        "severity": "breaking",
        "side": "request",
        "context": "request body",
        "kind": "field-removed",
        "location": f"{THING_IN}/properties/note",
        "document": "old",
        "message": "",
    }
    failing = run_codegen(REPO, "diff", str(old), str(new), "--fail-on-breaking")
    assert failing.returncode == 1
    same = run_codegen(REPO, "diff", str(old), str(old), "--fail-on-breaking")
    assert same.returncode == 0
    assert "POST /things/{id} (update_thing): no changes" in same.stdout


def test_cli_compares_a_published_yaml_spec_with_a_project_schema() -> None:
    completed = run_codegen(
        REPO,
        "diff",
        str(vendor_spec("billbee/swagger-2024-10-08.yaml")),
        str(REPO / "schemas" / "billbee" / "openapi.json"),
        "--operation",
        "POST /api/v1/customers",
    )
    assert completed.returncode == 0, completed.stderr
    assert "POST /api/v1/customers (Customer_Create -> create_customer)" in completed.stdout
    assert "swagger-2024-10-08.yaml (Swagger 2.0) never marks a value nullable" in completed.stdout


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing-old.json", "missing-new.json"], "cannot read the file"),
        (["OLD", "OLD", "--operation", "POST /nowhere"], "no operation POST /nowhere in"),
        (["OLD", "OLD", "--operation", "POST"], "must be written 'METHOD /path'"),
    ],
)
def test_cli_diff_rejects_bad_input_with_exit_status_2(arguments: list[str], message: str, tmp_path: Path) -> None:
    old = write_json(tmp_path / "old.json", BASE)
    completed = run_codegen(
        REPO, "diff", *[str(old) if a == "OLD" else str(tmp_path / a) if a.endswith(".json") else a for a in arguments]
    )
    assert completed.returncode == 2
    assert message in completed.stderr
    assert "Traceback" not in completed.stderr

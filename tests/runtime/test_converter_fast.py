"""The converter's compiled fast paths keep every behaviour of cattrs' detailed path.

For each model class the converter compiles a structure and an unstructure function, and
structuring starts an object again on cattrs' detailed path whenever anything is unexpected.
These tests check that the fast paths are the ones taken, and that they give exactly what
the detailed converter (the converter as it was before them) gives: the same objects, the
same JSON back (``0`` stays ``0``, key order included), the same errors with the same paths,
absent vs null, unknown keys, open enums, dates and date-times as sent.
"""

from __future__ import annotations

import copy
import importlib
import json
import linecache
import time
from collections import OrderedDict
from datetime import date, datetime, timezone
from decimal import Decimal
from types import GenericAlias, ModuleType
from typing import Any

import attrs
import cattrs
import pytest

import generated.chift as chift
import generated.cin7_omni as cin7
from generated.chift import _converter as chift_converter
from generated.chift._json import dumps as wire_json
from generated.chift._unset import UNSET, UnsetType
from tests.helpers.paths import load_schema, resolve_local_ref, vendors

JSON = "application/json"
HTTP_METHODS = ("get", "put", "post", "delete", "patch")
STRUCTURE_ERRORS = (TypeError, ValueError, cattrs.BaseValidationError)
WRONG_VALUES: tuple[Any, ...] = (None, True, 0, 1.5, "", "wrong", [], {}, [1, "a"], {"x": 1})


def package(vendor: str) -> ModuleType:
    return importlib.import_module(f"generated.{vendor}")


def detailed(module: ModuleType) -> cattrs.Converter:
    """A converter of cattrs' detailed path, for the package of ``module`` (the reference)."""
    converter: cattrs.Converter = module._converter._make_detailed_converter()
    return converter


def canonical(value: Any) -> str:
    # By the JSON text the package writes: a Decimal (format: decimal) compares by its digits.
    return json.dumps(json.loads(wire_json(value)), sort_keys=True)


def list_of(cls: Any) -> Any:
    return GenericAlias(list, (cls,))


def operation(vendor: str, operation_id: str) -> dict[str, Any]:
    for item in load_schema(vendor)["paths"].values():
        for method in HTTP_METHODS:
            found = item.get(method)
            if isinstance(found, dict) and found.get("operationId") == operation_id:
                return found
    raise AssertionError(f"no operation {operation_id} in {vendor}")


def first_example(holder: dict[str, Any]) -> Any:
    examples = holder["content"][JSON]["examples"]
    return copy.deepcopy(next(iter(examples.values()))["value"])


def invoice(lines: int = 100) -> dict[str, Any]:
    """Chift's create_accounting_invoice 200 example, its line replicated (as the benchmark does)."""
    value: dict[str, Any] = first_example(operation("chift", "create_accounting_invoice")["responses"]["200"])
    line = value["lines"][0]
    value["lines"] = [dict(line, line_number=number) for number in range(1, lines + 1)]
    return value


def contacts(size: int = 100) -> list[dict[str, Any]]:
    """Cin7's create_contacts request example, replicated (as the benchmark does)."""
    seeds: list[dict[str, Any]] = first_example(operation("cin7_omni", "create_contacts")["requestBody"])
    return [dict(copy.deepcopy(seeds[index % len(seeds)]), id=index + 1) for index in range(size)]


def outcome(run: Any) -> tuple[Any, ...]:
    """What a call gives, comparable across converters: value (repr and JSON) or error (type, text, paths)."""
    try:
        value = run()
    except Exception as exc:
        paths = cattrs.transform_error(exc, path="$") if isinstance(exc, cattrs.BaseValidationError) else None
        return ("error", type(exc).__name__, str(exc), paths, exc.__context__ is None)
    return ("value", repr(value), json.dumps(value, default=repr))


def errors_of(module: ModuleType, data: Any, kind: Any) -> list[str]:
    """The messages of ``cattrs.transform_error`` for structuring ``data`` with the package's converter."""
    return errors_of_converter(module.converter, data, kind)


def errors_of_converter(converter: cattrs.Converter, data: Any, kind: Any) -> list[str]:
    with pytest.raises(cattrs.BaseValidationError) as caught:
        converter.structure(data, kind)
    return cattrs.transform_error(caught.value, path="$")


# The fast paths are the ones taken ---------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "model"),
    [(chift, "InvoiceItemOut"), (chift, "InvoiceLineItemOut"), (chift, "PartnerItem"), (cin7, "Contact")],
    ids=["chift-InvoiceItemOut", "chift-InvoiceLineItemOut", "chift-PartnerItem", "cin7-Contact"],
)
def test_models_get_compiled_functions(module: ModuleType, model: str) -> None:
    cls = getattr(module, model)
    structure = module.converter.get_structure_hook(cls)
    unstructure = module.converter.get_unstructure_hook(cls)
    assert structure.__code__.co_filename == f"<structure of {cls.__module__}.{cls.__qualname__}>"
    assert unstructure.__code__.co_filename == f"<unstructure of {cls.__module__}.{cls.__qualname__}>"


def test_compiled_source_carries_no_wire_name() -> None:
    structure = cin7.converter.get_structure_hook(cin7.Contact)
    unstructure = cin7.converter.get_unstructure_hook(cin7.Contact)
    for function in (structure, unstructure):
        source = "".join(linecache.getlines(function.__code__.co_filename))
        assert "first_name" in source  # the attribute, from the class's own metadata
        assert "firstName" not in source  # the wire name is a value handed to the code


# Round trips --------------------------------------------------------------------------------


def test_invoice_round_trips_like_the_detailed_path() -> None:
    payload = invoice()
    built = chift.structure(copy.deepcopy(payload), chift.InvoiceItemOut)
    reference = detailed(chift)
    assert repr(built) == repr(reference.structure(copy.deepcopy(payload), chift.InvoiceItemOut))
    out = chift.unstructure(built)
    assert canonical(out) == canonical(payload)
    assert wire_json(out) == wire_json(reference.unstructure(built))  # key order too
    assert out["lines"][0]["quantity"] == Decimal(123)  # format: decimal; written back as 123
    assert wire_json(out["lines"][0]["quantity"]) == b"123"


def test_contacts_batch_round_trips_like_the_detailed_path() -> None:
    payload = contacts()
    built = cin7.structure(copy.deepcopy(payload), list_of(cin7.Contact))
    reference = detailed(cin7)
    assert repr(built) == repr(reference.structure(copy.deepcopy(payload), list_of(cin7.Contact)))
    out = cin7.unstructure(built)
    assert canonical(out) == canonical(payload)
    assert wire_json(out) == wire_json(reference.unstructure(built))
    assert out[0]["createdDate"] == payload[0]["createdDate"] == "2024-11-16T13:41:56.1638179Z"


def _examples() -> list[tuple[str, str, Any]]:
    """(vendor, model, payload) of every component-referencing JSON example in the schemas."""
    found = []
    for vendor in vendors():
        document = load_schema(vendor)
        for item in document["paths"].values():
            for method in HTTP_METHODS:
                op = item.get(method)
                if not isinstance(op, dict):
                    continue
                holders = [op.get("requestBody"), *op.get("responses", {}).values()]
                for holder in holders:
                    media = (resolve_local_ref(document, holder) or {}).get("content", {}).get(JSON)
                    if not media:
                        continue
                    schema = media["schema"]
                    many = schema.get("type") == "array"
                    ref = (schema["items"] if many else schema).get("$ref", "")
                    if not ref:
                        continue
                    model = ref.rsplit("/", 1)[-1]
                    for example in media.get("examples", {}).values():
                        value = resolve_local_ref(document, example)["value"]
                        found.append((vendor, f"{'list:' if many else ''}{model}", value))
    return found


EXAMPLES = _examples()


def _paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:2]):
            found += _paths(item, (*at, index))
    return found


def _changed(value: Any, at: tuple[Any, ...], new: Any, delete: bool = False) -> Any:
    if not at:
        return new
    value = copy.deepcopy(value)
    node = value
    for key in at[:-1]:
        node = node[key]
    if delete:
        del node[at[-1]]
    else:
        node[at[-1]] = new
    return value


@pytest.mark.parametrize(
    ("vendor", "model", "payload"),
    EXAMPLES,
    ids=[f"{vendor}-{model}-{index}" for index, (vendor, model, _) in enumerate(EXAMPLES)],
)
def test_every_example_and_every_one_change_to_it_decode_as_on_the_detailed_path(
    vendor: str, model: str, payload: Any
) -> None:
    """Valid or not (a wrong JSON type, null or a deletion at any path), the outcome is the same."""
    module = package(vendor)
    reference = detailed(module)
    cls = getattr(module, model.removeprefix("list:"))
    kind = list_of(cls) if model.startswith("list:") else cls
    variants = [payload]
    for at in _paths(payload):
        variants += [_changed(payload, at, wrong) for wrong in WRONG_VALUES]
        if at and isinstance(at[-1], str):
            variants.append(_changed(payload, at, None, delete=True))
    if isinstance(payload, dict):
        variants.append({**payload, "zz_unknown": {"kept": [1]}})
    for data in variants:
        fast = outcome(lambda data=data: module.structure(copy.deepcopy(data), kind))
        assert fast == outcome(lambda data=data: reference.structure(copy.deepcopy(data), kind)), data
        if fast[0] == "value":
            built = module.structure(copy.deepcopy(data), kind)
            assert outcome(lambda built=built: module.unstructure(built)) == outcome(
                lambda built=built: reference.unstructure(built)
            )


# JSON types are checked, not coerced ------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "wrong", "path"),
    [
        ("line", {"quantity": True}, "$.lines[1].quantity"),
        ("line", {"quantity": "123"}, "$.lines[1].quantity"),
        ("line", {"line_number": 2.0}, "$.lines[1].line_number"),
        ("line", {"line_number": False}, "$.lines[1].line_number"),
        ("line", {"account_number": 701000}, "$.lines[1].account_number"),
        ("top", {"currency": None}, "$.currency"),
        ("top", {"invoice_number": 12}, "$.invoice_number"),
        ("top", {"status": 3}, "$.status"),
        ("top", {"invoice_date": "25/12/2023"}, "$.invoice_date"),
        ("top", {"last_updated_on": 1699335116}, "$.last_updated_on"),
        ("top", {"lines": {"0": {}}}, "$.lines"),
        ("top", {"partner": "p-1"}, "$.partner"),
    ],
)
def test_wrong_json_types_are_rejected_with_their_path(where: str, wrong: dict[str, Any], path: str) -> None:
    payload = invoice(3)
    if where == "line":
        payload["lines"][1].update(wrong)
    else:
        payload.update(wrong)
    messages = errors_of(chift, copy.deepcopy(payload), chift.InvoiceItemOut)
    assert any(message.endswith(f" @ {path}") for message in messages), messages
    assert messages == errors_of_converter(detailed(chift), payload, chift.InvoiceItemOut)


def test_a_wrong_item_in_a_batch_is_reported_at_its_index() -> None:
    payload = contacts(20)
    payload[13]["isActive"] = "yes"
    payload[16]["secondaryContacts"][1]["id"] = "2"  # the even seeds have secondary contacts
    messages = errors_of(cin7, payload, list_of(cin7.Contact))
    assert [message.rsplit(" @ ", 1)[1] for message in messages] == [
        "$[13].is_active",
        "$[16].secondary_contacts[1].id",
    ]


def test_decimal_fields_keep_the_digits_of_integers_and_floats() -> None:
    payload = invoice(2)
    payload["lines"][1].update(quantity=2.0, unit_price=0, tax_rate=21.5)
    built = chift.structure(copy.deepcopy(payload), chift.InvoiceItemOut)
    assert [line.quantity for line in built.lines] == [Decimal("123"), Decimal("2.0")]
    assert str(built.lines[1].unit_price) == "0"
    assert canonical(chift.unstructure(built)["lines"][1]) == canonical(payload["lines"][1])


def test_bool_is_neither_an_integer_nor_a_number_nor_a_string() -> None:
    line = invoice(1)["lines"][0]
    for field, wrong in (("line_number", True), ("quantity", False), ("description", True)):
        with pytest.raises(STRUCTURE_ERRORS):
            chift.structure({**line, field: wrong}, chift.InvoiceLineItemOut)


# Absent, null and UNSET ---------------------------------------------------------------------


def test_absent_is_unset_and_left_out_null_is_none_and_written() -> None:
    line = invoice(1)["lines"][0]
    del line["description"]
    line["unit_of_measure"] = None
    built = chift.structure(copy.deepcopy(line), chift.InvoiceLineItemOut)
    assert built.description is UNSET
    assert built.unit_of_measure is None
    out = chift.unstructure(built)
    assert "description" not in out
    assert out["unit_of_measure"] is None
    assert canonical(out) == canonical(line)


def test_null_is_rejected_where_the_schema_does_not_allow_it() -> None:
    request = first_example(operation("chift", "create_accounting_invoice")["requestBody"])
    request["lines"][0]["description"] = None  # `str | UnsetType`: optional, not nullable
    messages = errors_of(chift, request, chift.InvoiceItemIn)
    assert messages == [
        "invalid value for type, expected str | generated.chift._unset.UnsetType @ $.lines[0].description"
    ]


def test_a_model_built_in_python_writes_only_what_was_set() -> None:
    amounts = {
        "unit_price": Decimal("10"),
        "quantity": Decimal("2.5"),
        "untaxed_amount": Decimal("25.00"),
        "tax_rate": Decimal("21"),
        "tax_amount": Decimal("5.25"),
        "total": Decimal("30.25"),
    }
    line = chift.InvoiceLineItemOut(
        unit_price=amounts["unit_price"],
        quantity=amounts["quantity"],
        untaxed_amount=amounts["untaxed_amount"],
        tax_rate=amounts["tax_rate"],
        tax_amount=amounts["tax_amount"],
        total=amounts["total"],
        description=None,
    )
    out = chift.unstructure(line)
    assert out == {**amounts, "description": None}
    assert wire_json(out) == wire_json(detailed(chift).unstructure(line))
    assert wire_json(out).startswith(b'{"unit_price":10,"quantity":2.5,"untaxed_amount":25.00,')


def test_mistyped_values_set_in_python_are_written_as_before() -> None:
    """A value of another type than declared goes out as the detailed path writes it (validation judges it)."""
    built = chift.structure(invoice(1), chift.InvoiceItemOut)
    reference = detailed(chift)
    samples: list[Any] = [
        datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
        date(2024, 2, 29),
        chift.InvoiceStatusOut("paid"),
        7,
        1.5,
        True,
        [built.lines[0]],
        built.partner,
        UNSET,
        {"raw": [1]},
    ]
    for field in ("invoice_number", "status", "last_updated_on", "partner", "payments", "currency", "lines"):
        for sample in samples:
            changed = copy.copy(built)
            setattr(changed, field, sample)
            assert outcome(lambda changed=changed: chift.unstructure(changed)) == outcome(
                lambda changed=changed: reference.unstructure(changed)
            ), (field, sample)


# Unknown keys, open enums, dates ----------------------------------------------------------


def test_unknown_keys_are_kept_at_every_level_and_written_back() -> None:
    payload = invoice(2)
    payload["approval_status"] = {"state": "pending"}
    payload["lines"][1]["withholding_tax"] = None
    payload["partner"]["addresses"][0]["floor"] = 3
    built = chift.structure(copy.deepcopy(payload), chift.InvoiceItemOut)
    assert built.extra_fields == {"approval_status": {"state": "pending"}}
    assert built.lines[0].extra_fields == {}
    assert built.lines[1].extra_fields == {"withholding_tax": None}
    partner = built.partner
    assert isinstance(partner, chift.PartnerItem)
    assert isinstance(partner.addresses, list)
    assert partner.addresses[0].extra_fields == {"floor": 3}
    assert built.lines[0].extra_fields is not partner.extra_fields  # a dict of its own each
    assert canonical(chift.unstructure(built)) == canonical(payload)


def test_a_declared_key_wins_over_an_unknown_field_of_the_same_name_when_writing() -> None:
    built = chift.structure(invoice(1), chift.InvoiceItemOut)
    built.extra_fields = {"currency": "XXX", "other": 1}
    out = chift.unstructure(built)
    assert out["currency"] == "<string>"
    assert out["other"] == 1
    assert wire_json(out) == wire_json(detailed(chift).unstructure(built))


def test_open_enum_values_are_kept_and_known_ones_are_members() -> None:
    payload = invoice(1)
    payload["status"] = "archived"
    built = chift.structure(copy.deepcopy(payload), chift.InvoiceItemOut)
    assert isinstance(built.status, chift.InvoiceStatusOut)
    assert built.status.value == "archived"
    assert built.status.is_known is False
    assert built.invoice_type is chift.InvoiceType("customer_invoice")
    assert canonical(chift.unstructure(built)) == canonical(payload)


def test_dates_and_date_times_keep_their_wire_text() -> None:
    contact = contacts(1)[0]
    contact["modifiedDate"] = "2024-11-16T15:41:56.12+02:00"
    built = cin7.structure(copy.deepcopy(contact), cin7.Contact)
    assert built.created_date == datetime(2024, 11, 16, 13, 41, 56, 163817, tzinfo=timezone.utc)
    out = cin7.unstructure(built)
    assert out["createdDate"] == "2024-11-16T13:41:56.1638179Z"
    assert out["modifiedDate"] == "2024-11-16T15:41:56.12+02:00"
    built.modified_date = datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert cin7.unstructure(built)["modifiedDate"] == "2025-01-01T00:00:00Z"


# Inputs the fast path hands to the detailed one -------------------------------------------


def test_a_dict_subclass_decodes_like_a_dict_and_anything_else_is_not_an_object() -> None:
    payload = invoice(2)
    ordered = OrderedDict(payload)
    assert repr(chift.structure(ordered, chift.InvoiceItemOut)) == repr(chift.structure(payload, chift.InvoiceItemOut))
    for wrong in ([payload], "invoice", None, 3):
        assert outcome(lambda wrong=wrong: chift.structure(wrong, chift.InvoiceItemOut)) == outcome(
            lambda wrong=wrong: detailed(chift).structure(wrong, chift.InvoiceItemOut)
        )


def test_errors_carry_no_context_from_the_abandoned_fast_attempt() -> None:
    payload = contacts(3)
    payload[2]["firstName"] = 5
    with pytest.raises(cattrs.BaseValidationError) as caught:
        cin7.structure(payload, list_of(cin7.Contact))
    assert caught.value.__context__ is None
    assert caught.value.__cause__ is None


# Models outside the generated packages: self-reference, hostile wire names, fallbacks ------


@attrs.define(kw_only=True)
class Node:
    name: str = attrs.field(metadata={"wire": "Name"})
    weight: float | UnsetType | None = attrs.field(default=UNSET, metadata={"wire": "weight"})
    children: list[Node] | UnsetType | None = attrs.field(default=UNSET, metadata={"wire": "children"})
    parent: Node | UnsetType | None = attrs.field(default=UNSET, metadata={"wire": "parent"})
    extra_fields: dict[str, Any] = attrs.field(factory=dict, metadata={"extra": True})


HOSTILE_WIRE = "x'] = 1; import os; os.system('false') #\n\"\"\"{}"


@attrs.define(kw_only=True)
class Hostile:
    value: int = attrs.field(metadata={"wire": HOSTILE_WIRE})
    extra_fields: dict[str, Any] = attrs.field(factory=dict, metadata={"extra": True})


def _positive(instance: Any, attribute: Any, value: int) -> None:
    if value <= 0:
        raise ValueError(f"{attribute.name} must be positive")


@attrs.define(kw_only=True)
class Checked:
    count: int = attrs.field(validator=_positive, metadata={"wire": "count"})
    extra_fields: dict[str, Any] = attrs.field(factory=dict, metadata={"extra": True})


def chain(depth: int, leaf: Any) -> dict[str, Any]:
    node: dict[str, Any] = {"Name": leaf}
    for level in range(depth):
        node = {"Name": f"n{level}", "children": [node], "weight": level}
    return node


def test_a_self_referential_model_round_trips_and_reports_deep_errors() -> None:
    converter = chift_converter.make_converter()
    reference = chift_converter._make_detailed_converter()
    tree = {"Name": "root", "weight": 1.5, "children": [{"Name": "a", "children": None}, {"Name": "b", "x": 1}]}
    built = converter.structure(copy.deepcopy(tree), Node)
    assert isinstance(built.children, list)
    assert built.children[1].extra_fields == {"x": 1}
    assert built.children[0].children is None
    assert built.children[1].children is UNSET
    assert wire_json(converter.unstructure(built)) == wire_json(tree)

    deep = chain(60, 7)
    started = time.perf_counter()
    fast = outcome(lambda: converter.structure(copy.deepcopy(deep), Node))
    assert time.perf_counter() - started < 5  # falling back level by level stays polynomial
    assert fast == outcome(lambda: reference.structure(copy.deepcopy(deep), Node))
    assert fast[3] == ["invalid value for type, expected str @ $" + ".children[0]" * 60 + ".name"]


def test_wire_names_are_values_never_code() -> None:
    converter = chift_converter.make_converter()
    built = converter.structure({HOSTILE_WIRE: 5, "other": True}, Hostile)
    assert built.value == 5
    assert built.extra_fields == {"other": True}
    assert converter.unstructure(built) == {HOSTILE_WIRE: 5, "other": True}
    assert converter.get_structure_hook(Hostile).__code__.co_filename.startswith("<structure of")
    messages = errors_of_converter(converter, {HOSTILE_WIRE: "5"}, Hostile)
    assert messages == ["invalid value for type, expected int @ $.value"]
    assert messages == errors_of_converter(chift_converter._make_detailed_converter(), {HOSTILE_WIRE: "5"}, Hostile)


def test_a_model_with_a_validator_keeps_the_detailed_path() -> None:
    converter = chift_converter.make_converter()
    assert not converter.get_structure_hook(Checked).__code__.co_filename.startswith("<structure of")
    assert converter.structure({"count": 2, "x": 1}, Checked) == Checked(count=2, extra_fields={"x": 1})
    assert errors_of_converter(converter, {"count": 0}, Checked) == errors_of_converter(
        chift_converter._make_detailed_converter(), {"count": 0}, Checked
    )
    assert converter.unstructure(Checked(count=3)) == {"count": 3}

"""A dict key that matches a wire name only when case is ignored gets a hint beside its violation.

Cin7's field tables write ``Type`` where its JSON writes ``type``: ``{"Type": "Customer"}``
misses the required ``type`` and keeps ``Type`` as an unknown field. The violation list then
also says ``unknown key 'Type'; did you mean 'type'?``. A hint only ever accompanies a
violation the key causes (a required name missing, or a closed object), so a request the
schema accepts stays accepted, and the compiled check (valid or not) needs no change.
"""

from __future__ import annotations

from typing import Any

import pytest

from generated import cin7_omni
from generated.cin7_omni._validation import SchemaValidator
from tests.helpers.vendors import CIN7_API_KEY, CIN7_USERNAME, request_example

NAME = {"type": "string"}


def violations(value: Any, schema: dict[str, Any]) -> list[str]:
    """``validate`` (compiled check first) as text, after checking the interpreter says the same."""
    validator = SchemaValidator({})
    found = validator.validate(value, schema)
    assert found == validator._violations(value, schema)
    return [str(violation) for violation in found]


def test_a_cin7_contact_with_type_spelt_Type_gets_the_hint_and_is_not_sent() -> None:  # noqa: N802
    contact = request_example("cin7_omni", "post", "/v1/Contacts")[0]
    contact["Type"] = contact.pop("type")
    transport = cin7_omni.testing.MockTransport(lambda request: cin7_omni.testing.json_response(200, []))
    client = cin7_omni.Client(username=CIN7_USERNAME, api_key=CIN7_API_KEY, transport=transport)

    with client, pytest.raises(cin7_omni.errors.RequestValidationError) as caught:
        client.create_contacts(body=[contact])

    assert [str(violation) for violation in caught.value.violations] == [
        "$[0].type: is required",
        "$[0].Type: unknown key 'Type'; did you mean 'type'?",
    ]
    assert transport.requests == []


def test_a_closed_object_names_the_key_meant_instead_of_only_refusing_it() -> None:
    schema = {"type": "object", "properties": {"name": NAME}, "additionalProperties": False}

    assert violations({"Name": "Jane", "nickname": "J"}, schema) == [
        "$.Name: unknown key 'Name'; did you mean 'name'?",
        "$.nickname: is not a known property",
    ]


def test_a_required_name_in_a_closed_object_gets_one_hint_not_two() -> None:
    schema = {"type": "object", "required": ["name"], "properties": {"name": NAME}, "additionalProperties": False}

    assert violations({"NAME": "Jane"}, schema) == [
        "$.name: is required",
        "$.NAME: unknown key 'NAME'; did you mean 'name'?",
    ]


@pytest.mark.parametrize(
    ("required", "value"),
    [
        ([], {"Name": "Jane"}),  # an open object keeps unknown keys: the schema accepts it, so no hint
        (["name"], {"name": "Jane", "Name": "Jane"}),  # the name meant is there too
    ],
)
def test_no_hint_where_the_schema_finds_nothing_wrong(required: list[str], value: dict[str, Any]) -> None:
    schema = {"type": "object", "required": required, "properties": {"name": NAME}}

    assert violations(value, schema) == []


def test_a_declared_property_is_never_offered_as_the_key_meant() -> None:
    """``Name`` and ``name`` both declared: a missing ``name`` is just missing, ``Name`` is no mistake."""
    schema = {"type": "object", "required": ["name"], "properties": {"name": NAME, "Name": NAME}}

    assert violations({"Name": "Jane"}, schema) == ["$.name: is required"]

"""Tolerant responses: a 2XX JSON body that breaks the schema is handed over, with a warning.

On a real HTTP server on 127.0.0.1: Formation answering ``"description": null`` for the
contact it has just created, and Chift answering without a required field, both return
the typed result with the offending value kept as received, and warn
(``errors.ResponseValidationWarning``, also logged at WARNING) naming the operation, the
status and the JSON path; ``Client(strict_responses=True)`` raises DecodeError for both,
as before. A body that is not JSON still raises DecodeError in either mode. Then, with the
documented mock transport: every leaf of every operation's success response replaced by
every wrong JSON value, the tolerant client warns only where the strict one raises (which
also refuses what breaks a constraint the typed result does not need, an unknown enum value
say), and never raises a DecodeError itself.
"""

from __future__ import annotations

import copy
import json
import logging
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

from generated import chift, cin7_omni, formation
from tests.helpers.loopback import LoopbackServer, Reply
from tests.helpers.vendors import (
    CHIFT_CONTACTS,
    CIN7_CONTACTS,
    FORMATION_CONTACTS,
    chift_token_client,
    cin7_client,
    formation_client,
    formation_contact,
    formation_success,
    request_example,
    response_example,
)
from tests.reliability.operations import OPERATIONS, Operation

CHIFT_CONSUMER = "consumer-1"


def chift_contact_call(client: chift.Client) -> chift.ContactItemOut:
    body = request_example("chift", "POST", "/consumers/{consumer_id}/invoicing/contacts")
    return client.create_invoicing_contact(consumer_id=CHIFT_CONSUMER, body=body)


# -- Formation: "description": null -----------------------------------------------------------------


def test_formation_null_description_returns_the_contact_and_warns(
    loopback: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    envelope = formation_success()
    envelope["data"]["description"] = None
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, envelope, headers={"X-Request-Id": "req-9"}))

    with formation_client(loopback.url) as client, pytest.warns(formation.errors.ResponseValidationWarning) as caught:
        contact = client.create_contact(body=formation_contact())

    assert isinstance(contact, formation.ContactOut)
    assert contact.description is None  # kept as received
    assert contact.id == envelope["data"]["id"]  # the rest typed as usual
    assert contact.type is formation.ContactType.CUSTOMER
    assert isinstance(contact.billing, formation.models.ContactBilling)
    (record,) = caught.list
    warning = record.message
    assert isinstance(warning, formation.errors.ResponseValidationWarning)
    assert (warning.operation, warning.status, warning.request_id) == ("create_contact", 200, "req-9")
    assert [(violation.path, violation.message) for violation in warning.violations] == [
        ("$.description", "is null, which the schema does not allow here")
    ]
    assert record.filename == __file__  # it points at the caller's line, not the package's
    logged = [entry for entry in caplog.records if entry.levelno == logging.WARNING]
    assert [entry.name for entry in logged] == ["generated.formation"]
    assert "create_contact: HTTP 200" in logged[0].getMessage()
    assert "$.description" in logged[0].getMessage()


def test_formation_null_description_is_a_decode_error_when_strict(loopback: LoopbackServer) -> None:
    envelope = formation_success()
    envelope["data"]["description"] = None
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, envelope))

    with (
        formation_client(loopback.url, strict_responses=True) as client,
        pytest.raises(formation.errors.DecodeError) as caught,
    ):
        client.create_contact(body=formation_contact())

    assert caught.value.status == 200
    assert "$.description" in str(caught.value)
    assert json.loads(caught.value.body) == envelope


def test_an_envelope_without_its_payload_warns_and_returns_unset(loopback: LoopbackServer) -> None:
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, {"success": True, "message": "created"}))

    with formation_client(loopback.url) as client, pytest.warns(formation.errors.ResponseValidationWarning) as caught:
        contact = client.create_contact(body=formation_contact())

    assert contact is formation.UNSET  # type: ignore[comparison-overlap]  # tolerated: typed ContactOut, absent
    warning = caught.list[0].message
    assert isinstance(warning, formation.errors.ResponseValidationWarning)
    assert [str(violation) for violation in warning.violations] == [
        "$: is absent: the response envelope has no payload at '/data' (left UNSET)"
    ]


# -- Chift: a required field missing ----------------------------------------------------------------------


def test_chift_contact_without_a_required_field_is_returned_and_warns(loopback: LoopbackServer) -> None:
    answer = response_example("chift", "POST", "/consumers/{consumer_id}/invoicing/contacts")
    del answer["source_ref"]
    answer["addresses"][0]["city"] = 75001  # and a scalar of another type, deeper down
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, answer))

    with chift_token_client(loopback.url) as client, pytest.warns(chift.errors.ResponseValidationWarning) as caught:
        contact = chift_contact_call(client)

    assert isinstance(contact, chift.ContactItemOut)
    assert contact.source_ref is chift.UNSET  # type: ignore[comparison-overlap]  # tolerated: required, yet absent
    assert contact.id == answer["id"]
    assert contact.addresses[0].city == 75001  # tolerated: kept as received
    assert isinstance(contact.addresses[0], chift.models.ContactAddressItemOut)
    assert contact.addresses[0].address_type is chift.models.InvoicingAddressType(
        answer["addresses"][0]["address_type"]
    )
    warning = caught.list[0].message
    assert isinstance(warning, chift.errors.ResponseValidationWarning)
    assert warning.operation == "create_invoicing_contact"
    assert [violation.path for violation in warning.violations] == ["$.source_ref", "$.addresses[0].city"]
    assert warning.violations[0].message == "is required but absent (left UNSET)"


def test_chift_contact_without_a_required_field_is_a_decode_error_when_strict(loopback: LoopbackServer) -> None:
    answer = response_example("chift", "POST", "/consumers/{consumer_id}/invoicing/contacts")
    del answer["source_ref"]
    loopback.route("POST", CHIFT_CONTACTS, Reply.json(200, answer))

    with (
        chift_token_client(loopback.url, strict_responses=True) as client,
        pytest.raises(chift.errors.DecodeError) as caught,
    ):
        chift_contact_call(client)

    assert caught.value.status == 200
    assert "source_ref" in str(caught.value)


# -- what stays an error, and how users control the warning ---------------------------------------------


@pytest.mark.parametrize("strict", [False, True])
def test_a_body_that_is_not_json_is_a_decode_error_in_either_mode(loopback: LoopbackServer, strict: bool) -> None:
    page = b"<html><body>Service Unavailable</body></html>"
    loopback.route("POST", FORMATION_CONTACTS, Reply.raw(200, page, content_type="text/html"))

    with (
        formation_client(loopback.url, strict_responses=strict) as client,
        pytest.raises(formation.errors.DecodeError) as caught,
    ):
        client.create_contact(body=formation_contact())

    assert (caught.value.status, caught.value.body) == (200, page)


def test_the_warning_can_be_silenced_or_made_an_error(loopback: LoopbackServer) -> None:
    envelope = formation_success()
    envelope["data"]["created_at"] = "yesterday"
    loopback.route("POST", FORMATION_CONTACTS, Reply.json(200, envelope))
    category = formation.errors.ResponseValidationWarning

    with formation_client(loopback.url) as client:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category)
            contact = client.create_contact(body=formation_contact())
        with warnings.catch_warnings():
            warnings.simplefilter("error", category)
            with pytest.raises(category, match=r"\$\.created_at: expected integer, got string"):
                client.create_contact(body=formation_contact())

    assert contact.created_at == "yesterday"  # type: ignore[comparison-overlap]  # tolerated: kept as received


def test_a_batch_with_broken_items_warns_once_with_each_path(loopback: LoopbackServer) -> None:
    contacts = request_example("cin7_omni", "POST", CIN7_CONTACTS)
    answer = [
        {"index": index, "success": True, "id": 100 + index, "code": f"C-{index}", "errors": []}
        for index in range(len(contacts))
    ]
    answer[0]["id"] = "one hundred"
    answer[-1]["errors"] = "none"
    loopback.route("POST", CIN7_CONTACTS, Reply.json(200, answer))

    with cin7_client(loopback.url) as client, pytest.warns(cin7_omni.errors.ResponseValidationWarning) as caught:
        result = client.create_contacts(body=contacts)

    assert [item.id for item in result.items] == ["one hundred", *range(101, 100 + len(contacts))]
    assert len(caught.list) == 1
    warning = caught.list[0].message
    assert isinstance(warning, cin7_omni.errors.ResponseValidationWarning)
    paths = [violation.path for violation in warning.violations]
    assert paths == ["$[0].id", f"$[{len(contacts) - 1}].errors"]


# -- every leaf, every wrong value: tolerant warns exactly where strict raises ---------------------------

WRONG_VALUES: tuple[Any, ...] = (None, True, 1.5, "wrong", [], {"nested": {"x": 1}})


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths of every scalar (and empty container) in ``value``."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else None
    if not items:
        yield path
        return
    for key, child in items:
        yield from leaves(child, (*path, key))


def replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    result = copy.deepcopy(value)
    node = result
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = new
    return result


def outcome(operation: Operation, client: Any) -> tuple[str, int]:
    """(what one call ended in, how many ResponseValidationWarnings it issued)."""
    errors = operation.package.errors
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            operation.call(client, "marker")
        except errors.ClientError as exc:
            ended = type(exc).__name__
        else:
            ended = "value"
    categories = {type(record.message) for record in caught}
    assert categories <= {errors.ResponseValidationWarning}, categories
    return ended, len(caught)


@pytest.mark.parametrize("operation", [pytest.param(operation, id=operation.id) for operation in OPERATIONS])
def test_tolerant_warns_only_where_strict_raises(operation: Operation) -> None:
    package = operation.package
    answers: list[Any] = []  # the body each client answers with next
    requests: list[Any] = []

    def answer(request: Any) -> Any:
        requests.append(json.loads(request.body))
        return package.testing.json_response(200, answers[-1] if answers else operation.success(requests[-1]))

    transport = package.testing.MockTransport(answer)
    # Clients are reused (building one costs more than a call), except where the schema limits
    # the rate: a client spaces its calls then, and a fresh one starts with a full allowance.
    fresh = package._spec.OPERATIONS[operation.name].rate_limit is not None
    clients = {strict: operation.make_client(transport=transport, strict_responses=strict) for strict in (True, False)}

    def client(strict: bool) -> Any:
        return operation.make_client(transport=transport, strict_responses=strict) if fresh else clients[strict]

    operation.call(client(False), "marker")
    template = operation.success(requests[0])
    compared = warnings_seen = 0
    for path in leaves(template):
        for wrong in WRONG_VALUES:
            answers.append(replaced(template, path, wrong))
            strict = outcome(operation, client(True))[0]
            tolerant, warned = outcome(operation, client(False))
            assert tolerant != "DecodeError", (path, wrong)
            if strict == "DecodeError":
                # Warned when the typed result cannot hold the value; silent when only a constraint breaks.
                assert tolerant in {"value", "BatchPartialFailure"}, (path, wrong, tolerant)
                assert warned <= 1, (path, wrong, warned)
                warnings_seen += warned
            else:
                assert (tolerant, warned) == (strict, 0), (path, wrong, strict, tolerant)
            compared += 1
    assert compared >= 5 * len(WRONG_VALUES)
    assert warnings_seen, "no wrong value made the tolerant client warn"

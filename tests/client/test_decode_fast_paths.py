"""The core's per-call shortcuts on the response side answer as the general paths do.

The body is parsed from its bytes (bad UTF-8 still named by its byte), the content type is
normalised only when it is not exactly ``application/json``, and an envelope's payload is
found in one walk (absent: UNSET and a warning, or DecodeError when strict).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from generated import formation
from generated.formation.testing import MockTransport, Request, Response
from tests.helpers.vendors import FORMATION_API_KEY, formation_contact, formation_success


def answering(body: bytes, content_type: str = "application/json") -> MockTransport:
    def handler(request: Request) -> Response:
        return Response(status=200, headers={"content-type": content_type}, body=body)

    return MockTransport(handler)


def create(transport: MockTransport, **options: Any) -> Any:
    with formation.Client(api_key=FORMATION_API_KEY, transport=transport, **options) as client:
        return client.create_contact(body=formation_contact())


def test_a_body_that_is_not_utf8_is_a_decode_error_naming_the_byte() -> None:
    body = b'{"data": {"name": "caf\xe9"}}'
    with pytest.raises(formation.errors.DecodeError, match=r"not valid UTF-8 \(byte 22\)"):
        create(answering(body))


def test_a_body_that_is_not_json_is_a_decode_error_naming_the_place() -> None:
    with pytest.raises(formation.errors.DecodeError, match="invalid JSON at line 1, column 2"):
        create(answering(b"{oops"))


@pytest.mark.parametrize(
    "content_type", ["application/json", "Application/JSON; charset=utf-8", "application/vnd.api+json", ""]
)
def test_json_content_types_are_read(content_type: str) -> None:
    result = create(answering(json.dumps(formation_success()).encode(), content_type))
    assert result.id == formation_success()["data"]["id"]


def test_another_content_type_is_a_decode_error() -> None:
    with pytest.raises(formation.errors.DecodeError, match="got content type 'text/html'"):
        create(answering(b"<html></html>", "text/html; charset=utf-8"))


def test_an_envelope_without_its_payload_is_unset_with_a_warning() -> None:
    envelope = {key: value for key, value in formation_success().items() if key != "data"}
    with pytest.warns(formation.errors.ResponseValidationWarning, match="no payload at '/data'"):
        result = create(answering(json.dumps(envelope).encode()))
    assert result is formation.UNSET


def test_an_envelope_without_its_payload_is_a_decode_error_when_strict() -> None:
    envelope = {key: value for key, value in formation_success().items() if key != "data"}
    with pytest.raises(formation.errors.DecodeError, match="no payload at '/data'"):
        create(answering(json.dumps(envelope).encode()), strict_responses=True)


def test_an_envelope_whose_payload_is_null_is_not_absent() -> None:
    envelope = {**formation_success(), "data": None}
    with pytest.warns(formation.errors.ResponseValidationWarning) as caught:
        result = create(answering(json.dumps(envelope).encode()))
    assert result is None
    assert "no payload" not in str(caught[0].message)

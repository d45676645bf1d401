"""A vendor the project has never seen, written as plain OpenAPI 3.1 (no ``x-`` extension), generates a working client.

The schema below has Bearer auth, a path parameter, a 201 response and an operation
without an operationId. Nothing in codegen/ knows it: ``generate`` applies its defaults
(a ``token`` argument, method names from operationIds or from method and path), reports
each as a note, and the client then works against a real HTTP server on loopback.
"""

from __future__ import annotations

import datetime
import importlib
import json
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from tests.helpers.loopback import LoopbackServer, Reply
from tests.helpers.paths import REPO, run_codegen

PACKAGE = "parcel_lockers_plain"


def plain_schema() -> dict[str, Any]:
    """Parcel lockers: reserve a locker compartment (201) and read a locker, Bearer auth."""
    reservation_in = {
        "type": "object",
        "required": ["size", "until"],
        "properties": {
            "size": {"type": "string", "enum": ["S", "M", "L"]},
            "until": {"type": "string", "format": "date-time"},
            "note": {"type": ["string", "null"], "maxLength": 40},
        },
    }
    reservation = {
        "type": "object",
        "required": ["id", "locker_id", "size"],
        "properties": {
            "id": {"type": "integer"},
            "locker_id": {"type": "string"},
            "size": {"type": "string", "enum": ["S", "M", "L"]},
            "pickupCode": {"type": "string"},
        },
    }
    locker_id = {"name": "locker_id", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Parcel Lockers", "version": "2.3.0"},
        "servers": [{"url": "https://api.parcel-lockers.example/v2"}],
        "security": [{"bearerAuth": []}],
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
            "schemas": {"ReservationIn": reservation_in, "Reservation": reservation},
        },
        "paths": {
            "/lockers/{locker_id}/reservations": {
                "post": {
                    "operationId": "createReservation",
                    "parameters": [locker_id],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ReservationIn"}}},
                    },
                    "responses": {
                        "201": {
                            "description": "Reserved",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Reservation"}}},
                        },
                        "409": {"description": "The locker is full"},
                    },
                }
            },
            "/lockers/{locker_id}": {
                "get": {
                    "parameters": [locker_id],
                    "responses": {
                        "200": {
                            "description": "A locker",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {"id": {"type": "string"}, "free": {"type": "integer"}},
                                    }
                                }
                            },
                        }
                    },
                }
            },
        },
    }


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ModuleType, str]]:
    """The package generated from the plain schema by ``python -m codegen generate``, imported; and its output."""
    root = tmp_path_factory.mktemp("plain")
    folder = root / "schemas" / PACKAGE
    folder.mkdir(parents=True)
    (folder / "openapi.json").write_text(json.dumps(plain_schema(), indent=2), encoding="utf-8")
    result = run_codegen(REPO, "generate", "--schemas", str(root / "schemas"), "--output", str(root / "out"))
    assert result.returncode == 0, result.stderr
    sys.path.insert(0, str(root / "out"))
    try:
        yield importlib.import_module(PACKAGE), result.stderr
    finally:
        sys.path.remove(str(root / "out"))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def test_defaults_are_applied_with_a_note_each(generated: tuple[ModuleType, str]) -> None:
    _, output = generated
    notes = [line for line in output.splitlines() if ": note: " in line]
    assert any('/components/securitySchemes/bearerAuth/x-credential: none given; derived "token"' in n for n in notes)
    assert any(
        "/paths/~1lockers~1{locker_id}/get: no operationId; the method is named 'get_lockers_locker_id'" in n
        for n in notes
    )
    assert ": error: " not in output


def test_the_client_works_on_loopback(generated: tuple[ModuleType, str], loopback: LoopbackServer) -> None:
    pkg, _ = generated
    loopback.route(
        "POST",
        "/lockers/L%2042%2F7/reservations",
        Reply.json(201, {"id": 9, "locker_id": "L 42/7", "size": "M", "pickupCode": "4711"}),
    )
    loopback.route("GET", "/lockers/L1", Reply.json(200, {"id": "L1", "free": 3}))

    with pkg.Client(token="s3cret-token", base_url=loopback.url) as client:
        created = client.create_reservation(
            locker_id="L 42/7",
            body=pkg.ReservationIn(
                size=pkg.Size.M, until=datetime.datetime(2026, 5, 1, 12, tzinfo=datetime.timezone.utc)
            ),
        )
        locker = client.get_lockers_locker_id(locker_id="L1")

    assert isinstance(created, pkg.Reservation)
    assert (created.id, created.locker_id, created.size, created.pickup_code) == (9, "L 42/7", "M", "4711")
    assert locker == {"id": "L1", "free": 3}
    post, get = loopback.requests
    assert post.header("authorization") == "Bearer s3cret-token"
    assert post.header("content-type") == "application/json"
    assert post.json() == {"size": "M", "until": "2026-05-01T12:00:00Z"}
    assert (get.method, get.path, get.header("authorization")) == ("GET", "/lockers/L1", "Bearer s3cret-token")


def test_the_client_checks_what_the_plain_schema_says(generated: tuple[ModuleType, str]) -> None:
    pkg, _ = generated
    with pytest.raises(TypeError, match="token"):
        pkg.Client()  # the one security scheme needs its token
    with pytest.raises(pkg.errors.ConfigurationError):
        pkg.Client(token="t", base_url="http://api.parcel-lockers.example/v2")  # https only
    with (
        pkg.Client(token="t", base_url="http://127.0.0.1:9") as client,
        pytest.raises(pkg.errors.RequestValidationError) as caught,
    ):
        client.create_reservation(locker_id="", body={"size": "XL", "until": "tomorrow"})
    assert {violation.path for violation in caught.value.violations} == {"$.size", "$.until", "$path.locker_id"}

"""Every public operation of every vendor, as the reliability tests drive it.

Each :class:`Operation` knows how to build its vendor's client with static credentials
(distinctive secret values, listed in :data:`SECRETS`), how to make one create call that
carries a unique marker, what a loopback server answers on success (derived from the
schema's seed examples, with the marker echoed) and where the marker comes back.
"""

from __future__ import annotations

import base64
import copy
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generated import billbee, chift, cin7_omni, formation

REPO = Path(__file__).resolve().parents[2]

CHIFT_TOKEN = "chift-static-token-Q7xK2pZ9vW"
CHIFT_CLIENT_ID = "chift-client-id-5bNq"
CHIFT_CLIENT_SECRET = "chift-client-secret-T3mY8cR1"
CHIFT_ACCOUNT_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
BILLBEE_USER = "billbee-user-H4wT8nR1"
BILLBEE_PASSWORD = "billbee-pass-M3vB6yL0"
BILLBEE_KEY = "billbee-key-D9sF2gJ5"
CIN7_USER = "cin7-user-K8pL3xQ6"
CIN7_KEY = "cin7-key-W2zN7vB4"
FORMATION_KEY = "formation-key-R6tY1uI9"
ISSUED_TOKEN_PREFIX = "issued-token-J5hG0fD2-"
"""Tokens a loopback token endpoint issues start with this (itself a secret)."""


def _basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode("ascii")


SECRETS: tuple[str, ...] = (
    CHIFT_TOKEN,
    CHIFT_CLIENT_SECRET,
    BILLBEE_USER,
    BILLBEE_PASSWORD,
    BILLBEE_KEY,
    CIN7_USER,
    CIN7_KEY,
    FORMATION_KEY,
    ISSUED_TOKEN_PREFIX,
    _basic(BILLBEE_USER, BILLBEE_PASSWORD),
    _basic(CIN7_USER, CIN7_KEY),
)
"""Every credential the suite uses, and the Basic header values made from them."""


def find_secrets(text: str) -> list[str]:
    """The known secrets that occur in ``text``."""
    return [secret for secret in SECRETS if secret in text]


@functools.cache
def _schema(vendor: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((REPO / "schemas" / vendor / "openapi.json").read_text(encoding="utf-8"))
    return document


def _seed(vendor: str, path: str, holder: str) -> Any:
    """The first example of an operation's request body (``holder="request"``) or of a response status."""
    operation = _schema(vendor)["paths"][path]["post"]
    node = operation["requestBody"] if holder == "request" else operation["responses"][holder]
    examples = node["content"]["application/json"]["examples"]
    return copy.deepcopy(next(iter(examples.values()))["value"])


@dataclass(frozen=True)
class Operation:
    """One public operation, ready to be called against a loopback server."""

    vendor: str
    name: str
    path: str
    package: Any
    """The vendor's generated package (its errors, Timeout, RetryPolicy and testing differ per package)."""
    make_client: Callable[..., Any]
    """``make_client(base_url=..., timeout=..., retry=..., transport=...)`` with static credentials."""
    call: Callable[[Any, str], Any]
    """Makes the create call carrying ``marker``; returns what the user gets."""
    success: Callable[[Any], Any]
    """The JSON a server answers on success, given the request JSON (marker echoed)."""
    marker_of: Callable[[Any], str]
    """The marker in what ``call`` returned."""
    marker_sent: Callable[[Any], str]
    """The marker in a request's JSON."""

    @property
    def id(self) -> str:
        """``vendor.operation``."""
        return f"{self.vendor}.{self.name}"

    def is_create(self, path: str) -> bool:
        """Whether a request path is this operation's (not a token exchange)."""
        return path.split("?", 1)[0] == self.path


CHIFT_CONSUMER = "consumer-1"


def _chift_contact_call(client: Any, marker: str) -> Any:
    body = _seed("chift", "/consumers/{consumer_id}/invoicing/contacts", "request")
    body["first_name"] = marker
    return client.create_invoicing_contact(consumer_id=CHIFT_CONSUMER, body=body)


def _chift_contact_success(request: Any) -> Any:
    answer = _seed("chift", "/consumers/{consumer_id}/invoicing/contacts", "200")
    answer["first_name"] = request["first_name"]
    answer["id"] = "contact-" + request["first_name"]
    return answer


def _chift_invoice_call(client: Any, marker: str) -> Any:
    body = _seed("chift", "/consumers/{consumer_id}/accounting/invoices", "request")
    body["invoice_number"] = marker
    return client.create_accounting_invoice(consumer_id=CHIFT_CONSUMER, body=body, regroup_lines=True)


def _chift_invoice_success(request: Any) -> Any:
    answer = _seed("chift", "/consumers/{consumer_id}/accounting/invoices", "200")
    answer["invoice_number"] = request["invoice_number"]
    return answer


def _billbee_call(client: Any, marker: str) -> Any:
    body = _seed("billbee", "/api/v1/customers", "request")
    body["Name"] = marker
    return client.create_customer(body=body)


def _billbee_success(request: Any) -> Any:
    answer = _seed("billbee", "/api/v1/customers", "200")
    answer["Data"]["Name"] = request["Name"]
    return answer


def _cin7_call(client: Any, marker: str) -> Any:
    contacts = _seed("cin7_omni", "/v1/Contacts", "request")
    for index, contact in enumerate(contacts):
        contact["integrationRef"] = f"{marker}#{index}"
    return client.create_contacts(body=contacts)


def _cin7_success(request: Any) -> Any:
    return [
        {"index": index, "success": True, "id": 1000 + index, "code": contact["integrationRef"], "errors": []}
        for index, contact in enumerate(request)
    ]


def _formation_call(client: Any, marker: str) -> Any:
    body = _seed("formation", "/contacts", "request")
    body["full_name"] = marker
    return client.create_contact(body=body)


def _formation_success(request: Any) -> Any:
    answer = _seed("formation", "/contacts", "200")
    answer["data"]["full_name"] = request["full_name"]
    return answer


def _cin7_marker(result: Any) -> str:
    codes = {str(item.result.code).split("#", 1)[0] for item in result.items}
    return codes.pop() if len(codes) == 1 else repr(codes)


OPERATIONS: tuple[Operation, ...] = (
    Operation(
        vendor="chift",
        name="create_invoicing_contact",
        path=f"/consumers/{CHIFT_CONSUMER}/invoicing/contacts",
        package=chift,
        make_client=lambda **options: chift.Client(token=CHIFT_TOKEN, **options),
        call=_chift_contact_call,
        success=_chift_contact_success,
        marker_of=lambda result: str(result.first_name),
        marker_sent=lambda request: str(request["first_name"]),
    ),
    Operation(
        vendor="chift",
        name="create_accounting_invoice",
        path=f"/consumers/{CHIFT_CONSUMER}/accounting/invoices",
        package=chift,
        make_client=lambda **options: chift.Client(token=CHIFT_TOKEN, **options),
        call=_chift_invoice_call,
        success=_chift_invoice_success,
        marker_of=lambda result: str(result.invoice_number),
        marker_sent=lambda request: str(request["invoice_number"]),
    ),
    Operation(
        vendor="billbee",
        name="create_customer",
        path="/api/v1/customers",
        package=billbee,
        make_client=lambda **options: billbee.Client(
            username=BILLBEE_USER, api_password=BILLBEE_PASSWORD, api_key=BILLBEE_KEY, **options
        ),
        call=_billbee_call,
        success=_billbee_success,
        marker_of=lambda result: str(result.name),
        marker_sent=lambda request: str(request["Name"]),
    ),
    Operation(
        vendor="cin7_omni",
        name="create_contacts",
        path="/v1/Contacts",
        package=cin7_omni,
        make_client=lambda **options: cin7_omni.Client(username=CIN7_USER, api_key=CIN7_KEY, **options),
        call=_cin7_call,
        success=_cin7_success,
        marker_of=_cin7_marker,
        marker_sent=lambda request: str(request[0]["integrationRef"]).split("#", 1)[0],
    ),
    Operation(
        vendor="formation",
        name="create_contact",
        path="/contacts",
        package=formation,
        make_client=lambda **options: formation.Client(api_key=FORMATION_KEY, **options),
        call=_formation_call,
        success=_formation_success,
        marker_of=lambda result: str(result.full_name),
        marker_sent=lambda request: str(request["full_name"]),
    ),
)
"""Every public (not x-internal) operation of every schema in schemas/."""

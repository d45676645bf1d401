"""Every public operation of every vendor, as the reliability tests drive it.

Each :class:`Operation` knows how to build its vendor's client with static credentials
(the suite's one set, from :mod:`tests.helpers.vendors`), how to make one create call that
carries a unique marker, what a loopback server answers on success (derived from the
schema's seed examples, with the marker echoed) and where the marker comes back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generated import billbee, chift, cin7_omni, formation
from tests.helpers.vendors import (
    BILLBEE_API_KEY,
    BILLBEE_API_PASSWORD,
    BILLBEE_USERNAME,
    CHIFT_STATIC_TOKEN,
    CIN7_API_KEY,
    CIN7_USERNAME,
    FORMATION_API_KEY,
    request_example,
    response_example,
)


@dataclass(frozen=True)
class Operation:
    """One public operation, ready to be called against a loopback server."""

    vendor: str
    name: str
    path: str
    package: Any
    """The vendor's generated package (its errors, Timeout, RetryPolicy and testing differ per package)."""
    credentials: dict[str, str]
    """Static credentials, as keyword arguments of the vendor's Client and AsyncClient."""
    call: Callable[..., Any]
    """``call(client, marker, **options)`` makes the create call carrying ``marker`` (``options`` are
    further keyword arguments, such as ``idempotency_key``, for the operations that take them);
    returns what the user gets (to await with an AsyncClient)."""
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

    def make_client(self, **options: Any) -> Any:
        """``Client(base_url=..., timeout=..., retry=..., transport=...)`` with the static credentials."""
        return self.package.Client(**self.credentials, **options)

    def make_async_client(self, **options: Any) -> Any:
        """The same as an ``AsyncClient``."""
        return self.package.AsyncClient(**self.credentials, **options)

    def is_create(self, path: str) -> bool:
        """Whether a request path is this operation's (not a token exchange)."""
        return path.split("?", 1)[0] == self.path


CHIFT_CONSUMER = "consumer-1"


def _chift_contact_call(client: Any, marker: str, **options: Any) -> Any:
    body = request_example("chift", "POST", "/consumers/{consumer_id}/invoicing/contacts")
    body["first_name"] = marker
    return client.create_invoicing_contact(consumer_id=CHIFT_CONSUMER, body=body, **options)


def _chift_contact_success(request: Any) -> Any:
    answer = response_example("chift", "POST", "/consumers/{consumer_id}/invoicing/contacts")
    answer["first_name"] = request["first_name"]
    answer["id"] = "contact-" + request["first_name"]
    return answer


def _chift_invoice_call(client: Any, marker: str, **options: Any) -> Any:
    body = request_example("chift", "POST", "/consumers/{consumer_id}/accounting/invoices")
    body["invoice_number"] = marker
    return client.create_accounting_invoice(consumer_id=CHIFT_CONSUMER, body=body, regroup_lines=True, **options)


def _chift_invoice_success(request: Any) -> Any:
    answer = response_example("chift", "POST", "/consumers/{consumer_id}/accounting/invoices")
    answer["invoice_number"] = request["invoice_number"]
    return answer


def _billbee_call(client: Any, marker: str) -> Any:
    body = request_example("billbee", "POST", "/api/v1/customers")
    body["Name"] = marker
    return client.create_customer(body=body)


def _billbee_success(request: Any) -> Any:
    answer = response_example("billbee", "POST", "/api/v1/customers")
    answer["Data"]["Name"] = request["Name"]
    return answer


def _cin7_call(client: Any, marker: str) -> Any:
    contacts = request_example("cin7_omni", "POST", "/v1/Contacts")
    for index, contact in enumerate(contacts):
        contact["integrationRef"] = f"{marker}#{index}"
    return client.create_contacts(body=contacts)


def _cin7_success(request: Any) -> Any:
    return [
        {"index": index, "success": True, "id": 1000 + index, "code": contact["integrationRef"], "errors": []}
        for index, contact in enumerate(request)
    ]


def _formation_call(client: Any, marker: str) -> Any:
    body = request_example("formation", "POST", "/contacts")
    body["full_name"] = marker
    return client.create_contact(body=body)


def _formation_success(request: Any) -> Any:
    answer = response_example("formation", "POST", "/contacts")
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
        credentials={"token": CHIFT_STATIC_TOKEN},
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
        credentials={"token": CHIFT_STATIC_TOKEN},
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
        credentials={"username": BILLBEE_USERNAME, "api_password": BILLBEE_API_PASSWORD, "api_key": BILLBEE_API_KEY},
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
        credentials={"username": CIN7_USERNAME, "api_key": CIN7_API_KEY},
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
        credentials={"api_key": FORMATION_API_KEY},
        call=_formation_call,
        success=_formation_success,
        marker_of=lambda result: str(result.full_name),
        marker_sent=lambda request: str(request["full_name"]),
    ),
)
"""Every public (not x-internal) operation of every schema in schemas/."""

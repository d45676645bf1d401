"""Large APIs: the vendors' whole published specs, imported (``import --all``) into a temporary folder and generated.

Chift's whole spec (182 operations, 73 of them paginated) and Billbee's (80, 10 paginated):
the client groups operations by tag, every public method name is readable (at most 48
characters, no ``__``), and ``iter_`` walks the pages on a loopback server, one request
per page and only as the iteration reaches it. Billbee's pages are also walked through the
envelope that the shipped schema declares (``x-envelope``), its operations imported into
a copy of it.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from codegen.maintain.operations import parse_operation
from codegen.maintain.spec_import import import_operations
from codegen.method_names import MAX_NAME
from tests.helpers.loopback import LoopbackServer, Recorded, Reply
from tests.helpers.packages import generate, imported_package
from tests.helpers.paths import REPO, SCHEMA_FILE, SCHEMAS, run_codegen, vendor_spec

CHIFT = "chift/openapi-2026-08-21.json"
BILLBEE = "billbee/swagger-2024-10-08.yaml"
CONSUMER = "123e4567-e89b-12d3-a456-426614174000"


def whole_package(root: Path, spec: Path, vendor: str) -> Iterator[ModuleType]:
    """``python -m codegen import SPEC --all`` into ``root/schemas``, generated into ``root/out`` and imported."""
    completed = run_codegen(REPO, "import", str(spec), "--all", "--vendor", vendor, "--schemas", str(root / "schemas"))
    assert completed.returncode == 0, completed.stderr
    assert "paginated:" in completed.stdout
    document = json.loads((root / "schemas" / vendor / SCHEMA_FILE).read_text(encoding="utf-8"))
    generate(document, root, vendor)
    with imported_package(root / "out", vendor) as package:
        yield package


@pytest.fixture(scope="module")
def chift(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """Chift's whole published spec, imported and generated as the package ``chift_whole``."""
    yield from whole_package(tmp_path_factory.mktemp("chift"), vendor_spec(CHIFT), "chift_whole")


@pytest.fixture(scope="module")
def billbee(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """Billbee's whole published spec, imported and generated as the package ``billbee_whole``."""
    yield from whole_package(tmp_path_factory.mktemp("billbee"), vendor_spec(BILLBEE), "billbee_whole")


@pytest.fixture(scope="module")
def billbee_enveloped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """Billbee's paginated operations imported into a copy of schemas/billbee, whose x-envelope applies to them."""
    root = tmp_path_factory.mktemp("billbee-enveloped")
    (root / "schemas" / "billbee_env").mkdir(parents=True)
    shutil.copy(SCHEMAS / "billbee" / SCHEMA_FILE, root / "schemas" / "billbee_env" / SCHEMA_FILE)
    paginated = [parse_operation("GET /api/v1/customers"), parse_operation("GET /api/v1/orders")]
    result = import_operations(vendor_spec(BILLBEE), paginated, "billbee_env", root / "schemas")
    assert "x-envelope" in result.document
    generate(result.document, root, "billbee_env")
    with imported_package(root / "out", "billbee_env") as package:
        yield package


def public_methods(cls: type) -> list[str]:
    return [name for name, value in vars(cls).items() if not name.startswith("_") and inspect.isfunction(value)]


def groups(client_class: type) -> dict[str, type]:
    """The client's groups: attribute name -> the group's class (from the property's annotation)."""
    found = {}
    for name, value in vars(client_class).items():
        if isinstance(value, functools.cached_property):
            found[name] = inspect.signature(value.func, eval_str=True).return_annotation
    return found


def test_chift_operations_are_grouped_by_tag(chift: ModuleType) -> None:
    client = chift.Client(token="t")
    assert isinstance(client.accounting, chift.client.AccountingOperations)
    assert client.accounting is client.accounting
    assert client.accounting._client is client
    assert "get_invoices_by_type" in public_methods(chift.client.AccountingOperations)
    assert "iter_get_invoices_by_type" in public_methods(chift.client.AccountingOperations)
    found = groups(chift.Client)
    assert {"accounting", "invoicing", "point_of_sale", "consumers", "connections"} <= set(found)
    # Every public operation is in exactly one group, and flat.
    grouped = sum(len([m for m in public_methods(cls) if not m.startswith("iter_")]) for cls in found.values())
    assert grouped == 182


@pytest.mark.parametrize("package_name", ["chift", "billbee"])
def test_method_names_are_readable(package_name: str, request: pytest.FixtureRequest) -> None:
    package: ModuleType = request.getfixturevalue(package_name)
    classes = [package.Client, *groups(package.Client).values()]
    names = {f"{cls.__name__}.{name}" for cls in classes for name in public_methods(cls)}
    names |= {f"Client.{name}" for name in groups(package.Client)}
    assert len(names) > 150
    too_long = sorted(name for name in names if len(name.split(".")[1]) > MAX_NAME)
    assert too_long == []
    assert sorted(name for name in names if "__" in name) == []


def test_framework_noise_is_gone(chift: ModuleType, billbee: ModuleType) -> None:
    # FastAPI's get_transaction_by_client_request_id_consumers__consumer_id__..._get
    assert "get_transaction_by_client_request_id" in public_methods(chift.client.ConnectionsOperations)
    assert "get_folders" in public_methods(chift.client.AccountingOperations)  # accounting_get_folders
    assert "get_orders" in public_methods(chift.client.PointOfSaleOperations)  # pos_get_orders
    assert "get_all" in public_methods(billbee.client.CustomersOperations)  # Customer_GetAll


Page = list[dict[str, Any]]


def numbered_pages(items: list[dict[str, Any]], body: Callable[[Page, int, int], Any]) -> Callable[[Recorded], Reply]:
    """Answers for page numbers: the page the query asks for, in pages of the size it asks for."""

    def answer(request: Recorded) -> Reply:
        query = request.query_dict
        page, size = int(query["page"]), int(query.get("size") or query["pageSize"])
        return Reply.json(200, body(items[(page - 1) * size : page * size], page, size))

    return answer


def chift_employees(count: int) -> Callable[[Recorded], Reply]:
    employees = [{"id": f"e{index}", "name": f"Employee {index}"} for index in range(1, count + 1)]
    return numbered_pages(
        employees, lambda page, number, size: {"items": page, "total": count, "page": number, "size": size}
    )


def test_chift_iteration_walks_seven_items_in_three_requests(chift: ModuleType, loopback: LoopbackServer) -> None:
    path = f"/consumers/{CONSUMER}/accounting/employees"
    loopback.route("GET", path, chift_employees(7))
    with chift.Client(token="t", base_url=loopback.url) as client:
        employees = list(client.accounting.iter_get_employees(consumer_id=CONSUMER, size=3))
    assert [employee.id for employee in employees] == [f"e{index}" for index in range(1, 8)]
    assert all(isinstance(employee, chift.models.EmployeeItem) for employee in employees)
    assert [(request.path, request.query_dict) for request in loopback.requests] == [
        (path, {"page": str(page), "size": "3"}) for page in (1, 2, 3)
    ]
    assert all(request.header("authorization") == "Bearer t" for request in loopback.requests)


def test_chift_first_item_only_sends_one_request(chift: ModuleType, loopback: LoopbackServer) -> None:
    loopback.route("GET", f"/consumers/{CONSUMER}/accounting/employees", chift_employees(7))
    with chift.Client(token="t", base_url=loopback.url) as client:
        first = next(client.accounting.iter_get_employees(consumer_id=CONSUMER, size=3))
        assert first.id == "e1"
        assert len(loopback.requests) == 1
        # The flat sibling is the same iteration.
        assert [e.id for e in itertools.islice(client.iter_accounting_get_employees(consumer_id=CONSUMER, size=3), 4)]
    assert [request.query_dict["page"] for request in loopback.requests] == ["1", "1", "2"]


def billbee_customers(count: int, envelope: bool = True) -> Callable[[Recorded], Reply]:
    customers = [{"Id": index, "Name": f"Kunde {index}"} for index in range(1, count + 1)]

    def body(page: Page, number: int, size: int) -> Any:
        paging = {"Page": number, "TotalPages": -(-count // size), "TotalRows": count, "PageSize": size}
        return {"Paging": paging, "ErrorMessage": None, "ErrorCode": 0, "ErrorDescription": 0, "Data": page}

    return numbered_pages(customers, body)


def test_billbee_iteration_through_the_paging_object(billbee: ModuleType, loopback: LoopbackServer) -> None:
    loopback.route("GET", "/api/v1/customers", billbee_customers(7))
    with billbee.Client(username="u", password="p", billbee_api_key="k", base_url=loopback.url) as client:
        customers = client.customers.iter_get_all(page_size=3)
        assert next(customers).id == 1
        assert len(loopback.requests) == 1
        assert [customer.id for customer in customers] == [2, 3, 4, 5, 6, 7]
    assert [request.query_dict for request in loopback.requests] == [
        {"page": str(page), "pageSize": "3"} for page in (1, 2, 3)
    ]


def test_billbee_iteration_through_the_declared_envelope(
    billbee_enveloped: ModuleType, loopback: LoopbackServer
) -> None:
    package = billbee_enveloped
    loopback.route("GET", "/api/v1/customers", billbee_customers(7))
    with package.Client(username="u", api_password="p", api_key="k", base_url=loopback.url) as client:
        assert [customer.id for customer in client.customers.iter_get_all(page_size=3)] == list(range(1, 8))
        assert len(loopback.requests) == 3
        first = next(client.customers.iter_get_all(page_size=3))
        assert (first.id, len(loopback.requests)) == (1, 4)
        # The documented call of the seed operation is unchanged.
        assert callable(client.create_customer)
    assert [request.query_dict["page"] for request in loopback.requests] == ["1", "2", "3", "1"]


def test_billbee_envelope_error_on_a_later_page(billbee_enveloped: ModuleType, loopback: LoopbackServer) -> None:
    first = billbee_customers(7)
    loopback.route(
        "GET",
        "/api/v1/customers",
        lambda request: (
            first(request)
            if request.query_dict["page"] == "1"
            else Reply.json(200, {"ErrorCode": 2, "ErrorMessage": "Zu viele Anfragen", "Data": None})
        ),
    )
    with billbee_enveloped.Client(username="u", api_password="p", api_key="k", base_url=loopback.url) as client:
        customers = client.customers.iter_get_all(page_size=3)
        assert [next(customers).id for _ in range(3)] == [1, 2, 3]
        with pytest.raises(billbee_enveloped.errors.EnvelopeError, match="Zu viele Anfragen"):
            next(customers)


@pytest.mark.anyio
async def test_chift_async_iteration(chift: ModuleType, loopback: LoopbackServer) -> None:
    loopback.route("GET", f"/consumers/{CONSUMER}/accounting/employees", chift_employees(7))
    async with chift.AsyncClient(token="t", base_url=loopback.url) as client:
        employees = client.accounting.iter_get_employees(consumer_id=CONSUMER, size=3)
        assert (await anext(employees)).id == "e1"
        assert len(loopback.requests) == 1
        assert [employee.id async for employee in employees] == [f"e{index}" for index in range(2, 8)]
    assert [request.query_dict["page"] for request in loopback.requests] == ["1", "2", "3"]

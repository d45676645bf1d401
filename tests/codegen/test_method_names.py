"""Group and method names (codegen/method_names.py), and the checks of x-name and x-pagination."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from codegen.ir import build_spec
from codegen.method_names import MAX_NAME, NamingInput, assign_names, readable_name
from codegen.problems import Severity
from codegen.schema import check_document
from codegen.schema.defaults import CLIENT_MEMBERS
from codegen.schema.load import Document
from tests.helpers.paged import paged_schema


@pytest.mark.parametrize(
    ("operation_id", "method", "path", "groups", "expected"),
    [
        # FastAPI appends the path and the method to the route's name.
        (
            "get_transaction_by_client_request_id_consumers__consumer_id__connections__connection_id__transactions_get",
            "get",
            "/consumers/{consumer_id}/connections/{connection_id}/transactions",
            ["connections"],
            "get_transaction_by_client_request_id",
        ),
        ("get_releases_local_agents_releases_get", "get", "/local-agents/releases", [], "get_releases"),
        ("generate_access_token_token_post", "post", "/token", ["general"], "generate_access_token"),
        # Not FastAPI's suffix: another method, or the method without the path.
        ("list_orders_post", "get", "/orders", [], "list_orders_post"),
        ("fetch_get", "get", "/orders", [], "fetch_get"),
        ("orders_get", "get", "/orders", [], "orders_get"),
        # The group's own name as a leading segment, in the forms vendors spell it.
        ("accounting_get_folders", "get", "/x", ["accounting"], "get_folders"),
        ("Customer_GetAll", "get", "/x", ["customers"], "get_all"),
        ("CustomerAddresses_GetAll", "get", "/x", ["customer_addresses"], "get_all"),
        ("ecommerce_get_orders", "get", "/x", ["e_commerce"], "get_orders"),
        ("pos_get_orders", "get", "/x", ["point_of_sale"], "get_orders"),
        ("ShopAccount_QueryShopAccounts", "get", "/x", ["shop_accounts"], "query_shop_accounts"),
        # Only whole segments: "EventApi" is not "events" in the singular.
        ("EventApi_GetList", "get", "/x", ["events"], "event_api_get_list"),
        ("syncs_get_consumer_executions", "get", "/x", ["consumers"], "syncs_get_consumer_executions"),
        # Nothing would be left, or a name starting with a digit.
        ("accounting", "get", "/x", ["accounting"], "accounting"),
        ("accounting_2fa", "get", "/x", ["accounting"], "accounting_2fa"),
        # Without an operationId: the method and the path.
        (None, "get", "/things/{id}/parts", [], "get_things_id_parts"),
    ],
)
def test_readable_names(operation_id: str | None, method: str, path: str, groups: list[str], expected: str) -> None:
    assert readable_name(operation_id, method, path, groups) == expected


def test_a_long_name_loses_trailing_words() -> None:
    name = "accounting_get_analytic_account_multi_plans_with_a_very_long_tail_of_words"
    assert readable_name(name, "get", "/x") == "accounting_get_analytic_account_multi_plans_with"
    assert readable_name(name, "get", "/x", (), 43) == "accounting_get_analytic_account_multi_plans"
    assert len(readable_name("x" * 80, "get", "/x")) == MAX_NAME


def entry(
    operation_id: str, tag: str | None = "Things", *, x_name: str | None = None, paginated: bool = False
) -> NamingInput:
    path = "/" + operation_id
    return NamingInput(f"/paths/~1{operation_id}/get", "get", path, operation_id, tag, None, x_name, paginated)


def test_a_clash_in_a_group_is_resolved_in_order_and_reported() -> None:
    names, groups, problems = assign_names(
        [entry("things_list"), entry("Thing_List"), entry("things_list_2")], CLIENT_MEMBERS
    )
    assert [(name.group, name.name, name.flat_name) for name in names] == [
        ("things", "list", "things_list"),
        ("things", "list_2", "thing_list"),
        ("things", "list_2_2", "things_list_2"),
    ]
    assert [group.name for group in groups] == ["things"]
    assert [(problem.severity, problem.pointer) for problem in problems] == [
        (Severity.WARNING, "/paths/~1Thing_List/get"),
        (Severity.WARNING, "/paths/~1things_list_2/get"),
    ]
    assert "'list' is taken by GET /things_list; this one is named 'list_2'" in problems[0].message


def test_x_name_wins_and_two_equal_ones_in_a_group_are_an_error() -> None:
    names, _, problems = assign_names([entry("things_list"), entry("things_all", x_name="list")], CLIENT_MEMBERS)
    assert [(name.name, name.flat_name) for name in names] == [("list_2", "things_list"), ("list", "list")]
    assert [problem.severity for problem in problems] == [Severity.WARNING]
    _, _, problems = assign_names([entry("a", x_name="same"), entry("b", x_name="same")], CLIENT_MEMBERS)
    errors = [problem for problem in problems if problem.severity is Severity.ERROR]
    assert [(problem.pointer, problem.message) for problem in errors] == [
        ("/paths/~1b/get/x-name", "in group 'things': 'same' clashes with the x-name of GET /a")
    ]


def test_an_iter_sibling_takes_its_name_too() -> None:
    names, _, problems = assign_names([entry("things_iter_list"), entry("things_list", paginated=True)], CLIENT_MEMBERS)
    assert [name.name for name in names] == ["iter_list", "list_2"]
    assert "'iter_list', its iter_ method, is taken by GET /things_iter_list" in problems[0].message


def test_flat_names_avoid_groups_and_the_client_members() -> None:
    names, groups, problems = assign_names(
        [entry("Things_Get"), entry("things", tag=None), entry("close", tag=None)], CLIENT_MEMBERS
    )
    assert [group.name for group in groups] == ["things"]
    assert [name.flat_name for name in names] == ["things_get", "things_2", "close_2"]
    assert len(problems) == 2
    assert "the group of tag 'Things'" in problems[0].message
    assert "the client itself" in problems[1].message


def test_tags_with_one_snake_case_name_are_one_group() -> None:
    _, groups, _ = assign_names([entry("a", tag="Customers"), entry("b", tag="customers")], CLIENT_MEMBERS)
    assert [(group.name, group.tag, group.class_name) for group in groups] == [
        ("customers", "Customers", "CustomersOperations")
    ]


def _problems(document: dict[str, Any]) -> list[str]:
    return [str(problem) for problem in check_document(document)]


def test_x_name_is_checked() -> None:
    document = paged_schema()
    operation = document["paths"]["/things/{id}"]["get"]
    for bad, message in [
        ("get__thing", "without '__'"),
        ("_get", "not starting with _"),
        ("class", "a Python identifier"),
        ("x" * (MAX_NAME + 1), f"at most {MAX_NAME} characters"),
        ("close", "a name the Client already uses"),
    ]:
        operation["x-name"] = bad
        assert any("/paths/~1things~1{id}/get/x-name" in text and message in text for text in _problems(document)), bad
    operation["x-name"] = "fetch"
    assert _problems(document) == []
    paginated = document["paths"]["/consumers/{consumer_id}/things"]["get"]
    paginated["x-name"] = "x" * (MAX_NAME - 4)
    assert any("at most 43 characters" in text for text in _problems(document))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pages": 1}, "unknown key"),
        ({"next": "/next"}, "either 'page' (page numbers) or 'next'"),
        ({"page": "p"}, "must name a query parameter of the operation, not 'p'"),
        ({"size": "consumer_id"}, "must name a query parameter"),
        ({"total": "total"}, "must be a JSON pointer"),
        ({"items": ""}, "needs 'items'"),
        ({"first_page": -1}, "non-negative integer"),
        ({"cursor": "kind"}, "belongs to 'next'"),
    ],
)
def test_x_pagination_is_checked(change: dict[str, Any], message: str) -> None:
    document = paged_schema()
    operation = document["paths"]["/consumers/{consumer_id}/things"]["get"]
    operation["x-pagination"].update(change)
    problems = _problems(document)
    assert any("/paths/~1consumers~1{consumer_id}~1things/get/x-pagination" in text for text in problems)
    assert any(message in text for text in problems), problems


def _spec_problems(document: dict[str, Any]) -> list[str]:
    assert _problems(document) == []
    spec = build_spec(Document(Path("paged.json"), document, "0" * 64), "paged", "paged/openapi.json")
    return [str(problem) for problem in spec.problems]


def test_x_pagination_pointers_must_exist_in_the_response() -> None:
    document = paged_schema()
    pages = document["paths"]["/consumers/{consumer_id}/things"]["get"]["x-pagination"]
    assert _spec_problems(document) == []
    broken = copy.deepcopy(document)
    broken["paths"]["/consumers/{consumer_id}/things"]["get"]["x-pagination"] = {**pages, "total": "/count"}
    assert any("x-pagination/total" in text and "'/count'" in text for text in _spec_problems(broken))
    broken["paths"]["/consumers/{consumer_id}/things"]["get"]["x-pagination"] = {**pages, "items": "/total"}
    assert any("x-pagination/items: must point to an array" in text for text in _spec_problems(broken))


def test_a_group_method_never_takes_with_response() -> None:
    # client.<group>.with_response is the group's view returning CallResponse: no operation may shadow it.
    names, _, problems = assign_names([entry("things_with_response")], CLIENT_MEMBERS)
    assert [(name.group, name.name) for name in names] == [("things", "with_response_2")]
    assert "'with_response' is taken by the group's class itself" in problems[0].message
    _, _, problems = assign_names([entry("things_get", x_name="with_response")], CLIENT_MEMBERS)
    errors = [problem.message for problem in problems if problem.severity is Severity.ERROR]
    assert errors == ["in group 'things': 'with_response' clashes with the group's class itself"]

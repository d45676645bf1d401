"""Generator gaps the vendors' published specs exposed, each reproduced by a small inline schema.

One schema holds every case; it is generated once, then the package must pass the
project's ruff rules and ``mypy --strict`` as generated/ does, and carry the names below:

- component names written as qualified .NET types (Swashbuckle): namespaces dropped,
  generic arguments kept, two types of one name told apart by their last namespace;
- FastAPI operationIds (``read_item_items__item_id__get``): the route suffix dropped;
  operationIds in PascalCase (``Customer_GetAll``) and none at all;
- enum members ``I`` and ``O`` (read as 1 and 0, E741);
- ``anyOf [null, X]``: ``None`` last in every annotation (RUF036);
- a route longer than a line and a summary that ends with a full stop;
- allOf composition, a free-form object, an enum that lists null, a property of any type:
  they decode and encode back to the same JSON.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codegen.method_names import document_names
from codegen.names import class_names, drop_namespaces
from codegen.schema.defaults import CLIENT_MEMBERS
from tests.helpers.paths import REPO, run_codegen

PACKAGE = "gaps_pkg"
LONG_PATH = "/consumers/{consumer_id}/accounting/analytic-accounts/{analytic_account_id}/multi-analytic-plans/{plan}"
ORDER_A = "Shop.Web.Controllers.Api.Order"
ORDER_B = "Shop.Interfaces.Model.Order"
PAGED = "Shop.Web.Controllers.Api.PagedResultOfSystem.Collections.Generic.ListOfShop.Interfaces.Model.Order"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def ok(schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


def gaps_schema() -> dict[str, Any]:
    path_parameters = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in ("consumer_id", "analytic_account_id", "plan")
    ]
    return {
        "openapi": "3.1.0",
        "info": {"title": "Gaps", "version": "1"},
        "servers": [{"url": "https://gaps.example"}],
        "components": {
            "schemas": {
                ORDER_A: {"type": "object", "properties": {"Id": {"type": "integer"}}},
                ORDER_B: {"type": "object", "properties": {"Id": {"type": "integer"}, "Letter": ref("Letter")}},
                PAGED: {"type": "object", "properties": {"Data": {"type": "array", "items": ref(ORDER_B)}}},
                "Letter": {"type": "string", "enum": ["I", "O", "X"]},
                "Base": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
                "Derived": {"allOf": [ref("Base"), {"type": "object", "properties": {"extra": ref("FreeForm")}}]},
                "FreeForm": {"type": "object", "additionalProperties": True},
                "MaybeColor": {"enum": ["red", None]},
                "Painted": {"type": "object", "properties": {"color": ref("MaybeColor"), "any": {}}},
            }
        },
        "paths": {
            "/items/{item_id}": {
                "get": {
                    "operationId": "read_item_items__item_id__get",
                    "parameters": [{"name": "item_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": ok(ref(PAGED)),
                },
                "put": {
                    "operationId": "Customer_GetAll",
                    "summary": "Replaces the item. This request is throttled to one call per minute for the same item"
                    " and the same API key, whatever the page.",
                    "parameters": [
                        {"name": "item_id", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "tag", "in": "query", "schema": {"anyOf": [{"type": "null"}, {"type": "string"}]}},
                    ],
                    "requestBody": {
                        "content": {"application/json": {"schema": {"anyOf": [{"type": "null"}, ref(ORDER_A)]}}}
                    },
                    "responses": ok({"anyOf": [{"type": "null"}, ref(ORDER_A)]}),
                },
            },
            LONG_PATH: {"get": {"parameters": path_parameters, "responses": ok(ref(ORDER_B))}},
            "/derived": {"get": {"operationId": "get_derived", "responses": ok(ref("Derived"))}},
            "/painted": {
                "post": {
                    "operationId": "paint",
                    "requestBody": {"content": {"application/json": {"schema": ref("Painted")}}},
                    "responses": ok(ref("Painted")),
                }
            },
        },
    }


def test_namespaces_are_dropped_and_generic_arguments_kept() -> None:
    assert drop_namespaces("A.B.Order") == "Order"
    assert drop_namespaces(PAGED) == "PagedResultOfListOfOrder"
    assert drop_namespaces(PAGED, keep=1) == "ApiPagedResultOfGenericListOfModelOrder"
    assert drop_namespaces("NoDots") == "NoDots"
    assert drop_namespaces("trailing.") == "trailing."

    names = class_names([ORDER_A, ORDER_B, PAGED, "Letter"])

    assert names == {ORDER_A: "ApiOrder", ORDER_B: "ModelOrder", PAGED: "PagedResultOfListOfOrder", "Letter": "Letter"}


def test_fastapi_route_suffixes_are_dropped_unless_the_short_name_is_taken() -> None:
    operations = [
        ("/items/{item_id}", "get", {"operationId": "read_item_items__item_id__get"}),
        ("/token", "post", {"operationId": "token_token_post"}),
        ("/a", "get", {"operationId": "list_a_get"}),
        ("/b", "get", {"operationId": "list_b_get"}),
        ("/c", "get", {"operationId": "list"}),
    ]

    paths: dict[str, Any] = {}
    for path, method, operation in operations:
        paths.setdefault(path, {})[method] = {**operation, "responses": {"200": {"description": "ok"}}}
    named, _, problems = document_names({"paths": paths}, CLIENT_MEMBERS)
    names = {key: entry.flat_name for key, entry in named.items()}

    assert names == {
        ("/items/{item_id}", "get"): "read_item",
        ("/token", "post"): "token",
        ("/a", "get"): "list_a_get",  # "list" would be taken three times over
        ("/b", "get"): "list_b_get",
        ("/c", "get"): "list",
    }
    assert problems == []


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The gaps schema generated into ``ROOT/generated/gaps_pkg``; returns ROOT."""
    root = tmp_path_factory.mktemp("gaps")
    folder = root / "schemas" / PACKAGE
    folder.mkdir(parents=True)
    (folder / "openapi.json").write_text(json.dumps(gaps_schema()), encoding="utf-8")
    result = run_codegen(REPO, "generate", "--schemas", str(root / "schemas"), "--output", str(root / "generated"))
    assert result.returncode == 0, result.stderr
    return root


def test_the_package_carries_the_names(generated: Path) -> None:
    client = (generated / "generated" / PACKAGE / "client.py").read_text(encoding="utf-8")
    models = (generated / "generated" / PACKAGE / "models.py").read_text(encoding="utf-8")

    # Without an operationId: the method and the path, cut to 48 characters at a word boundary.
    for method in ("read_item", "customer_get_all", "get_consumers_consumer_id_accounting_analytic"):
        assert f"    def {method}" in client
    for cls in ("ApiOrder", "ModelOrder", "PagedResultOfListOfOrder", "Letter"):
        assert f"class {cls}" in models
    assert '    I_ = "I"' in models
    assert '    O_ = "O"' in models
    assert "body: models.ApiOrder | dict[str, Any] | UnsetType | None = UNSET" in client
    assert "tag: str | None = None" in client
    assert "API key, whatever the page.\n\n" in client  # one full stop, not two
    assert f"        ``{LONG_PATH}``\n" in client


def test_the_package_passes_the_project_lint_and_mypy_strict(generated: Path) -> None:
    config = str(REPO / "pyproject.toml")
    folder = f"generated/{PACKAGE}"
    for command in (
        ["ruff", "check", "--config", config, folder],
        ["ruff", "format", "--check", "--config", config, folder],
    ):
        result = subprocess.run(
            [sys.executable, "-m", *command], cwd=generated, capture_output=True, text=True, timeout=120, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--config-file", config, "--cache-dir", str(generated / ".mypy"),
         "-p", PACKAGE],
        cwd=generated / "generated",
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_composition_free_form_and_nullable_enums_round_trip(generated: Path) -> None:
    sys.path.insert(0, str(generated / "generated"))
    try:
        pkg = importlib.import_module(PACKAGE)
        derived = {"id": 1, "extra": {"anything": [1, {"x": None}]}, "unknown": True}
        painted = [{"color": "red", "any": [1, "two"]}, {"color": None}, {"color": "blue", "any": None}]

        decoded = pkg.structure(derived, pkg.models.Derived)

        assert decoded.id == 1
        assert decoded.extra.extra_fields == {"anything": [1, {"x": None}]}  # a free-form object keeps all
        assert pkg.unstructure(decoded) == derived
        for value in painted:
            assert pkg.unstructure(pkg.structure(value, pkg.models.Painted)) == value
    finally:
        sys.path.remove(str(generated / "generated"))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
            del sys.modules[name]

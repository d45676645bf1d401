"""``python -m codegen import SPEC --all`` and ``--tag TAG`` (repeatable), besides ``--operation``.

Small inline specs (Swagger 2.0 YAML, OpenAPI 3.0 JSON) in a temporary folder: what is
selected, in which order, what is refused (exit status 2, no traceback, nothing written),
and that re-importing keeps hand-added ``x-`` extensions and descriptions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers.paths import REPO, run_codegen

SWAGGER = """\
swagger: '2.0'
info: {title: Shop, version: '1'}
host: api.shop.example
schemes: [https]
securityDefinitions:
  key: {type: apiKey, in: header, name: X-Shop-Key}
security: [{key: []}]
paths:
  /orders:
    get:
      operationId: Orders_GetAll
      tags: [Orders]
      produces: [application/json]
      responses:
        '200': {description: ok, schema: {type: array, items: {$ref: '#/definitions/Order'}}}
    post:
      operationId: Orders_Create
      tags: [Orders]
      consumes: [application/json]
      produces: [application/json]
      parameters:
        - {name: body, in: body, required: true, schema: {$ref: '#/definitions/Order'}}
      responses:
        '201': {description: created, schema: {$ref: '#/definitions/Order'}}
  /orders/{id}:
    delete:
      tags: [Orders, Admin]
      parameters:
        - {name: id, in: path, required: true, type: integer}
      responses:
        '204': {description: deleted}
  /products:
    get:
      operationId: Products_GetAll
      tags: [Products]
      produces: [application/json]
      responses:
        '200': {description: ok, schema: {type: array, items: {$ref: '#/definitions/Product'}}}
  /ping:
    get:
      operationId: Ping
      responses:
        '200': {description: ok}
definitions:
  Order:
    type: object
    properties:
      id: {type: integer}
      total: {type: number}
  Product:
    type: object
    properties:
      sku: {type: string}
"""


def openapi30() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Notes", "version": "1"},
        "servers": [{"url": "https://notes.example"}],
        "paths": {
            "/notes": {
                "get": {
                    "operationId": "listNotes",
                    "tags": ["notes"],
                    "responses": {"200": {"description": "ok"}},
                },
                "post": {"tags": ["notes"], "responses": {"201": {"description": "created"}}},
            },
            "/health": {"get": {"operationId": "health", "responses": {"200": {"description": "ok"}}}},
        },
    }


def cli(tmp_path: Path, spec: Path, *arguments: str) -> tuple[int, str, str]:
    completed = run_codegen(REPO, "import", str(spec), "--vendor", "shop", "--schemas", str(tmp_path / "s"), *arguments)
    return completed.returncode, completed.stdout, completed.stderr


def imported(tmp_path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((tmp_path / "s" / "shop" / "openapi.json").read_text(encoding="utf-8"))
    return document


def keys(document: dict[str, Any]) -> list[str]:
    return [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    ]


def swagger(tmp_path: Path) -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(SWAGGER, encoding="utf-8")
    return path


def test_all_imports_every_operation_in_document_order(tmp_path: Path) -> None:
    status, out, err = cli(tmp_path, swagger(tmp_path), "--all")

    assert status == 0, err
    assert keys(imported(tmp_path)) == [
        "GET /orders",
        "POST /orders",
        "DELETE /orders/{id}",
        "GET /products",
        "GET /ping",
    ]
    assert "5 operation(s) imported" in out
    # No operationId: named from the method and the path (in the group of its tag, and flat).
    assert "DELETE /orders/{id} -> client.orders.delete_orders_id (flat: client.delete_orders_id)" in out
    generated = run_codegen(REPO, "generate", "--schemas", str(tmp_path / "s"), "--output", str(tmp_path / "out"))
    assert generated.returncode == 0, generated.stderr
    client = (tmp_path / "out" / "shop" / "client.py").read_text(encoding="utf-8")
    for method in ("orders_get_all", "orders_create", "delete_orders_id", "products_get_all", "ping"):
        assert f"    def {method}(" in client


def test_tags_select_the_operations_carrying_any_of_them(tmp_path: Path) -> None:
    status, _, err = cli(tmp_path, swagger(tmp_path), "--tag", "Admin", "--tag", "Products")

    assert status == 0, err
    document = imported(tmp_path)
    assert keys(document) == ["DELETE /orders/{id}", "GET /products"]
    assert list(document["components"]["schemas"]) == ["Product"]  # Order is used by no imported operation


def test_tags_and_operations_combine(tmp_path: Path) -> None:
    spec = tmp_path / "notes.json"
    spec.write_text(json.dumps(openapi30()), encoding="utf-8")

    status, _, err = cli(tmp_path, spec, "--operation", "GET /health", "--tag", "notes")

    assert status == 0, err
    assert keys(imported(tmp_path)) == ["GET /health", "GET /notes", "POST /notes"]


def test_an_unknown_tag_is_refused_with_the_nearest(tmp_path: Path) -> None:
    status, _, err = cli(tmp_path, swagger(tmp_path), "--tag", "Order")

    assert status == 2
    assert "no operation has the tag 'Order'" in err
    assert "did you mean 'Orders'?" in err
    assert "Traceback" not in err
    assert not (tmp_path / "s").exists()


def test_all_with_a_selection_or_no_selection_is_refused(tmp_path: Path) -> None:
    spec = swagger(tmp_path)
    for arguments, message in [
        (("--all", "--tag", "Orders"), "--all imports every operation"),
        ((), "say what to import"),
    ]:
        status, _, err = cli(tmp_path, spec, *arguments)
        assert status == 2
        assert message in err
        assert not (tmp_path / "s").exists()


def test_reimporting_all_keeps_hand_added_extensions_and_descriptions(tmp_path: Path) -> None:
    spec = swagger(tmp_path)
    assert cli(tmp_path, spec, "--all")[0] == 0
    document = imported(tmp_path)
    document["x-rate-limit"] = {"requests": 2, "per_seconds": 1}
    document["paths"]["/orders"]["post"]["description"] = "Creates an order (hand-written)."
    document["components"]["schemas"]["Order"]["properties"]["total"]["description"] = "Gross, in EUR."
    document["components"]["securitySchemes"]["key"]["x-credential"] = "shop_key"
    (tmp_path / "s" / "shop" / "openapi.json").write_text(json.dumps(document), encoding="utf-8")

    status, _, err = cli(tmp_path, spec, "--all")

    assert status == 0, err
    again = imported(tmp_path)
    assert again["x-rate-limit"] == {"requests": 2, "per_seconds": 1}
    assert again["paths"]["/orders"]["post"]["description"] == "Creates an order (hand-written)."
    assert again["components"]["schemas"]["Order"]["properties"]["total"]["description"] == "Gross, in EUR."
    assert again["components"]["securitySchemes"]["key"]["x-credential"] == "shop_key"
    assert keys(again) == keys(document)

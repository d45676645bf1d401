"""A small OpenAPI document with one operation per ``x-pagination`` style, for the client tests."""

from __future__ import annotations

from typing import Any

__all__ = ["paged_schema"]

THING = {"$ref": "#/components/schemas/Thing"}
THINGS = {"type": "array", "items": THING}


def _query(name: str, kind: str = "integer", required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": {"type": kind}}


def _response(schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}


def paged_schema() -> dict[str, Any]:
    """One operation per pagination style, two groups (one named by x-name), one operation without a tag."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Paged things", "version": "1"},
        "servers": [{"url": "https://paged.example"}],
        "security": [{"key": []}],
        "tags": [{"name": "Things", "description": "Things to list."}, {"name": "eCommerce", "x-name": "shop"}],
        "components": {
            "securitySchemes": {"key": {"type": "apiKey", "in": "header", "name": "X-Key", "x-credential": "api_key"}},
            "schemas": {
                "Thing": {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]},
                "ThingPage": {
                    "type": "object",
                    "properties": {"items": THINGS, "total": {"type": "integer"}, "page": {"type": "integer"}},
                    "required": ["items", "total"],
                },
                "Paging": {
                    "type": "object",
                    "properties": {
                        name: {"type": "integer"} for name in ("Page", "TotalPages", "TotalRows", "PageSize")
                    },
                },
                "PagedThings": {
                    "type": "object",
                    "properties": {
                        "Paging": {"$ref": "#/components/schemas/Paging"},
                        "ErrorCode": {"type": "integer"},
                        "ErrorMessage": {"type": ["string", "null"]},
                        "Data": THINGS,
                    },
                },
                "CursorPage": {
                    "type": "object",
                    "properties": {"data": THINGS, "next_cursor": {"type": ["string", "null"]}},
                },
                "LinkPage": {
                    "type": "object",
                    "properties": {
                        "results": THINGS,
                        "links": {"type": "object", "properties": {"next": {"type": ["string", "null"]}}},
                    },
                },
            },
        },
        "paths": {
            "/consumers/{consumer_id}/things": {
                "get": {
                    "operationId": "things_get_things",
                    "tags": ["Things"],
                    "summary": "List things",
                    "parameters": [
                        {"name": "consumer_id", "in": "path", "required": True, "schema": {"type": "string"}},
                        _query("page"),
                        {"name": "size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
                        _query("kind", "string"),
                    ],
                    "x-pagination": {"page": "page", "size": "size", "items": "/items", "total": "/total"},
                    "responses": _response({"$ref": "#/components/schemas/ThingPage"}),
                }
            },
            "/things/{id}": {
                "get": {
                    "operationId": "get_thing_things__id__get",
                    "tags": ["Things"],
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": _response(THING),
                }
            },
            "/enveloped": {
                "get": {
                    "operationId": "Thing_GetEnveloped",
                    "tags": ["Things"],
                    "parameters": [_query("page"), _query("pageSize")],
                    "x-envelope": {
                        "data": "/Data",
                        "success": {"pointer": "/ErrorCode", "equals": 0},
                        "message": "/ErrorMessage",
                    },
                    "x-pagination": {
                        "page": "page",
                        "size": "pageSize",
                        "items": "/Data",
                        "total_pages": "/Paging/TotalPages",
                    },
                    "responses": _response({"$ref": "#/components/schemas/PagedThings"}),
                }
            },
            "/shop/things": {
                "get": {
                    "operationId": "ecommerce_get_things",
                    "tags": ["eCommerce"],
                    "parameters": [_query("cursor", "string"), _query("limit")],
                    "x-pagination": {"next": "/next_cursor", "cursor": "cursor", "items": "/data"},
                    "responses": _response({"$ref": "#/components/schemas/CursorPage"}),
                }
            },
            "/linked": {
                "get": {
                    "operationId": "list_linked",
                    "parameters": [_query("q", "string")],
                    "x-pagination": {"next": "/links/next", "items": "/results"},
                    "responses": _response({"$ref": "#/components/schemas/LinkPage"}),
                }
            },
        },
    }

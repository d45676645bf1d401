"""``import`` recognises paginated list operations and declares them with ``x-pagination``.

Two shapes are recognised, from the operation's query parameters and its success
response schema; anything else is left alone (declare ``x-pagination`` by hand):

- page numbers with the items and their total in the body: a ``page`` query parameter
  (``page``, ``pageNumber``, ``page_number``) and a body object with an array of items
  (``items``, ``data``, ``results``, ``records``, ``content``) and an integer total
  (``total``, ``totalCount``, ``total_items``...): ``{"items": [...], "total": 7}``;
- page numbers with a paging object beside the items, as in an envelope: the same
  parameter, and a body object holding an array of items and an object with an integer
  count of pages (``TotalPages``, ``total_pages``, ``pageCount``) or of items (``TotalRows``,
  ``totalCount``...): ``{"Paging": {"Page": 1, "TotalPages": 3}, "Data": [...]}``.

A page size parameter (``size``, ``pageSize``, ``per_page``, ``limit``) is declared too.
Names are compared without case and separators, so ``PageSize`` is ``page_size``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from codegen.openapi import json_media_schema
from codegen.problems import join_pointer
from codegen.schema import follow_refs

PAGE_PARAMETERS = ("page", "pagenumber", "pageno")
SIZE_PARAMETERS = ("size", "pagesize", "perpage", "limit", "pagelimit")
ITEM_PROPERTIES = ("items", "data", "results", "records", "content", "values")
TOTAL_ITEM_PROPERTIES = ("total", "totalcount", "totalitems", "totalrows", "totalrecords", "totalresults", "count")
TOTAL_PAGE_PROPERTIES = ("totalpages", "pagecount", "pages", "numberofpages")


def _key(name: str) -> str:
    return "".join(char for char in name.lower() if char.isalnum())


def _pick(names: Iterable[str], wanted: tuple[str, ...]) -> str | None:
    """The first of ``names`` that is one of ``wanted`` (compared by :func:`_key`), in ``wanted``'s order."""
    by_key = {_key(name): name for name in names}
    return next((by_key[key] for key in wanted if key in by_key), None)


def _kind(document: dict[str, Any], schema: Any) -> str | None:
    """The JSON type a schema describes (``["integer", "null"]`` is integer), when there is one."""
    schema = follow_refs(document, schema)
    if not isinstance(schema, dict):
        return None
    declared = schema.get("type")
    kinds = [kind for kind in (declared if isinstance(declared, list) else [declared]) if kind not in (None, "null")]
    if len(kinds) == 1:
        return str(kinds[0])
    return "object" if "properties" in schema else None


def _properties(document: dict[str, Any], schema: Any) -> dict[str, Any]:
    schema = follow_refs(document, schema)
    properties = schema.get("properties") if isinstance(schema, dict) else None
    return properties if isinstance(properties, dict) else {}


def _of_kind(document: dict[str, Any], properties: dict[str, Any], kind: str) -> list[str]:
    return [name for name, schema in properties.items() if _kind(document, schema) == kind]


def detect(
    document: dict[str, Any], item: dict[str, Any], operation: dict[str, Any]
) -> tuple[dict[str, Any], str] | None:
    """The ``x-pagination`` of an operation of a recognised shape, and a description of the shape; else None."""
    query = {}
    for raw in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
        parameter = follow_refs(document, raw)
        if isinstance(parameter, dict) and parameter.get("in") == "query" and isinstance(parameter.get("name"), str):
            query[parameter["name"]] = parameter
    page = _pick(query, PAGE_PARAMETERS)
    if page is None or _kind(document, query[page].get("schema")) != "integer":
        return None
    responses = operation.get("responses") or {}
    success = sorted(code for code in responses if str(code).startswith("2") and str(code).isdigit())
    body = json_media_schema(follow_refs(document, responses[success[0]])) if success else None
    properties = _properties(document, body)
    items = _pick(_of_kind(document, properties, "array"), ITEM_PROPERTIES)
    if items is None:
        return None
    declared: dict[str, Any] = {"page": page}
    size = _pick(query, SIZE_PARAMETERS)
    if size is not None and _kind(document, query[size].get("schema")) == "integer":
        declared["size"] = size
    declared["items"] = join_pointer("", items)
    total = _pick(_of_kind(document, properties, "integer"), TOTAL_ITEM_PROPERTIES)
    if total is not None:
        declared["total"] = join_pointer("", total)
        return declared, "page numbers, the items and their total in the body"
    for holder in _of_kind(document, properties, "object"):
        counts = _of_kind(document, _properties(document, properties[holder]), "integer")
        pages, rows = _pick(counts, TOTAL_PAGE_PROPERTIES), _pick(counts, TOTAL_ITEM_PROPERTIES)
        if pages is not None:
            declared["total_pages"] = join_pointer("", holder, pages)
        elif rows is not None:
            declared["total"] = join_pointer("", holder, rows)
        else:
            continue
        return declared, f"page numbers, a paging object ({holder}) beside the items"
    return None

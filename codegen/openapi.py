"""The OpenAPI vocabulary codegen reads documents with, defined once.

HTTP methods and where operations are, the JSON Schema keywords that hold subschemas,
annotations or data, and where a request body or response keeps its JSON schema. The
checker, the intermediate model, the renderers and the maintainer tools all read
documents through these names, so they agree on what a document says.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
"""The keys of a Path Item Object that hold operations, in the order OpenAPI lists them."""

SCHEMA_MAP_KEYWORDS = ("properties", "patternProperties", "$defs", "dependentSchemas")
"""Keywords whose value maps names (chosen by the author) to subschemas."""

SCHEMA_LIST_KEYWORDS = ("allOf", "anyOf", "oneOf", "prefixItems")
"""Keywords whose value is a list of subschemas."""

SCHEMA_SINGLE_KEYWORDS = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
)
"""Keywords whose value is one subschema."""

# Older spellings of the same (JSON Schema draft 4, which Swagger 2.0 and OpenAPI 3.0
# documents use): conversion walks them too, codegen's own schemas never hold them.
DRAFT4_MAP_KEYWORDS = ("definitions",)
DRAFT4_SINGLE_KEYWORDS = ("additionalItems",)

ANNOTATION_KEYWORDS = frozenset(
    {
        "title",
        "description",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
        "examples",
        "example",
        "$comment",
        "externalDocs",
        "xml",
    }
)
"""Keywords that describe a value without constraining it: validation never reads them."""

DATA_KEYWORDS = frozenset({"example", "examples", "default", "enum", "const"})
"""Keywords whose value is data (JSON values), never schema structure or references."""

SCHEMA_REF_PREFIX = "#/components/schemas/"
"""How a ``$ref`` to a component schema starts."""

DECIMAL_FORMAT = "decimal"
"""The format (OpenAPI format registry) of a number read and written exactly, as ``decimal.Decimal``."""

JSON_MEDIA_TYPE = "application/json"
MULTIPART_MEDIA_TYPE = "multipart/form-data"
URLENCODED_MEDIA_TYPE = "application/x-www-form-urlencoded"


class PathOperation(NamedTuple):
    """One operation of a document, with the path item that holds it."""

    path: str
    method: str
    item: dict[str, Any]
    operation: dict[str, Any]


def item_operations(item: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(method, operation)`` of a path item, in :data:`HTTP_METHODS` order; non-objects are skipped."""
    if isinstance(item, dict):
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield method, operation


def iter_operations(document: Any) -> Iterator[PathOperation]:
    """Every operation of a document: paths in document order, methods in :data:`HTTP_METHODS` order."""
    paths = document.get("paths") if isinstance(document, dict) else None
    if isinstance(paths, dict):
        for path, item in paths.items():
            for method, operation in item_operations(item):
                yield PathOperation(path, method, item, operation)


def json_media_schema(holder: Any) -> Any:
    """The schema of the JSON content a client uses (:func:`chosen_media_type`); None when there is none."""
    content = holder.get("content") if isinstance(holder, dict) else None
    chosen = chosen_media_type(content)
    media = content.get(chosen) if isinstance(content, dict) and chosen and is_json_media_type(chosen) else None
    return media.get("schema") if isinstance(media, dict) else None


def media_essence(media_type: str) -> str:
    """``"Application/JSON; charset=utf-8"`` -> ``"application/json"``."""
    return media_type.split(";", 1)[0].strip().lower()


def is_json_media_type(media_type: str) -> bool:
    """JSON media types: ``application/json``, ``text/json`` and ``*/*+json``."""
    essence = media_essence(media_type)
    return essence in (JSON_MEDIA_TYPE, "text/json") or essence.endswith("+json")


def chosen_media_type(content: Any) -> str | None:
    """The key of a ``content`` object a client uses: JSON first, then multipart, urlencoded, else the first.

    A vendor that takes JSON or a form gets JSON, which carries types; ``application/json``
    itself comes before its variants. None when ``content`` declares no media type.
    """
    keys = [key for key in content if isinstance(key, str)] if isinstance(content, dict) else []
    preferences = (
        lambda key: key == JSON_MEDIA_TYPE,
        is_json_media_type,
        lambda key: media_essence(key) == MULTIPART_MEDIA_TYPE,
        lambda key: media_essence(key) == URLENCODED_MEDIA_TYPE,
    )
    for wanted in preferences:
        for key in keys:
            if wanted(key):
                return key
    return keys[0] if keys else None


def body_kind(media_type: str) -> str:
    """How a request body of ``media_type`` is sent: ``"json"``, ``"form"`` (multipart or urlencoded) or ``"file"``."""
    if is_json_media_type(media_type):
        return "json"
    return "form" if media_essence(media_type) in (MULTIPART_MEDIA_TYPE, URLENCODED_MEDIA_TYPE) else "file"


def is_decimal(schema: Any) -> bool:
    """Whether ``schema`` is a number with ``format: decimal``."""
    if not isinstance(schema, dict) or schema.get("format") != DECIMAL_FORMAT:
        return False
    kinds = schema.get("type")
    return kinds == "number" or (isinstance(kinds, list) and "number" in kinds)


def component_name(ref: str) -> str | None:
    """``#/components/schemas/A~1B`` -> ``A/B``: the component schema a ``$ref`` names, else None."""
    if not ref.startswith(SCHEMA_REF_PREFIX):
        return None
    return ref[len(SCHEMA_REF_PREFIX) :].replace("~1", "/").replace("~0", "~")

"""Swagger 2.0, OpenAPI 3.0 and 3.1 documents, all brought to the OpenAPI 3.1 form codegen reads.

What changes (everything else is carried over as it is):

- Swagger 2.0: ``definitions`` -> ``components/schemas``; ``in: body`` parameters ->
  ``requestBody`` (one media type per ``consumes``); ``formData`` parameters -> a form
  ``requestBody``; a response's ``schema`` -> ``content`` (one media type per ``produces``);
  other parameters get a ``schema``; ``securityDefinitions`` -> ``securitySchemes``;
  ``host``/``basePath``/``schemes`` -> ``servers``; ``x-nullable`` -> nullable.
- OpenAPI 3.0: ``nullable: true`` -> a type list (``["string", "null"]``) or, for a
  ``$ref``, composition or enum, ``anyOf`` with ``{"type": "null"}``; boolean
  ``exclusiveMinimum``/``exclusiveMaximum`` -> the 3.1 numbers.
- Every version: a schema's ``example`` -> ``examples`` (a list); a media type's or
  parameter's ``example`` -> ``examples`` (a map of Example Objects).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from codegen.openapi import (
    ANNOTATION_KEYWORDS,
    DATA_KEYWORDS,
    DRAFT4_MAP_KEYWORDS,
    DRAFT4_SINGLE_KEYWORDS,
    HTTP_METHODS,
    SCHEMA_LIST_KEYWORDS,
    SCHEMA_MAP_KEYWORDS,
    SCHEMA_SINGLE_KEYWORDS,
    item_operations,
)
from codegen.problems import Problem, SchemaError

OPENAPI_VERSION = "3.1.0"
# Documents of every version are walked: draft 4's spellings too.
SCHEMA_MAPS = frozenset(SCHEMA_MAP_KEYWORDS + DRAFT4_MAP_KEYWORDS)
SCHEMA_SINGLES = frozenset(SCHEMA_SINGLE_KEYWORDS + DRAFT4_SINGLE_KEYWORDS)
# Swagger 2.0 parameter and header keys that describe the value, i.e. belong in its 3.x schema.
SWAGGER_VALUE_KEYS = (
    "type",
    "format",
    "items",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "enum",
    "multipleOf",
    "x-nullable",
)
SWAGGER_FLOWS = {
    "implicit": "implicit",
    "password": "password",
    "application": "clientCredentials",
    "accessCode": "authorizationCode",
}


@dataclass(frozen=True)
class Normalised:
    """A document in OpenAPI 3.1 form, and what the original said about itself.

    ``states_nullability`` is false for a Swagger 2.0 or OpenAPI 3.0 document that never
    writes ``nullable`` (or ``x-nullable``): such a document does not say whether a value
    may be null, so a later version that spells nulls out has not changed the API.
    """

    document: dict[str, Any]
    source_version: str
    states_nullability: bool


def normalise(content: dict[str, Any], source: str) -> Normalised:
    """Convert a parsed Swagger 2.0 / OpenAPI 3.0 / 3.1 document; SchemaError for any other."""
    swagger, openapi = content.get("swagger"), content.get("openapi")
    if swagger is not None:
        if str(swagger) != "2.0":
            raise SchemaError(source, [Problem("/swagger", f"only Swagger 2.0 is supported, found {swagger!r}")])
        states = _mentions_nullable(content)
        document = _openapi30_to_31(_swagger2_to_openapi30(content))
        return Normalised(document, "2.0", states)
    if isinstance(openapi, str) and openapi.startswith("3.0"):
        return Normalised(_openapi30_to_31(content), openapi, _mentions_nullable(content))
    if isinstance(openapi, str) and openapi.startswith("3.1"):
        # 3.1 documents are normalised too: some still write 3.0's nullable or example.
        return Normalised(_openapi30_to_31(content), openapi, True)
    found = openapi if openapi is not None else swagger
    problem = Problem("/openapi", f"not a Swagger 2.0 or OpenAPI 3.0/3.1 document (version {found!r})")
    raise SchemaError(source, [problem])


def _mentions_nullable(node: Any) -> bool:
    if isinstance(node, dict):
        if node.get("nullable") is True or node.get("x-nullable") is True:
            return True
        return any(_mentions_nullable(value) for key, value in node.items() if key not in ("example", "examples"))
    if isinstance(node, list):
        return any(_mentions_nullable(value) for value in node)
    return False


# --- OpenAPI 3.0 -> 3.1 -----------------------------------------------------------------


def _openapi30_to_31(content: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(content)
    document["openapi"] = OPENAPI_VERSION
    components = document.get("components")
    if isinstance(components, dict):
        _map_values(components, "schemas", convert_schema)
        _map_values(components, "parameters", _parameter)
        _map_values(components, "headers", _parameter)
        _map_values(components, "responses", _response)
        _map_values(components, "requestBodies", _request_body)
    paths = document.get("paths")
    if isinstance(paths, dict):
        for path, item in list(paths.items()):
            paths[path] = _path_item(item)
    return document


def _map_values(holder: dict[str, Any], key: str, convert: Any) -> None:
    children = holder.get(key)
    if isinstance(children, dict):
        holder[key] = {name: convert(child) for name, child in children.items()}


def _path_item(item: Any) -> Any:
    if not isinstance(item, dict) or "$ref" in item:
        return item
    result = dict(item)
    if isinstance(result.get("parameters"), list):
        result["parameters"] = [_parameter(parameter) for parameter in result["parameters"]]
    for method, original in item_operations(item):
        operation = dict(original)
        if isinstance(operation.get("parameters"), list):
            operation["parameters"] = [_parameter(parameter) for parameter in operation["parameters"]]
        if "requestBody" in operation:
            operation["requestBody"] = _request_body(operation["requestBody"])
        _map_values(operation, "responses", _response)
        result[method] = operation
    return result


def _parameter(parameter: Any) -> Any:
    """A parameter or header object (both hold a schema or content, and examples)."""
    if not isinstance(parameter, dict) or "$ref" in parameter:
        return parameter
    result = _example_to_examples(dict(parameter))
    if "schema" in result:
        result["schema"] = convert_schema(result["schema"])
    _map_values(result, "content", _media_type)
    return result


def _request_body(body: Any) -> Any:
    if not isinstance(body, dict) or "$ref" in body:
        return body
    result = dict(body)
    _map_values(result, "content", _media_type)
    return result


def _response(response: Any) -> Any:
    if not isinstance(response, dict) or "$ref" in response:
        return response
    result = dict(response)
    _map_values(result, "content", _media_type)
    _map_values(result, "headers", _parameter)
    return result


def _media_type(media: Any) -> Any:
    if not isinstance(media, dict):
        return media
    result = _example_to_examples(dict(media))
    if "schema" in result:
        result["schema"] = convert_schema(result["schema"])
    return result


def _example_to_examples(holder: dict[str, Any]) -> dict[str, Any]:
    """A media type's or parameter's single ``example`` becomes one named Example Object."""
    if "example" in holder:
        example = holder.pop("example")
        examples = holder.get("examples")
        if not isinstance(examples, dict):
            holder["examples"] = {"example": {"value": example}}
        elif "example" not in examples:
            holder["examples"] = {**examples, "example": {"value": example}}
    return holder


def convert_schema(schema: Any) -> Any:
    """One schema object (and its subschemas) in OpenAPI 3.1 / JSON Schema 2020-12 spelling."""
    if not isinstance(schema, dict):
        return schema
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key in SCHEMA_MAPS and isinstance(value, dict):
            result[key] = {name: convert_schema(child) for name, child in value.items()}
        elif key in SCHEMA_LIST_KEYWORDS and isinstance(value, list):
            result[key] = [convert_schema(child) for child in value]
        elif key in SCHEMA_SINGLES:
            # Swagger's tuple form of items is a list of schemas.
            result[key] = [convert_schema(v) for v in value] if isinstance(value, list) else convert_schema(value)
        else:
            result[key] = value
    if "example" in result:
        example = result.pop("example")
        if not isinstance(result.get("examples"), list):
            result["examples"] = [example]
    for bound, flag in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")):
        if isinstance(result.get(flag), bool) and result.pop(flag) and bound in result:
            result[flag] = result.pop(bound)
    if result.get("type") == "file":  # Swagger 2.0's upload type
        result["type"] = "string"
        result.setdefault("format", "binary")
    if isinstance(result.get("discriminator"), str):  # Swagger 2.0 names only the property
        result["discriminator"] = {"propertyName": result["discriminator"]}
    nullable = result.pop("nullable", None)
    x_nullable = result.pop("x-nullable", None)
    if nullable is True or x_nullable is True:
        result = make_nullable(result)
    return result


def make_nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` that also accepts null: a type list when that is exact, else anyOf with null."""
    kind = schema.get("type")
    composite = any(key in schema for key in ("$ref", "allOf", "anyOf", "oneOf", "enum", "const"))
    if not composite:
        if isinstance(kind, str):
            return {**schema, "type": [kind, "null"]} if kind != "null" else schema
        if isinstance(kind, list):
            return schema if "null" in kind else {**schema, "type": [*kind, "null"]}
        return schema  # no type: null is accepted already
    if set(schema) - ANNOTATION_KEYWORDS - {"anyOf"} == set() and isinstance(schema.get("anyOf"), list):
        members = schema["anyOf"]
        if {"type": "null"} in members:
            return schema
        return {**schema, "anyOf": [*members, {"type": "null"}]}
    # Annotations stay on the outer schema when a nullable schema is wrapped in anyOf.
    outer = {key: value for key, value in schema.items() if key in ANNOTATION_KEYWORDS or key.startswith("x-")}
    inner = {key: value for key, value in schema.items() if key not in outer}
    if set(inner) == {"allOf"} and isinstance(inner["allOf"], list) and len(inner["allOf"]) == 1:
        inner = inner["allOf"][0]  # the 3.0 way of putting annotations beside a $ref
    return {"anyOf": [inner, {"type": "null"}], **outer}


# --- Swagger 2.0 -> OpenAPI 3.0 -----------------------------------------------------------


def _swagger2_to_openapi30(content: dict[str, Any]) -> dict[str, Any]:
    swagger = _rewrite_swagger_refs(copy.deepcopy(content))
    document: dict[str, Any] = {"openapi": "3.0.3"}
    for key, value in swagger.items():
        if key.startswith("x-") or key in ("info", "tags", "externalDocs", "security"):
            document[key] = value
    document["servers"] = _servers(swagger)
    shared_parameters = swagger.get("parameters") if isinstance(swagger.get("parameters"), dict) else {}
    consumes = _media_types(swagger.get("consumes"))
    produces = _media_types(swagger.get("produces"))
    components: dict[str, Any] = {}
    if isinstance(swagger.get("definitions"), dict):
        components["schemas"] = swagger["definitions"]
    parameters = {
        name: _swagger_parameter(parameter)
        for name, parameter in shared_parameters.items()
        if isinstance(parameter, dict) and parameter.get("in") not in ("body", "formData")
    }
    if parameters:
        components["parameters"] = parameters
    if isinstance(swagger.get("responses"), dict):
        components["responses"] = {
            name: _swagger_response(response, produces) for name, response in swagger["responses"].items()
        }
    if isinstance(swagger.get("securityDefinitions"), dict):
        components["securitySchemes"] = {
            name: _swagger_security(scheme) for name, scheme in swagger["securityDefinitions"].items()
        }
    paths: dict[str, Any] = {}
    for path, item in (swagger.get("paths") or {}).items():
        paths[path] = _swagger_path_item(item, shared_parameters, consumes, produces)
    document["paths"] = paths
    if components:
        document["components"] = components
    return document


def _rewrite_swagger_refs(node: Any) -> Any:
    if isinstance(node, dict):
        result = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                if value.startswith("#/definitions/"):
                    value = "#/components/schemas/" + value[len("#/definitions/") :]
                elif value.startswith("#/responses/"):
                    value = "#/components/responses/" + value[len("#/responses/") :]
                result[key] = value
            elif key in DATA_KEYWORDS or key == "x-example":
                result[key] = value
            else:
                result[key] = _rewrite_swagger_refs(value)
        return result
    if isinstance(node, list):
        return [_rewrite_swagger_refs(value) for value in node]
    return node


def _servers(swagger: dict[str, Any]) -> list[dict[str, Any]]:
    host = swagger.get("host")
    base_path = swagger.get("basePath") or ""
    schemes = [scheme for scheme in swagger.get("schemes") or ["https"] if isinstance(scheme, str)]
    if not isinstance(host, str) or not host:
        return [{"url": base_path or "/"}]
    return [{"url": f"{scheme}://{host}{base_path}"} for scheme in schemes or ["https"]]


def _media_types(value: Any, fallback: list[str] | None = None) -> list[str]:
    if isinstance(value, list) and value:
        return [str(item) for item in value]
    return fallback if fallback is not None else ["application/json"]


def _swagger_schema_of(holder: dict[str, Any]) -> dict[str, Any]:
    """The 3.x schema of a Swagger 2.0 non-body parameter, header or items object."""
    schema = {key: holder[key] for key in SWAGGER_VALUE_KEYS if key in holder}
    if isinstance(schema.get("items"), dict):
        schema["items"] = _swagger_schema_of(schema["items"])
    return schema


def _swagger_parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in parameter:
        ref = parameter["$ref"]
        return {"$ref": ref.replace("#/parameters/", "#/components/parameters/", 1)}
    result = {key: value for key, value in parameter.items() if key not in SWAGGER_VALUE_KEYS}
    collection = result.pop("collectionFormat", None)
    result["schema"] = _swagger_schema_of(parameter)
    if "x-example" in result:
        result["example"] = result.pop("x-example")
    if collection == "multi":
        result["style"], result["explode"] = "form", True
    elif collection in ("csv", "ssv", "pipes"):
        styles = {"csv": "form" if parameter.get("in") == "query" else "simple"}
        styles.update({"ssv": "spaceDelimited", "pipes": "pipeDelimited"})
        result["style"], result["explode"] = styles[collection], False
    return result


def _swagger_path_item(item: Any, shared: dict[str, Any], consumes: list[str], produces: list[str]) -> dict[str, Any]:
    if not isinstance(item, dict):
        return {}
    result: dict[str, Any] = {}
    item_parameters = [_resolve_swagger_parameter(p, shared) for p in item.get("parameters") or []]
    for key, value in item.items():
        if key == "parameters":
            kept = [p for p in item_parameters if p.get("in") not in ("body", "formData")]
            if kept:
                result["parameters"] = [_swagger_parameter(p) for p in kept]
        elif key in HTTP_METHODS and isinstance(value, dict):
            result[key] = _swagger_operation(value, item_parameters, shared, consumes, produces)
        else:
            result[key] = value
    return result


def _resolve_swagger_parameter(parameter: Any, shared: dict[str, Any]) -> dict[str, Any]:
    """A shared body/form parameter is inlined (3.x has no parameter of that kind)."""
    if isinstance(parameter, dict) and isinstance(parameter.get("$ref"), str):
        name = parameter["$ref"].removeprefix("#/parameters/")
        target = shared.get(name)
        if isinstance(target, dict) and target.get("in") in ("body", "formData"):
            return dict(target)
    return dict(parameter) if isinstance(parameter, dict) else {}


def _swagger_operation(
    operation: dict[str, Any],
    item_parameters: list[dict[str, Any]],
    shared: dict[str, Any],
    consumes: list[str],
    produces: list[str],
) -> dict[str, Any]:
    own = [_resolve_swagger_parameter(p, shared) for p in operation.get("parameters") or []]
    own_keys = {(p.get("in"), p.get("name")) for p in own}
    # Path-level body/form parameters apply to the operation unless it redefines them.
    inherited = [p for p in item_parameters if p.get("in") in ("body", "formData")]
    parameters = own + [p for p in inherited if (p.get("in"), p.get("name")) not in own_keys]
    op_consumes = _media_types(operation.get("consumes"), consumes)
    op_produces = _media_types(operation.get("produces"), produces)
    result: dict[str, Any] = {}
    for key, value in operation.items():
        if key in ("consumes", "produces", "schemes"):
            continue
        if key == "parameters":
            kept = [_swagger_parameter(p) for p in own if p.get("in") not in ("body", "formData")]
            if kept:
                result["parameters"] = kept
        elif key == "responses" and isinstance(value, dict):
            result["responses"] = {code: _swagger_response(r, op_produces) for code, r in value.items()}
        else:
            result[key] = value
    body = next((p for p in parameters if p.get("in") == "body"), None)
    form = [p for p in parameters if p.get("in") == "formData"]
    if body is not None:
        request: dict[str, Any] = {
            "content": {media: {"schema": copy.deepcopy(body.get("schema", {}))} for media in op_consumes}
        }
        if "description" in body:
            request["description"] = body["description"]
        if body.get("required") is True:
            request["required"] = True
        request.update({key: value for key, value in body.items() if key.startswith("x-")})
        result["requestBody"] = request
    elif form:
        schema: dict[str, Any] = {"type": "object", "properties": {}}
        for parameter in form:
            prop = _swagger_schema_of(parameter)
            if "description" in parameter:
                prop["description"] = parameter["description"]
            schema["properties"][parameter.get("name", "")] = prop
        required = [p.get("name", "") for p in form if p.get("required") is True]
        if required:
            schema["required"] = required
        form_media = [m for m in op_consumes if m in ("multipart/form-data", "application/x-www-form-urlencoded")]
        media_types = form_media or ["application/x-www-form-urlencoded"]
        result["requestBody"] = {"content": {media: {"schema": copy.deepcopy(schema)} for media in media_types}}
    return result


def _swagger_response(response: Any, produces: list[str]) -> Any:
    if not isinstance(response, dict) or "$ref" in response:
        return response
    result: dict[str, Any] = {"description": response.get("description", "")}
    raw_examples = response.get("examples")
    examples: dict[str, Any] = raw_examples if isinstance(raw_examples, dict) else {}
    if "schema" in response:
        content: dict[str, Any] = {}
        for media in produces:
            entry: dict[str, Any] = {"schema": copy.deepcopy(response["schema"])}
            if media in examples:
                entry["example"] = examples[media]
            content[media] = entry
        result["content"] = content
    if isinstance(response.get("headers"), dict):
        headers = {}
        for name, header in response["headers"].items():
            converted = {"schema": _swagger_schema_of(header)} if isinstance(header, dict) else {}
            if isinstance(header, dict) and "description" in header:
                converted["description"] = header["description"]
            headers[name] = converted
        result["headers"] = headers
    result.update({key: value for key, value in response.items() if key.startswith("x-")})
    return result


def _swagger_security(scheme: Any) -> Any:
    if not isinstance(scheme, dict):
        return scheme
    kind = scheme.get("type")
    extras = {key: value for key, value in scheme.items() if key == "description" or key.startswith("x-")}
    if kind == "basic":
        return {"type": "http", "scheme": "basic", **extras}
    if kind == "apiKey":
        return {"type": "apiKey", "name": scheme.get("name"), "in": scheme.get("in"), **extras}
    if kind == "oauth2":
        flow = SWAGGER_FLOWS.get(str(scheme.get("flow")), str(scheme.get("flow")))
        details = {key: scheme[key] for key in ("authorizationUrl", "tokenUrl") if key in scheme}
        details["scopes"] = scheme.get("scopes", {})
        return {"type": "oauth2", "flows": {flow: details}, **extras}
    return scheme

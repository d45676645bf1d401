"""Structural checks of a schema: every problem is collected with its JSON pointer.

Only what codegen relies on is checked; the rest of OpenAPI is passed through untouched.
"""

from __future__ import annotations

import keyword as python_keyword
import re
from collections.abc import Iterator
from typing import Any, TypeGuard

from codegen.method_names import ITER_PREFIX, MAX_NAME, document_names, is_method_name
from codegen.openapi import (
    DATA_KEYWORDS,
    HTTP_METHODS,
    SCHEMA_LIST_KEYWORDS,
    SCHEMA_MAP_KEYWORDS,
    SCHEMA_SINGLE_KEYWORDS,
    body_kind,
    chosen_media_type,
    component_name,
    iter_operations,
    json_media_schema,
)
from codegen.problems import Problem, Severity, join_pointer
from codegen.schema.defaults import CLIENT_MEMBERS, TOKEN_SCHEMES, credentials, server_urls
from codegen.schema.load import resolve_pointer
from codegen.templates.runtime._operation import KEY_SOURCE

JSON_TYPES = frozenset({"string", "integer", "number", "boolean", "object", "array", "null"})
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP token (RFC 9110)
IDEMPOTENCY_METHODS = ("post", "patch")
IDEMPOTENCY_KEYS = frozenset(
    {"description", "header", "max_length", "already_processed", "in_process", "message", "lookup"}
)
LOOKUP_KEYS = frozenset({"operationId", "arguments", "created_entity_id", "status"})
MIN_KEY_LENGTH = 36  # a generated key is a UUID4 in its 36-character text form
PAGINATION_KEYS = frozenset({"items", "page", "first_page", "size", "total", "total_pages", "next", "cursor"})
SUPPORTED_FORMATS = frozenset(
    {
        "date",
        "date-time",
        "email",
        "uuid",
        "uri",
        "int32",
        "int64",
        "float",
        "double",
        "decimal",
        "byte",
        "binary",
        "password",
    }
)


def check_document(document: dict[str, Any]) -> list[Problem]:
    """Return every problem in ``document``; an empty list means codegen can use it."""
    checker = _Checker(document)
    checker.run()
    return checker.problems


class _Checker:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.problems: list[Problem] = []

    def error(self, pointer: str, message: str) -> None:
        self.problems.append(Problem(pointer, message))

    def run(self) -> None:
        doc = self.document
        version = doc.get("openapi")
        if not isinstance(version, str) or not version.startswith("3.1."):
            self.error("/openapi", f"must be an OpenAPI 3.1.x version string, found {version!r}")
        info = doc.get("info")
        if not isinstance(info, dict) or not isinstance(info.get("title"), str):
            self.error("/info", "must be an object with a string title")
        self.check_servers(doc.get("servers"))
        components = doc.get("components", {})
        if not isinstance(components, dict):
            self.error("/components", "must be an object")
            components = {}
        schemas = components.get("schemas", {})
        if not isinstance(schemas, dict):
            self.error("/components/schemas", "must be an object")
        else:
            for name, schema in schemas.items():
                self.check_schema(schema, join_pointer("/components/schemas", name))
            self.check_reference_cycles(schemas)
        self.check_security_schemes(components.get("securitySchemes", {}))
        self.check_extensions_at("", doc)
        self.check_security_requirements(doc.get("security", []), "/security", components.get("securitySchemes", {}))
        for path, method, _, operation in iter_operations(doc):
            if "security" in operation:
                pointer = join_pointer("/paths", path, method, "security")
                self.check_security_requirements(operation["security"], pointer, components.get("securitySchemes", {}))
        self.check_paths(doc.get("paths"))
        self.check_idempotency()
        self.check_tags(doc.get("tags", []))
        self.check_refs(doc, "")

    def check_tags(self, tags: Any) -> None:
        """The root tags list: ``x-name`` on a tag names its group."""
        if not isinstance(tags, list):
            self.error("/tags", "must be a list of tag objects")
            return
        for index, tag in enumerate(tags):
            if isinstance(tag, dict) and "x-name" in tag:
                self.check_method_name(tag["x-name"], join_pointer("/tags", index, "x-name"), MAX_NAME)

    def check_servers(self, servers: Any) -> None:
        self.problems += server_urls(servers)[1]
        if servers is not None and not isinstance(servers, list):
            self.error("/servers", "must be a list of servers")
            return
        for index, server in enumerate(servers or []):
            if not isinstance(server, dict) or not isinstance(server.get("url"), str):
                self.error(join_pointer("/servers", index), "must be an object with a string url")

    def check_refs(self, node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                self.check_ref(ref, join_pointer(pointer, "$ref"))
            elif "$ref" in node:
                self.error(join_pointer(pointer, "$ref"), "must be a string")
            for key, value in node.items():
                if key not in DATA_KEYWORDS:
                    self.check_refs(value, join_pointer(pointer, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                self.check_refs(value, join_pointer(pointer, index))

    def check_ref(self, ref: str, pointer: str) -> None:
        if not ref.startswith("#/"):
            self.error(pointer, f"only local references are supported, found {ref!r}")
            return
        try:
            resolve_pointer(self.document, ref)
        except KeyError:
            self.error(pointer, f"reference target {ref!r} does not exist")

    def check_schema(self, schema: Any, pointer: str) -> None:
        if isinstance(schema, bool):
            return
        if not isinstance(schema, dict):
            self.error(pointer, "a schema must be an object or a boolean")
            return
        declared = schema.get("type")
        types = declared if isinstance(declared, list) else [declared] if declared is not None else []
        for kind in types:
            if kind not in JSON_TYPES:
                self.error(join_pointer(pointer, "type"), f"unknown type {kind!r}")
        if declared is not None and not types:
            self.error(join_pointer(pointer, "type"), "must not be an empty list")
        fmt = schema.get("format")
        if fmt is not None and fmt not in SUPPORTED_FORMATS:
            self.problems.append(
                Problem(
                    join_pointer(pointer, "format"), f"format {fmt!r} is not checked by the client", Severity.WARNING
                )
            )
        pattern = schema.get("pattern")
        if pattern is not None:
            try:
                re.compile(pattern)
            except (re.error, TypeError) as exc:
                self.error(join_pointer(pointer, "pattern"), f"invalid regular expression: {exc}")
        required = schema.get("required", [])
        if not isinstance(required, list) or not all(isinstance(item, str) for item in required):
            self.error(join_pointer(pointer, "required"), "must be a list of property names")
        enum = schema.get("enum")
        if enum is not None and (not isinstance(enum, list) or not enum):
            self.error(join_pointer(pointer, "enum"), "must be a non-empty list")
        for keyword in ("maxLength", "minLength", "maxItems", "minItems"):
            value = schema.get(keyword)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                self.error(join_pointer(pointer, keyword), "must be a non-negative integer")
        for keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            value = schema.get(keyword)
            if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)):
                self.error(join_pointer(pointer, keyword), "must be a number")
        for child, child_pointer in _subschemas(schema, pointer):
            self.check_schema(child, child_pointer)

    def check_reference_cycles(self, schemas: dict[str, Any]) -> None:
        """A component that is itself through references alone (A -> B -> A) describes no value."""
        edges = {
            name: {target for ref in _direct_refs(schema) if (target := component_name(ref)) is not None}
            for name, schema in schemas.items()
        }
        state: dict[str, int] = {}  # 1: on the current path, 2: done
        stack: list[str] = []

        def visit(name: str) -> None:
            state[name] = 1
            stack.append(name)
            for target in sorted(edges[name] & edges.keys()):
                if state.get(target) == 1:
                    cycle = " -> ".join([*stack[stack.index(target) :], target])
                    self.error(
                        join_pointer("/components/schemas", target), f"reference cycle with no object in it: {cycle}"
                    )
                elif target not in state:
                    visit(target)
            stack.pop()
            state[name] = 2

        for name in edges:
            if name not in state:
                visit(name)

    def check_security_schemes(self, schemes: Any) -> None:
        base = "/components/securitySchemes"
        if not isinstance(schemes, dict):
            self.error(base, "must be an object")
            return
        self.problems += credentials(schemes)[1]
        for name, scheme in schemes.items():
            pointer = join_pointer(base, name)
            if not isinstance(scheme, dict):
                self.error(pointer, "must be an object")
                continue
            kind, http_scheme = scheme.get("type"), str(scheme.get("scheme", "")).lower()
            credential = scheme.get("x-credential")
            cred_pointer = join_pointer(pointer, "x-credential")
            given = "x-credential" in scheme  # absent: codegen derives the name (defaults.credentials)
            if kind == "http" and http_scheme == "basic":
                if given and not (
                    isinstance(credential, dict)
                    and set(credential) == {"username", "password"}
                    and all(_is_argument_name(value) for value in credential.values())
                ):
                    self.error(cred_pointer, "http basic needs {'username': NAME, 'password': NAME} (argument names)")
            elif (kind == "http" and http_scheme == "bearer") or kind == "apiKey":
                if given and not _is_argument_name(credential):
                    self.error(cred_pointer, "must be the name of the Client argument carrying the secret")
                if kind == "apiKey" and (scheme.get("in") != "header" or not isinstance(scheme.get("name"), str)):
                    self.error(pointer, "only apiKey schemes sent in a header (in: header, name: ...) are supported")
                if "x-token-exchange" in scheme:
                    self.check_token_exchange(scheme["x-token-exchange"], join_pointer(pointer, "x-token-exchange"))
            elif kind in TOKEN_SCHEMES:
                if given and not _is_argument_name(credential):
                    self.error(cred_pointer, "must be the name of the Client argument carrying the access token")
            else:
                self.error(
                    join_pointer(pointer, "type"), f"unsupported security scheme {kind!r} {http_scheme!r}".strip()
                )

    def check_security_requirements(self, requirements: Any, pointer: str, schemes: Any) -> None:
        """Every scheme a security requirement names must be declared."""
        if not isinstance(requirements, list):
            self.error(pointer, "must be a list of security requirements")
            return
        declared = schemes if isinstance(schemes, dict) else {}
        for index, requirement in enumerate(requirements):
            if not isinstance(requirement, dict):
                self.error(join_pointer(pointer, index), "must be an object")
                continue
            for name in requirement:
                if name not in declared:
                    self.error(join_pointer(pointer, index, name), f"no security scheme {name!r} is declared")

    def check_token_exchange(self, exchange: Any, pointer: str) -> None:
        if not isinstance(exchange, dict):
            self.error(pointer, "must be an object")
            return
        operation_id = exchange.get("operationId")
        if operation_id not in {entry.operation.get("operationId") for entry in iter_operations(self.document)}:
            self.error(join_pointer(pointer, "operationId"), f"no operation has operationId {operation_id!r}")
        for key in ("token", "expires_in"):
            if key in exchange and not _is_pointer(exchange[key]):
                self.error(join_pointer(pointer, key), "must be a JSON pointer")
        if "token" not in exchange:
            self.error(pointer, "needs 'token', the JSON pointer of the token in the response")
        for key in ("default_lifetime_seconds", "refresh_margin_seconds"):
            value = exchange.get(key, 0)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                self.error(join_pointer(pointer, key), "must be a non-negative number of seconds")

    def check_paths(self, paths: Any) -> None:
        if not isinstance(paths, dict) or not paths:
            self.error("/paths", "must be an object with at least one path")
            return
        self.problems += document_names(self.document, CLIENT_MEMBERS)[2]
        seen: dict[str, str] = {}
        for path, item in paths.items():
            path_pointer = join_pointer("/paths", path)
            if not isinstance(item, dict):
                self.error(path_pointer, "must be an object")
                continue
            if not path.startswith("/"):
                self.error(path_pointer, "a path must start with '/'")
            for method, operation in item.items():
                if method not in HTTP_METHODS:
                    continue
                pointer = join_pointer(path_pointer, method)
                if not isinstance(operation, dict):
                    self.error(pointer, "must be an object")
                    continue
                operation_id = operation.get("operationId")
                if "operationId" in operation and not isinstance(operation_id, str):
                    self.error(join_pointer(pointer, "operationId"), "must be a string")
                elif operation_id is None:
                    pass  # the method is named from its method and path (codegen.method_names)
                elif operation_id in seen:
                    self.error(
                        join_pointer(pointer, "operationId"),
                        f"duplicate operationId {operation_id!r} (also at {seen[operation_id]})",
                    )
                else:
                    seen[operation_id] = pointer
                self.check_operation(path, operation, pointer, item.get("parameters", []))
                self.check_pagination(operation, pointer, item.get("parameters", []))
                if "x-name" in operation:
                    paginated = bool(operation.get("x-pagination"))
                    limit = MAX_NAME - len(ITER_PREFIX) if paginated else MAX_NAME
                    self.check_method_name(operation["x-name"], join_pointer(pointer, "x-name"), limit)

    def check_method_name(self, name: Any, pointer: str, limit: int) -> None:
        """An ``x-name``: a Python name of at most ``limit`` characters, free on the Client, without ``__``."""
        if not is_method_name(name):
            self.error(pointer, "must be a Python identifier without '__', not starting with _")
        elif len(name) > limit:
            self.error(pointer, f"must be at most {limit} characters long")
        elif name in CLIENT_MEMBERS:
            self.error(pointer, f"{name!r} is a name the Client already uses")

    def check_pagination(self, operation: dict[str, Any], pointer: str, shared: Any) -> None:
        """``x-pagination``: which query parameters and which parts of the response make the pages."""
        pagination = operation.get("x-pagination")
        if pagination is None or pagination is False:  # false: not paginated (import detects nothing)
            return
        where = join_pointer(pointer, "x-pagination")
        if not isinstance(pagination, dict):
            self.error(where, "must be an object")
            return
        for key in sorted(set(pagination) - PAGINATION_KEYS):
            self.error(join_pointer(where, key), f"unknown key (known: {', '.join(sorted(PAGINATION_KEYS))})")
        if not _is_pointer(pagination.get("items")) or pagination.get("items") == "":
            self.error(join_pointer(where, "items"), "needs 'items', the JSON pointer of the page's items")
        if ("page" in pagination) == ("next" in pagination):
            self.error(where, "needs either 'page' (page numbers) or 'next' (a cursor or link), not both")
        query = {
            parameter.get("name")
            for parameter in map(self.deref, [*_as_list(shared), *_as_list(operation.get("parameters"))])
            if isinstance(parameter, dict) and parameter.get("in") == "query"
        }
        for key in ("page", "size", "cursor"):
            if key in pagination and pagination[key] not in query:
                self.error(
                    join_pointer(where, key), f"must name a query parameter of the operation, not {pagination[key]!r}"
                )
        for key in ("total", "total_pages", "next"):
            if key in pagination and not _is_pointer(pagination[key]):
                self.error(join_pointer(where, key), "must be a JSON pointer")
        first = pagination.get("first_page", 1)
        if not isinstance(first, int) or isinstance(first, bool) or first < 0:
            self.error(join_pointer(where, "first_page"), "must be a non-negative integer")
        for key in ("total", "total_pages", "first_page", "size"):
            if key in pagination and "next" in pagination:
                self.error(join_pointer(where, key), "belongs to page numbers ('page'), not to 'next'")
        if "cursor" in pagination and "page" in pagination:
            self.error(join_pointer(where, "cursor"), "belongs to 'next', not to page numbers ('page')")

    def check_operation(self, path: str, operation: dict[str, Any], pointer: str, shared: Any) -> None:
        declared_path_params: set[str] = set()
        path_item_pointer = pointer.rsplit("/", 1)[0]
        located = [(join_pointer(path_item_pointer, "parameters", i), p) for i, p in enumerate(_as_list(shared))]
        located += [
            (join_pointer(pointer, "parameters", i), p) for i, p in enumerate(_as_list(operation.get("parameters")))
        ]
        for param_pointer, parameter in located:
            parameter = self.deref(parameter)
            if not isinstance(parameter, dict):
                self.error(param_pointer, "must be an object")
                continue
            location, name = parameter.get("in"), parameter.get("name")
            if location not in ("path", "query", "header"):
                self.error(join_pointer(param_pointer, "in"), f"unsupported parameter location {location!r}")
            if not isinstance(name, str) or not name:
                self.error(join_pointer(param_pointer, "name"), "must be a non-empty string")
            elif location == "header" and not HEADER_NAME.match(name):
                self.error(
                    join_pointer(param_pointer, "name"), "a header name must be an HTTP token (no spaces, CR, LF)"
                )
            if location == "path" and isinstance(name, str):
                declared_path_params.add(name)
                if parameter.get("required") is not True:
                    self.error(join_pointer(param_pointer, "required"), "a path parameter must be required")
            if "schema" not in parameter:
                self.error(param_pointer, "needs a schema")
            else:
                self.check_schema(parameter["schema"], join_pointer(param_pointer, "schema"))
        template_params = set(re.findall(r"\{([^}]+)\}", path))
        for missing in sorted(template_params - declared_path_params):
            self.error(pointer, f"path parameter {{{missing}}} is not declared in parameters")
        for extra in sorted(declared_path_params - template_params):
            self.error(pointer, f"path parameter {extra!r} does not appear in the path")
        body = operation.get("requestBody")
        if body is not None:
            self.check_request_body(self.deref(body), join_pointer(pointer, "requestBody"))
        responses = operation.get("responses")
        if not isinstance(responses, dict) or not responses:
            self.error(join_pointer(pointer, "responses"), "must be an object with at least one response")
        else:
            success = [code for code in responses if str(code).startswith("2")]
            if not success:
                self.error(join_pointer(pointer, "responses"), "needs a 2XX response")
            for code, response in responses.items():
                response = self.deref(response)
                schema = json_media_schema(response)
                if schema is not None:
                    chosen = chosen_media_type(response.get("content")) or ""
                    self.check_schema(schema, join_pointer(pointer, "responses", code, "content", chosen, "schema"))
        self.check_extensions_at(pointer, operation)

    def check_request_body(self, body: Any, pointer: str) -> None:
        """The media type a client sends (JSON, a form or a file: :func:`chosen_media_type`) and its schema."""
        content = body.get("content") if isinstance(body, dict) else None
        chosen = chosen_media_type(content)
        if chosen is None or not isinstance(content, dict):
            self.error(pointer, "needs a content object with at least one media type")
            return
        media_pointer = join_pointer(pointer, "content", chosen)
        media_object = content[chosen]
        if not isinstance(media_object, dict):
            self.error(media_pointer, "must be an object")
            return
        kind = body_kind(chosen)
        schema = media_object.get("schema")
        if schema is None:
            if kind != "file":
                self.error(media_pointer, f"needs a schema (a {kind} body is validated before sending)")
            return
        self.check_schema(schema, join_pointer(media_pointer, "schema"))
        if kind != "form":
            return
        target = self.deref(schema)
        if not isinstance(target, dict) or not (target.get("type") == "object" or "properties" in target):
            self.error(join_pointer(media_pointer, "schema"), "a form body needs an object schema (its fields)")
        encoding = media_object.get("encoding", {})
        if not isinstance(encoding, dict):
            self.error(join_pointer(media_pointer, "encoding"), "must be an object")
            return
        for name, entry in encoding.items():
            content_type = entry.get("contentType") if isinstance(entry, dict) else None
            if not isinstance(entry, dict) or not (content_type is None or isinstance(content_type, str)):
                self.error(join_pointer(media_pointer, "encoding", name), "must be an object; contentType a string")
            elif content_type is not None and any(char in content_type for char in "\r\n"):
                self.error(join_pointer(media_pointer, "encoding", name, "contentType"), "must not contain CR or LF")

    def check_extensions_at(self, pointer: str, node: dict[str, Any]) -> None:
        envelope = node.get("x-envelope")
        if envelope is not None:
            env_pointer = join_pointer(pointer, "x-envelope")
            if not isinstance(envelope, dict) or not _is_pointer(envelope.get("data")):
                self.error(env_pointer, "needs 'data', a JSON pointer to the payload")
            else:
                success = envelope.get("success")
                if success is not None and not (
                    isinstance(success, dict) and _is_pointer(success.get("pointer")) and "equals" in success
                ):
                    self.error(join_pointer(env_pointer, "success"), "must be {'pointer': ..., 'equals': ...}")
                for key in ("message", "code", "detail"):
                    if key in envelope and not _is_pointer(envelope[key]):
                        self.error(join_pointer(env_pointer, key), "must be a JSON pointer")
        batch = node.get("x-batch")
        if batch is not None:
            batch_pointer = join_pointer(pointer, "x-batch")
            if not isinstance(batch, dict) or not all(_is_pointer(batch.get(key)) for key in ("index", "success")):
                self.error(batch_pointer, "needs JSON pointers 'index' and 'success' (and optionally 'id', 'errors')")
            elif not all(_is_pointer(batch[key]) for key in ("id", "errors") if key in batch):
                self.error(batch_pointer, "'id' and 'errors' must be JSON pointers")
        limit = node.get("x-rate-limit")
        if limit is not None and not (
            isinstance(limit, dict)
            and all(
                isinstance(limit.get(key), (int, float)) and not isinstance(limit.get(key), bool) and limit[key] > 0
                for key in ("requests", "per_seconds")
            )
        ):
            self.error(
                join_pointer(pointer, "x-rate-limit"), "must be {'requests': N, 'per_seconds': S}, both positive"
            )

    def parameters_of(self, path: str, operation: dict[str, Any]) -> list[dict[str, Any]]:
        """The operation's parameters, path-level ones included, dereferenced (unusable ones left out)."""
        paths = self.document.get("paths")
        item = paths.get(path, {}) if isinstance(paths, dict) else {}
        shared = item.get("parameters") if isinstance(item, dict) else None
        found = [self.deref(raw) for raw in [*_as_list(shared), *_as_list(operation.get("parameters"))]]
        return [
            parameter for parameter in found if isinstance(parameter, dict) and isinstance(parameter.get("name"), str)
        ]

    def check_idempotency(self) -> None:
        """``x-idempotency`` at root (for every POST and PATCH operation not declaring its own) and per operation."""
        covered: list[list[dict[str, Any]]] = []
        for path, method, _, operation in iter_operations(self.document):
            pointer = join_pointer("/paths", path, method, "x-idempotency")
            declared = operation.get("x-idempotency")
            if declared is None:
                if method in IDEMPOTENCY_METHODS and not operation.get("x-internal"):
                    covered.append(self.parameters_of(path, operation))
            elif declared is False:
                continue
            elif method not in IDEMPOTENCY_METHODS:
                self.error(pointer, f"only POST and PATCH operations take idempotency keys, not {method.upper()}")
            else:
                self.check_idempotency_at(pointer, declared, [self.parameters_of(path, operation)])
        root = self.document.get("x-idempotency")
        if root is not None:
            self.check_idempotency_at("/x-idempotency", root, covered)

    def check_idempotency_at(self, pointer: str, declared: Any, operations: list[list[dict[str, Any]]]) -> None:
        """One ``x-idempotency`` object, for operations with these parameters."""
        if not isinstance(declared, dict):
            self.error(pointer, "must be an object (or false on an operation, to opt out of the root's)")
            return
        for key in sorted(set(declared) - IDEMPOTENCY_KEYS):
            self.error(
                join_pointer(pointer, key), f"unknown key; expected one of {', '.join(sorted(IDEMPOTENCY_KEYS))}"
            )
        header = declared.get("header")
        if not isinstance(header, str) or not HEADER_NAME.match(header):
            self.error(join_pointer(pointer, "header"), "needs 'header', the name of the key's header (an HTTP token)")
        elif any(
            parameter.get("in") == "header" and parameter["name"].lower() == header.lower()
            for parameters in operations
            for parameter in parameters
        ):
            self.error(join_pointer(pointer, "header"), f"{header!r} is also a header parameter of the operation")
        length = declared.get("max_length")
        if not isinstance(length, int) or isinstance(length, bool) or length < MIN_KEY_LENGTH:
            self.error(
                join_pointer(pointer, "max_length"),
                f"needs 'max_length', an integer of at least {MIN_KEY_LENGTH} (a generated key is a UUID4)",
            )
        for key in ("already_processed", "in_process"):
            if key in declared:
                self.check_response_match(join_pointer(pointer, key), declared[key])
        if "message" in declared and not _is_pointer(declared["message"]):
            self.error(join_pointer(pointer, "message"), "must be a JSON pointer")
        if "lookup" in declared:
            self.check_idempotency_lookup(join_pointer(pointer, "lookup"), declared["lookup"], operations)

    def check_response_match(self, pointer: str, match: Any) -> None:
        status = match.get("status") if isinstance(match, dict) else None
        well_formed = (
            isinstance(match, dict)
            and isinstance(status, int)
            and not isinstance(status, bool)
            and 100 <= status <= 599
            and set(match) <= {"status", "pointer", "equals"}
            and ("pointer" in match) == ("equals" in match)
            and ("pointer" not in match or _is_pointer(match["pointer"]))
        )
        if not well_formed:
            self.error(pointer, "must be {'status': CODE, 'pointer': ..., 'equals': ...} (pointer and equals together)")

    def check_idempotency_lookup(self, pointer: str, lookup: Any, operations: list[list[dict[str, Any]]]) -> None:
        if not isinstance(lookup, dict):
            self.error(pointer, "must be an object")
            return
        for key in sorted(set(lookup) - LOOKUP_KEYS):
            self.error(join_pointer(pointer, key), f"unknown key; expected one of {', '.join(sorted(LOOKUP_KEYS))}")
        operation_id = lookup.get("operationId")
        target = next(
            (
                (path, operation)
                for path, _, _, operation in iter_operations(self.document)
                if operation.get("operationId") == operation_id
            ),
            None,
        )
        if target is None:
            self.error(join_pointer(pointer, "operationId"), f"no operation has operationId {operation_id!r}")
        for key in ("created_entity_id", "status"):
            if (key in lookup or key == "created_entity_id") and not _is_pointer(lookup.get(key)):
                self.error(join_pointer(pointer, key), "must be a JSON pointer into the lookup's response")
        arguments = lookup.get("arguments")
        arguments_pointer = join_pointer(pointer, "arguments")
        if not isinstance(arguments, dict) or not all(isinstance(value, str) for value in arguments.values()):
            self.error(
                arguments_pointer, "must map the lookup's parameters to parameters of the call (or $idempotency_key)"
            )
            return
        if KEY_SOURCE not in arguments.values():
            self.error(arguments_pointer, f"one parameter of the lookup must take {KEY_SOURCE!r}")
        own = {parameter["name"] for parameters in operations for parameter in parameters}
        theirs = {parameter["name"] for parameter in self.parameters_of(*target)} if target else None
        for name, source in arguments.items():
            if theirs is not None and name not in theirs:
                self.error(join_pointer(arguments_pointer, name), f"the lookup operation has no parameter {name!r}")
            if source != KEY_SOURCE and source not in own:
                self.error(join_pointer(arguments_pointer, name), f"the operation has no parameter {source!r}")

    def deref(self, node: Any) -> Any:
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
            seen.add(node["$ref"])
            try:
                node = resolve_pointer(self.document, node["$ref"])
            except KeyError:
                return None
        return node


def _direct_refs(schema: Any) -> Iterator[str]:
    """References a schema is made of directly: not those inside properties or items, which nest."""
    if not isinstance(schema, dict):
        return
    if isinstance(schema.get("$ref"), str):
        yield schema["$ref"]
    for keyword_name in ("allOf", "anyOf", "oneOf"):
        for member in _as_list(schema.get(keyword_name)):
            yield from _direct_refs(member)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _subschemas(schema: dict[str, Any], pointer: str) -> Iterator[tuple[Any, str]]:
    for keyword in SCHEMA_MAP_KEYWORDS:
        children = schema.get(keyword)
        if isinstance(children, dict):
            for name, child in children.items():
                yield child, join_pointer(pointer, keyword, name)
    for keyword in SCHEMA_LIST_KEYWORDS:
        children = schema.get(keyword)
        if isinstance(children, list):
            for index, child in enumerate(children):
                yield child, join_pointer(pointer, keyword, index)
    for keyword in SCHEMA_SINGLE_KEYWORDS:
        if keyword in schema:
            yield schema[keyword], join_pointer(pointer, keyword)


def _is_identifier(value: Any) -> TypeGuard[str]:
    """A Python identifier that is not a keyword."""
    return isinstance(value, str) and bool(IDENTIFIER.match(value)) and not python_keyword.iskeyword(value)


def _is_argument_name(value: Any) -> bool:
    return _is_identifier(value) and value not in CLIENT_MEMBERS and not value.startswith("_")


def _is_pointer(value: Any) -> bool:
    return isinstance(value, str) and (value == "" or value.startswith("/"))

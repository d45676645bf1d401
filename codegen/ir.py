"""The intermediate model: what a generated package needs to know about one schema.

Built from a checked schema by :func:`build_spec`; the renderers read only this. What the
runtime reads as data (envelopes, batches, rate limits) is held in the runtime's own classes
(``templates/runtime/_operation.py``), so ``_spec.py`` renders them field by field.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, cast

from codegen.method_names import document_names
from codegen.names import attribute_name, class_names, snake_case, unique
from codegen.openapi import (
    DATA_KEYWORDS,
    DECIMAL_FORMAT,
    MULTIPART_MEDIA_TYPE,
    SCHEMA_REF_PREFIX,
    body_kind,
    chosen_media_type,
    component_name,
    is_decimal,
    is_json_media_type,
    iter_operations,
    json_media_schema,
    media_essence,
)
from codegen.problems import Problem, join_pointer
from codegen.schema.check import IDEMPOTENCY_METHODS
from codegen.schema.defaults import CLIENT_MEMBERS, TOKEN_SCHEMES, server_urls
from codegen.schema.defaults import credentials as scheme_credentials
from codegen.schema.load import Document, resolve_pointer
from codegen.templates.runtime._operation import (
    KEY_SOURCE,
    Batch,
    Envelope,
    Form,
    FormField,
    Idempotency,
    IdempotencyLookup,
    Pagination,
    RateLimit,
    ResponseMatch,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029]")

ParameterLocation = Literal["path", "query", "header"]
"""Where a parameter travels (cookies are not supported)."""

SchemeKind = Literal["basic", "header", "bearer"]
"""How a credential is sent: HTTP Basic, an API key header, or an ``Authorization: Bearer`` token."""

DEFAULT_TOKEN_LIFETIME = 1800
"""Seconds an exchanged token is taken to live when the answer does not say (``default_lifetime_seconds``)."""

DEFAULT_REFRESH_MARGIN = 60
"""Seconds before expiry that a token is exchanged again (``refresh_margin_seconds``)."""


@dataclass(frozen=True)
class Parameter:
    """One path, query or header parameter of an operation."""

    wire_name: str
    python_name: str
    location: ParameterLocation
    required: bool
    schema: dict[str, Any]
    type_hint: str
    description: str


@dataclass(frozen=True)
class TypeHint:
    """The Python annotation of values of a schema, and the model classes it names."""

    text: str
    models: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Operation:
    """One operation: how to send it, what comes back, and where the client offers it.

    ``operation_id`` is the key of ``_spec.OPERATIONS`` and the name errors give it: its
    flat method name. ``name`` is its method in its ``group`` (``client.<group>.<name>``),
    or on the client when it has no group; ``flat_name`` its method on the client (see
    :mod:`codegen.method_names`).
    """

    operation_id: str
    method: str
    path: str
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    body_schema: dict[str, Any] | None
    body_required: bool
    body_hint: str | None
    success_statuses: tuple[int, ...]
    result_schema: dict[str, Any] | None
    result_hint: str
    error_schemas: dict[str, dict[str, Any]]
    envelope: Envelope | None
    batch: Batch | None
    rate_limit: RateLimit | None
    security: tuple[tuple[str, ...], ...]
    internal: bool
    anonymous: bool
    example_body: Any
    source: str | None
    body_item_hint: str | None
    result_item_hint: str | None
    error_models: dict[str, str]  # status -> annotation of an error body that decodes into models
    body_media_type: str | None = None  # the request body's media type (parameters dropped)
    body_kind: str | None = None  # "json", "form" (multipart or urlencoded) or "file"; None without a body
    form: Form | None = None
    result_media_type: str | None = None
    download: bool = False  # the result is not JSON: a Download
    accept: str = "application/json"
    idempotency: Idempotency | None = None  # x-idempotency (the operation's or the root's)
    exact_numbers: bool = False  # a response holds ``format: decimal`` numbers: parse them as Decimal
    pagination: Pagination | None = None
    page_item_hint: str | None = None  # the annotation of one item of a page, for a paginated operation
    name: str = ""
    flat_name: str = ""
    group: str | None = None


@dataclass(frozen=True)
class Group:
    """The operations whose first tag is ``tag``: ``client.<name>``, an instance of ``class_name``."""

    name: str
    tag: str
    class_name: str
    description: str


class ExchangeArgument(NamedTuple):
    """A Client argument that the token exchange sends in its request body."""

    python_name: str
    wire_name: str
    required: bool


@dataclass(frozen=True)
class TokenExchange:
    """``x-token-exchange``: the (internal) operation that trades credentials for a Bearer token."""

    operation_id: str
    token: str  # JSON pointer of the token in the answer
    expires_in: str | None  # JSON pointer of its lifetime in seconds, when the answer gives one
    default_lifetime: float
    refresh_margin: float
    arguments: tuple[ExchangeArgument, ...]


@dataclass(frozen=True)
class SecurityScheme:
    """One way to authenticate, with the Client arguments that carry its secrets."""

    key: str
    kind: SchemeKind
    header: str
    credentials: dict[str, str]  # role ("token", "key", "username", "password") -> Client argument
    token_exchange: TokenExchange | None


@dataclass(frozen=True)
class Spec:
    """Everything codegen renders for one schema."""

    package: str
    schema_name: str
    sha256: str
    title: str
    description: str
    servers: tuple[str, ...]
    schemes: tuple[SecurityScheme, ...]
    security: tuple[tuple[str, ...], ...]
    operations: tuple[Operation, ...]
    components: dict[str, Any]
    class_names: dict[str, str]
    model_document: dict[str, Any]
    model_aliases: dict[str, str]
    groups: tuple[Group, ...] = ()
    problems: list[Problem] = field(default_factory=list)


def _rewrite_refs(node: Any, mapping: dict[str, str]) -> Any:
    if isinstance(node, dict):
        result = {}
        for key, value in node.items():
            name = component_name(value) if key == "$ref" and isinstance(value, str) else None
            if name is not None:
                result[key] = SCHEMA_REF_PREFIX + mapping.get(name, name)
            elif key in DATA_KEYWORDS:
                result[key] = copy.deepcopy(value)
            else:
                result[key] = _rewrite_refs(value, mapping)
        return result
    if isinstance(node, list):
        return [_rewrite_refs(value, mapping) for value in node]
    return node


class _Builder:
    def __init__(self, document: Document, package: str, schema_name: str) -> None:
        self.source = document
        self.package = package
        self.schema_name = schema_name
        self.problems: list[Problem] = []
        original = document.content.get("components", {}).get("schemas", {})
        self.class_names = class_names(list(original))
        self.doc: dict[str, Any] = _rewrite_refs(document.content, self.class_names)
        components = self.doc.get("components", {}).get("schemas", {})
        self.doc.setdefault("components", {})["schemas"] = {
            self.class_names[name]: schema for name, schema in components.items()
        }
        self.components: dict[str, Any] = self.doc["components"]["schemas"]
        # Naming problems are the checker's to report (codegen.schema.check); here only the names.
        self.names, self.group_names, _ = document_names(self.doc, CLIENT_MEMBERS)
        self.method_names = {key: names.flat_name for key, names in self.names.items()}

    def deref(self, node: Any) -> Any:
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"] not in seen:
            seen.add(node["$ref"])
            node = resolve_pointer(self.doc, node["$ref"])
        return node

    def type_hint(self, schema: Any) -> str:
        """The Python annotation of a value of ``schema`` in a signature."""
        return self.hint(schema).text

    def hint(self, schema: Any) -> TypeHint:
        """The annotation of a value of ``schema``, with the model classes it names."""
        if not isinstance(schema, dict):
            return TypeHint("Any")
        ref = schema.get("$ref")
        name = component_name(ref) if isinstance(ref, str) else None
        if name is not None:
            target = self.components[name]
            return TypeHint("models." + name, frozenset({name})) if _is_model(target) else self.hint(target)
        for keyword in ("anyOf", "oneOf"):
            if isinstance(schema.get(keyword), list):
                return _union([self.hint(member) for member in schema[keyword]])
        declared = schema.get("type")
        kinds = declared if isinstance(declared, list) else [declared]
        hints = [self._scalar_hint(kind, schema) for kind in kinds if kind != "null"]
        if not hints and "null" in kinds:
            return TypeHint("None")
        hint = _union(hints) if hints else TypeHint("Any")
        return TypeHint(f"{hint.text} | None", hint.models) if "null" in kinds else hint

    def _scalar_hint(self, kind: Any, schema: dict[str, Any]) -> TypeHint:
        if kind == "number" and schema.get("format") == DECIMAL_FORMAT:
            return TypeHint("decimal.Decimal")
        if kind == "string":
            formats = {"date": "datetime.date", "date-time": "datetime.datetime"}
            return TypeHint(formats.get(schema.get("format", ""), "str"))
        if kind == "array":
            items = self.hint(schema.get("items", {}))
            return TypeHint(f"list[{items.text}]", items.models)
        simple = {"integer": "int", "number": "float", "boolean": "bool", "object": "dict[str, Any]"}
        return TypeHint(simple.get(kind, "Any"))

    def build(self) -> Spec:
        doc = self.doc
        info = doc.get("info", {})
        schemes = self.build_schemes()
        root_security = doc.get("security", [])
        operations: list[Operation] = []
        declared: dict[str, dict[str, Any]] = {}
        for entry in iter_operations(doc):
            idempotency = self.declared_idempotency(entry.method, entry.operation)
            operation = self.build_operation(
                entry.path, entry.method, entry.item, root_security, idempotency is not None
            )
            operations.append(operation)
            if idempotency is not None:
                declared[operation.operation_id] = idempotency
        by_id = {operation.operation_id: operation for operation in operations}
        operations = [
            dataclasses.replace(op, idempotency=self.idempotency(op, declared[op.operation_id], by_id))
            if op.operation_id in declared
            else op
            for op in operations
        ]
        named, groups = self.name_operations(operations)
        return Spec(
            package=self.package,
            schema_name=self.schema_name,
            sha256=self.source.sha256,
            title=info.get("title", self.package),
            description=info.get("description", ""),
            servers=server_urls(doc.get("servers"))[0],
            schemes=schemes,
            security=tuple(tuple(requirement) for requirement in root_security),
            operations=named,
            components=self.components,
            class_names=self.class_names,
            model_document=model_document(doc),
            model_aliases=model_aliases(self.components),
            groups=groups,
            problems=self.problems,
        )

    def name_operations(self, operations: list[Operation]) -> tuple[tuple[Operation, ...], tuple[Group, ...]]:
        """The operations with their group and method names, and the groups (codegen.method_names)."""
        result = []
        for operation in operations:
            named = self.names[(operation.path, operation.method.lower())]
            result.append(dataclasses.replace(operation, name=named.name, flat_name=named.flat_name, group=named.group))
        descriptions = {
            tag.get("name"): str(tag.get("description", ""))
            for tag in self.doc.get("tags", [])
            if isinstance(tag, dict)
        }
        groups = tuple(
            Group(group.name, group.tag, group.class_name, descriptions.get(group.tag, ""))
            for group in self.group_names
        )
        return tuple(result), groups

    def build_schemes(self) -> tuple[SecurityScheme, ...]:
        schemes = []
        declared = self.doc.get("components", {}).get("securitySchemes", {})
        names = scheme_credentials(declared)[0]
        for key, scheme in declared.items():
            credential: Any = names[key]  # a string, or {"username": ..., "password": ...} for basic
            kind: SchemeKind
            if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "basic":
                kind, header, credentials = "basic", "Authorization", dict(credential)
            elif scheme.get("type") in ("http", *TOKEN_SCHEMES):
                kind, header, credentials = "bearer", "Authorization", {"token": credential}
            else:
                kind, header, credentials = "header", scheme["name"], {"key": credential}
            exchange = scheme.get("x-token-exchange")
            token_exchange = self.token_exchange(exchange) if exchange is not None else None
            schemes.append(SecurityScheme(key, kind, header, credentials, token_exchange))
        return tuple(schemes)

    def token_exchange(self, extension: dict[str, Any]) -> TokenExchange:
        """The token exchange an ``x-token-exchange`` object (checked already) declares."""
        return TokenExchange(
            operation_id=self.method_name_of(extension["operationId"]),
            token=extension["token"],
            expires_in=extension.get("expires_in"),
            default_lifetime=extension.get("default_lifetime_seconds", DEFAULT_TOKEN_LIFETIME),
            refresh_margin=extension.get("refresh_margin_seconds", DEFAULT_REFRESH_MARGIN),
            arguments=self.exchange_arguments(extension["operationId"]),
        )

    def method_name_of(self, operation_id: str) -> str:
        """The Python name of the operation with this operationId."""
        for entry in iter_operations(self.doc):
            if entry.operation.get("operationId") == operation_id:
                return self.method_names[(entry.path, entry.method)]
        return operation_id

    def exchange_arguments(self, operation_id: str) -> tuple[ExchangeArgument, ...]:
        """The request body properties of the exchange operation, as Client arguments."""
        for entry in iter_operations(self.doc):
            if entry.operation.get("operationId") == operation_id:
                body = self.deref(json_media_schema(self.deref(entry.operation.get("requestBody"))))
                required = set(body.get("required", []))
                return tuple(
                    ExchangeArgument(snake_case(name), name, name in required) for name in body.get("properties", {})
                )
        return ()

    def declared_idempotency(self, method: str, operation: dict[str, Any]) -> dict[str, Any] | None:
        """The operation's ``x-idempotency``, else the root's for a POST or PATCH that is not internal."""
        own = operation.get("x-idempotency")
        if own is False:
            return None
        if own is None and (method not in IDEMPOTENCY_METHODS or operation.get("x-internal")):
            return None
        declared = own if own is not None else self.doc.get("x-idempotency")
        return declared if isinstance(declared, dict) else None

    def idempotency(self, operation: Operation, declared: dict[str, Any], by_id: dict[str, Operation]) -> Idempotency:
        lookup = None
        raw = declared.get("lookup")
        name = self.method_name_of(raw["operationId"]) if isinstance(raw, dict) else None
        if isinstance(raw, dict) and name in by_id:
            target = by_id[name]
            own = {parameter.wire_name: parameter.python_name for parameter in operation.parameters}
            theirs = {parameter.wire_name: parameter for parameter in target.parameters}
            arguments = tuple(
                (theirs[name].python_name, KEY_SOURCE if source == KEY_SOURCE else own[source])
                for name, source in raw.get("arguments", {}).items()
                if name in theirs and (source == KEY_SOURCE or source in own)
            )
            supplied = {name for name, _ in arguments}
            missing = tuple(p.python_name for p in target.parameters if p.required and p.python_name not in supplied)
            lookup = IdempotencyLookup(
                operation_id=target.operation_id,
                arguments=arguments,
                created_entity_id=raw["created_entity_id"],
                status=raw.get("status"),
                missing=missing,
            )
        return Idempotency(
            header=declared["header"],
            max_length=declared["max_length"],
            already_processed=_response_match(declared.get("already_processed")),
            in_process=_response_match(declared.get("in_process")),
            message=declared.get("message"),
            lookup=lookup,
        )

    def build_operation(
        self, path: str, method: str, item: dict[str, Any], root_security: Any, keyed: bool = False
    ) -> Operation:
        operation = item[method]
        pointer = join_pointer("/paths", path, method)
        # With idempotency, ``idempotency_key`` is an argument of the method: no parameter may take it.
        taken = {"body", "self", "options", *(("idempotency_key",) if keyed else ())}
        parameters = []
        for raw in [*item.get("parameters", []), *operation.get("parameters", [])]:
            parameter = self.deref(raw)
            schema = parameter.get("schema", {})
            parameters.append(
                Parameter(
                    wire_name=parameter["name"],
                    python_name=unique(snake_case(parameter["name"]), taken),
                    location=cast(ParameterLocation, parameter["in"]),
                    required=bool(parameter.get("required", False)),
                    schema=schema,
                    type_hint=self.type_hint(schema),
                    description=parameter.get("description", ""),
                )
            )
        body = self.deref(operation.get("requestBody"))
        body_content = (body or {}).get("content") or {}
        body_media = chosen_media_type(body_content)
        kind = body_kind(body_media) if body_media is not None else None
        body_media_object = body_content.get(body_media) or {} if body_media is not None else {}
        body_schema: dict[str, Any] | None = body_media_object.get("schema") if kind in ("json", "form") else None
        form = None
        if kind == "form" and body_schema is not None and body_media is not None:
            form = self.form(body_schema, body_media_object.get("encoding") or {}, media_essence(body_media))
        responses = operation.get("responses", {})
        success = sorted(int(code) for code in responses if str(code).isdigit() and str(code).startswith("2"))
        success_response = self.deref(responses.get(str(success[0]), {})) if success else {}
        success_content = success_response.get("content") or {}
        result_media = chosen_media_type(success_content)
        download = result_media is not None and not is_json_media_type(result_media)
        result_schema: dict[str, Any] | None = json_media_schema(success_response)
        envelope = _envelope(operation.get("x-envelope", self.doc.get("x-envelope")))
        payload_schema = result_schema
        if envelope is not None and result_schema is not None:
            payload_schema = self.schema_at(result_schema, envelope.data, join_pointer(pointer, "x-envelope"))
        errors = {
            str(code): schema
            for code, response in responses.items()
            if not str(code).startswith("2") and (schema := json_media_schema(self.deref(response))) is not None
        }
        security = operation.get("security", root_security)
        error_hints = {
            code: self.hint(schema) for code, schema in errors.items() if isinstance(schema.get("$ref"), str)
        }
        error_models = {code: hint.text for code, hint in error_hints.items() if hint.models}
        pagination, page_item_hint = self.pagination(
            operation.get("x-pagination") or None, parameters, result_schema, pointer
        )
        examples = body_media_object.get("examples") or {}
        first_example: Any = next(iter(examples.values()), {}) if isinstance(examples, dict) else {}
        accept = "application/json"
        if download:  # the declared types, and JSON for error bodies
            accept = ", ".join(key for key in success_content if isinstance(key, str))
            accept += ", application/json;q=0.9" if errors else ""
        return Operation(
            operation_id=self.method_names[(path, method)],
            method=method.upper(),
            path=path,
            summary=operation.get("summary", ""),
            description=operation.get("description", ""),
            parameters=tuple(parameters),
            body_schema=body_schema,
            body_required=bool((body or {}).get("required", False)),
            body_hint=self.body_hint(kind, body_schema, body_media),
            success_statuses=tuple(success),
            result_schema=payload_schema,
            result_hint="Download" if download else self.type_hint(payload_schema) if payload_schema else "None",
            error_schemas=errors,
            envelope=envelope,
            batch=_batch(operation.get("x-batch")),
            rate_limit=_rate_limit(operation.get("x-rate-limit", self.doc.get("x-rate-limit"))),
            security=tuple(tuple(requirement) for requirement in security),
            internal=bool(operation.get("x-internal", False)),
            anonymous=security == [] or security == [{}],
            example_body=first_example.get("value") if isinstance(first_example, dict) else None,
            source=operation.get("x-source"),
            body_item_hint=self.item_hint(body_schema) if kind == "json" else None,
            result_item_hint=self.item_hint(payload_schema),
            error_models=error_models,
            body_media_type=media_essence(body_media) if body_media is not None else None,
            body_kind=kind,
            form=form,
            result_media_type=media_essence(result_media) if result_media is not None else None,
            download=download,
            accept=accept,
            exact_numbers=any(
                self.has_decimal(json_media_schema(self.deref(response))) for response in responses.values()
            ),
            pagination=pagination,
            page_item_hint=page_item_hint,
        )

    def body_hint(self, kind: str | None, schema: dict[str, Any] | None, media_type: str | None) -> str | None:
        """The annotation of the ``body`` argument: a model or dict, a mapping of form fields, or a file."""
        if kind == "json":
            return self.type_hint(schema) if schema is not None else "Any"
        if kind == "form":
            return "Mapping[str, Any]"
        if kind == "file":
            return "str | FileInput" if media_essence(media_type or "").startswith("text/") else "FileInput"
        return None

    def form(self, schema: dict[str, Any], encoding: dict[str, Any], media_type: str) -> Form:
        """How each field of a form body is sent, and the schema validating it (a file field accepts any value)."""
        target = self.deref(schema)
        target = target if isinstance(target, dict) else {}
        fields: dict[str, FormField] = {}
        relaxed_properties: dict[str, Any] = {}
        for name, child in (target.get("properties") or {}).items():
            entry = encoding.get(name)
            content_type = entry.get("contentType") if isinstance(entry, dict) else None
            fields[name] = field = self.form_field(child, content_type, media_type)
            relaxed_properties[name] = _file_schema(self.deref(child)) if field.kind == "file" else child
        additional_schema = target.get("additionalProperties", True)
        additional: FormField | None = FormField("any")
        relaxed_additional: Any = additional_schema
        if additional_schema is False:
            additional = None
        elif isinstance(additional_schema, dict) and additional_schema:
            additional = self.form_field(additional_schema, None, media_type)
            if additional.kind == "file":
                relaxed_additional = _file_schema(self.deref(additional_schema))
        relaxed = {key: value for key, value in target.items() if key not in ("properties", "additionalProperties")}
        relaxed["properties"] = relaxed_properties
        relaxed["additionalProperties"] = relaxed_additional
        return Form(fields=fields, schema=relaxed, additional=additional)

    def form_field(self, schema: Any, content_type: str | None, media_type: str) -> FormField:
        """A form field's kind from its schema and encoding, by OpenAPI's defaults (an object is a JSON part)."""
        node = self.deref(schema)
        node = node if isinstance(node, dict) else {}
        json_encoded = content_type is not None and any(is_json_media_type(kind) for kind in content_type.split(","))
        array = "array" in _types(node) or "items" in node
        item = self.deref(node.get("items", {})) if array else node
        if self.is_binary(item):
            return FormField("file", content_type, array)
        first = content_type.split(",")[0].strip() if content_type else None
        if array or not json_encoded:
            objects = "object" in _types(item) or "properties" in item
            kind = "json" if json_encoded or (objects and media_type == MULTIPART_MEDIA_TYPE) else "text"
            return FormField(kind, first, array)
        return FormField("json", first, False, json_text=_types(node) == {"string"})

    def is_binary(self, schema: Any) -> bool:
        """A file: ``format: binary``, a ``contentMediaType`` that is not JSON, or only such alternatives."""
        node = self.deref(schema)
        if not isinstance(node, dict):
            return False
        if node.get("format") == "binary":
            return True
        content_media = node.get("contentMediaType")
        if isinstance(content_media, str) and not is_json_media_type(content_media):
            return True
        members = [*(node.get("oneOf") or []), *(node.get("anyOf") or [])]
        return bool(members) and all(
            self.is_binary(member) or _types(self.deref(member)) == {"null"} for member in members
        )

    def has_decimal(self, schema: Any) -> bool:
        """Whether a ``format: decimal`` number is anywhere in ``schema`` (references followed)."""
        pending, seen = [schema], set()
        while pending:
            node = pending.pop()
            if isinstance(node, list):
                pending.extend(node)
            elif isinstance(node, dict) and id(node) not in seen:
                seen.add(id(node))
                if is_decimal(node):
                    return True
                name = component_name(node["$ref"]) if isinstance(node.get("$ref"), str) else None
                if name is not None:
                    pending.append(self.components.get(name))
                pending.extend(value for key, value in node.items() if key not in DATA_KEYWORDS)
        return False

    def pagination(
        self,
        extension: dict[str, Any] | None,
        parameters: list[Parameter],
        body_schema: dict[str, Any] | None,
        pointer: str,
    ) -> tuple[Pagination | None, str | None]:
        """What an ``x-pagination`` object (checked already) declares, and the annotation of one item."""
        if extension is None:
            return None, None
        where = join_pointer(pointer, "x-pagination")
        if body_schema is None:
            self.problems.append(Problem(where, "a paginated operation needs a JSON success response"))
            return None, None
        for key in ("total", "total_pages", "next"):
            if key in extension:
                self.schema_at(body_schema, extension[key], join_pointer(where, key))
        items = self.deref(self.schema_at(body_schema, extension["items"], join_pointer(where, "items")))
        if items is None:
            return None, None
        if not isinstance(items, dict) or items.get("type") != "array":
            self.problems.append(Problem(join_pointer(where, "items"), "must point to an array in the response"))
            return None, None
        by_wire = {parameter.wire_name: parameter.python_name for parameter in parameters}
        return _pagination(extension, by_wire), self.type_hint(items.get("items", {}))

    def item_hint(self, schema: dict[str, Any] | None) -> str | None:
        """The annotation of an array schema's items (None when not an array)."""
        schema = self.deref(schema)
        if isinstance(schema, dict) and schema.get("type") == "array":
            return self.type_hint(schema.get("items", {}))
        return None

    def schema_at(self, schema: dict[str, Any], pointer: str, where: str) -> dict[str, Any] | None:
        """The schema of the value at ``pointer`` inside a value of ``schema``."""
        node: Any = schema
        for token in pointer.split("/")[1:]:
            node = self.deref(node)
            properties = node.get("properties", {}) if isinstance(node, dict) else {}
            if token not in properties:
                self.problems.append(Problem(where, f"the response schema has no property at {pointer!r}"))
                return None
            node = properties[token]
        return node if isinstance(node, dict) else None


def _response_match(declared: Any) -> ResponseMatch | None:
    if not isinstance(declared, dict):
        return None
    return ResponseMatch(declared["status"], declared.get("pointer"), declared.get("equals"))


def _split_null_enum(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with null taken out of its enum and type (the caller makes the site nullable)."""
    result = {key: value for key, value in schema.items() if key not in ("enum", "type")}
    result["enum"] = [value for value in schema["enum"] if value is not None]
    kinds = schema.get("type")
    if isinstance(kinds, list):
        kinds = [kind for kind in kinds if kind != "null"]
        result["type"] = kinds[0] if len(kinds) == 1 else kinds
    elif kinds is not None:
        result["type"] = kinds
    return result


def _has_null_enum(schema: Any) -> bool:
    return isinstance(schema, dict) and isinstance(schema.get("enum"), list) and None in schema["enum"]


def _nullable_enums(node: Any, nullable_components: frozenset[str]) -> Any:
    """Rewrite enums that list null as a non-null enum plus null, which models can express.

    An enum class cannot have a null member; the field holding it becomes optional instead.
    """
    if isinstance(node, list):
        return [_nullable_enums(item, nullable_components) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if (
        isinstance(ref, str)
        and ref.startswith(SCHEMA_REF_PREFIX)
        and ref[len(SCHEMA_REF_PREFIX) :] in nullable_components
    ):
        return {"anyOf": [{"$ref": ref}, {"type": "null"}]}
    if isinstance(node.get("description"), str) or isinstance(node.get("title"), str):
        node = {
            key: _CONTROL.sub(" ", value) if key in ("description", "title") and isinstance(value, str) else value
            for key, value in node.items()
        }
    if _has_null_enum(node):
        outer = {key: node[key] for key in ("description", "title") if key in node}
        return {**outer, "anyOf": [_split_null_enum(node), {"type": "null"}]}
    return {
        key: value if key in DATA_KEYWORDS else _nullable_enums(value, nullable_components)
        for key, value in node.items()
    }


def model_aliases(components: dict[str, Any]) -> dict[str, str]:
    """``{"Class.wireName": "attribute_name"}`` for every property of every component model.

    datamodel-code-generator takes these scoped aliases, so attribute names are codegen's:
    ASCII snake_case, never reserved, distinct within a class.
    """
    aliases = {}
    for class_name, schema in components.items():
        properties = schema.get("properties") if isinstance(schema, dict) else None
        if isinstance(properties, dict):
            taken: set[str] = set()
            for wire_name in properties:
                aliases[f"{class_name}.{wire_name}"] = attribute_name(wire_name, taken)
    return aliases


def model_document(document: dict[str, Any]) -> dict[str, Any]:
    """The document given to datamodel-code-generator: enums with null made expressible."""
    components = document.get("components", {}).get("schemas", {})
    nullable = frozenset(name for name, schema in components.items() if _has_null_enum(schema))
    result = copy.deepcopy(document)
    result["components"]["schemas"] = {
        name: _nullable_enums(_split_null_enum(schema), nullable)
        if name in nullable
        else _nullable_enums(schema, nullable)
        for name, schema in components.items()
    }
    return result


def _is_model(schema: Any) -> bool:
    return isinstance(schema, dict) and (
        "enum" in schema or "properties" in schema or schema.get("type") == "object" or "allOf" in schema
    )


# The extensions below were checked already (codegen.schema.check); None: not declared.


def _envelope(extension: dict[str, Any] | None) -> Envelope | None:
    """What an ``x-envelope`` object declares."""
    if extension is None:
        return None
    success = extension.get("success") or {}
    return Envelope(
        data=extension["data"],
        success_pointer=success.get("pointer"),
        success_equals=success.get("equals"),
        message=extension.get("message"),
        code=extension.get("code"),
        detail=extension.get("detail"),
    )


def _batch(extension: dict[str, Any] | None) -> Batch | None:
    """What an ``x-batch`` object declares."""
    if extension is None:
        return None
    return Batch(extension["index"], extension["success"], extension.get("id"), extension.get("errors"))


def _pagination(extension: dict[str, Any], python_names: dict[str, str]) -> Pagination:
    """What an ``x-pagination`` object declares, its parameters by their Python names."""
    return Pagination(
        items=extension["items"],
        page=python_names.get(extension.get("page", "")),
        first_page=extension.get("first_page", 1),
        size=python_names.get(extension.get("size", "")),
        total=extension.get("total"),
        total_pages=extension.get("total_pages"),
        next=extension.get("next"),
        cursor=python_names.get(extension.get("cursor", "")),
    )


def _rate_limit(extension: dict[str, Any] | None) -> RateLimit | None:
    """What an ``x-rate-limit`` object declares."""
    return RateLimit(extension["requests"], extension["per_seconds"]) if extension is not None else None


def _types(schema: Any) -> set[str]:
    """The JSON types a schema declares (none when it declares none)."""
    declared = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(declared, str):
        return {declared}
    return {kind for kind in declared if isinstance(kind, str)} if isinstance(declared, list) else set()


def _file_schema(schema: Any) -> dict[str, Any]:
    """A file field's schema for validation: any value (files are checked apart); a list keeps its bounds."""
    if isinstance(schema, dict) and ("array" in _types(schema) or "items" in schema):
        return {"type": "array", **{key: schema[key] for key in ("minItems", "maxItems") if key in schema}}
    return {}


def _union(hints: list[TypeHint]) -> TypeHint:
    """``A | B``, each alternative once, ``None`` last, naming the models of every alternative."""
    return TypeHint(union(hint.text for hint in hints), frozenset().union(*(hint.models for hint in hints)))


def union(hints: Iterable[str]) -> str:
    """``A | B`` of annotations, each member once, ``None`` last (where readers look for it)."""
    members = dict.fromkeys(member for hint in hints for member in _union_members(hint))
    if "None" in members:
        del members["None"]
        members["None"] = None
    return " | ".join(members) or "Any"


def _union_members(hint: str) -> list[str]:
    """The members of a union annotation, not splitting inside brackets (``list[A | B]``)."""
    members, depth, start = [], 0, 0
    for index, char in enumerate(hint):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth == 0 and hint.startswith(" | ", index):
            members.append(hint[start:index])
            start = index + 3
    members.append(hint[start:])
    return members


def build_spec(document: Document, package: str, schema_name: str) -> Spec:
    """Build the intermediate model of a checked schema."""
    return _Builder(document, package, schema_name).build()

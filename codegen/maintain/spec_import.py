"""``import``: chosen operations of a vendor's published spec, into ``schemas/<vendor>/openapi.json``.

The spec is normalised to OpenAPI 3.1 (``convert``), the operations are cut out with every
component their ``$ref`` reach, and the result is brought to the form codegen reads: JSON
media types only, security schemes codegen supports, each with an ``x-credential``.

When the schema exists already the import updates it. The rule: imported operations and
the components they use come from the vendor, except that the existing schema's ``x-``
extensions and ``description`` texts at the same JSON location win, and so do a hand-added
``format: decimal`` on a number (the vendor may say ``double`` or nothing) and an
existing operationId for the same method and path. "The same location" is also the same
place of an operation reached through ``$ref``: a vendor may name a component differently
(``CreateContactRequest`` for a hand-written ``ContactIn``), its fields are still the same.
The existing ``info``, ``servers``, root ``security`` and root extensions are kept (the
spec is added to the root ``x-source`` list), so are operations that were not imported;
components and security schemes nothing refers to any more are dropped (and reported).
"""

from __future__ import annotations

import copy
import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codegen.maintain.convert import Normalised, normalise
from codegen.maintain.documents import load_spec
from codegen.maintain.operations import OperationKey, missing_operations, operations_of
from codegen.maintain.pagination import detect as detect_pagination
from codegen.method_names import document_names
from codegen.openapi import (
    DATA_KEYWORDS,
    DRAFT4_MAP_KEYWORDS,
    JSON_MEDIA_TYPE,
    SCHEMA_LIST_KEYWORDS,
    SCHEMA_MAP_KEYWORDS,
    is_decimal,
    item_operations,
    json_media_schema,
)
from codegen.pipeline import SCHEMA_FILE
from codegen.problems import Problem, SchemaError, Severity
from codegen.schema import check_document, follow_refs, load_document, resolve_pointer
from codegen.schema.defaults import CLIENT_MEMBERS, TOKEN_SCHEMES, credentials

COMPONENT_KINDS = (
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
)
# Keys whose value maps names chosen by the author (a property called "description", a
# path, a status code) to objects: a key of such a map is never an annotation.
NAME_MAPS = frozenset(
    {
        *SCHEMA_MAP_KEYWORDS,
        *DRAFT4_MAP_KEYWORDS,
        "paths",
        "responses",
        "content",
        "headers",
        "schemas",
        "parameters",
        "securitySchemes",
        "requestBodies",
        "links",
        "callbacks",
        "encoding",
        "mapping",
        "variables",
        "webhooks",
        "scopes",
    }
)
VENDOR_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass
class ImportResult:
    """What an import produced: the schema, where it goes, and what the maintainer should know."""

    document: dict[str, Any]
    target: Path
    operations: list[tuple[OperationKey, str]]
    """Each imported operation with its flat method name (the key of ``_spec.OPERATIONS``)."""
    notes: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    existing: dict[str, Any] | None = None
    written: bool = False
    methods: dict[OperationKey, str] = field(default_factory=dict)
    """Where the client will offer each imported operation: ``client.<group>.<name>`` or ``client.<name>``."""
    paginated: list[str] = field(default_factory=list)
    """The paginated operations: what import recognised (and declared with x-pagination), or the schema declares."""

    def report(self) -> str:
        """The summary printed by ``python -m codegen import``."""
        if self.written:
            state = "updated" if self.existing is not None else "created"
        else:
            state = "unchanged" if self.existing is not None else "not written"
        lines = [f"{self.target}: {state}, {len(self.operations)} operation(s) imported"]
        for key, flat in self.operations:
            method = self.methods.get(key, f"client.{flat}")
            lines.append(f"  {key} -> {method}" + (f" (flat: client.{flat})" if method != f"client.{flat}" else ""))
        if self.paginated:
            lines.append(f"  paginated: {len(self.paginated)} operation(s)")
            lines += [f"    {line}" for line in self.paginated]
        counts = ", ".join(
            f"{len(items)} {kind}" for kind, items in self.document.get("components", {}).items() if items
        )
        lines.append(f"  components: {counts or 'none'}")
        lines += [f"note: {note}" for note in self.notes]
        lines += [f"{self.target}: {problem}" for problem in self.warnings]
        return "\n".join(lines)


def source_label(spec_path: Path) -> str:
    """How ``x-source`` names a spec: its path under ``shared/`` when it lives there."""
    parts = spec_path.resolve().parts
    if "shared" in parts:
        index = len(parts) - 1 - parts[::-1].index("shared")
        return "/".join(parts[index + 1 :])
    return spec_path.as_posix()


def select_operations(
    document: dict[str, Any], source: str, wanted: list[OperationKey], tags: list[str], everything: bool
) -> list[OperationKey]:
    """The operations to import: every one, or those named plus those carrying one of ``tags``, in document order.

    SchemaError for an operation or a tag the document does not have (with the nearest as a hint).
    """
    present = [(key, operation) for key, _, operation in operations_of(document)]
    problems = missing_operations((key for key, _ in present), wanted, source)
    known_tags = list(
        dict.fromkeys(tag for _, op in present for tag in _as_list(op.get("tags")) if isinstance(tag, str))
    )
    for tag in tags:
        if tag not in known_tags:
            close = difflib.get_close_matches(tag, known_tags, n=3, cutoff=0.6)
            hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
            problems.append(Problem("/paths", f"no operation has the tag {tag!r} in {source}{hint}"))
    if problems:
        raise SchemaError(source, problems)
    if everything:
        return [key for key, _ in present]
    chosen = set(wanted) | {key for key, op in present if set(tags) & set(_as_list(op.get("tags")))}
    ordered = [key for key in wanted if key in chosen]  # the order given first, as before
    return ordered + [key for key, _ in present if key in chosen and key not in ordered]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def import_operations(
    spec_path: Path,
    wanted: list[OperationKey],
    vendor: str,
    schemas_dir: Path,
    *,
    write: bool = True,
    tags: list[str] | None = None,
    everything: bool = False,
) -> ImportResult:
    """Import ``wanted`` (plus the operations tagged with one of ``tags``, or ``everything``) into a schema.

    The schema is ``schemas_dir/vendor/openapi.json``. Raises SchemaError listing every
    problem (unreadable spec, unknown operation or tag, reference that cannot be followed,
    a schema codegen would reject); nothing is written then.
    """
    if not VENDOR_NAME.match(vendor):
        raise SchemaError(vendor, [Problem("", "a vendor name must be lower-case letters, digits and '_'")])
    source = str(spec_path)
    normalised = normalise(load_spec(spec_path), source)
    wanted = select_operations(normalised.document, source, wanted, tags or [], everything)
    if not wanted:
        raise SchemaError(source, [Problem("/paths", "the spec has no operation to import")])
    target = schemas_dir / vendor / SCHEMA_FILE
    notes: list[str] = []
    if not normalised.states_nullability:
        notes.append(
            f"{source} never marks a value nullable, so the imported schema allows null nowhere: a response"
            ' carrying null fails to decode; add "null" to the type of each field the vendor may send as null'
        )
    imported = extract(normalised, wanted, source_label(spec_path), notes)
    existing = load_document(target).content if target.is_file() else None
    document = merge(imported, existing, notes) if existing is not None else imported
    prune(document, notes, existing)
    add_default_credentials(document, notes)
    paginated = declare_pagination(document, wanted)
    problems = check_document(document)
    errors = [problem for problem in problems if problem.severity is Severity.ERROR]
    if errors:
        raise SchemaError(f"{target} (imported from {source}, not written)", errors)
    names = document_names(document, CLIENT_MEMBERS)[0]
    keys = [(key, names[(key.path, key.method)].flat_name) for key in wanted]
    result = ImportResult(document, target, keys, notes, [p for p in problems if p not in errors], existing)
    result.paginated = paginated
    for key in wanted:
        named = names.get((key.path, key.method))
        if named is not None:
            result.methods[key] = f"client.{named.group}.{named.name}" if named.group else f"client.{named.name}"
    text = dump(document)
    if write and (not target.is_file() or target.read_text(encoding="utf-8") != text):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        result.written = True
    return result


def declare_pagination(document: dict[str, Any], wanted: list[OperationKey]) -> list[str]:
    """Declare ``x-pagination`` on imported operations of a recognised paginated shape; what was found, one line each.

    An ``x-pagination`` the schema has already (kept from an existing schema, or ``false``
    to say that an operation is not paginated) is left as it is.
    """
    found = []
    for key in wanted:
        item = document["paths"][key.path]
        operation = item[key.method]
        declared = operation.get("x-pagination")
        if declared is not None:
            if declared is not False:
                found.append(f"{key}: declared in the schema, kept: {json.dumps(declared)}")
            continue
        detected = detect_pagination(document, item, operation)
        if detected is not None:
            operation["x-pagination"], shape = detected
            found.append(f"{key}: {shape}: x-pagination {json.dumps(operation['x-pagination'])}")
    return found


def dump(document: dict[str, Any]) -> str:
    """The file text of a schema, in the layout of every schema in schemas/."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _operation(document: dict[str, Any], key: OperationKey) -> dict[str, Any]:
    operation: dict[str, Any] = document["paths"][key.path][key.method]
    return operation


# --- cutting operations out of a spec ---------------------------------------------------


def extract(spec: Normalised, wanted: list[OperationKey], label: str, notes: list[str]) -> dict[str, Any]:
    """A new document holding ``wanted`` and the transitive closure of their references."""
    source = spec.document
    result: dict[str, Any] = {"openapi": "3.1.0", "info": copy.deepcopy(source.get("info", {"title": label}))}
    result["x-source"] = [label]
    result["servers"] = copy.deepcopy(source.get("servers") or [{"url": "/"}])
    defined = _security_schemes(source)
    if "security" in source:
        result["security"] = _supported_security(source["security"], defined, "the root", notes)
    paths: dict[str, Any] = {}
    for key in wanted:
        item = source["paths"][key.path]
        target = paths.setdefault(key.path, {})
        for shared in ("summary", "description", "parameters"):
            if shared in item and shared not in target:
                target[shared] = copy.deepcopy(item[shared])
        target[key.method] = _project_operation(item[key.method], key, label, defined, notes)
    result["paths"] = paths
    components = _closure(source, [paths])
    used = _used_schemes(result)
    components.update(("securitySchemes", name) for name in used if name in defined)
    result["components"] = _copy_components(source, components)
    return result


def _security_schemes(document: dict[str, Any]) -> dict[str, Any]:
    schemes = document.get("components", {}).get("securitySchemes", {})
    return schemes if isinstance(schemes, dict) else {}


def _scheme_support(scheme: Any) -> str | None:
    """Why codegen cannot use a security scheme, or None when it can."""
    if not isinstance(scheme, dict):
        return "not an object"
    kind, http = scheme.get("type"), str(scheme.get("scheme", "")).lower()
    if (kind == "http" and http in ("basic", "bearer")) or kind in TOKEN_SCHEMES:
        return None
    if kind == "apiKey":
        return None if scheme.get("in") == "header" else f"an API key sent in {scheme.get('in')!r}, not in a header"
    return f"type {kind!r}" + (f" scheme {http!r}" if http else "")


def _supported_security(requirements: Any, defined: dict[str, Any], where: str, notes: list[str]) -> list[Any]:
    """Security requirements without the schemes codegen cannot use (each drop is noted)."""
    kept = []
    for requirement in requirements if isinstance(requirements, list) else []:
        if not isinstance(requirement, dict):
            continue
        usable = {}
        for name, scopes in requirement.items():
            if name not in defined:
                notes.append(f"{where}: security scheme {name!r} is not defined in the spec; dropped")
            elif (reason := _scheme_support(defined[name])) is not None:
                notes.append(f"{where}: security scheme {name!r} ({reason}) is not supported by codegen; dropped")
            else:
                usable[name] = scopes
        if usable or not requirement:
            kept.append(usable)
    return kept


def _project_operation(
    operation: dict[str, Any], key: OperationKey, label: str, defined: dict[str, Any], notes: list[str]
) -> dict[str, Any]:
    result = copy.deepcopy(operation)
    result["x-source"] = label
    if "security" in result:
        security = _supported_security(result["security"], defined, str(key), notes)
        if security or not result["security"]:
            result["security"] = security
        else:
            del result["security"]
            notes.append(f"{key}: no usable security requirement left; the document's root security applies")
    parameters = result.get("parameters")
    if isinstance(parameters, list):
        kept = []
        for parameter in parameters:
            location = parameter.get("in") if isinstance(parameter, dict) else None
            if location == "cookie" and not parameter.get("required"):
                notes.append(f"{key}: optional {location} parameter {parameter.get('name')!r} dropped (not supported)")
                continue
            kept.append(parameter)
        result["parameters"] = kept
    body = result.get("requestBody")
    if isinstance(body, dict) and isinstance(body.get("content"), dict):
        body["content"] = _json_only(body["content"], f"{key}: request body", notes)
    for code, response in (result.get("responses") or {}).items():
        if isinstance(response, dict) and isinstance(response.get("content"), dict):
            response["content"] = _json_only(response["content"], f"{key}: response {code}", notes)
    return result


def _json_only(content: dict[str, Any], where: str, notes: list[str]) -> dict[str, Any]:
    """Only the JSON media type stays (clients speak JSON); ``application/json; charset=…`` counts."""
    json_types = [media for media in content if media.split(";")[0].strip().lower() == JSON_MEDIA_TYPE]
    if not json_types:
        return content
    dropped = [media for media in content if media not in json_types[:1]]
    if dropped:
        notes.append(f"{where}: media types {', '.join(dropped)} dropped (only {JSON_MEDIA_TYPE} is kept)")
    return {JSON_MEDIA_TYPE: content[json_types[0]]}


def _used_schemes(document: dict[str, Any]) -> list[str]:
    names: dict[str, None] = {}
    for requirement in document.get("security") or []:
        names.update(dict.fromkeys(requirement))
    for _, _, operation in operations_of(document):
        for requirement in operation.get("security") or []:
            names.update(dict.fromkeys(requirement))
    return list(names)


def references(node: Any) -> Iterator[str]:
    """Every ``$ref`` (and discriminator mapping target) in ``node``; examples and defaults are data."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for key, value in node.items():
            if key == "mapping" and isinstance(value, dict):
                yield from (target for target in value.values() if isinstance(target, str) and "#" in target)
            elif key == "examples" and isinstance(value, dict):
                # Example Objects may be references; their values are data.
                yield from (ex["$ref"] for ex in value.values() if isinstance(ex, dict) and "$ref" in ex)
            elif key not in DATA_KEYWORDS:
                yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def component_of(ref: str) -> tuple[str, str] | None:
    """``#/components/schemas/A/properties/b`` -> ("schemas", "A"); None for anything else."""
    if not ref.startswith("#/components/"):
        return None
    tokens = ref[len("#/components/") :].split("/")
    if len(tokens) < 2 or tokens[0] not in COMPONENT_KINDS:
        return None
    return tokens[0], tokens[1].replace("~1", "/").replace("~0", "~")


def _closure(document: dict[str, Any], roots: list[Any]) -> set[tuple[str, str]]:
    """The components reachable from ``roots``; SchemaError for refs that cannot be followed."""
    found: set[tuple[str, str]] = set()
    problems: list[Problem] = []
    pending = [ref for root in roots for ref in references(root)]
    while pending:
        ref = pending.pop()
        component = component_of(ref)
        if component is None:
            where = "an external document" if not ref.startswith("#") else "outside #/components/"
            problems.append(Problem(ref, f"the reference points into {where}; bundle the spec first"))
            continue
        try:
            resolve_pointer(document, ref)
        except KeyError:
            problems.append(Problem(ref, "the reference target does not exist"))
            continue
        if component in found:
            continue
        found.add(component)
        target = document["components"][component[0]][component[1]]
        cycle = _alias_cycle(document, ref)
        if cycle:
            problems.append(Problem(ref, f"$ref cycle: {' -> '.join(cycle)}"))
            continue
        pending.extend(references(target))
    if problems:
        raise SchemaError("the imported operations", sorted(set(problems)))
    return found


def _alias_cycle(document: dict[str, Any], ref: str) -> list[str]:
    """The chain of a reference that only ever leads to other references, or [] when it ends."""
    chain = [ref]
    node = resolve_pointer(document, ref)
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        target = node["$ref"]
        if target in chain:
            return [*chain, target]
        chain.append(target)
        try:
            node = resolve_pointer(document, target)
        except KeyError:
            return []
    return []


def _copy_components(document: dict[str, Any], wanted: set[tuple[str, str]]) -> dict[str, Any]:
    """The wanted components, in the spec's own order (deterministic output)."""
    source = document.get("components", {})
    result: dict[str, Any] = {}
    for kind in COMPONENT_KINDS:
        entries = source.get(kind)
        if isinstance(entries, dict):
            chosen = {name: copy.deepcopy(value) for name, value in entries.items() if (kind, name) in wanted}
            if chosen:
                result[kind] = chosen
    return result


# --- merging into an existing schema ------------------------------------------------------


def merge(imported: dict[str, Any], existing: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """The existing schema with the imported operations and components laid in (see module doc)."""
    result = copy.deepcopy(existing)
    result["openapi"] = imported["openapi"]
    for key in ("info", "servers", "security"):
        if key not in result and key in imported:
            result[key] = copy.deepcopy(imported[key])
    sources = result.get("x-source")
    if isinstance(sources, list):
        result["x-source"] = sources + [s for s in imported.get("x-source", []) if s not in sources]
    paths = result.setdefault("paths", {})
    for path, item in imported["paths"].items():
        old_item = paths.get(path, {})
        new_item = copy.deepcopy(item)
        for method, _ in item_operations(new_item):
            if isinstance(old_item.get(method), dict):
                old_id = old_item[method].get("operationId")
                overlay(new_item[method], old_item[method])
                if isinstance(old_id, str) and old_id != new_item[method].get("operationId"):
                    notes.append(
                        f"{OperationKey(method, path)}: keeps the existing operationId {old_id!r}"
                        f" (the spec says {new_item[method].get('operationId')!r})"
                    )
                    new_item[method]["operationId"] = old_id
        if "parameters" in new_item and "parameters" in old_item:
            overlay(new_item, {"parameters": old_item["parameters"]})
        for key, value in old_item.items():
            if key not in new_item:  # other methods and path-level keys the import does not touch
                new_item[key] = value
        paths[path] = new_item
    components = result.setdefault("components", {})
    for kind, entries in imported.get("components", {}).items():
        target = components.setdefault(kind, {})
        for name, value in entries.items():
            new_value = copy.deepcopy(value)
            if name in target:
                overlay(new_value, target[name])
            target[name] = new_value
    # The vendor may name a component differently from the existing schema (CreateContactRequest
    # for ContactIn): the same place in an operation, followed through $ref, is the same location.
    for operation_key, _, _ in operations_of(imported):
        old_item, old_op = _item_and_operation(existing, operation_key)
        new_item, new_op = _item_and_operation(result, operation_key)
        if old_op is not None and new_op is not None:
            for new_schema, old_schema in _schema_pairs(result, new_item, new_op, existing, old_item, old_op):
                _overlay_schema(result, new_schema, existing, old_schema, set())
    return result


def _item_and_operation(document: dict[str, Any], key: OperationKey) -> tuple[dict[str, Any], dict[str, Any] | None]:
    item = document.get("paths", {}).get(key.path)
    if not isinstance(item, dict):
        return {}, None
    operation = item.get(key.method)
    return item, operation if isinstance(operation, dict) else None


def _json_schema(document: dict[str, Any], holder: Any) -> Any:
    return json_media_schema(follow_refs(document, holder))


def _schema_pairs(
    new_doc: dict[str, Any],
    new_item: dict[str, Any],
    new_op: dict[str, Any],
    old_doc: dict[str, Any],
    old_item: dict[str, Any],
    old_op: dict[str, Any],
) -> Iterator[tuple[Any, Any]]:
    """(new, old) schemas at the same place of one operation: parameters, request body, responses."""

    def parameters(document: dict[str, Any], item: dict[str, Any], operation: dict[str, Any]) -> dict[Any, Any]:
        found = {}
        for raw in [*(item.get("parameters") or []), *(operation.get("parameters") or [])]:
            parameter = follow_refs(document, raw)
            if isinstance(parameter, dict) and "schema" in parameter:
                found[(parameter.get("in"), parameter.get("name"))] = parameter["schema"]
        return found

    old_parameters = parameters(old_doc, old_item, old_op)
    for identity, schema in parameters(new_doc, new_item, new_op).items():
        if identity in old_parameters:
            yield schema, old_parameters[identity]
    yield _json_schema(new_doc, new_op.get("requestBody")), _json_schema(old_doc, old_op.get("requestBody"))
    raw_responses = old_op.get("responses")
    old_responses: dict[str, Any] = raw_responses if isinstance(raw_responses, dict) else {}
    for code, response in (new_op.get("responses") or {}).items():
        if code in old_responses:
            yield _json_schema(new_doc, response), _json_schema(old_doc, old_responses[code])


def _copy_annotations(new: dict[str, Any], old: dict[str, Any], skip: set[str]) -> set[str]:
    copied = set()
    for key, value in old.items():
        if (key == "description" or key.startswith("x-") or _kept_format(key, value, new)) and key not in skip:
            new[key] = copy.deepcopy(value)
            copied.add(key)
    return copied


def _kept_format(key: str, value: Any, new: dict[str, Any]) -> bool:
    """Whether ``key: value`` is a ``format: decimal`` the existing schema gives a number that is one in ``new`` too."""
    return key == "format" and is_decimal({"type": new.get("type"), "format": value})


def _unwrap(node: dict[str, Any]) -> Any:
    """The one schema inside ``anyOf``/``oneOf`` [schema, null] or a single ``allOf``; else ``node``."""
    for keyword in ("anyOf", "oneOf"):
        members = node.get(keyword)
        if isinstance(members, list):
            rest = [member for member in members if not (isinstance(member, dict) and member.get("type") == "null")]
            if len(rest) == 1 and len(members) == 2:
                return rest[0]
    members = node.get("allOf")
    if isinstance(members, list) and len(members) == 1 and "properties" not in node:
        return members[0]
    return node


def _overlay_schema(new_doc: dict[str, Any], new: Any, old_doc: dict[str, Any], old: Any, seen: set[Any]) -> None:
    """Existing annotations into the new schema, following $ref, nullable wrappers and fields by name."""
    if not isinstance(new, dict) or not isinstance(old, dict):
        return
    copied = _copy_annotations(new, old, set())
    new_target, old_target = follow_refs(new_doc, new), follow_refs(old_doc, old)
    if not isinstance(new_target, dict) or not isinstance(old_target, dict):
        return
    if (id(new_target), id(old_target)) in seen:  # shared or recursive components: once
        return
    seen.add((id(new_target), id(old_target)))
    if new_target is not new or old_target is not old:
        # A referenced component's own description; an inline schema keeps the one just copied.
        _copy_annotations(new_target, old_target, copied if new_target is new else set())
    new_core, old_core = _unwrap(new_target), _unwrap(old_target)
    if new_core is not new_target or old_core is not old_target:
        _overlay_schema(new_doc, new_core, old_doc, old_core, seen)
        return
    new_props, old_props = new_target.get("properties"), old_target.get("properties")
    if isinstance(new_props, dict) and isinstance(old_props, dict):
        for name in new_props.keys() & old_props.keys():
            _overlay_schema(new_doc, new_props[name], old_doc, old_props[name], seen)
    for keyword in ("items", "additionalProperties"):
        _overlay_schema(new_doc, new_target.get(keyword), old_doc, old_target.get(keyword), seen)
    for keyword in SCHEMA_LIST_KEYWORDS:
        new_list, old_list = new_target.get(keyword), old_target.get(keyword)
        if isinstance(new_list, list) and isinstance(old_list, list) and len(new_list) == len(old_list):
            for new_member, old_member in zip(new_list, old_list, strict=True):
                _overlay_schema(new_doc, new_member, old_doc, old_member, seen)


def overlay(new: Any, old: Any, names: bool = False) -> None:
    """Copy ``old``'s ``x-`` keys and descriptions into ``new`` wherever both have the same location.

    ``names`` is true when the keys of this object are names chosen by the author (under
    ``properties``, ``paths``...): such a key is never an annotation, only a step down.
    """
    if isinstance(new, dict) and isinstance(old, dict):
        for key, old_value in old.items():
            if not names and (key == "description" or key.startswith("x-") or _kept_format(key, old_value, new)):
                new[key] = copy.deepcopy(old_value)
            elif key in new and (names or key not in DATA_KEYWORDS):
                child_names = not names and key in NAME_MAPS and isinstance(new[key], dict)
                both_lists = isinstance(new[key], list) and isinstance(old_value, list)
                if key == "parameters" and both_lists:
                    _overlay_parameters(new[key], old_value)
                elif not names and key in SCHEMA_LIST_KEYWORDS and both_lists:
                    for new_child, old_child in zip(new[key], old_value, strict=False):
                        overlay(new_child, old_child)
                else:
                    overlay(new[key], old_value, child_names)


def _overlay_parameters(new: list[Any], old: list[Any]) -> None:
    def identity(parameter: Any) -> Any:
        if not isinstance(parameter, dict):
            return None
        return parameter.get("$ref") or (parameter.get("in"), parameter.get("name"))

    by_identity = {identity(parameter): parameter for parameter in old}
    for parameter in new:
        match = by_identity.get(identity(parameter))
        if match is not None:
            overlay(parameter, match)


# --- finishing: pruning, credentials ------------------------------------------------------


def prune(document: dict[str, Any], notes: list[str], existing: dict[str, Any] | None) -> None:
    """Drop components and security schemes nothing refers to; note the ones an existing schema had."""
    components = document.get("components", {})
    used_schemes = set(_used_schemes(document))
    roots: list[Any] = [document.get("paths", {})]
    roots += [value for key, value in document.items() if key.startswith("x-")]
    roots += [components.get("securitySchemes", {}).get(name) for name in used_schemes]
    reachable: set[tuple[str, str]] = set()
    pending = [ref for root in roots for ref in references(root)]
    while pending:
        component = component_of(pending.pop())
        if component is None or component in reachable:
            continue
        reachable.add(component)
        pending.extend(references(components.get(component[0], {}).get(component[1])))
    reachable.update(("securitySchemes", name) for name in used_schemes)
    had = existing.get("components", {}) if existing is not None else {}
    for kind in list(components):
        entries = components[kind]
        if not isinstance(entries, dict):
            continue
        dropped = [name for name in entries if (kind, name) not in reachable]
        for name in dropped:
            del entries[name]
        old = [name for name in dropped if name in had.get(kind, {})]
        if old:
            notes.append(f"no longer referenced, dropped from the existing schema: {kind} {', '.join(old)}")
        if not entries:
            del components[kind]


def add_default_credentials(document: dict[str, Any], notes: list[str]) -> None:
    """Write the default ``x-credential`` of every security scheme without one (each noted).

    The rule is ``generate``'s own (:func:`codegen.schema.defaults.credentials`); writing it
    down lets the maintainer see and rename the Client arguments.
    """
    schemes = document.get("components", {}).get("securitySchemes", {})
    derived, problems = credentials(schemes)
    for name, scheme in schemes.items():
        if isinstance(scheme, dict) and "x-credential" not in scheme and name in derived:
            scheme["x-credential"] = derived[name]
    notes += [f"{problem.pointer}: {problem.message}" for problem in problems]

"""``diff``: every change between two versions of a schema, breaking or compatible for a client user.

Both documents are first brought to OpenAPI 3.1 form (``convert``), so ``nullable: true``
and ``["string", "null"]`` are the same thing. Operations are matched by method and path,
parameters by location and name, fields by name; components are followed through
``$ref`` (a renamed component is not a change, only what it says is).

Which side a value is on decides what a change means. A request value is sent by the
user, checked by the client before it leaves: anything the client newly refuses is
breaking (a field removed, a field or parameter that became required, a narrower type,
a tighter constraint, a removed enum value); anything newly accepted is compatible. A
response value is received and read by the user's code: anything the code may now meet
that it could not before is breaking (a field removed or possibly absent, a wider type,
null where there was none, a removed enum value since its member disappears); anything
new is compatible (a field added, an enum value added: enums are open). The client does
not check constraints on responses, so constraint changes there are compatible.
Description changes are always compatible; titles and examples are not compared.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from codegen.maintain.convert import Normalised
from codegen.maintain.operations import OperationKey, operations_of
from codegen.method_names import readable_name
from codegen.problems import join_pointer
from codegen.schema import resolve_pointer
from codegen.templates.runtime._validation import json_type

UPPER_BOUNDS = ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum")
LOWER_BOUNDS = ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum")
# Formats that decide the Python type of a value (datetime.date, datetime.datetime, decimal.Decimal).
TYPED_FORMATS = frozenset({"date", "date-time", "decimal"})
UNION_KEYWORDS = ("anyOf", "oneOf")


class ChangeSeverity(str, enum.Enum):
    """Whether code using the generated client may stop working; values are the report's spelling."""

    BREAKING = "breaking"
    COMPATIBLE = "compatible"


class Side(str, enum.Enum):
    """Which values a change concerns: those the user sends, those it receives, or the operation itself."""

    REQUEST = "request"
    RESPONSE = "response"
    OPERATION = "operation"


@dataclass(frozen=True)
class Change:
    """One change, located by a JSON pointer into the new document (the old one for removals)."""

    severity: ChangeSeverity
    side: Side
    location: str
    message: str
    kind: str
    document: str = "new"
    context: str = ""

    @property
    def breaking(self) -> bool:
        """Whether code using the generated client may stop working."""
        return self.severity is ChangeSeverity.BREAKING

    def as_json(self) -> dict[str, str]:
        """The change as a JSON object."""
        return {
            "severity": self.severity.value,
            "side": self.side.value,
            "context": self.context or self.side.value,
            "kind": self.kind,
            "location": self.location,
            "document": self.document,
            "message": self.message,
        }


@dataclass(frozen=True)
class OperationChanges:
    """The changes of one operation, breaking first."""

    key: OperationKey
    old_id: str | None
    new_id: str | None
    changes: tuple[Change, ...]

    @property
    def title(self) -> str:
        """``POST /path (operationId)``."""
        ids = dict.fromkeys(name for name in (self.old_id, self.new_id) if name)
        return f"{self.key} ({' -> '.join(ids)})" if ids else str(self.key)


@dataclass(frozen=True)
class DiffReport:
    """Every change of the compared operations, and notes on how to read them."""

    old_label: str
    new_label: str
    operations: tuple[OperationChanges, ...]
    notes: tuple[str, ...] = ()

    @property
    def changes(self) -> list[Change]:
        """All changes, operation by operation."""
        return [change for operation in self.operations for change in operation.changes]

    @property
    def breaking(self) -> list[Change]:
        """The breaking changes."""
        return [change for change in self.changes if change.breaking]

    def summary(self) -> str:
        """``N breaking, M compatible``."""
        breaking = len(self.breaking)
        return f"{breaking} breaking, {len(self.changes) - breaking} compatible"

    def text(self) -> str:
        """The readable report: grouped by operation, breaking changes first, each with its location."""
        lines = [f"Schema changes from {self.old_label} to {self.new_label}"]
        lines.append(f"{len(self.operations)} operation(s) compared: {self.summary()}")
        lines += [f"note: {note}" for note in self.notes]
        for operation in self.operations:
            lines.append("")
            if not operation.changes:
                lines.append(f"{operation.title}: no changes")
                continue
            breaking = sum(change.breaking for change in operation.changes)
            compatible = len(operation.changes) - breaking
            lines.append(f"{operation.title}: {breaking} breaking, {compatible} compatible")
            for change in operation.changes:
                where = change.location + (" (old)" if change.document == "old" else "")
                context = change.context or change.side.value
                lines.append(f"  {change.severity.value:<10} {context:<13} {where}: {change.message}")
        return "\n".join(lines) + "\n"

    def as_json(self) -> dict[str, Any]:
        """The report as JSON data (``--format json``)."""
        return {
            "old": self.old_label,
            "new": self.new_label,
            "summary": {"breaking": len(self.breaking), "compatible": len(self.changes) - len(self.breaking)},
            "notes": list(self.notes),
            "operations": [
                {
                    "operation": str(operation.key),
                    "operationId": {"old": operation.old_id, "new": operation.new_id},
                    "changes": [change.as_json() for change in operation.changes],
                }
                for operation in self.operations
            ],
        }


def diff_documents(
    old: Normalised,
    new: Normalised,
    operations: list[OperationKey] | None = None,
    *,
    old_label: str = "old",
    new_label: str = "new",
) -> DiffReport:
    """Compare ``operations`` (default: every operation of either document) of two normalised documents."""
    if operations is None:
        seen = dict.fromkeys(key for key, _, _ in operations_of(new.document))
        seen.update(dict.fromkeys(key for key, _, _ in operations_of(old.document)))
        operations = list(seen)
    notes = []
    silent = [
        f"{label} ({'Swagger' if document.source_version.startswith('2') else 'OpenAPI'} {document.source_version})"
        for label, document in ((old_label, old), (new_label, new))
        if not document.states_nullability
    ]
    if silent:
        notes.append(
            f"{' and '.join(silent)} never mark{'s' if len(silent) == 1 else ''} a value nullable, so"
            " whether a value may be null is unknown there: nullability differences are not reported"
        )
    undocumented = 0
    results = []
    for key in operations:
        walker = _Walker(old, new)
        old_id, new_id = walker.operation(key)
        undocumented += walker.undocumented_nulls
        # Breaking first, documentation-only changes last, then by location: stable and readable.
        changes = sorted(
            dict.fromkeys(walker.changes),
            key=lambda c: (
                c.severity is not ChangeSeverity.BREAKING,
                c.kind == "description",
                c.location,
                c.context,
                c.message,
            ),
        )
        results.append(OperationChanges(key, old_id, new_id, tuple(changes)))
    if undocumented:
        notes.append(f"{undocumented} value(s) differ only in being documented as nullable")
    return DiffReport(old_label, new_label, tuple(results), tuple(notes))


def render(report: DiffReport, output_format: str) -> str:
    """The report as ``text`` or ``json``."""
    if output_format == "json":
        return json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n"
    return report.text()


@dataclass
class _Walker:
    """Walks one operation of both documents side by side, collecting changes."""

    old: Normalised
    new: Normalised
    changes: list[Change] = field(default_factory=list)
    visited: set[tuple[str, ...]] = field(default_factory=set)
    context: str = ""
    undocumented_nulls: int = 0

    def add(self, breaking: bool, side: Side, location: str, message: str, kind: str, document: str = "new") -> None:
        severity = ChangeSeverity.BREAKING if breaking else ChangeSeverity.COMPATIBLE
        self.changes.append(Change(severity, side, location, message, kind, document, self.context or side.value))

    # --- operations, parameters, bodies, responses --------------------------------------

    def operation(self, key: OperationKey) -> tuple[str | None, str | None]:
        old_item, old_op = _find(self.old.document, key)
        new_item, new_op = _find(self.new.document, key)
        pointer = join_pointer("/paths", key.path, key.method)
        old_id = old_op.get("operationId") if old_op is not None else None
        new_id = new_op.get("operationId") if new_op is not None else None
        if old_op is None or new_op is None:
            if old_op is not None:
                self.add(True, Side.OPERATION, pointer, "operation removed", "operation-removed", "old")
            elif new_op is not None:
                self.add(False, Side.OPERATION, pointer, "operation added", "operation-added")
            return old_id, new_id
        if old_id != new_id:
            # The method comes from the operationId made readable (codegen.method_names): only a new name breaks.
            old_name, new_name = (
                operation.get("x-name") or readable_name(operation.get("operationId"), key.method, key.path)
                for operation in (old_op, new_op)
            )
            if old_name != new_name:
                message = f"operationId {old_id!r} -> {new_id!r}: the client method is renamed"
            else:
                message = f"operationId {old_id!r} -> {new_id!r}: the client method keeps its name {new_name!r}"
            self.add(
                old_name != new_name, Side.OPERATION, join_pointer(pointer, "operationId"), message, "operation-id"
            )
        self.context = "parameter"
        self.parameters(old_item or {}, old_op, new_item or {}, new_op, key)
        self.context = "request body"
        self.request_body(old_op, new_op, pointer)
        self.responses(old_op, new_op, pointer)
        return old_id, new_id

    def parameters(
        self,
        old_item: dict[str, Any],
        old_op: dict[str, Any],
        new_item: dict[str, Any],
        new_op: dict[str, Any],
        key: OperationKey,
    ) -> None:
        old_params = dict(self._parameters(self.old.document, old_item, old_op, key))
        new_params = dict(self._parameters(self.new.document, new_item, new_op, key))
        for identity, (_, pointer) in old_params.items():
            if identity not in new_params:
                self.add(
                    True,
                    Side.REQUEST,
                    pointer,
                    f"{identity[0]} parameter {identity[1]} removed",
                    "parameter-removed",
                    "old",
                )
        for identity, (parameter, pointer) in new_params.items():
            label = f"{identity[0]} parameter {identity[1]}"
            if identity not in old_params:
                required = parameter.get("required") is True
                state = "required" if required else "optional"
                self.add(required, Side.REQUEST, pointer, f"{state} {label} added", "parameter-added")
                continue
            old_parameter, old_pointer = old_params[identity]
            was, now = old_parameter.get("required") is True, parameter.get("required") is True
            if was != now:
                change = "optional -> required" if now else "required -> optional"
                self.add(now, Side.REQUEST, pointer, f"{label}: {change}", "required")
            self.description(old_parameter, parameter, Side.REQUEST, pointer, label)
            if "schema" in old_parameter and "schema" in parameter:
                self.schema(
                    old_parameter["schema"],
                    join_pointer(old_pointer, "schema"),
                    parameter["schema"],
                    join_pointer(pointer, "schema"),
                    Side.REQUEST,
                )

    def _parameters(
        self, document: dict[str, Any], item: dict[str, Any], operation: dict[str, Any], key: OperationKey
    ) -> Iterator[tuple[tuple[str, str], tuple[dict[str, Any], str]]]:
        base = join_pointer("/paths", key.path)
        found: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        for holder, pointer in ((item, base), (operation, join_pointer(base, key.method))):
            for index, raw in enumerate(holder.get("parameters") or []):
                parameter, _ = _deref(document, raw, join_pointer(pointer, "parameters", index))
                if isinstance(parameter, dict) and isinstance(parameter.get("name"), str):
                    location = str(parameter.get("in"))
                    name = parameter["name"].lower() if location == "header" else parameter["name"]
                    # An operation's parameter replaces the path item's one of the same identity.
                    found[(location, name)] = (parameter, join_pointer(pointer, "parameters", index))
        yield from found.items()

    def request_body(self, old_op: dict[str, Any], new_op: dict[str, Any], pointer: str) -> None:
        old_body, _ = _deref(self.old.document, old_op.get("requestBody"), "")
        new_body, _ = _deref(self.new.document, new_op.get("requestBody"), "")
        where = join_pointer(pointer, "requestBody")
        if not isinstance(old_body, dict) or not isinstance(new_body, dict):
            if isinstance(old_body, dict):
                self.add(True, Side.REQUEST, where, "request body removed", "body-removed", "old")
            elif isinstance(new_body, dict):
                required = new_body.get("required") is True
                message = f"{'required' if required else 'optional'} request body added"
                self.add(required, Side.REQUEST, where, message, "body-added")
            return
        was, now = old_body.get("required") is True, new_body.get("required") is True
        if was != now:
            self.add(
                now,
                Side.REQUEST,
                where,
                f"request body: {'optional -> required' if now else 'required -> optional'}",
                "required",
            )
        self.media(old_body, new_body, where, Side.REQUEST)

    def responses(self, old_op: dict[str, Any], new_op: dict[str, Any], pointer: str) -> None:
        old_responses = _mapping(old_op.get("responses"))
        new_responses = _mapping(new_op.get("responses"))
        for code in old_responses:
            self.context = f"response {code}"
            if code not in new_responses:
                success = str(code).startswith("2")
                message = f"response {code} removed" + (
                    ": the client no longer expects this success" if success else ""
                )
                self.add(
                    success, Side.RESPONSE, join_pointer(pointer, "responses", code), message, "response-removed", "old"
                )
        for code, raw in new_responses.items():
            self.context = f"response {code}"
            where = join_pointer(pointer, "responses", code)
            if code not in old_responses:
                self.add(False, Side.RESPONSE, where, f"response {code} added", "response-added")
                continue
            old_response, _ = _deref(self.old.document, old_responses[code], "")
            new_response, _ = _deref(self.new.document, raw, "")
            if isinstance(old_response, dict) and isinstance(new_response, dict):
                self.media(old_response, new_response, where, Side.RESPONSE)

    def media(self, old_holder: dict[str, Any], new_holder: dict[str, Any], where: str, side: Side) -> None:
        old_media, new_media = _json_media(old_holder), _json_media(new_holder)
        if old_media is None or new_media is None:
            if old_media is not None:
                self.add(True, side, where, f"JSON {side.value} body removed", "body-removed", "old")
            elif new_media is not None:
                self.add(side == Side.REQUEST, side, where, f"JSON {side.value} body added", "body-added")
            return
        old_schema, new_schema = old_media[1].get("schema"), new_media[1].get("schema")
        if old_schema is not None and new_schema is not None:
            old_where = join_pointer(where, "content", old_media[0], "schema")
            new_where = join_pointer(where, "content", new_media[0], "schema")
            self.schema(old_schema, old_where, new_schema, new_where, side)

    # --- schemas ------------------------------------------------------------------------

    def description(self, old: Any, new: Any, side: Side, location: str, label: str = "") -> None:
        old_text = _description(self.old.document, old)
        new_text = _description(self.new.document, new)
        if old_text != new_text:
            what = "added" if old_text is None else "removed" if new_text is None else "changed"
            self.add(False, side, location, f"{label + ': ' if label else ''}description {what}", "description")

    def schema(self, old: Any, old_ptr: str, new: Any, new_ptr: str, side: Side) -> None:
        """Compare two schemas found at the same place of both documents."""
        self.description(old, new, side, new_ptr)
        old_null, old_core, old_core_ptr = _split_null(self.old.document, old, old_ptr)
        new_null, new_core, new_core_ptr = _split_null(self.new.document, new, new_ptr)
        if (old_core is None) != (new_core is None):  # one side is ``type: null`` and nothing else
            self.types(_null_types(old_core, old_null), _null_types(new_core, new_null), side, new_ptr)
            return
        if old_null != new_null:
            self.nullability(new_null, side, new_ptr)
        # Types are part of the key: the members of ``type: [string, integer]`` share one pointer.
        key = (old_core_ptr, new_core_ptr, side, _type_text(_core_types(old_core)), _type_text(_core_types(new_core)))
        if key in self.visited:  # a shared or recursive component is compared once per side
            return
        self.visited.add(key)
        self.core(old_core, old_core_ptr, new_core, new_core_ptr, side)

    def nullability(self, now_nullable: bool, side: Side, location: str) -> None:
        if not self.old.states_nullability or not self.new.states_nullability:
            # One side never says whether nulls occur: the other spelling them out is no change.
            self.undocumented_nulls += 1
        elif now_nullable:
            self.add(side == Side.RESPONSE, side, location, "may now be null", "nullable")
        else:
            self.add(side == Side.REQUEST, side, location, "may no longer be null", "nullable")

    def core(self, old: Any, old_ptr: str, new: Any, new_ptr: str, side: Side) -> None:
        if not isinstance(old, dict) or not isinstance(new, dict):
            if old != new:
                message = f"type {_describe(self.old.document, old)} -> {_describe(self.new.document, new)}"
                self.add(True, side, new_ptr, message, "type")
            return
        old_alternatives = _alternatives(self.old.document, old, old_ptr)
        new_alternatives = _alternatives(self.new.document, new, new_ptr)
        if len(old_alternatives) > 1 or len(new_alternatives) > 1:
            self.union(old_alternatives, new_alternatives, side, new_ptr)
            return
        if self.types(_types(old), _types(new), side, new_ptr) == "changed":
            return
        self.format(old, new, side, new_ptr)
        self.enum(old, new, side, new_ptr)
        self.constraints(old, new, side, new_ptr)
        self.object(old, old_ptr, new, new_ptr, side)
        old_items, new_items = old.get("items"), new.get("items")
        if isinstance(old_items, dict) and isinstance(new_items, dict):
            self.schema(old_items, join_pointer(old_ptr, "items"), new_items, join_pointer(new_ptr, "items"), side)

    def types(self, old: frozenset[str], new: frozenset[str], side: Side, location: str) -> str:
        """Report a change of JSON types; returns how they relate ("same", "widened", "narrowed", "changed")."""
        if old == new:
            return "same"
        relation = _relation(old, new)
        breaking = relation == "changed" or (side == Side.REQUEST) == (relation == "narrowed")
        self.add(breaking, side, location, f"type {_type_text(old)} -> {_type_text(new)} ({relation})", "type")
        return relation

    def union(self, old: list[tuple[Any, str]], new: list[tuple[Any, str]], side: Side, location: str) -> None:
        """anyOf/oneOf alternatives: matched by what they are (reference or types), then in order."""
        old_left = list(old)
        pairs = []
        unmatched_new = []
        for member, pointer in new:
            signature = _signature(self.new.document, member)
            match = next((entry for entry in old_left if _signature(self.old.document, entry[0]) == signature), None)
            if match is not None:
                old_left.remove(match)
                pairs.append((match, (member, pointer)))
            else:
                unmatched_new.append((member, pointer))
        while old_left and unmatched_new:
            pairs.append((old_left.pop(0), unmatched_new.pop(0)))
        for (old_member, old_pointer), (new_member, new_pointer) in pairs:
            self.schema(old_member, old_pointer, new_member, new_pointer, side)
        for member, _ in old_left:
            text = _describe(self.old.document, member)
            self.add(side == Side.REQUEST, side, location, f"alternative {text} removed (narrowed)", "type")
        for member, _ in unmatched_new:
            text = _describe(self.new.document, member)
            self.add(side == Side.RESPONSE, side, location, f"alternative {text} added (widened)", "type")

    def format(self, old: dict[str, Any], new: dict[str, Any], side: Side, location: str) -> None:
        before, after = old.get("format"), new.get("format")
        if before == after:
            return
        message = f"format {before or 'none'} -> {after or 'none'}"
        if before in TYPED_FORMATS or after in TYPED_FORMATS:
            self.add(True, side, location, message + ": the Python type changes", "format")
        else:
            self.add(side == Side.REQUEST and after is not None, side, location, message, "format")

    def enum(self, old: dict[str, Any], new: dict[str, Any], side: Side, location: str) -> None:
        before, after = old.get("enum"), new.get("enum")
        if isinstance(before, list) and isinstance(after, list):
            removed = [value for value in before if value not in after]
            added = [value for value in after if value not in before]
            if removed:
                self.add(True, side, location, f"enum value(s) removed: {_values(removed)}", "enum-removed")
            if added:
                self.add(False, side, location, f"enum value(s) added: {_values(added)}", "enum-added")
        elif isinstance(after, list):
            message = f"now restricted to the enum {_values(after)} (tightened)"
            self.add(side == Side.REQUEST, side, location, message, "constraint")
        elif isinstance(before, list):
            self.add(
                False, side, location, f"no longer restricted to the enum {_values(before)} (relaxed)", "constraint"
            )
        if ("const" in old or "const" in new) and old.get("const") != new.get("const"):
            message = f"const {json.dumps(old.get('const'))} -> {json.dumps(new.get('const'))}"
            self.add(True, side, location, message, "type")

    def constraints(self, old: dict[str, Any], new: dict[str, Any], side: Side, location: str) -> None:
        for keyword in (*UPPER_BOUNDS, *LOWER_BOUNDS, "pattern", "multipleOf", "uniqueItems"):
            before, after = old.get(keyword), new.get(keyword)
            if before == after:
                continue
            if keyword in UPPER_BOUNDS or keyword in LOWER_BOUNDS:
                lower = keyword in LOWER_BOUNDS
                try:
                    tighter = after is not None and (before is None or (after > before if lower else after < before))
                except TypeError:
                    tighter = True
                verb = ("raised" if lower else "lowered") if tighter else ("lowered" if lower else "raised")
                if before is None:
                    verb = "added"
                elif after is None:
                    verb = "removed"
            elif keyword == "uniqueItems":
                tighter, verb = after is True, "added" if after is True else "removed"
            else:
                tighter = after is not None
                verb = "added" if before is None else "removed" if after is None else "changed"
            effect = "tightened" if tighter else "relaxed"
            message = f"{keyword} {verb}: {json.dumps(before)} -> {json.dumps(after)} ({effect})"
            self.add(side == Side.REQUEST and tighter, side, location, message, "constraint")

    def object(self, old: dict[str, Any], old_ptr: str, new: dict[str, Any], new_ptr: str, side: Side) -> None:
        old_props, old_required = _properties(self.old.document, old, old_ptr, set())
        new_props, new_required = _properties(self.new.document, new, new_ptr, set())
        for name, (_, pointer) in old_props.items():
            if name not in new_props:
                self.add(True, side, pointer, f"field {name} removed", "field-removed", "old")
        for name, (schema, pointer) in new_props.items():
            if name not in old_props:
                required = name in new_required
                message = f"{'required' if required else 'optional'} field {name} added"
                self.add(side == Side.REQUEST and required, side, pointer, message, "field-added")
                continue
            was, now = name in old_required, name in new_required
            if was != now:
                change = "optional -> required" if now else "required -> optional"
                if side == Side.RESPONSE and not now:
                    change += ": the field may be absent"
                self.add((side == Side.REQUEST) == now, side, pointer, f"field {name}: {change}", "required")
            old_schema, old_pointer = old_props[name]
            self.schema(old_schema, old_pointer, schema, pointer, side)
        before, after = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(before, dict) and isinstance(after, dict):
            self.schema(
                before,
                join_pointer(old_ptr, "additionalProperties"),
                after,
                join_pointer(new_ptr, "additionalProperties"),
                side,
            )
        elif (before is False) != (after is False):
            tighter = after is False
            message = f"additional fields {'no longer' if tighter else 'now'} allowed"
            self.add(side == Side.REQUEST and tighter, side, new_ptr, message, "constraint")


# --- helpers on one document ------------------------------------------------------------


def _find(document: dict[str, Any], key: OperationKey) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    item = (document.get("paths") or {}).get(key.path)
    if not isinstance(item, dict):
        return None, None
    operation = item.get(key.method)
    return item, operation if isinstance(operation, dict) else None


def _deref(document: dict[str, Any], node: Any, pointer: str) -> tuple[Any, str]:
    """Follow ``$ref`` chains; the pointer becomes the target's (a shared component's location)."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in seen or not ref.startswith("#"):
            break
        seen.add(ref)
        try:
            node = resolve_pointer(document, ref)
        except KeyError:
            break
        pointer = ref[1:]
    return node, pointer


def _description(document: dict[str, Any], node: Any) -> str | None:
    """A schema's or parameter's own description, else that of what it refers to."""
    if not isinstance(node, dict):
        return None
    if isinstance(node.get("description"), str):
        return str(node["description"]).strip()
    if "$ref" in node:
        target, _ = _deref(document, node, "")
        if isinstance(target, dict) and isinstance(target.get("description"), str):
            return str(target["description"]).strip()
    return None


def _is_null(document: dict[str, Any], node: Any) -> bool:
    node, _ = _deref(document, node, "")
    return isinstance(node, dict) and (node.get("type") == "null" or node.get("type") == ["null"])


def _split_null(document: dict[str, Any], node: Any, pointer: str) -> tuple[bool, Any, str]:
    """(accepts null, the schema without null, its pointer): every spelling of "or null" is one."""
    node, pointer = _deref(document, node, pointer)
    if not isinstance(node, dict):
        return False, node, pointer
    kind = node.get("type")
    if kind == "null" or kind == ["null"]:
        return True, None, pointer
    if isinstance(kind, list) and "null" in kind:
        rest = [item for item in kind if item != "null"]
        core = {**node, "type": rest[0] if len(rest) == 1 else rest}
        if isinstance(core.get("enum"), list):  # null listed among the values too
            core["enum"] = [value for value in core["enum"] if value is not None]
        return True, core, pointer
    for keyword in UNION_KEYWORDS:
        members = node.get(keyword)
        if isinstance(members, list) and any(_is_null(document, member) for member in members):
            rest = [
                (member, join_pointer(pointer, keyword, index))
                for index, member in enumerate(members)
                if not _is_null(document, member)
            ]
            if len(rest) == 1:
                _, core, core_pointer = _split_null(document, *rest[0])
                return True, core, core_pointer
            return True, {**node, keyword: [member for member, _ in rest]}, pointer
    enum = node.get("enum")
    if isinstance(enum, list) and None in enum:
        return True, {**node, "enum": [value for value in enum if value is not None]}, pointer
    members = node.get("allOf")
    structural = {"type", "properties", "items", "enum", "anyOf", "oneOf", "additionalProperties"}
    if isinstance(members, list) and len(members) == 1 and not structural & set(node):
        # The 3.0 way of putting a description beside a reference.
        return _split_null(document, members[0], join_pointer(pointer, "allOf", 0))
    return False, node, pointer


def _alternatives(document: dict[str, Any], node: dict[str, Any], pointer: str) -> list[tuple[Any, str]]:
    """The alternatives of a union; ``type: [string, integer]`` is one too (the same as anyOf of both)."""
    for keyword in UNION_KEYWORDS:
        members = node.get(keyword)
        if isinstance(members, list):
            return [(member, join_pointer(pointer, keyword, index)) for index, member in enumerate(members)]
    kind = node.get("type")
    if isinstance(kind, list) and len(kind) > 1:
        return [({**node, "type": item}, pointer) for item in kind]
    return [(node, pointer)]


def _signature(document: dict[str, Any], node: Any) -> tuple[str, ...]:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        target, _ = _deref(document, node, "")
        return ("ref", *sorted(_types(target) if isinstance(target, dict) else ()), node["$ref"].rsplit("/", 1)[-1])
    return ("types", *sorted(_types(node) if isinstance(node, dict) else ()))


def _types(schema: dict[str, Any]) -> frozenset[str]:
    """The JSON types a schema allows (empty: any), inferred from its keywords when ``type`` is absent."""
    kind = schema.get("type")
    if isinstance(kind, str):
        return frozenset({kind})
    if isinstance(kind, list):
        return frozenset(str(item) for item in kind)
    if any(key in schema for key in ("properties", "additionalProperties", "required")):
        return frozenset({"object"})
    if "items" in schema:
        return frozenset({"array"})
    enum = schema.get("enum")
    values: list[Any] = enum if isinstance(enum, list) else [schema["const"]] if "const" in schema else []
    return frozenset(json_type(value) for value in values)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _core_types(core: Any) -> frozenset[str]:
    return _types(core) if isinstance(core, dict) else frozenset({"null"})


def _null_types(core: Any, nullable: bool) -> frozenset[str]:
    if core is None:
        return frozenset({"null"})
    types = _types(core) if isinstance(core, dict) else frozenset()
    return types | {"null"} if nullable and types else types


def _covers(wide: frozenset[str], narrow: frozenset[str]) -> bool:
    """Whether every value of types ``narrow`` is also of types ``wide`` (empty: any type)."""
    if not wide:
        return True
    if not narrow:
        return False
    return all(kind in wide or (kind == "integer" and "number" in wide) for kind in narrow)


def _relation(old: frozenset[str], new: frozenset[str]) -> str:
    if _covers(new, old):
        return "widened"
    if _covers(old, new):
        return "narrowed"
    return "changed"


def _type_text(types: frozenset[str]) -> str:
    return " | ".join(sorted(types)) if types else "any"


def _describe(document: dict[str, Any], node: Any) -> str:
    if node is None:
        return "null"
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        return str(node["$ref"]).rsplit("/", 1)[-1]
    if isinstance(node, dict):
        return _type_text(_types(node))
    return json.dumps(node)


def _values(values: list[Any]) -> str:
    return ", ".join(json.dumps(value, ensure_ascii=False) for value in values)


def _properties(
    document: dict[str, Any], schema: dict[str, Any], pointer: str, seen: set[str]
) -> tuple[dict[str, tuple[Any, str]], set[str]]:
    """An object's fields (with allOf members merged in) and the required ones."""
    properties: dict[str, tuple[Any, str]] = {}
    required = {name for name in schema.get("required") or [] if isinstance(name, str)}
    for index, member in enumerate(schema.get("allOf") or []):
        target, target_pointer = _deref(document, member, join_pointer(pointer, "allOf", index))
        if isinstance(target, dict) and target_pointer not in seen:
            inherited, inherited_required = _properties(document, target, target_pointer, seen | {target_pointer})
            properties.update(inherited)
            required |= inherited_required
    own = schema.get("properties")
    if isinstance(own, dict):
        for name, child in own.items():
            properties[name] = (child, join_pointer(pointer, "properties", name))
    return properties, required


def _json_media(holder: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    content = holder.get("content")
    if not isinstance(content, dict):
        return None
    for media, value in content.items():
        essence = media.split(";")[0].strip().lower()
        if (essence == "application/json" or essence.endswith("+json")) and isinstance(value, dict):
            return media, value
    return None

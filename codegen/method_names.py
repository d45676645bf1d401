"""Group and method names of a client's operations: readable, unique and deterministic.

An operation with a tag is reachable as ``client.<group>.<name>`` and flat as
``client.<flat name>``; one without a tag only flat. The rules (the package README and
docs/schema-extensions.md repeat them for users):

- The group is the operation's first tag in snake_case (``Point of Sale`` ->
  ``point_of_sale``), or the ``x-name`` of that tag in the root ``tags`` list; tags with
  the same group name are one group.
- ``x-name`` on the operation is its name, as written, in its group and flat.
- Otherwise the name is the operationId (without one, the HTTP method and the path) in
  snake_case, with the noise of framework-generated ids removed:

  - the suffix FastAPI appends, the path and then the HTTP method
    (``get_releases_local_agents_releases_get`` for ``GET /local-agents/releases`` ->
    ``get_releases``), unless another operation of the same group (or flat: of the
    client) would get that shorter name too;
  - in a group only, the leading segment(s) of the operationId (up to an ``_`` or another
    separator) naming the group: its words (``accounting_get_folders`` ->
    ``get_folders``), in the singular (``Customer_GetAll`` in ``customers`` -> ``get_all``),
    run together (``ecommerce_`` in ``e_commerce``) or as initials (``pos_`` in
    ``point_of_sale``), when something is left; a group named by ``x-name`` is also
    spelled as its tag.

  The flat name keeps the group's segment. A name longer than :data:`MAX_NAME` characters
  (:data:`MAX_NAME` minus ``len("iter_")`` for a paginated operation, so that its
  ``iter_`` sibling fits) loses trailing words.
- Clashes: within a group, and flat among every name and group of the client, the
  operation that comes first in the schema keeps a name; a later one gets ``_2``, ``_3``...
  A clash is reported as a warning naming both operations; ``x-name`` resolves it. Two
  ``x-name`` equal in one group are an error. An operation without an operationId, or
  with one that is not a Python identifier, gets a note saying which name it got.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from codegen.names import is_identifier, pascal_case, snake_case, word_list
from codegen.openapi import iter_operations
from codegen.problems import Problem, Severity, join_pointer

MAX_NAME = 48
"""The longest method name codegen derives (``x-name`` is held to it too)."""

ITER_PREFIX = "iter_"
"""The prefix of a paginated operation's sibling that walks every page."""

GROUP_MEMBERS = ("with_response",)
"""What a group's class defines besides the operations: no method may take these names."""

_SEPARATOR = re.compile(r"[^A-Za-z0-9]+")


@dataclass(frozen=True)
class NamingInput:
    """What naming needs to know of one public operation."""

    pointer: str  # JSON pointer of the operation, for reports
    method: str  # lower case
    path: str
    operation_id: str | None
    tag: str | None  # the first tag
    group_name: str | None  # the x-name of that tag in the root tags list
    x_name: str | None
    paginated: bool


@dataclass(frozen=True)
class OperationNames:
    """Where an operation is: ``client.<group>.<name>`` (group None: flat only) and ``client.<flat_name>``."""

    group: str | None
    name: str
    flat_name: str


@dataclass(frozen=True)
class GroupName:
    """One group of operations: the client attribute, the tag it comes from and its class."""

    name: str
    tag: str
    class_name: str


def is_method_name(name: Any) -> bool:
    """Whether ``name`` can name a method as written: an identifier without ``__``, not starting with ``_``."""
    return is_identifier(name) and "__" not in name and not name.startswith("_")


def _group_of(entry: NamingInput) -> str | None:
    """The name an operation's group asks for: the x-name of its first tag, or the tag in snake_case."""
    if entry.tag is None:
        return None
    return entry.group_name or snake_case(entry.tag)


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 2:
        return word[:-1]
    return word


def _names_group(words: list[str], group: list[str]) -> bool:
    """Whether the words of a leading segment spell the group's words."""
    if words == group or "".join(words) == "".join(group):
        return True
    if len(words) == len(group) and words[:-1] == group[:-1] and _singular(words[-1]) == _singular(group[-1]):
        return True
    return len(words) == 1 and len(group) > 1 and words[0] == "".join(word[0] for word in group)


def _without_fastapi_suffix(operation_id: str, method: str, path: str) -> str:
    """``operation_id`` without the path-and-method suffix FastAPI appends to a route's name."""
    if not operation_id.lower().endswith("_" + method):
        return operation_id
    words = word_list(operation_id)
    suffix = [*word_list(path), method]
    if len(words) > len(suffix) and words[-len(suffix) :] == suffix:
        # Cut the raw text where the suffix starts: its words are the last ones.
        kept, count = [], len(words) - len(suffix)
        for segment in _SEPARATOR.split(operation_id):
            if count <= 0:
                break
            segment_words = word_list(segment)
            if len(segment_words) > count:
                return operation_id  # the suffix starts inside a segment: not FastAPI's
            kept.append(segment)
            count -= len(segment_words)
        return "_".join(kept)
    return operation_id


def _without_group(text: str, groups: Sequence[str]) -> str:
    """``text`` without leading segments that name the group (any of ``groups``), when something is left."""
    segments = [segment for segment in _SEPARATOR.split(text) if segment]
    for count in range(1, len(segments)):
        words = word_list("_".join(segments[:count]))
        if any(_names_group(words, word_list(group)) for group in groups):
            rest = "_".join(segments[count:])
            name = snake_case(rest)
            return rest if not name.startswith("n_") and word_list(rest) else text
    return text


def _shorten(name: str, limit: int) -> str:
    """``name`` without trailing words until it fits in ``limit`` characters."""
    if len(name) <= limit:
        return name
    words = name.split("_")
    while len("_".join(words)) > limit and len(words) > 1:
        words.pop()
    return "_".join(words)[:limit].rstrip("_")


def _text(operation_id: str | None, method: str, path: str) -> str:
    """What a derived name is made from: the operationId, or without one the method and the path."""
    if operation_id and operation_id.strip():
        return operation_id
    return f"{method} {re.sub(r'[{}]', ' ', path)}"


def name_candidates(operation_id: str | None, method: str, path: str, groups: Sequence[str] = ()) -> tuple[str, str]:
    """``(full, short)``: the derived name with FastAPI's suffix kept, and without it (see the module doc)."""
    text = _text(operation_id, method, path)
    short = _without_fastapi_suffix(text, method, path)
    if groups:
        text, short = _without_group(text, groups), _without_group(short, groups)
    return snake_case(text), snake_case(short)


def readable_name(
    operation_id: str | None, method: str, path: str, groups: Sequence[str] = (), limit: int = MAX_NAME
) -> str:
    """The derived name of an operation on its own (``groups``: its group's names); see the module doc."""
    return _shorten(name_candidates(operation_id, method, path, groups)[1], limit)


def _prefer_short(candidates: dict[int, tuple[str, str]]) -> dict[int, str]:
    """The short name of each entry, or its full name where another entry would get the short one too."""
    counts: dict[str, int] = {}
    for full, short in candidates.values():
        counts[full] = counts.get(full, 0) + 1
        if short != full:
            counts[short] = counts.get(short, 0) + 1
    return {index: short if counts[short] == 1 else full for index, (full, short) in candidates.items()}


class _Scope:
    """Names taken in one namespace (a group's class, or the client), each with its owner."""

    def __init__(self, where: str, reserved: Iterable[str], itself: str) -> None:
        self.where = where
        self.owners: dict[str, str] = dict.fromkeys(reserved, "")
        self.itself = itself
        """Who owns the reserved names, for messages."""

    def free(self, name: str, paginated: bool) -> bool:
        """Whether ``name`` (and, for a paginated operation, its ``iter_`` sibling) is free."""
        return name not in self.owners and not (paginated and ITER_PREFIX + name in self.owners)

    def take(self, wanted: str, owner: str, pointer: str, paginated: bool, limit: int) -> tuple[str, Problem | None]:
        """``wanted``, or the first free ``wanted_2``, ``wanted_3``..., with the report of the clash."""
        name, counter = wanted, 1
        while not self.free(name, paginated):
            counter += 1
            suffix = f"_{counter}"
            name = wanted[: limit - len(suffix)].rstrip("_") + suffix
        self.owners[name] = owner
        if paginated:
            self.owners[ITER_PREFIX + name] = f"the iter_ method of {owner}"
        if name == wanted:
            return name, None
        if wanted in self.owners:
            taken = f"{wanted!r} is taken by {self.owners[wanted] or self.itself}"
        else:
            taken = f"{ITER_PREFIX + wanted!r}, its iter_ method, is taken by {self.owners[ITER_PREFIX + wanted]}"
        message = f"{self.where}: {taken}; this one is named {name!r} (set x-name to choose)"
        return name, Problem(pointer, message, Severity.WARNING)


def assign_names(
    operations: list[NamingInput], client_members: Iterable[str]
) -> tuple[list[OperationNames], list[GroupName], list[Problem]]:
    """The names of ``operations`` (in their order), the groups, and what naming reports (see the module doc)."""
    problems: list[Problem] = []
    # A repeated operationId is the checker's error: the names it makes clash are not reported again.
    counts = Counter(entry.operation_id for entry in operations if entry.operation_id)
    repeated = {operation_id for operation_id, count in counts.items() if count > 1}
    client = _Scope("flat on the client", client_members, "the client itself")
    groups: dict[str, GroupName] = {}
    for entry in operations:
        wanted = _group_of(entry)
        if entry.tag is not None and wanted is not None and wanted not in groups:
            name, clash = client.take(wanted, f"the group of tag {entry.tag!r}", entry.pointer, False, MAX_NAME)
            problems += [clash] if clash else []
            groups[wanted] = GroupName(name, entry.tag, pascal_case(name) + "Operations")
    scopes = {
        group.name: _Scope(f"in group {group.name!r}", GROUP_MEMBERS, "the group's class itself")
        for group in groups.values()
    }
    in_group: dict[int, str] = {}
    # x-name first: a name chosen in the schema never yields to a derived one.
    for index, entry in enumerate(operations):
        wanted = _group_of(entry)
        if entry.x_name is not None and wanted is not None:
            scope = scopes[groups[wanted].name]
            if not scope.free(entry.x_name, entry.paginated):
                holder = scope.owners.get(entry.x_name, scope.owners.get(ITER_PREFIX + entry.x_name))
                owner = f"the x-name of {holder}" if holder else scope.itself
                message = f"{scope.where}: {entry.x_name!r} clashes with {owner}"
                problems.append(Problem(join_pointer(entry.pointer, "x-name"), message))
            in_group[index] = scope.take(entry.x_name, _label(entry), entry.pointer, entry.paginated, MAX_NAME)[0]
    group_of = {index: groups[wanted].name for index, entry in enumerate(operations) if (wanted := _group_of(entry))}
    derived_in_group: dict[int, str] = {}
    for named in groups.values():
        members = {
            index: name_candidates(entry.operation_id, entry.method, entry.path, [named.name, snake_case(named.tag)])
            for index, entry in enumerate(operations)
            if group_of.get(index) == named.name and index not in in_group
        }
        derived_in_group.update(_prefer_short(members))
    derived_flat = _prefer_short(
        {
            index: name_candidates(entry.operation_id, entry.method, entry.path)
            for index, entry in enumerate(operations)
            if entry.x_name is None
        }
    )
    result = []
    for index, entry in enumerate(operations):
        limit = MAX_NAME - len(ITER_PREFIX) if entry.paginated else MAX_NAME
        group = group_of.get(index)
        if group is not None and index not in in_group:
            wanted = _cut(derived_in_group[index], limit, entry, f"in group {group!r}", problems)
            in_group[index], clash = scopes[group].take(wanted, _label(entry), entry.pointer, entry.paginated, limit)
            problems += [clash] if clash and entry.operation_id not in repeated else []
        if entry.x_name is not None:
            flat_wanted = entry.x_name
        else:
            # A grouped operation's flat name is reported only when it clashes: its group's name is the one shown.
            flat_wanted = _cut(
                derived_flat[index], limit, entry, "flat on the client", problems if group is None else []
            )
        flat, clash = client.take(flat_wanted, _label(entry), entry.pointer, entry.paginated, limit)
        problems += [clash] if clash and entry.operation_id not in repeated else []
        problems += _notes(entry, in_group.get(index, flat))
        result.append(OperationNames(group, in_group.get(index, flat), flat))
    return result, list(groups.values()), problems


def _cut(name: str, limit: int, entry: NamingInput, where: str, problems: list[Problem]) -> str:
    """``name`` cut to ``limit`` characters at a word boundary; a cut is reported."""
    shortened = _shorten(name, limit)
    if shortened != name:
        message = (
            f"{where}: {name!r} is longer than {limit} characters; shortened to {shortened!r} (set x-name to choose)"
        )
        problems.append(Problem(entry.pointer, message, Severity.WARNING))
    return shortened


def _notes(entry: NamingInput, name: str) -> list[Problem]:
    """The note of an operation whose name could not come from its operationId as it is."""
    if entry.x_name is not None:
        return []
    if entry.operation_id is None or not entry.operation_id.strip():
        message = f"no operationId; the method is named {name!r} from its method and path"
        return [Problem(entry.pointer, message, Severity.NOTE)]
    if not is_identifier(entry.operation_id):
        message = f"not a Python identifier; the method is {name!r}"
        return [Problem(join_pointer(entry.pointer, "operationId"), message, Severity.NOTE)]
    return []


def _label(entry: NamingInput) -> str:
    return f"{entry.method.upper()} {entry.path}"


def document_names(
    document: dict[str, Any], client_members: Iterable[str]
) -> tuple[dict[tuple[str, str], OperationNames], list[GroupName], list[Problem]]:
    """The names of every operation of a document, by ``(path, method)``; see :func:`assign_names`.

    An ``x-internal`` operation has no method, but its flat name is taken all the same: it
    names the operation in the package's tables (``_spec.OPERATIONS``); it is in no group.
    """
    raw_tags = document.get("tags")
    tags = {
        tag["name"]: tag
        for tag in (raw_tags if isinstance(raw_tags, list) else [])
        if isinstance(tag, dict) and isinstance(tag.get("name"), str)
    }
    keys, entries = [], []
    for path, method, _, operation in iter_operations(document):
        x_name, operation_id = operation.get("x-name"), operation.get("operationId")
        tag = next(iter(operation.get("tags") or []), None)
        tag = tag if isinstance(tag, str) and not operation.get("x-internal") else None
        group = tags.get(tag, {}).get("x-name") if tag is not None else None
        entries.append(
            NamingInput(
                pointer=join_pointer("/paths", path, method),
                method=method,
                path=path,
                operation_id=operation_id if isinstance(operation_id, str) else None,  # else: the checker's error
                tag=tag,
                group_name=group if is_method_name(group) else None,
                x_name=x_name if is_method_name(x_name) else None,  # a bad one is the checker's error
                paginated=bool(operation.get("x-pagination")),
            )
        )
        keys.append((path, method))
    names, groups, problems = assign_names(entries, client_members)
    return dict(zip(keys, names, strict=True)), groups, problems

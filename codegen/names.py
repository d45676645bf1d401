"""Python names for wire names: valid, distinct identifiers that never shadow what they must not."""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
"""An ASCII Python identifier (keywords aside)."""

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+")
RESERVED_CLASS_NAMES = frozenset(
    {"Any", "UNSET", "UnsetType", "OpenEnum", "OpenIntEnum", "OpenStrEnum", "define", "field", "date", "datetime"}
    | {"Client", "Timeout", "RetryPolicy", "BatchItem", "BatchResult", "Request", "Response", "Transport"}
    | {"Urllib3Transport", "SERVERS", "NO_RETRY", "DEFAULT_BASE_URL", "File", "FileInput", "Download"}
    | {"CallResponse", "WithResponse", "AsyncWithResponse"}
)


def _ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _WORD.findall(folded)


def is_identifier(value: object) -> bool:
    """An ASCII Python identifier that is not a keyword."""
    return isinstance(value, str) and bool(IDENTIFIER.match(value)) and not keyword.iskeyword(value)


def word_list(text: str) -> list[str]:
    """The lower-case ASCII words of ``text``: ``getInvoices_byType`` -> ``["get", "invoices", "by", "type"]``."""
    return [word.lower() for word in _ascii_words(text)]


def snake_case(text: str) -> str:
    """``ErrorCode`` -> ``error_code``, ``quickBooksOnline`` -> ``quick_books_online``; always an identifier."""
    name = "_".join(word_list(text)) or "value"
    if name[0].isdigit():
        name = f"n_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in ("self", "cls"):
        name += "_"
    return name


def pascal_case(text: str) -> str:
    """``weird name!`` -> ``WeirdName``; always an identifier that is not a builtin name."""
    words = _ascii_words(text)
    name = "".join(word[:1].upper() + word[1:] for word in words) or "Model"
    if name[0].isdigit():
        name = f"Model{name}"
    if keyword.iskeyword(name) or hasattr(builtins, name) or name in RESERVED_CLASS_NAMES:
        name += "Model"
    return name


# A segment of a qualified name that starts a generic argument: "ListOfBillbee" is "ListOf"
# then the namespace "Billbee..." of the argument (the .NET style of Swashbuckle and NSwag).
_GENERIC_JOINT = re.compile(r"^(.*?(?:Of|And))([A-Z].*)$")


def drop_namespaces(name: str, keep: int = 0) -> str:
    """``A.B.Order`` -> ``Order``; ``A.ResultOfSystem.Collections.ListOfB.Order`` -> ``ResultOfListOfOrder``.

    Component names written as qualified type names carry their namespaces, which make
    class names long without telling them apart. ``keep`` keeps the last segments of each
    namespace (``keep=1``: ``BOrder``). A name without a dot is returned as is.
    """
    segments = name.split(".")
    if len(segments) < 2 or not all(segments):
        return name
    kept: list[str] = []
    namespace: list[str] = []
    for segment in segments[:-1]:
        joint = _GENERIC_JOINT.match(segment)
        if joint is None:
            namespace.append(segment)
            continue
        # The type before a generic argument; the argument's namespace starts after it.
        kept += [*namespace[len(namespace) - keep :], joint.group(1)] if keep else [joint.group(1)]
        namespace = [joint.group(2)]
    kept += namespace[len(namespace) - keep :] if keep else []
    return "".join(kept) + segments[-1]


def class_names(component_names: list[str]) -> dict[str, str]:
    """The Python class of every component: PascalCase, without namespaces, distinct.

    Names that are the same without their namespaces keep as many of their last namespace
    segments as tells them apart, so that no class is named after another one.
    """
    chosen: dict[str, str] = {}
    pending = list(component_names)
    for keep in range(4):
        candidates = {name: pascal_case(drop_namespaces(name, keep)) for name in pending}
        counts: dict[str, int] = {}
        for candidate in [*candidates.values(), *chosen.values()]:
            counts[candidate] = counts.get(candidate, 0) + 1
        chosen.update((name, candidate) for name, candidate in candidates.items() if counts[candidate] == 1)
        pending = [name for name in pending if name not in chosen]
    chosen.update((name, pascal_case(name)) for name in pending)
    taken: set[str] = set()
    return {name: unique(chosen[name], taken) for name in component_names}


# Model attribute names that would break the model class: names its body or cattrs use
# (a class attribute shadows them for the annotations after it), and the unknown-fields store.
RESERVED_ATTRIBUTE_NAMES = frozenset(
    {"extra_fields", "converter", "cl", "attrs", "field", "define", "self", "cls", "date", "datetime"}
    | {"Any", "UNSET", "UnsetType", "OpenEnum", "OpenIntEnum", "OpenStrEnum"}
    | {"str", "int", "float", "bool", "dict", "list", "None", "True", "False"}
)


def attribute_name(wire_name: str, taken: set[str]) -> str:
    """A model attribute name for a wire name: snake_case, ASCII, not reserved, unique in ``taken``."""
    name = snake_case(wire_name)
    if name in RESERVED_ATTRIBUTE_NAMES:
        name += "_"
    candidate, counter = name, 1
    while candidate in taken:
        counter += 1
        candidate = f"{name}_{counter}"
    taken.add(candidate)
    return candidate


_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029]")


def docstring_text(text: object) -> str:
    """Text safe inside a triple-quoted docstring: backslashes, quotes and control characters escaped."""
    safe = str(text).replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()
    safe = _UNPRINTABLE.sub(lambda match: f"\\x{ord(match.group()):02x}" if ord(match.group()) < 256 else " ", safe)
    return safe + " " if safe.endswith('"') else safe


def unique(name: str, taken: set[str]) -> str:
    """Return ``name`` or ``name2``, ``name3``... whichever is not in ``taken``, and take it."""
    candidate, counter = name, 1
    while candidate in taken:
        counter += 1
        candidate = f"{name}{counter}"
    taken.add(candidate)
    return candidate

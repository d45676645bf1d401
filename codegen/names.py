"""Python names for wire names: valid, distinct identifiers that never shadow what they must not."""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+")
RESERVED_CLASS_NAMES = frozenset(
    {"Any", "UNSET", "UnsetType", "OpenEnum", "OpenIntEnum", "OpenStrEnum", "define", "field", "date", "datetime"}
    | {"Client", "Timeout", "RetryPolicy", "BatchItem", "BatchResult", "Request", "Response", "Transport"}
    | {"Urllib3Transport", "SERVERS", "NO_RETRY", "DEFAULT_BASE_URL", "File", "FileInput", "Download"}
)


def _ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _WORD.findall(folded)


def snake_case(text: str) -> str:
    """``ErrorCode`` -> ``error_code``, ``quickBooksOnline`` -> ``quick_books_online``; always an identifier."""
    words = [word.lower() for word in _ascii_words(text)]
    name = "_".join(words) or "value"
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

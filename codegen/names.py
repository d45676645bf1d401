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
    | {"Urllib3Transport", "SERVERS", "NO_RETRY", "DEFAULT_BASE_URL"}
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


def unique(name: str, taken: set[str]) -> str:
    """Return ``name`` or ``name2``, ``name3``... whichever is not in ``taken``, and take it."""
    candidate, counter = name, 1
    while candidate in taken:
        counter += 1
        candidate = f"{name}{counter}"
    taken.add(candidate)
    return candidate

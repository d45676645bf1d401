"""The UNSET sentinel: a field that is absent on the wire, as opposed to present and null."""

from __future__ import annotations

import enum
from typing import Final, Literal

__all__ = ["UNSET", "UnsetType"]


class UnsetType(enum.Enum):
    """Type of :data:`UNSET`; a one-member enum so that type checkers can narrow on it."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> Literal[False]:
        return False


UNSET: Final = UnsetType.UNSET
"""Default of every optional field: the field is left out of the JSON body."""

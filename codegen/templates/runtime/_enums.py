"""Open enums: the values a schema lists, plus any value a server sends that it does not.

A response carrying an enum value the schema does not know yet must not fail to decode,
and must go back out unchanged. ``Color("teal")`` on an open enum returns a member-like
object whose ``value`` is ``"teal"`` and whose ``is_known`` is false; requests are still
checked against the listed values before they are sent.
"""

from __future__ import annotations

import enum
from typing import Any, TypeVar

__all__ = ["OpenEnum", "OpenIntEnum", "OpenStrEnum"]

_E = TypeVar("_E", bound="OpenEnum")


def _pseudo_member(cls: type[_E], value: Any, base: Any) -> _E:
    member: Any = base.__new__(cls, value) if base is not object else object.__new__(cls)
    member._name_ = f"UNKNOWN_{value}"
    member._value_ = value
    result: _E = member
    return result


class OpenEnum(enum.Enum):
    """Enum that keeps values it does not list (of the same JSON type)."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return _pseudo_member(cls, value, object)
        return None

    @property
    def is_known(self) -> bool:
        """Whether the schema lists this value."""
        return self._name_ in type(self).__members__


class OpenStrEnum(str, OpenEnum):
    """String enum that keeps string values it does not list."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        return _pseudo_member(cls, value, str) if isinstance(value, str) else None

    def __str__(self) -> str:
        return str(self.value)


class OpenIntEnum(int, OpenEnum):
    """Integer enum that keeps integer values it does not list."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return _pseudo_member(cls, value, int)
        return None

    def __str__(self) -> str:
        return str(self.value)

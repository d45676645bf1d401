"""Modules imported on first use, so that importing the package stays fast however large its API.

The models of a large API take most of the time of importing its package: ``models`` is
imported when a call first needs a model (or when the caller names one), not by
``import <package>`` or by constructing a client.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["LazyModule"]


class LazyModule:
    """Stands for the module ``name``, which is imported on the first attribute read.

    Thread-safe: the import system lets one thread run the module while the others wait.
    """

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<lazily imported module {self._name!r}>"

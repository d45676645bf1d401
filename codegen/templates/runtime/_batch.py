"""Batch results: one item per input, in input order, so nothing created is sent twice."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import attrs

__all__ = ["BatchItem", "BatchResult"]

InputT = TypeVar("InputT")
ResultT = TypeVar("ResultT")


@attrs.frozen
class BatchItem(Generic[InputT, ResultT]):
    """The outcome for one input: created (``success`` and ``id``) or failed (``errors``)."""

    index: int
    input: InputT
    success: bool
    id: Any = None
    errors: tuple[str, ...] = ()
    result: ResultT | None = None
    """The server's result item as a model, when it sent one for this input."""


@attrs.frozen
class BatchResult(Generic[InputT, ResultT]):
    """Every input's outcome, in input order."""

    items: tuple[BatchItem[InputT, ResultT], ...]

    @property
    def ok(self) -> bool:
        """True when every input succeeded."""
        return all(item.success for item in self.items)

    @property
    def succeeded(self) -> list[BatchItem[InputT, ResultT]]:
        """Items the server created or updated."""
        return [item for item in self.items if item.success]

    @property
    def failed(self) -> list[BatchItem[InputT, ResultT]]:
        """Items that failed (or got no result from the server): the only ones to re-send."""
        return [item for item in self.items if not item.success]

    @property
    def created_ids(self) -> list[Any]:
        """Ids of the created records, in input order."""
        return [item.id for item in self.items if item.success]

"""The two clients as the reliability tests drive them: ``Client`` as is, ``AsyncClient`` in an event loop.

A test builds its client with :meth:`Driver.make` and makes its call with
:meth:`Driver.run`, which also closes the client (for ``AsyncClient``, in the same event
loop as the call, as its connection pool requires).
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from tests.helpers.flavours import Flavour


@dataclass(frozen=True)
class Driver(Flavour):
    """``sync`` (the generated ``Client``) or ``async`` (``AsyncClient``), run from plain test functions."""

    def label(self, scenario: str) -> str:
        """The scenario's name in the summary table: the async rows are told apart."""
        return f"{scenario} (async)" if self.is_async else scenario

    def make(self, package: ModuleType, **arguments: Any) -> Any:
        """The package's ``Client`` or ``AsyncClient`` built with ``arguments``."""
        return self.client_class(package)(**arguments)

    def run(self, client: Any, call: Callable[[Any], Any]) -> tuple[Any, Exception | None, float]:
        """``call(client)`` then close the client: ``(result, the exception raised, seconds the call took)``."""
        if self.is_async:
            return asyncio.run(_run_async(client, call))
        started = time.monotonic()
        try:
            return call(client), None, time.monotonic() - started
        except Exception as exc:
            return None, exc, time.monotonic() - started
        finally:
            client.close()


async def _run_async(client: Any, call: Callable[[Any], Any]) -> tuple[Any, Exception | None, float]:
    started = time.monotonic()
    try:
        outcome = call(client)
        return (await outcome if inspect.isawaitable(outcome) else outcome), None, time.monotonic() - started
    except Exception as exc:
        return None, exc, time.monotonic() - started
    finally:
        await client.aclose()


SYNC = Driver("sync")
ASYNC = Driver("async")

"""One test body for both clients: ``Client`` (blocking) and ``AsyncClient`` (asyncio).

A test written as a coroutine takes the ``flavour`` fixture (see ``tests/conftest.py``),
opens the vendor's client of that flavour and awaits :meth:`Flavour.result` of each call:
with ``Client`` the call has already run (blocking the event loop, which is harmless in a
test), with ``AsyncClient`` it is a coroutine to await::

    @pytest.mark.anyio
    async def test_create(loopback: LoopbackServer, flavour: Flavour) -> None:
        async with flavour.open(formation, api_key=FORMATION_API_KEY, base_url=loopback.url) as client:
            result = await flavour.result(client.create_contact(body=...))
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

FLAVOURS = ("sync", "async")


@dataclass(frozen=True)
class Flavour:
    """``sync`` (the generated ``Client``) or ``async`` (``AsyncClient``)."""

    name: str

    def __str__(self) -> str:
        return self.name

    @property
    def is_async(self) -> bool:
        """Whether this flavour is ``AsyncClient``."""
        return self.name == "async"

    def client_class(self, package: ModuleType) -> Any:
        """The package's ``Client`` or ``AsyncClient``."""
        return package.AsyncClient if self.is_async else package.Client

    @contextlib.asynccontextmanager
    async def open(self, package: ModuleType, **arguments: Any) -> AsyncIterator[Any]:
        """A client of this flavour built with ``arguments``, closed (its connections released) on exit."""
        client = self.client_class(package)(**arguments)
        try:
            yield client
        finally:
            if self.is_async:
                await client.aclose()
            else:
                client.close()

    @staticmethod
    async def result(call: Any) -> Any:
        """What a client call gives: awaited for ``AsyncClient``, as is for ``Client``."""
        return await call if inspect.isawaitable(call) else call

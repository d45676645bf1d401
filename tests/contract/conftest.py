"""Fixtures of the contract tests: the Prism executable and one Prism mock server per vendor.

The tests here carry the ``contract`` marker (registered below). They need Stoplight
Prism, an npm package: ``nox -s contract`` installs the pinned version and passes its
executable in ``PRISM_BIN``. Without it they fail with a message saying so, never skip.
The plain test run leaves them out (``-m "not contract"``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.helpers.prism import ENVIRONMENT_VARIABLE, PRISM_VERSION, PrismError, PrismServer, installed_version
from tests.helpers.schema_strategies import SCHEMAS


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``contract`` marker."""
    config.addinivalue_line(
        "markers", "contract: runs against a Stoplight Prism mock server (nox -s contract sets PRISM_BIN)"
    )


@pytest.fixture(scope="session")
def prism_binary() -> Path:
    """The ``prism`` executable named by PRISM_BIN, checked to be the pinned version."""
    value = os.environ.get(ENVIRONMENT_VARIABLE, "")
    if not value:
        pytest.fail(
            f"{ENVIRONMENT_VARIABLE} is not set. The contract tests need Stoplight Prism {PRISM_VERSION}: run "
            f"`nox -s contract` (it installs Prism with npm into .cache/prism and sets {ENVIRONMENT_VARIABLE}), "
            f"or run `python tests/helpers/prism.py install` and set {ENVIRONMENT_VARIABLE} to the path it prints.",
            pytrace=False,
        )
    binary = Path(value)
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        pytest.fail(f"{ENVIRONMENT_VARIABLE}={value} is not an executable file", pytrace=False)
    try:
        version = installed_version(binary)
    except PrismError as exc:
        pytest.fail(str(exc), pytrace=False)
    if version != PRISM_VERSION:
        pytest.fail(f"{ENVIRONMENT_VARIABLE} is Prism {version}, the contract tests pin {PRISM_VERSION}", pytrace=False)
    return binary


class PrismServers:
    """One ``prism mock`` per vendor schema, started on first use and stopped at the end of the session."""

    def __init__(self, binary: Path, stack: ExitStack) -> None:
        self._binary = binary
        self._stack = stack
        self._servers: dict[str, PrismServer] = {}

    def __getitem__(self, vendor: str) -> PrismServer:
        server = self._servers.get(vendor)
        if server is None:
            document = SCHEMAS / vendor / "openapi.json"
            try:
                server = self._stack.enter_context(PrismServer(self._binary, document))
            except PrismError as exc:
                pytest.fail(str(exc), pytrace=False)
            self._servers[vendor] = server
        return server


@pytest.fixture(scope="session")
def prism(prism_binary: Path) -> Iterator[PrismServers]:
    """Prism servers by vendor: ``prism["chift"].url``."""
    with ExitStack() as stack:
        yield PrismServers(prism_binary, stack)

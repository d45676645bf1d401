"""Fixtures and hooks of the whole suite; shared code lives in :mod:`tests.helpers`.

The tests read the vendors' documents from ``../shared``. Where it is missing (a plain
clone), those tests are skipped and one summary line says so; under ``CI=true`` they fail.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Registers the ci/thorough profiles before --hypothesis-profile applies (see the module).
from tests.helpers import hypothesis_profiles
from tests.helpers.flavours import FLAVOURS, Flavour
from tests.helpers.loopback import LoopbackServer, refusing_port
from tests.helpers.paths import REPO, SHARED, SHARED_MISSING, require_shared

hypothesis_profiles.register()


@pytest.fixture
def shared_dir() -> Path:
    """``../shared`` beside the repository; skipped where it is missing, a failure under ``CI=true``."""
    return require_shared(SHARED)


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A temporary copy of codegen/, schemas/, generated/ and pyproject.toml; the real tree is never touched."""
    root = tmp_path / "repo"
    root.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("codegen", "schemas", "generated"):
        shutil.copytree(REPO / folder, root / folder, ignore=ignore)
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


@pytest.fixture(name="loopback")
def loopback_fixture() -> Iterator[LoopbackServer]:
    """A started :class:`LoopbackServer`, stopped after the test; server-side problems fail the test."""
    with LoopbackServer() as server:
        yield server
        problems = server.problems
    if problems:
        pytest.fail("loopback server problems:\n  " + "\n  ".join(problems))


@pytest.fixture(name="refused_url")
def refused_url_fixture() -> Iterator[str]:
    """``http://127.0.0.1:<port>`` where nothing listens: every connection is refused."""
    with refusing_port() as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (``@pytest.mark.anyio``, anyio's pytest plugin) run on asyncio, which AsyncClient is built on."""
    return "asyncio"


@pytest.fixture(params=FLAVOURS)
def flavour(request: pytest.FixtureRequest) -> Flavour:
    """Each test that takes it runs twice: with the generated ``Client`` and with ``AsyncClient``."""
    return Flavour(request.param)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line for the tests skipped because ``../shared`` is missing, and how to run them."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple) and SHARED_MISSING in str(report.longrepr[2])
    ]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} tests skipped: {SHARED_MISSING} at {SHARED}. They read the vendors' documents; "
            "to run them, put the project's shared folder beside the repository as ../shared "
            "(CI=true makes its absence a failure).",
            yellow=True,
        )

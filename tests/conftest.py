"""Shared paths, schema loading and subprocess helpers for the test suite.

The tests run from a clone of the repository with ``shared/`` beside it (``../shared``);
nothing here writes to the repository: tests that generate code or edit files work on a
temporary copy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import hypothesis_profiles  # noqa: F401 - registers the ci/thorough profiles before --hypothesis-profile applies
import pytest

REPO = Path(__file__).resolve().parents[1]
"""The repository root (the folder holding codegen/, schemas/, generated/)."""

SHARED = Path(__file__).resolve().parents[2] / "shared"
"""Seed documents and vendors' published specs, beside the repository (``../shared``)."""

SCHEMAS = REPO / "schemas"
GENERATED = REPO / "generated"
SCHEMA_FILE = "openapi.json"

# The tests import the generated packages and codegen from this checkout, also when the
# project is not installed into the running environment.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def vendors() -> list[str]:
    """Every vendor with a schema: the folders of schemas/ that hold an openapi.json."""
    return sorted(path.parent.name for path in SCHEMAS.glob(f"*/{SCHEMA_FILE}"))


def load_schema(vendor: str) -> dict[str, Any]:
    """The parsed schemas/<vendor>/openapi.json."""
    content: dict[str, Any] = json.loads((SCHEMAS / vendor / SCHEMA_FILE).read_text(encoding="utf-8"))
    return content


def resolve_local_ref(document: dict[str, Any], node: Any) -> Any:
    """Follow ``$ref`` (``#/a/b``) inside ``document`` until a node without one is reached."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        assert ref.startswith("#/"), f"only local references are expected, found {ref!r}"
        assert ref not in seen, f"reference cycle through {ref!r}"
        seen.add(ref)
        node = document
        for token in ref[2:].split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def tree_bytes(root: Path, ignored_names: frozenset[str] = frozenset()) -> dict[str, bytes]:
    """Every file under ``root`` (no ``__pycache__``), by POSIX path relative to it, with its bytes."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.name not in ignored_names
    }


def subprocess_env(**overrides: str) -> dict[str, str]:
    """The current environment without PYTHONPATH, no bytecode written, plus ``overrides``."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(overrides)
    return env


def run_codegen(cwd: Path, *arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m codegen ARGUMENTS`` in ``cwd`` with the running interpreter (never raises on failure)."""
    return subprocess.run(
        [sys.executable, "-m", "codegen", *arguments],
        cwd=cwd,
        env=subprocess_env() if env is None else env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def shared_dir() -> Path:
    """``../shared`` beside the repository; the test fails (not skips) when it is missing."""
    if not SHARED.is_dir():
        pytest.fail(
            f"shared/ not found at {SHARED}: the tests expect the project's shared folder "
            "(seed documents, vendors' published specs) beside the repository, as ../shared"
        )
    return SHARED


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

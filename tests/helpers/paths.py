"""The repository's folders, ``../shared``, schema loading and running codegen in a subprocess.

The tests run from a clone of the repository, ideally with ``shared/`` beside it
(``../shared``). Nothing here writes to the repository: tests that generate code or edit
files work on a temporary copy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
"""The repository root (the folder holding codegen/, schemas/, generated/)."""

SHARED = REPO.parent / "shared"
"""Seed documents and vendors' published specs, beside the repository (``../shared``)."""

VENDOR_SPECS = SHARED / "vendor-specs"
"""The vendors' published specs (see its README for where each came from)."""

SCHEMAS = REPO / "schemas"
GENERATED = REPO / "generated"
SCHEMA_FILE = "openapi.json"

SHARED_MISSING = "../shared not found"
"""The start of the reason of every test skipped for want of ``../shared`` (the summary counts them)."""


def running_in_ci() -> bool:
    """Whether ``CI`` is set to a true value, as CI services (and .ci/run) set it."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_shared(path: Path = SHARED) -> Path:
    """``path`` under ``../shared``; skips the test where it is missing, fails instead under ``CI=true``.

    A plain clone of the repository has no ``../shared``: the tests that read the vendors'
    documents are skipped there (the rest runs), while CI must never skip them.
    """
    if path.exists():
        return path
    where = path.relative_to(SHARED.parent) if path.is_relative_to(SHARED.parent) else path
    if running_in_ci():
        pytest.fail(
            f"{where} is missing and CI=true: CI runs every test, so the project's shared folder "
            f"(seed documents, vendors' published specs) must be beside the repository at {SHARED}"
        )
    pytest.skip(f"{SHARED_MISSING} ({where} is missing)")


def vendor_spec(relative: str) -> Path:
    """A published spec, ``vendor-specs/<relative>`` under ``../shared`` (see :func:`require_shared`)."""
    return require_shared(VENDOR_SPECS / relative)


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

"""Formatting of rendered Python: ruff, pinned, so that output is byte-identical everywhere."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

# Settings are spelled out (and the project's configuration ignored) so that the output
# depends only on the pinned ruff version, not on where codegen runs.
RUFF_SETTINGS = ["--isolated", "--line-length", "120", "--target-version", "py310"]


class FormatError(Exception):
    """ruff could not format the rendered code."""


def format_sources(sources: dict[str, str]) -> dict[str, str]:
    """Sort imports, drop unused ones and format every ``*.py`` entry, and the Python in ``*.md``."""
    python = {name: text for name, text in sources.items() if name.endswith((".py", ".md"))}
    if not python:
        return dict(sources)
    with tempfile.TemporaryDirectory(prefix="codegen-format-") as tmp:
        root = Path(tmp)
        for name, text in python.items():
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", errors="backslashreplace")
        _ruff(["check", "--fix", "--select", "I,F401,UP,RUF022", "--exit-zero", "--quiet", *RUFF_SETTINGS, "."], root)
        _ruff(["format", *RUFF_SETTINGS, "."], root)
        formatted = {name: (root / name).read_text(encoding="utf-8") for name in python}
    return {name: formatted.get(name, text) for name, text in sources.items()}


def _ruff(arguments: list[str], cwd: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *arguments], cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise FormatError(f"ruff {arguments[0]} failed on the rendered code:\n{result.stdout}{result.stderr}"[:2000])

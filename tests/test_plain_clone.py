"""A clone of the repository alone, without ``../shared``: skip with a summary, or fail under CI=true."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.paths import REPO, SHARED_MISSING, subprocess_env

# Two tests that read the vendors' published specs, one through the shared_dir fixture.
NEEDS_SHARED = (
    "tests/codegen/maintain/test_diff.py::test_chift_contacts_never_broke",
    "tests/bench/test_bench_smoke.py::test_scaling_runs_once_on_small_subsets",
)


@pytest.fixture(scope="module")
def lone_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's tracked code copied into a folder with no ``shared/`` beside it."""
    root = tmp_path_factory.mktemp("alone") / "repo"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".hypothesis")
    for folder in ("codegen", "schemas", "generated", "tests", "bench"):
        shutil.copytree(REPO / folder, root / folder, ignore=ignore)
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    assert not (root.parent / "shared").exists()
    return root


def run_pytest(root: Path, *, ci: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "0", *NEEDS_SHARED],
        cwd=root,
        env=subprocess_env(CI=ci),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def test_without_shared_the_tests_needing_it_are_skipped_with_one_summary_line(lone_clone: Path) -> None:
    result = run_pytest(lone_clone, ci="")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 skipped" in result.stdout
    summary = [line for line in result.stdout.splitlines() if f"tests skipped: {SHARED_MISSING}" in line]
    assert len(summary) == 1, result.stdout
    assert "../shared" in summary[0]
    assert "CI=true" in summary[0]


def test_under_ci_a_missing_shared_fails_naming_what_is_missing(lone_clone: Path) -> None:
    result = run_pytest(lone_clone, ci="true")
    assert result.returncode == 1, result.stdout + result.stderr
    # Both fail in their fixtures (errors), each naming the missing file or folder.
    assert "2 errors" in result.stdout
    assert "shared/vendor-specs/chift/openapi-2023-12-06.json is missing and CI=true" in result.stdout
    assert "shared is missing and CI=true" in result.stdout

"""Sessions of vendor-clients: regenerate, check, test, lint and type-check the clients.

``nox -l`` lists them with their docstrings. Dependencies come from the pinned files in
requirements/, so generation is reproducible on every machine.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
CODEGEN_REQUIREMENTS = "requirements/codegen.txt"
DEV_REQUIREMENTS = "requirements/dev.txt"
PYTHON_SOURCES = ["codegen", "generated", "tests", "bench", "noxfile.py"]
BENCH_REQUIREMENTS = "requirements/bench.txt"
BENCH_OUTPUT = "bench-results/latest.json"

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["check_generated", "tests", "lint", "typecheck"]


def install_codegen(session: nox.Session) -> None:
    """Install the pinned generator and the project itself (without re-resolving pins)."""
    session.install("-r", CODEGEN_REQUIREMENTS)
    session.install("--no-deps", "-e", ".")


def install_dev(session: nox.Session) -> None:
    """Install the pinned generator, test tools and the project itself."""
    session.install("-r", DEV_REQUIREMENTS)
    session.install("--no-deps", "-e", ".")


@nox.session
def generate(session: nox.Session) -> None:
    """Regenerate every client in generated/ from schemas/ (the main job)."""
    install_codegen(session)
    session.run("python", "-m", "codegen", "generate", *session.posargs)


@nox.session
def check_generated(session: nox.Session) -> None:
    """Regenerate in memory and fail with a unified diff if generated/ differs from it."""
    install_codegen(session)
    session.run("python", "-m", "codegen", "check", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the test suite (pytest, warnings are errors), on every core (pytest-xdist)."""
    install_dev(session)
    env = {"PYTHONDONTWRITEBYTECODE": "1"} if os.environ.get("CI") else {}
    # The reliability suite and the Prism contract tests have sessions of their own; the
    # reliability suite stays in one process, since its summary table adds up process-wide counts.
    # ``-- -n 0`` runs in one process (for --pdb, or to read output in order).
    session.run("pytest", "-n", "auto", "--ignore=tests/reliability", "-m", "not contract", *session.posargs, env=env)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the code, generated code included."""
    session.install("-r", DEV_REQUIREMENTS)
    session.run("ruff", "check", *PYTHON_SOURCES)
    session.run("ruff", "format", "--check", *PYTHON_SOURCES)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over codegen/ and generated/ (and the tests)."""
    install_dev(session)
    session.run("mypy", "codegen", "generated", "tests", "bench")


@nox.session
def reliability(session: nox.Session) -> None:
    """Reliability and security: fault injection (0 duplicate creates), concurrency, secret hygiene, hostile input."""
    install_dev(session)
    session.run("pytest", "tests/reliability", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks against the peers (openapi-python-client, pydantic v2, raw urllib3, Chift SDK): table + JSON.

    The JSON goes to bench-results/latest.json unless ``--output PATH`` is given; other
    options of ``python -m bench`` (bench/cli.py) pass through too, e.g. ``nox -s bench -- --quick``.
    """
    session.install("-r", BENCH_REQUIREMENTS)
    session.install("--no-deps", "-e", ".")
    arguments = list(session.posargs)
    if not any(argument == "--output" or argument.startswith("--output=") for argument in arguments):
        arguments += ["--output", BENCH_OUTPUT]
    session.run("python", "-m", "bench", *arguments)


@nox.session
def contract(session: nox.Session) -> None:
    """Contract tests against Stoplight Prism: every operation of every client (needs Node.js and npm).

    Installs the pinned Prism (tests/contract/prism/package-lock.json) into .cache/prism
    with npm ci, starts one `prism mock` per schema on a loopback port and runs
    tests/contract with PRISM_BIN set. Fails, never skips, when node or npm is missing.
    """
    install_dev(session)
    prism_bin = install_prism(session)
    session.run("pytest", "-m", "contract", "tests/contract", *session.posargs, env={"PRISM_BIN": prism_bin})


@nox.session
def realworld(session: nox.Session) -> None:
    """Every operation of Chift's, Billbee's and Clemta's published specs: import, generate, lint, mypy, Prism.

    Reads the specs from ../shared/vendor-specs (under CI=true a missing ../shared fails the
    session) and needs Node.js and npm for Prism. Prints a table per vendor and every
    failure with its reason; ``nox -s realworld -- --vendor chift --keep DIR`` runs one
    vendor and keeps its files in DIR.
    """
    install_dev(session)
    prism_bin = install_prism(session)
    session.run("python", "-m", "tests.realworld", *session.posargs, env={"PRISM_BIN": prism_bin})


def install_prism(session: nox.Session) -> str:
    """Install the pinned Prism into .cache/prism (npm ci) and return its executable; fails without node or npm."""
    for tool in ("node", "npm"):
        if shutil.which(tool) is None:
            session.error(
                f"{tool} not found on PATH: this session runs Stoplight Prism, an npm package. "
                f"Install Node.js 20 or later with npm, then run `nox -s {session.name}` again."
            )
    output = session.run("python", "tests/helpers/prism.py", "install", str(ROOT / ".cache" / "prism"), silent=True)
    return str(output).strip().splitlines()[-1]

"""``build``: a generated package as a wheel and an sdist, for teams who install rather than copy.

The package is staged under the chosen top-level name exactly as ``vendor`` would copy it
(the same checks: a valid name, relative imports only), imported once in a fresh
interpreter, and given a ``pyproject.toml`` for setuptools. ``python -m build`` then
builds the sdist and the wheel from that sdist (so the sdist is known to be complete),
without build isolation: the backend is the setuptools installed beside codegen, and no
index is needed. The distribution holds the package and nothing else (no tests, no schema
snapshot).

Version: the schema's ``info.version`` as a PEP 440 public version, the generator's as a
local label: ``2025-06-24`` and codegen 0.1.0 give ``2025.6.24+codegen.0.1.0``. See
:func:`distribution_version` for versions that are not PEP 440.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

from codegen.maintain.changes import SNAPSHOT_FILE, read_snapshot
from codegen.maintain.vendoring import Origin, VendorError, example_of, renamed_package, verify

# What every generated package needs at run time: the same ranges as the project's pyproject.toml.
RUNTIME_REQUIREMENTS = ("attrs>=23.1", "cattrs>=23.2", "urllib3>=2.0")
# Optional accelerators, offered as extras of the same name when the package imports them.
OPTIONAL_REQUIREMENTS = {"httpx": "httpx", "orjson": "orjson>=3.9"}  # orjson.Fragment: 3.9
REQUIRES_PYTHON = ">=3.10"
# 70.1 is the first setuptools that builds wheels without the separate `wheel` package.
BUILD_BACKEND_REQUIREMENT = "setuptools>=70.1"
BUILD_TIMEOUT_SECONDS = 300


class BuildError(Exception):
    """The build backend failed on a package that passed every check (a broken build environment)."""


@dataclass(frozen=True)
class BuildResult:
    """The distributions written by ``python -m codegen build``."""

    wheel: Path
    sdist: Path
    name: str
    version: str
    origin: Origin
    info_version: str
    verification: str

    def report(self) -> str:
        """The summary printed by ``python -m codegen build``."""
        return "\n".join(
            [
                f"built {self.name} {self.version} from generated/{self.origin.vendor}/"
                f" (info.version {self.info_version!r}, schema sha256 {self.origin.sha256[:12]},"
                f" codegen {self.origin.version})",
                f"wheel: {self.wheel}",
                f"sdist: {self.sdist}",
                f"verified before building: {self.verification}",
            ]
        )


def _local_label(text: str) -> str:
    """``text`` as segments of a PEP 440 local version label (ASCII letters and digits)."""
    return ".".join(re.findall(r"[a-z0-9]+", text.lower()))


def distribution_version(info_version: str, generator_version: str) -> str:
    """The distribution's PEP 440 version: ``<info.version>+codegen.<generator version>``.

    ``info.version`` is used as it is when it is a PEP 440 version (``V1`` is ``1``), else
    with every run of other characters read as a dot (the date ``2026-08-21`` is
    ``2026.8.21``). A version neither way gives public version ``0`` and moves into the
    label: ``latest`` gives ``0+api.latest.codegen.0.1.0``. A local label of its own is
    dropped, as the generator's takes its place.
    """
    label = f"codegen.{_local_label(generator_version)}"
    for candidate in (info_version.strip(), ".".join(re.findall(r"[A-Za-z0-9]+", info_version))):
        try:
            public = Version(candidate).public
        except InvalidVersion:
            continue
        return str(Version(f"{public}+{label}"))
    api = _local_label(info_version)
    return str(Version(f"0+api.{api}.{label}" if api else f"0+{label}"))


def optional_extras(files: dict[str, bytes]) -> dict[str, str]:
    """The extras a package offers: ``{extra: requirement}`` for each optional module its code imports."""
    used: set[str] = set()
    for name, data in files.items():
        if not name.endswith(".py"):
            continue
        for node in ast.walk(ast.parse(data, filename=name)):
            if isinstance(node, ast.Import):
                used.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                used.add(node.module.split(".")[0])
    return {extra: requirement for extra, requirement in OPTIONAL_REQUIREMENTS.items() if extra in used}


def _toml_string(text: str) -> str:
    # A JSON string with ASCII escapes is a valid TOML basic string.
    return json.dumps(text, ensure_ascii=True)


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(_toml_string(item) for item in items) + "]"


def pyproject_text(package: str, version: str, title: str, extras: dict[str, str]) -> str:
    """The ``pyproject.toml`` of the staged distribution (setuptools, the package as its only content)."""
    summary = " ".join(f"Typed Python client for {title}, generated by vendor-clients codegen.".split())
    lines = [
        "# Written by `python -m codegen build`; the package inside is generated code: do not edit.",
        "[build-system]",
        f"requires = {_toml_list([BUILD_BACKEND_REQUIREMENT])}",
        'build-backend = "setuptools.build_meta"',
        "",
        "[project]",
        f"name = {_toml_string(package)}",
        f"version = {_toml_string(version)}",
        f"description = {_toml_string(summary)}",
        'readme = "README.md"',
        f"requires-python = {_toml_string(REQUIRES_PYTHON)}",
        f"dependencies = {_toml_list(list(RUNTIME_REQUIREMENTS))}",
    ]
    if extras:
        lines += ["", "[project.optional-dependencies]"]
        lines += [f"{extra} = {_toml_list([requirement])}" for extra, requirement in sorted(extras.items())]
    lines += [
        "",
        "[tool.setuptools]",
        f"packages = {_toml_list([package])}",
        "",
        "[tool.setuptools.package-data]",
        f'{package} = ["py.typed", "*.md"]',
    ]
    return "\n".join(lines) + "\n"


def _schema_info(folder: Path, origin: Origin) -> tuple[str, str]:
    """(info.version, info.title) of the schema the package was generated from, read from its snapshot."""
    snapshot = folder / SNAPSHOT_FILE
    parsed = read_snapshot(snapshot.read_text(encoding="utf-8")) if snapshot.is_file() else None
    if parsed is None:
        raise VendorError(f"{snapshot} is missing or unreadable: run `python -m codegen generate` first")
    content, sha256 = parsed
    if sha256 != origin.sha256:
        raise VendorError(
            f"{folder} is out of step: {SNAPSHOT_FILE} is from schema sha256 {sha256},"
            f" __init__.py from {origin.sha256}; run `python -m codegen generate` first"
        )
    info = content.get("info")
    if not isinstance(info, dict):
        info = {}
    return str(info.get("version", "")), str(info.get("title") or origin.vendor)


def build_distribution(vendor: str, out: Path, package: str, generated_dir: Path) -> BuildResult:
    """Build a wheel and an sdist of ``generated_dir/vendor`` as top-level package ``package`` into ``out``."""
    origin, files = renamed_package(vendor, package, generated_dir)
    source = generated_dir / vendor
    info_version, title = _schema_info(source, origin)
    if importlib.util.find_spec("build") is None:
        raise BuildError("the build command needs the `build` package (pinned in requirements/codegen.txt)")
    version = distribution_version(info_version, origin.version)
    with tempfile.TemporaryDirectory(prefix="codegen-build-") as temporary:
        stage = Path(temporary) / "project"
        for name, data in files.items():
            path = stage / package / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        readme = files.get("README.md", f"# {title}\n".encode())
        (stage / "README.md").write_bytes(readme)
        (stage / "pyproject.toml").write_text(
            pyproject_text(package, version, title, optional_extras(files)), encoding="utf-8"
        )
        verified, verification = verify(stage, package, *example_of(source, vendor))
        if not verified:
            raise BuildError(f"{package} does not import from the staged distribution: {verification}")
        built = Path(temporary) / "dist"
        _run_build(stage, built)
        wheels, sdists = sorted(built.glob("*.whl")), sorted(built.glob("*.tar.gz"))
        if len(wheels) != 1 or len(sdists) != 1:
            raise BuildError(
                f"the build backend wrote {sorted(p.name for p in built.iterdir())}, not a wheel and an sdist"
            )
        out.mkdir(parents=True, exist_ok=True)
        wheel, sdist = out / wheels[0].name, out / sdists[0].name
        shutil.copyfile(wheels[0], wheel)
        shutil.copyfile(sdists[0], sdist)
    return BuildResult(wheel, sdist, package, version, origin, info_version, verification)


def _run_build(stage: Path, outdir: Path) -> None:
    """``python -m build --no-isolation``: the sdist, then the wheel from it; BuildError with its output."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    command = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(outdir), str(stage)]
    try:
        completed = subprocess.run(  # our own interpreter and arguments, no shell
            command, capture_output=True, text=True, timeout=BUILD_TIMEOUT_SECONDS, cwd=stage, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        raise BuildError(f"building took more than {BUILD_TIMEOUT_SECONDS}s") from None
    if completed.returncode != 0:
        tail = "\n".join((completed.stdout + completed.stderr).strip().splitlines()[-15:])
        raise BuildError(f"`python -m build` failed:\n{tail}")

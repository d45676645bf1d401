"""``vendor``: a generated package copied into another code base under another name, and kept honest.

Generated packages import only relatively, so ``generated/<vendor>/`` works as
``DEST/<name>/`` unchanged. The copy carries ``VENDORED.md``: the source vendor, the
schema's sha256 and the generator version (read from the package's ``__init__.py``, the
one file that holds them), and the sha256 of every copied file. ``--check`` compares the copy with that record (a file
edited, added or missing) and with the current ``generated/<vendor>/`` (a newer schema or
generator), so a stale or patched copy is never mistaken for the real thing.
"""

from __future__ import annotations

import ast
import hashlib
import json
import keyword
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codegen.ir import build_spec
from codegen.maintain.changes import SNAPSHOT_FILE, read_snapshot
from codegen.schema import Document

VENDORED_FILE = "VENDORED.md"
# The provenance assignments of a generated package's __init__.py, by Origin field.
PROVENANCE = {"schema": "__schema__", "sha256": "__schema_sha256__", "version": "__generator_version__"}
RECORD_LINE = re.compile(r"^- (?P<key>vendor|schema|schema sha256|generator version): `(?P<value>[^`]*)`$", re.M)
FILE_LINE = re.compile(r"^\| `(?P<name>[^`]+)` \| (?P<sha256>[0-9a-f]{64}) \|$", re.MULTILINE)
VERIFY_TIMEOUT_SECONDS = 120
# Run in a fresh interpreter with only DEST added to the path: proves the copy needs nothing
# of generated/ or codegen/. argv: DEST, package name, class name or "", JSON example or "".
VERIFY_SCRIPT = textwrap.dedent(
    """
    import importlib, json, sys
    sys.path.insert(0, sys.argv[1])
    package = importlib.import_module(sys.argv[2])
    leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("generated", "codegen"))
    if leaked:
        sys.exit(f"the copy imported {leaked[0]}: it is not self-contained")


    def round_trip(name, data):
        value = package.structure(data, getattr(package, name))
        back = package.unstructure(value)
        if back != data:
            sys.exit(f"{name} does not round-trip: {data!r} came back as {back!r}")
        print(f"imported {sys.argv[2]} and round-tripped one {name}")
        sys.exit(0)


    if sys.argv[3]:  # the schema's own example must work
        round_trip(sys.argv[3], json.loads(sys.argv[4]))
    import attrs
    for name in package.__all__:  # else any model that can be built from an unknown field alone
        cls = getattr(package, name)
        if isinstance(cls, type) and attrs.has(cls):
            try:
                package.structure({"vendored_check": 1}, cls)
            except Exception:
                continue
            round_trip(name, {"vendored_check": 1})
    print(f"imported {sys.argv[2]} (no model could be built from the data at hand)")
    """
)


class VendorError(Exception):
    """A vendoring request that cannot be carried out (bad name, no such package...)."""


@dataclass(frozen=True)
class Origin:
    """Where a generated package came from, as its ``__init__.py`` says."""

    vendor: str
    schema: str
    sha256: str
    version: str


@dataclass
class VendorResult:
    """A finished copy and what the verification in a fresh interpreter said."""

    target: Path
    origin: Origin
    files: dict[str, str]
    verified: bool
    verification: str
    notes: list[str] = field(default_factory=list)

    def report(self) -> str:
        """The summary printed by ``python -m codegen vendor``."""
        lines = [
            f"{self.target}: {len(self.files)} file(s) copied from generated/{self.origin.vendor}/"
            f" (schema sha256 {self.origin.sha256[:12]}, codegen {self.origin.version})",
            f"{'verified' if self.verified else 'VERIFICATION FAILED'}: {self.verification}",
        ]
        return "\n".join(lines + [f"note: {note}" for note in self.notes])


def package_files(folder: Path) -> dict[str, bytes]:
    """The files of a package to copy: everything but caches, the schema snapshot and VENDORED.md."""
    files = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if (
            path.is_file()
            and "__pycache__" not in path.parts
            and path.suffix != ".pyc"
            and relative not in (SNAPSHOT_FILE, VENDORED_FILE)
        ):
            files[relative] = path.read_bytes()
    return files


def origin_of(folder: Path, vendor: str) -> Origin:
    """Read the provenance of a generated package from its ``__init__.py``; VendorError when it has none.

    The file is parsed, not imported: only top-level string assignments are read.
    """
    init = folder / "__init__.py"
    if not init.is_file():
        raise VendorError(f"{folder} is not a generated package (no __init__.py)")
    try:
        tree = ast.parse(init.read_bytes(), filename=str(init))
    except (SyntaxError, ValueError) as exc:
        raise VendorError(f"{init} does not parse: {exc}") from None
    found: dict[str, str] = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            found[node.targets[0].id] = node.value.value
    missing = [name for name in PROVENANCE.values() if name not in found]
    if missing:
        raise VendorError(f"{init} has no {', '.join(missing)}: it was not written by vendor-clients codegen")
    values = {field_name: found[name] for field_name, name in PROVENANCE.items()}
    return Origin(vendor, values["schema"].removeprefix("schemas/"), values["sha256"], values["version"])


def _check_name(name: str) -> None:
    if not name.isidentifier() or keyword.iskeyword(name):
        raise VendorError(f"--package {name!r} must be a Python identifier")


def _absolute_self_imports(files: dict[str, bytes], vendor: str) -> list[str]:
    """Imports that would tie the copy to its original place (``generated.x`` or the vendor's name)."""
    found = []
    for name, data in files.items():
        if not name.endswith(".py"):
            continue
        try:
            tree = ast.parse(data.decode("utf-8"), filename=name)
        except (SyntaxError, UnicodeDecodeError) as exc:
            found.append(f"{name}: does not parse ({exc})")
            continue
        for node in ast.walk(tree):
            modules: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            found += [
                f"{name}:{getattr(node, 'lineno', 0)}: imports {module} absolutely"
                for module in modules
                if module.split(".")[0] in ("generated", "codegen", vendor)
            ]
    return found


def _record(package: str, origin: Origin, files: dict[str, bytes]) -> str:
    rows = "\n".join(f"| `{name}` | {hashlib.sha256(data).hexdigest()} |" for name, data in sorted(files.items()))
    return (
        f"# Vendored client package `{package}`\n\n"
        f"A copy of the package vendor-clients codegen generated for `{origin.vendor}`. Do not edit\n"
        "it here: change the schema upstream, regenerate, then copy it again with\n"
        f"`python -m codegen vendor {origin.vendor} DEST --package {package}`. The same command with\n"
        "`--check` exits 1 when this copy is stale or was edited.\n\n"
        f"- vendor: `{origin.vendor}`\n"
        f"- schema: `schemas/{origin.schema}`\n"
        f"- schema sha256: `{origin.sha256}`\n"
        f"- generator version: `{origin.version}`\n\n"
        "| file | sha256 |\n|---|---|\n"
        f"{rows}\n"
    )


def read_record(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """(facts, {file: sha256}) of a VENDORED.md."""
    facts = {match["key"]: match["value"] for match in RECORD_LINE.finditer(text)}
    hashes = {match["name"]: match["sha256"] for match in FILE_LINE.finditer(text)}
    return facts, hashes


def example_of(folder: Path, vendor: str) -> tuple[str, Any]:
    """A model class name and wire data for it from the schema's own examples ("" when none)."""
    snapshot = folder / SNAPSHOT_FILE
    parsed = read_snapshot(snapshot.read_text(encoding="utf-8")) if snapshot.is_file() else None
    if parsed is None:
        return "", None
    content, sha256 = parsed
    spec = build_spec(Document(snapshot, content, sha256), vendor, f"{vendor}/openapi.json")
    for operation in spec.operations:
        hint = operation.body_hint or ""
        if operation.example_body is not None and hint.startswith("models.") and hint[7:].isidentifier():
            return hint[7:], operation.example_body
    return "", None


def verify(dest: Path, package: str, class_name: str, example: Any) -> tuple[bool, str]:
    """Import ``package`` from ``dest`` in a fresh interpreter and round-trip one model there."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}  # leave no __pycache__ in the copy
    env.pop("PYTHONPATH", None)
    data = json.dumps(example) if class_name else ""
    try:
        completed = subprocess.run(  # our own interpreter and script, no shell
            [sys.executable, "-c", VERIFY_SCRIPT, str(dest.resolve()), package, class_name, data],
            capture_output=True,
            text=True,
            timeout=VERIFY_TIMEOUT_SECONDS,
            cwd=dest,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return False, f"importing {package} took more than {VERIFY_TIMEOUT_SECONDS}s"
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return False, last
    return True, completed.stdout.strip()


def renamed_package(vendor: str, package: str, generated_dir: Path) -> tuple[Origin, dict[str, bytes]]:
    """The origin and files of ``generated_dir/vendor``, checked to work as top-level package ``package``.

    Raises VendorError for a name that is not an identifier, a folder that is not a
    generated package, or a file that imports the package by its original name.
    """
    _check_name(package)
    source = generated_dir / vendor
    origin = origin_of(source, vendor)
    files = package_files(source)
    problems = _absolute_self_imports(files, vendor)
    if problems:
        raise VendorError(f"{source} cannot be copied under another name:\n  " + "\n  ".join(problems))
    return origin, files


def vendor_package(vendor: str, dest: Path, package: str, generated_dir: Path) -> VendorResult:
    """Copy ``generated_dir/vendor`` to ``dest/package``, write VENDORED.md, verify it in a subprocess."""
    origin, files = renamed_package(vendor, package, generated_dir)
    source = generated_dir / vendor
    target = dest / package
    notes: list[str] = []
    if target.exists():
        record = target / VENDORED_FILE
        if not record.is_file():
            if target.is_dir() and not any(target.iterdir()):
                pass
            else:
                raise VendorError(f"{target} exists and is not a vendored copy (no {VENDORED_FILE}); not touching it")
        else:
            _, old_hashes = read_record(record.read_text(encoding="utf-8", errors="replace"))
            for name in old_hashes:  # only what an earlier copy put there; anything else stays
                (target / name).unlink(missing_ok=True)
            leftovers = sorted(set(package_files(target)) - set(files))
            if leftovers:
                notes.append(f"files not from the generated package were left in place: {', '.join(leftovers)}")
    for name, data in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (target / VENDORED_FILE).write_text(_record(package, origin, files), encoding="utf-8")
    class_name, example = example_of(source, vendor)
    verified, message = verify(dest, package, class_name, example)
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    return VendorResult(target, origin, hashes, verified, message, notes)


def check_vendored(vendor: str, dest: Path, package: str, generated_dir: Path) -> list[str]:
    """Why ``dest/package`` is not an unedited copy of the current ``generated_dir/vendor`` ([] when it is)."""
    _check_name(package)
    target = dest / package
    record = target / VENDORED_FILE
    if not record.is_file():
        raise VendorError(f"{target} is not a vendored copy (no {VENDORED_FILE})")
    facts, hashes = read_record(record.read_text(encoding="utf-8", errors="replace"))
    if "schema sha256" not in facts or not hashes:
        raise VendorError(f"{record} is not a record written by `python -m codegen vendor`")
    source = generated_dir / vendor
    current = origin_of(source, vendor)
    problems = []
    if facts.get("vendor") != vendor:
        problems.append(f"was copied from {facts.get('vendor')!r}, not {vendor!r}")
    if facts["schema sha256"] != current.sha256:
        problems.append(
            f"was copied from schema sha256 {facts['schema sha256']}; {source} is now from {current.sha256}"
        )
    if facts.get("generator version") != current.version:
        problems.append(
            f"was generated by codegen {facts.get('generator version')}; {source} is now from {current.version}"
        )
    copy = package_files(target)
    for name, expected in sorted(hashes.items()):
        if name not in copy:
            problems.append(f"{name} is missing")
        elif hashlib.sha256(copy[name]).hexdigest() != expected:
            problems.append(f"{name} was edited after it was vendored")
    problems += [f"{name} is not part of the vendored package" for name in sorted(set(copy) - set(hashes))]
    upstream = package_files(source)
    for name in sorted(set(upstream) | set(hashes)):
        if name not in upstream:
            problems.append(f"{name} no longer exists in {source}")
        elif name not in hashes:
            problems.append(f"{name} is new in {source}")
        elif hashlib.sha256(upstream[name]).hexdigest() != hashes[name]:
            problems.append(f"{name} differs from {source / name}")
    return list(dict.fromkeys(problems))

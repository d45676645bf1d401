"""Generate and check: schemas/<vendor>/openapi.json -> generated/<vendor>/, all or nothing."""

from __future__ import annotations

import difflib
import shutil
from dataclasses import dataclass
from pathlib import Path

from codegen.ir import Spec, build_spec
from codegen.maintain.changes import SNAPSHOT_FILE, record_changes, snapshot_text
from codegen.problems import Problem, SchemaError, SchemaErrors, has_errors
from codegen.render.format import FormatError, format_sources
from codegen.render.package import finish_package, header, render_sources
from codegen.schema import check_document, load_document

SCHEMA_FILE = "openapi.json"
KEPT_FILES = frozenset({"CHANGES.md"})  # written by maintainers' tooling, not by rendering


@dataclass(frozen=True)
class Rendered:
    """Every file of the output folder, by path relative to it, and the warnings met."""

    files: dict[str, str]
    packages: tuple[str, ...]
    warnings: tuple[str, ...]


def discover(schemas_dir: Path) -> list[str]:
    """The vendors: folders of ``schemas_dir`` that hold an ``openapi.json``."""
    return sorted(path.parent.name for path in schemas_dir.glob(f"*/{SCHEMA_FILE}"))


@dataclass(frozen=True)
class _Pending:
    """One schema rendered but not yet formatted."""

    spec: Spec
    sources: dict[str, str]
    problems: list[Problem]
    snapshot: str


def render_vendor(schema_path: Path, package: str, schema_name: str) -> _Pending:
    """Load, check and render one schema (unformatted); raises SchemaError listing every problem."""
    document = load_document(schema_path)
    problems = check_document(document.content)
    if has_errors(problems):
        raise SchemaError(str(schema_path), problems)
    spec = build_spec(document, package, schema_name)
    problems += spec.problems
    if has_errors(spec.problems):
        raise SchemaError(str(schema_path), problems)
    sources, render_problems = render_sources(spec)
    problems += render_problems
    if has_errors(render_problems):
        raise SchemaError(str(schema_path), problems)
    # The schema itself, canonical, so that the next generate can tell what changed (CHANGES.md).
    return _Pending(spec, sources, problems, snapshot_text(document.content, document.sha256))


def render_all(schemas_dir: Path, vendors: list[str] | None = None) -> Rendered:
    """Render the chosen vendors (default: all) in memory; SchemaErrors lists every problem of every schema."""
    chosen = vendors or discover(schemas_dir)
    files: dict[str, str] = {}
    errors: list[SchemaError] = []
    warnings: list[str] = []
    pending: list[_Pending] = []
    for vendor in chosen:
        schema_path = schemas_dir / vendor / SCHEMA_FILE
        try:
            pending.append(render_vendor(schema_path, vendor, f"{vendor}/{SCHEMA_FILE}"))
        except SchemaError as exc:
            errors.append(exc)
            continue
        warnings += [f"{schema_path}: {problem}" for problem in pending[-1].problems]
    if errors:
        raise SchemaErrors(errors)
    # One formatter run for every package: starting ruff costs more than formatting.
    sources = {f"{item.spec.package}/{name}": text for item in pending for name, text in item.sources.items()}
    try:
        formatted = format_sources(sources)
    except FormatError as exc:  # rendered code that does not parse is a codegen fault; reported, not raised
        raise SchemaErrors([SchemaError(str(schemas_dir), [Problem("", str(exc))])]) from None
    for item in pending:
        prefix = f"{item.spec.package}/"
        own = {name[len(prefix) :]: text for name, text in formatted.items() if name.startswith(prefix)}
        files.update({prefix + name: text for name, text in finish_package(own).items()})
        files[prefix + SNAPSHOT_FILE] = item.snapshot
    files["__init__.py"] = header(package=False) + '"""Generated client packages, one per schema in schemas/."""\n'
    return Rendered(files=files, packages=tuple(chosen), warnings=tuple(warnings))


def write(rendered: Rendered, output_dir: Path) -> list[str]:
    """Write rendered files, removing stale ones of the rendered packages; returns what changed.

    First, for each package whose schema changed since its last generation, the change
    report is appended to its CHANGES.md (read from the snapshot that is about to be replaced).
    """
    changed = record_changes(rendered.files, rendered.packages, output_dir)
    for package in rendered.packages:
        folder = output_dir / package
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                relative = path.relative_to(output_dir).as_posix()
                stale = path.is_file() and relative not in rendered.files
                if stale and "__pycache__" not in path.parts and path.name not in KEPT_FILES:
                    path.unlink()
                    changed.append(relative)
            for cache in folder.rglob("__pycache__"):
                shutil.rmtree(cache, ignore_errors=True)
    for relative, text in sorted(rendered.files.items()):
        target = output_dir / relative
        data = text.encode("utf-8")
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        changed.append(relative)
    return changed


def diff(rendered: Rendered, output_dir: Path) -> list[str]:
    """Unified diffs between what the schemas give and what ``output_dir`` holds (empty: in step)."""
    diffs = []
    expected = dict(rendered.files)
    present = set()
    for package in rendered.packages:
        folder = output_dir / package
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file() and "__pycache__" not in path.parts and path.name not in KEPT_FILES:
                    present.add(path.relative_to(output_dir).as_posix())
    if (output_dir / "__init__.py").is_file():
        present.add("__init__.py")
    for relative in sorted(present | set(expected)):
        path = output_dir / relative
        actual = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else None
        wanted = expected.get(relative)
        if actual == wanted:
            continue
        diffs.append(
            "".join(
                difflib.unified_diff(
                    (actual or "").splitlines(keepends=True),
                    (wanted or "").splitlines(keepends=True),
                    fromfile=f"generated/{relative}" + ("" if actual is not None else " (missing)"),
                    tofile=f"generated/{relative} (from schemas)"
                    + ("" if wanted is not None else " (should not exist)"),
                )
            )
            or f"generated/{relative}: differs\n"
        )
    return diffs

"""Benchmark ``generation``, whole specs: the vendors' three published specs, codegen against openapi-python-client.

The published specs of ``nox -s realworld`` (``tests/realworld/specs.py``): Chift's OpenAPI
3.1, Billbee's Swagger 2.0 and Clemta's OpenAPI 3.0.3, from ``../shared/vendor-specs``. Each is
first brought in by ``python -m codegen import SPEC --all``, untimed, into an OpenAPI 3.1
``schemas/<package>/openapi.json``. Both sides then generate from that same document:
openapi-python-client reads no Swagger 2.0, and one input for both is the fair comparison
(it ignores the ``x-`` extensions). Timed, in turn: ``python -m codegen generate PACKAGE``
against ``openapi-python-client generate`` (its ruff post-hooks run), one cold process per spec
on each side. Informational: no target.

The row also states what each side omitted, against the published spec:

- codegen: operations without a Client method and component schemas without a model (from
  the generated client.py and models.py), component schemas no operation refers to (not
  imported), and what ``import`` reports it dropped: media types beside application/json,
  security requirements naming undeclared schemes, unsupported optional parameters;
- openapi-python-client: operations without an endpoint module, and what its warnings
  name: endpoints skipped, schemas removed, responses omitted.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import (
    OPC,
    REPO,
    SCHEMA_FILE,
    VENDOR_SPECS,
    BenchError,
    ChildRun,
    Row,
    Settings,
    child_env,
    missing_peer_note,
    opc_command,
    opc_omissions,
    ratio_row,
    rotated,
    run_child,
    run_codegen,
    run_opc,
    tail,
)
from codegen.maintain.documents import load_spec
from codegen.names import class_names
from tests.realworld.specs import (
    VENDORS,
    Vendor,
    import_command,
    imported_operations,
    method_ranges,
    published_operations,
    published_schemas,
)

DROPPED = (
    ("request bodies and responses cut to application/json", re.compile(r": media types .* dropped")),
    ("requirements of an undeclared or unsupported security scheme", re.compile(r": security scheme .* dropped")),
    ("optional parameters (unsupported)", re.compile(r": optional \w+ parameter .* dropped")),
)
"""What ``codegen import`` notes it dropped, by kind, one note each (a note of another kind counts as ``other``)."""


def chosen_vendors(settings: Settings) -> list[Vendor]:
    """The published specs of this run; BenchError when one is missing."""
    vendors = [vendor for vendor in VENDORS if settings.whole_specs is None or vendor.package in settings.whole_specs]
    for vendor in vendors:
        if not (VENDOR_SPECS / vendor.spec).is_file():
            raise BenchError(
                f"the published spec is missing: {VENDOR_SPECS / vendor.spec} (the benchmark expects the "
                "project's shared folder beside the repository, as ../shared)"
            )
    return vendors


def dropped_by_import(report: str) -> dict[str, int]:
    """How many ``note:`` lines of ``codegen import``'s report say it dropped something, by kind."""
    counts: dict[str, int] = {}
    for line in report.splitlines():
        if not line.startswith("note: ") or "dropped" not in line:
            continue
        kind = next((kind for kind, pattern in DROPPED if pattern.search(line)), "other")
        counts[kind] = counts.get(kind, 0) + 1
    return counts


@dataclass(frozen=True)
class Imported:
    """A published spec and what ``codegen import SPEC --all`` made of it."""

    operations: list[str]
    """``METHOD /path`` of every operation of the published spec."""
    schemas: list[str]
    """Its component schemas (Swagger 2.0: definitions)."""
    methods: dict[str, str]
    """The Client method name of each operation imported."""
    imported_schemas: list[str]
    dropped: dict[str, int]
    seconds: float


def import_spec(vendor: Vendor, schemas: Path) -> Imported:
    """``codegen import SPEC --all`` into ``schemas``; BenchError when it fails."""
    spec = VENDOR_SPECS / vendor.spec
    published = load_spec(spec)
    run = run_child(import_command(spec, vendor.package, schemas), cwd=REPO, env=child_env(with_repo=True))
    if run.returncode != 0:
        raise BenchError(f"codegen import failed on {spec} (exit {run.returncode}):\n{tail(run.stderr + run.stdout)}")
    imported = json.loads((schemas / vendor.package / SCHEMA_FILE).read_text(encoding="utf-8"))
    return Imported(
        operations=published_operations(published),
        schemas=published_schemas(published),
        methods=imported_operations(run.stdout),
        imported_schemas=published_schemas(imported),
        dropped=dropped_by_import(run.stdout + run.stderr),
        seconds=run.seconds,
    )


def defined_names(source: str) -> set[str]:
    """Names a module defines at its top level: classes and assigned names (type aliases)."""
    names: set[str] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


@dataclass(frozen=True)
class Generated:
    """What one side generated from an imported spec, and what it left out."""

    operations: int
    schemas: int
    """Component schemas of the published spec that got a model."""
    omitted: dict[str, list[str]] = field(default_factory=dict)
    """By kind of omission: ``METHOD /path`` of operations, or schema names."""
    failed: str = ""
    """Why the side produced no client at all ('' when it did)."""


def ours_generated(package: Path, imported: Imported) -> Generated:
    """The Client methods and models of a generated package, against the published spec."""
    methods = method_ranges((package / "client.py").read_text(encoding="utf-8"))
    models = defined_names((package / "models.py").read_text(encoding="utf-8"))
    classes = class_names(imported.imported_schemas)  # the rule codegen names model classes by
    omitted = {
        "operations without a Client method": [
            key for key in imported.operations if imported.methods.get(key) not in methods
        ],
        "schemas without a model": [name for name in imported.imported_schemas if classes[name] not in models],
    }
    return Generated(
        operations=len(imported.operations) - len(omitted["operations without a Client method"]),
        schemas=len(imported.imported_schemas) - len(omitted["schemas without a model"]),
        omitted={kind: names for kind, names in omitted.items() if names},
    )


def peer_generated(output: Path, run: ChildRun, imported: Imported) -> Generated:
    """openapi-python-client's endpoint modules, and what its warnings say it left out."""
    modules = [path for path in output.glob("*/api/**/*.py") if path.name != "__init__.py"]
    omitted = opc_omissions(run)
    return Generated(
        operations=len(modules),
        schemas=len(imported.imported_schemas) - len(omitted["schemas removed"]),
        omitted={kind: names for kind, names in omitted.items() if names},
    )


def peer_failure(error: BenchError) -> Generated:
    """No client: the reason openapi-python-client gave, without its banner lines."""
    banners = ("Generating ", "Error(s) encountered", "If you believe")
    lines = [line.strip() for line in str(error).splitlines()[1:] if line.strip()]
    reason = [line.removeprefix("error: ") for line in lines if not line.startswith(banners)]
    return Generated(operations=0, schemas=0, failed=": ".join(reason) or str(error).splitlines()[0])


@dataclass
class SpecResult:
    """One published spec: its import, what each side generated, and the seconds each took."""

    vendor: Vendor
    imported: Imported
    ours: Generated | None = None
    peer: Generated | None = None
    """None: openapi-python-client is not installed."""
    seconds: dict[str, list[float]] = field(default_factory=lambda: {"ours": [], "peer": []})

    @property
    def not_imported(self) -> list[str]:
        """Component schemas of the published spec that ``codegen import`` left out (no operation refers to them)."""
        kept = set(self.imported.imported_schemas)
        return [name for name in self.imported.schemas if name not in kept]

    def details(self) -> dict[str, Any]:
        """The JSON details: the spec's size, what import dropped, what each side generated and omitted."""
        return {
            "spec": self.vendor.spec,
            "published": {"operations": len(self.imported.operations), "schemas": len(self.imported.schemas)},
            "import_seconds": round(self.imported.seconds, 2),
            "not imported": self.not_imported,
            "import dropped": self.imported.dropped,
            "codegen": asdict(self.ours) if self.ours is not None else None,
            OPC: asdict(self.peer) if self.peer is not None else None,
            "seconds": {"codegen": self.seconds["ours"], OPC: self.seconds["peer"]},
        }


def counted(counts: dict[str, int], what: str) -> str:
    """``3 <what> (Chift: 3)``: the total of counts by spec title, and where it is not zero; '' for none."""
    where = ", ".join(f"{title}: {number}" for title, number in counts.items() if number)
    return f"{sum(counts.values())} {what} ({where})" if where else ""


def side_summary(name: str, results: list[SpecResult], made: dict[str, Generated]) -> str:
    """``NAME: 272/275 operations, 570/592 schemas as models; omitted: ...``: what one side generated."""
    operations = sum(len(result.imported.operations) for result in results)
    schemas = sum(len(result.imported.schemas) for result in results)
    parts = [f"no client for {title} ({generated.failed})" for title, generated in made.items() if generated.failed]
    for kind in dict.fromkeys(kind for generated in made.values() for kind in generated.omitted):
        parts.append(counted({title: len(generated.omitted.get(kind, [])) for title, generated in made.items()}, kind))
    unused = {r.vendor.title: len(r.not_imported) for r in results if not made[r.vendor.title].failed}
    parts.append(counted(unused, "schemas no operation refers to, not imported"))
    kept = [part for part in parts if part]
    return (
        f"{name}: {sum(g.operations for g in made.values())}/{operations} operations, "
        f"{sum(g.schemas for g in made.values())}/{schemas} schemas as models; "
        + ("omitted: " + "; ".join(kept) if kept else "omitted nothing")
    )


def describe(results: list[SpecResult], timed: list[SpecResult]) -> str:
    """The row's note: how both sides are fed, and what each omitted from the published specs."""
    dropped = [
        counted({r.vendor.title: r.imported.dropped.get(kind, 0) for r in results}, kind)
        for kind in [*(kind for kind, _ in DROPPED), "other"]
    ]
    kept = [part for part in dropped if part]
    parts = [
        f"both sides generate the OpenAPI 3.1 documents of `codegen import --all` ({OPC} reads no Swagger 2.0)",
        "codegen import dropped: " + "; ".join(kept) if kept else "codegen import dropped nothing",
        side_summary("codegen", results, {r.vendor.title: r.ours or NOTHING for r in results}),
    ]
    if all(result.peer is not None for result in results):
        parts.append(side_summary(OPC, results, {r.vendor.title: r.peer or NOTHING for r in results}))
        if len(timed) < len(results):
            parts.append(f"timed on {', '.join(result.vendor.title for result in timed)} only")
    else:
        parts.append(missing_peer_note(OPC))
    return ". ".join(parts)


NOTHING = Generated(operations=0, schemas=0)


def bench_whole_specs(settings: Settings, work: Path) -> tuple[list[Row], dict[str, Any]]:
    """Generating the published specs whole, after ``codegen import --all``: codegen against openapi-python-client."""
    schemas = work / "whole-schemas"
    shutil.rmtree(schemas, ignore_errors=True)
    results = [SpecResult(vendor, import_spec(vendor, schemas)) for vendor in chosen_vendors(settings)]
    opc = opc_command()

    def ours() -> float:
        for result in results:
            output = work / "whole-ours" / result.vendor.package
            run = run_codegen(schemas, output, [result.vendor.package], keep=True)
            result.seconds["ours"].append(run.seconds)
            result.ours = ours_generated(output / result.vendor.package, result.imported)
        return sum(result.seconds["ours"][-1] for result in results)

    def peer() -> float:
        assert opc is not None
        for result in results:
            if result.peer is not None and result.peer.failed:
                continue  # it fails the same way every time
            output = work / "whole-opc" / result.vendor.package
            try:
                run = run_opc(opc, schemas / result.vendor.package / SCHEMA_FILE, output, keep=True)
            except BenchError as exc:
                result.peer = peer_failure(exc)
                continue
            result.seconds["peer"].append(run.seconds)
            result.peer = peer_generated(output, run, result.imported)
        return sum(result.seconds["peer"][-1] for result in results if result.seconds["peer"])

    sides: dict[str, Callable[[], float]] = {"ours": ours}
    if opc is not None:
        sides["peer"] = peer
    rotated(sides, settings.repeat)  # the samples kept are per spec, in results
    shutil.rmtree(work / "whole-ours", ignore_errors=True)
    shutil.rmtree(work / "whole-opc", ignore_errors=True)
    # A spec the peer produced no client for is left out of the timing of both sides.
    timed = [result for result in results if result.peer is None or not result.peer.failed] or results
    ours_samples = [sum(values) for values in zip(*(r.seconds["ours"] for r in timed), strict=True)]
    peer_samples = [sum(values) for values in zip(*(r.seconds["peer"] for r in timed), strict=True)]
    operations = sum(len(result.imported.operations) for result in timed)
    specs = ", ".join(result.vendor.title for result in timed)
    name = f"generate published specs whole ({specs}: {operations} ops), a process per spec"
    row = ratio_row("generation", name, "s", ours_samples, peer_samples or None, OPC, None, describe(results, timed))
    return [row], {result.vendor.package: result.details() for result in results}

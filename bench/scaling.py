"""Benchmark ``scaling``: codegen on the vendor's full published Chift spec and on subsets of it.

codegen on the full published Chift spec (../shared/vendor-specs), and on subsets of its
first 10 and 50 paths (components pruned to what those paths reference), in a temporary
folder: wall time and peak memory (ru_maxrss of the child process tree, from ``os.wait4``).
The published spec is adapted minimally for codegen's checks, and every adaptation is
reported. Targets: full spec < 20 s and < 500 MB; growth roughly linear (the marginal cost
per kB of spec from 50 paths to all stays within 0.5x-2x of the one from 10 to 50 paths;
times from the fastest run of each size). openapi-python-client on the same documents is
shown for reference.
"""

from __future__ import annotations

import copy
import json
import math
import shutil
import statistics
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness import (
    OPC,
    SCHEMA_FILE,
    VENDOR_SPECS,
    BenchError,
    ChildRun,
    Row,
    Settings,
    describe_opc_warnings,
    interleaved,
    limit_row,
    load_json,
    missing_peer_note,
    opc_command,
    opc_warnings,
    ratio_row,
    run_codegen,
    run_opc,
)
from codegen.openapi import iter_operations

FULL_CHIFT_SPEC = VENDOR_SPECS / "chift" / "openapi-2026-08-21.json"


def load_full_spec() -> dict[str, Any]:
    """The published Chift spec from ../shared; BenchError when it is missing."""
    if not FULL_CHIFT_SPEC.is_file():
        raise BenchError(
            f"the published Chift spec is missing: {FULL_CHIFT_SPEC} (the benchmark expects the project's "
            "shared folder beside the repository, as ../shared)"
        )
    document: dict[str, Any] = load_json(FULL_CHIFT_SPEC)
    return document


def add_credentials(document: dict[str, Any]) -> list[str]:
    """Give every security scheme without ``x-credential`` one (codegen names Client arguments from it)."""
    adapted = []
    schemes = document.get("components", {}).get("securitySchemes", {})
    for name, scheme in schemes.items():
        if not isinstance(scheme, dict) or "x-credential" in scheme:
            continue
        kind, http_scheme = scheme.get("type"), str(scheme.get("scheme", "")).lower()
        credential: Any
        if kind == "http" and http_scheme == "basic":
            credential = {"username": "username", "password": "password"}
        elif kind == "http" and http_scheme == "bearer":
            credential = "token"
        elif kind == "apiKey":
            credential = "api_key"
        else:
            continue
        scheme["x-credential"] = credential
        adapted.append(f"components/securitySchemes/{name}: added x-credential {json.dumps(credential)}")
    return adapted


def drop_undeclared_security(document: dict[str, Any]) -> list[str]:
    """Drop security requirements naming schemes the document never declares (codegen refuses them).

    The published Chift spec has operations requiring an ``mcp_auth`` scheme it does not define.
    """
    adapted = []
    declared = document.get("components", {}).get("securitySchemes", {})
    for path, method, _, operation in iter_operations(document):
        if not isinstance(operation.get("security"), list):
            continue
        kept = [requirement for requirement in operation["security"] if set(requirement) <= set(declared)]
        if kept != operation["security"]:
            dropped = sorted({name for requirement in operation["security"] for name in requirement} - set(declared))
            adapted.append(f"{method.upper()} {path}: dropped the requirement of undeclared {', '.join(dropped)}")
            if kept:
                operation["security"] = kept
            else:
                del operation["security"]  # the document's own security applies
    return adapted


def references(node: Any) -> Iterator[str]:
    """Every ``$ref`` string under ``node``."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref
        for value in node.values():
            yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def subset_document(document: dict[str, Any], paths: int | None) -> dict[str, Any]:
    """The first ``paths`` paths (all: None) with the components they reference, transitively."""
    if paths is None:
        return copy.deepcopy(document)
    subset = {key: copy.deepcopy(value) for key, value in document.items() if key not in ("paths", "components")}
    subset["paths"] = copy.deepcopy(dict(list(document["paths"].items())[:paths]))
    components = document.get("components", {})
    kept: dict[str, dict[str, Any]] = {}
    if "securitySchemes" in components:
        kept["securitySchemes"] = copy.deepcopy(components["securitySchemes"])
    pending = list(references(subset["paths"]))
    while pending:
        ref = pending.pop()
        parts = ref.split("/")
        if len(parts) != 4 or parts[:2] != ["#", "components"]:
            continue
        section, name = parts[2], parts[3].replace("~1", "/").replace("~0", "~")
        if name in kept.get(section, {}) or name not in components.get(section, {}):
            continue
        value = copy.deepcopy(components[section][name])
        kept.setdefault(section, {})[name] = value
        pending += references(value)
    subset["components"] = kept
    return subset


def document_size(document: dict[str, Any]) -> dict[str, int]:
    """Paths, operations, component schemas and JSON bytes of a document."""
    operations = sum(1 for _ in iter_operations(document))
    return {
        "paths": len(document["paths"]),
        "operations": operations,
        "schemas": len(document.get("components", {}).get("schemas", {})),
        "bytes": len(json.dumps(document).encode("utf-8")),
    }


def write_schema(root: Path, package: str, document: dict[str, Any]) -> Path:
    """``root/<package>/openapi.json``: a schemas folder codegen can read; returns the file."""
    target = root / package / SCHEMA_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(document, indent=1), encoding="utf-8")
    return target


@dataclass
class Adapted:
    """The spec as codegen accepted it, what was changed and why."""

    document: dict[str, Any]
    adaptations: list[str]
    errors: list[str]
    """codegen's error text for each version that it refused."""


def adapt_for_codegen(document: dict[str, Any], probe_paths: int | None, work: Path) -> Adapted:
    """Adapt the published spec as little as codegen needs, trying it after each step."""
    adapted = copy.deepcopy(document)
    changes = add_credentials(adapted)
    errors: list[str] = []
    steps: list[Callable[[dict[str, Any]], list[str]]] = [drop_undeclared_security]
    while True:
        root = work / "probe"
        shutil.rmtree(root, ignore_errors=True)
        write_schema(root, "chift_full", subset_document(adapted, probe_paths))
        try:
            run_codegen(root, work / "probe-out")
        except BenchError as exc:
            errors.append(str(exc))
            if not steps:
                reasons = "\n".join(errors)
                raise BenchError(f"codegen refuses the published Chift spec even adapted:\n{reasons}") from None
            changes += steps.pop(0)(adapted)
            continue
        return Adapted(document=adapted, adaptations=changes, errors=errors)


def linearity(sizes: Sequence[float], costs: Sequence[float]) -> float | None:
    """Marginal cost per unit of size over the last step, divided by the one over the step before."""
    if len(sizes) < 3 or sizes[-1] == sizes[-2] or sizes[-2] == sizes[-3]:
        return None
    before = (costs[-2] - costs[-3]) / (sizes[-2] - sizes[-3])
    last = (costs[-1] - costs[-2]) / (sizes[-1] - sizes[-2])
    return last / before if before > 0 else math.inf


def bench_scaling(settings: Settings, work: Path) -> tuple[list[Row], dict[str, Any]]:
    """codegen on subsets of the published Chift spec and on all of it: time, peak memory, growth."""
    published = load_full_spec()
    subsets = list(settings.subsets)
    probe = None if None in subsets else max(count for count in subsets if count is not None)
    adapted = adapt_for_codegen(published, probe, work)
    opc = opc_command()
    rows: list[Row] = []
    measured: list[dict[str, Any]] = []
    for paths in subsets:
        document = subset_document(adapted.document, paths)
        size = document_size(document)
        root = work / f"subset-{paths or 'all'}"
        shutil.rmtree(root, ignore_errors=True)
        schema = write_schema(root, "chift_full", document)
        ours_runs: list[ChildRun] = []
        peer_runs: list[ChildRun] = []

        def ours(root: Path = root, runs: list[ChildRun] = ours_runs) -> float:
            runs.append(run_codegen(root, work / "scaling-out"))
            return runs[-1].seconds

        def peer(schema: Path = schema, runs: list[ChildRun] = peer_runs) -> float:
            assert opc is not None
            runs.append(run_opc(opc, schema, work / "scaling-opc-out"))
            return runs[-1].seconds

        interleaved(ours, peer if opc else None, settings.repeat)
        label = "full spec" if paths is None else f"first {paths} paths"
        described = f"Chift {label} ({size['operations']} ops, {size['schemas']} schemas)"
        note = "" if opc else missing_peer_note(OPC)
        if opc and peer_runs:
            note = f"{OPC} generated it with warnings: {describe_opc_warnings(opc_warnings(peer_runs[-1]))}"
        times = ([run.seconds for run in ours_runs], [run.seconds for run in peer_runs])
        memory = ([run.max_rss_mb for run in ours_runs], [run.max_rss_mb for run in peer_runs])
        if paths is None:
            rows.append(limit_row("scaling", f"time, {described}", "s", *times, OPC, 20.0, note))
            rows.append(limit_row("scaling", f"memory, {described}", "MB", *memory, OPC, 500.0, note))
        else:
            rows.append(ratio_row("scaling", f"time, {described}", "s", *times, OPC, None, note))
            rows.append(ratio_row("scaling", f"memory, {described}", "MB", *memory, OPC, None, note))
        measured.append(
            {
                "paths": paths,
                **size,
                "seconds": statistics.median(times[0]),
                "best_seconds": min(times[0]),
                "max_rss_mb": statistics.median(memory[0]),
                "peer_seconds": statistics.median(times[1]) if times[1] else None,
                "peer_max_rss_mb": statistics.median(memory[1]) if memory[1] else None,
            }
        )
    kilobytes = [entry["bytes"] / 1000 for entry in measured]
    for key, what in (("best_seconds", "time"), ("max_rss_mb", "peak memory")):
        growth = linearity(kilobytes, [entry[key] for entry in measured])
        steps = " -> ".join(f"{entry['paths'] or 'all'}" for entry in measured)
        row = Row(
            benchmark="scaling",
            name=f"{what} growth {steps} paths: cost per kB, last step / first",
            unit="x",
            ours=growth,
            peer=None,
            peer_name="-",
            target="0.5-2 (linear)",
            met=None if growth is None else 0.5 <= growth <= 2.0,
            note="1.0: exactly linear in the spec's size, below 1: slower than linear; from the fastest run "
            "of each size (time) and the medians (memory)",
        )
        rows.append(row)
    details = {
        "spec": str(FULL_CHIFT_SPEC),
        "adaptations": adapted.adaptations,
        "codegen_errors_before_adaptation": adapted.errors,
        "subsets": measured,
    }
    return rows, details

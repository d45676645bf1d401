"""Benchmark ``generation``: regenerating every vendor, codegen against openapi-python-client.

``python -m codegen generate`` of every vendor in schemas/, one cold subprocess, against
``openapi-python-client generate`` of the same schema files, one cold subprocess per vendor
(its ruff post-hooks run: the environment's bin folder is put on PATH). Target: ratio <= 0.5.
An informational row runs codegen once per vendor too.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from bench.harness import (
    OPC,
    SCHEMA_FILE,
    SCHEMAS,
    Row,
    Settings,
    describe_opc_warnings,
    missing_peer_note,
    opc_command,
    opc_warnings,
    ratio_row,
    rotated,
    run_codegen,
    run_opc,
)


def discover_vendors() -> list[str]:
    """Folders of schemas/ that hold an openapi.json."""
    return sorted(path.parent.name for path in SCHEMAS.glob(f"*/{SCHEMA_FILE}"))


def bench_generation(settings: Settings, work: Path) -> list[Row]:
    """Regenerating every vendor: codegen (one process) against openapi-python-client (one per vendor)."""
    vendors = list(settings.vendors or discover_vendors())
    schemas = work / "schemas"
    shutil.rmtree(schemas, ignore_errors=True)
    for vendor in vendors:
        (schemas / vendor).mkdir(parents=True)
        shutil.copy2(SCHEMAS / vendor / SCHEMA_FILE, schemas / vendor / SCHEMA_FILE)
    opc = opc_command()
    warned: dict[str, dict[str, int]] = {}

    def ours_all() -> float:
        return run_codegen(schemas, work / "ours-out").seconds

    def ours_each() -> float:
        return sum(run_codegen(schemas, work / "ours-out", [vendor]).seconds for vendor in vendors)

    def peer_all() -> float:
        assert opc is not None
        total = 0.0
        for vendor in vendors:
            run = run_opc(opc, schemas / vendor / SCHEMA_FILE, work / "opc-out" / vendor)
            warned[vendor] = opc_warnings(run)
            total += run.seconds
        return total

    label = f"{len(vendors)} vendor" + ("s" if len(vendors) > 1 else "")
    sides: dict[str, Callable[[], float]] = {"all": ours_all, "each": ours_each}
    if opc is not None:
        sides["peer"] = peer_all
    samples = rotated(sides, settings.repeat)
    ours, each, peer = samples["all"], samples["each"], samples.get("peer")
    if opc is None:
        note = missing_peer_note(OPC)
    else:
        problems = "; ".join(
            f"{vendor}: {describe_opc_warnings(counts)}" for vendor, counts in warned.items() if counts
        )
        note = (
            f"{OPC} generated every schema (it ignores the x- extensions) "
            + (f"with warnings ({problems})" if problems else "without a warning")
            + "; its ruff post-hooks ran"
        )
    return [
        ratio_row("generation", f"regenerate {label}: codegen, one process", "s", ours, peer, OPC, 0.5, note),
        ratio_row(
            "generation",
            f"regenerate {label}: codegen, a process per vendor",
            "s",
            each,
            peer,
            OPC,
            None,
            note if opc is None else "both sides pay one interpreter start per vendor",
        ),
    ]

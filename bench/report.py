"""The results: the table (plain text or markdown), the machine they were measured on, the JSON."""

from __future__ import annotations

import datetime
import importlib.metadata
import math
import os
import platform
import re
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.harness import OPC, Row, Settings


def format_figure(value: float | None, unit: str) -> str:
    """A figure with its unit, to three significant digits."""
    if value is None:
        return "-"
    if math.isinf(value):
        return "inf"
    return f"{value:.3g} {unit}".strip() if unit != "x" else f"{value:.2f}"


def status(row: Row) -> str:
    """met, MISSED, or why the row is not judged."""
    if row.met is not None:
        return ("met" if row.met else "MISSED") + (" (noisy)" if row.noisy else "")
    if row.target == "info":
        return "info"
    return "not measured"


def distinct_notes(rows: Sequence[Row]) -> list[tuple[Row, str]]:
    """Each row's note, except where it repeats the note of the row above."""
    notes: list[tuple[Row, str]] = []
    previous = ""
    for row in rows:
        if row.note and row.note != previous:
            notes.append((row, row.note))
        previous = row.note
    return notes


def table_lines(rows: Sequence[Row], markdown: bool = False) -> list[str]:
    """The result table, plain text or markdown."""
    header = ["benchmark", "measure", "project", "peer", "ratio", "best-of", "target", "status"]
    body = [
        [
            row.benchmark,
            row.name,
            format_figure(row.ours, row.unit),
            format_figure(row.peer, row.unit) + (f" ({row.peer_name})" if row.peer is not None else ""),
            f"{row.ratio:.2f}" if row.ratio is not None else "-",
            f"{row.best_ratio:.2f}" if row.best_ratio is not None else "-",
            row.target,
            status(row),
        ]
        for row in rows
    ]
    if markdown:
        return [
            "| " + " | ".join(header) + " |",
            "|" + "|".join("---" for _ in header) + "|",
            *("| " + " | ".join(cells) + " |" for cells in body),
        ]
    widths = [max(len(cells[index]) for cells in [header, *body]) for index in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * width for width in widths))
    lines += [
        "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip() for cells in body
    ]
    notes = [f"  [{row.benchmark}] {row.name}: {row.note}" for row, note in distinct_notes(rows)]
    return [*lines, "", LEGEND, *(["", "notes:", *notes] if notes else [])]


LEGEND = (
    "ratio: project / peer, medians of the samples (the figure judged); best-of: fastest sample / fastest "
    "sample, less sensitive to a busy machine; (noisy): the two disagree on meeting the target."
)


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, with the core count."""
    try:
        text = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return f"{match.group(1).strip() if match else platform.processor() or 'unknown'}, {os.cpu_count()} cores"


def versions() -> dict[str, str | None]:
    """Versions of the packages the benchmark compares."""
    found: dict[str, str | None] = {}
    for name in ("attrs", "cattrs", "urllib3", "datamodel-code-generator", "pydantic", OPC, "chift", "ruff"):
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return found


def machine() -> dict[str, Any]:
    """Where the figures were measured."""
    return {
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "packages": versions(),
    }


def results(rows: Sequence[Row], details: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Everything the JSON output holds."""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": machine(),
        "settings": asdict(settings),
        "rows": [row.to_json() for row in rows],
        "details": details,
    }


def markdown_report(data: dict[str, Any], rows: Sequence[Row]) -> str:
    """The table as markdown, with the date, CPU and Python version (for BENCHMARKS.md)."""
    info = data["machine"]
    lines = [
        f"Measured {data['date']} on {info['cpu']}, {info['implementation']} {info['python']} "
        f"({info['platform']}); medians of {data['settings']['repeat']} runs "
        f"({data['settings']['import_repeat']} for imports).",
        "",
        *table_lines(rows, markdown=True),
        "",
        LEGEND,
        "",
        *(f"- {row.benchmark}, {row.name}: {note}" for row, note in distinct_notes(rows)),
    ]
    return "\n".join(lines).rstrip() + "\n"

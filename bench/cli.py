"""The command line of the benchmarks (``python -m bench``): run them, print the table, write the JSON."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import bench
from bench.async_calls import bench_async
from bench.codecs import bench_codecs
from bench.generation import bench_generation
from bench.harness import BenchError, Row, Settings
from bench.imports import bench_import
from bench.per_call import bench_per_call
from bench.report import markdown_report, results, table_lines
from bench.scaling import bench_scaling
from bench.whole_import import bench_whole_import
from bench.whole_specs import bench_whole_specs

DEFAULT_OUTPUT = Path("bench-results") / "latest.json"
DESCRIPTION = (bench.__doc__ or "").split("\n\n")[0]
BENCHMARKS = ("generation", "scaling", "decode", "encode", "per-call", "async", "import", "import-whole")


def run_benchmarks(names: Sequence[str], settings: Settings, work: Path) -> tuple[list[Row], dict[str, Any]]:
    """Run the named benchmarks; a benchmark that fails gives a row saying why, the others still run."""
    rows: list[Row] = []
    details: dict[str, Any] = {}
    for name in names:
        started = time.perf_counter()
        print(f"running {name}...", file=sys.stderr, flush=True)
        try:
            if name == "generation":
                rows += bench_generation(settings, work)
                try:  # the published specs of ../shared; their failure keeps the rows above
                    found, details["whole_specs"] = bench_whole_specs(settings, work)
                    rows += found
                except BenchError as exc:
                    rows.append(failed_row(name, exc))
            elif name == "scaling":
                found, details["scaling"] = bench_scaling(settings, work)
                rows += found
            elif name in ("decode", "encode"):
                if name == "encode" and "decode" in names:
                    continue  # measured together with decode
                directions = [direction for direction in ("decode", "encode") if direction in names]
                found, details["codecs"] = bench_codecs(settings, work, directions)
                rows += sorted(found, key=lambda row: directions.index(row.benchmark))
            elif name == "per-call":
                rows += bench_per_call(settings)
            elif name == "async":
                rows += bench_async(settings)
            elif name == "import":
                found, details["import"] = bench_import(settings, work)
                rows += found
            elif name == "import-whole":
                found, details["import_whole"] = bench_whole_import(settings, work)
                rows += found
            else:
                raise BenchError(f"unknown benchmark {name!r} (known: {', '.join(BENCHMARKS)})")
        except BenchError as exc:
            rows.append(failed_row(name, exc))
        details.setdefault("seconds", {})[name] = round(time.perf_counter() - started, 1)
    return rows, details


def failed_row(name: str, error: BenchError) -> Row:
    """The row of a benchmark that could not run, saying why."""
    return Row(name, "failed", "", None, None, "-", "-", None, note=str(error))


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=DESCRIPTION)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="JSON results (default: %(default)s)")
    parser.add_argument("--markdown", type=Path, help="also write the table as markdown to this file")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated benchmarks (default: all)")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="fewer repetitions (a rough table)")
    size.add_argument("--smoke", action="store_true", help="each benchmark once on tiny input (checks the harness)")
    parser.add_argument("--repeat", type=int, help="samples per figure (default 5)")
    parser.add_argument("--fail-on-miss", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run, print the table, write the JSON; 1 when a row could not be measured (or, asked, a target missed)."""
    args = parse_arguments(argv)
    settings = Settings.smoke() if args.smoke else Settings.quick() if args.quick else Settings()
    if args.repeat:
        settings = replace(settings, repeat=args.repeat)
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"error: unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="vendor-clients-bench-") as tmp:
        rows, details = run_benchmarks(names, settings, Path(tmp))
    data = results(rows, details, settings)
    print("\n".join(table_lines(rows)))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"\nresults written to {args.output}")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown_report(data, rows), encoding="utf-8")
    incomplete = [row for row in rows if row.ours is None or (row.target != "info" and row.met is None)]
    missed = [row for row in rows if row.met is False]
    if incomplete:
        print(f"{len(incomplete)} row(s) could not be measured; see the notes", file=sys.stderr)
        return 1
    return 1 if missed and args.fail_on_miss else 0

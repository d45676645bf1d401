"""Benchmark ``import``: importing the generated Chift package against the official Chift SDK.

``python -X importtime -c "import generated.chift"`` (and constructing a Client) against
``import chift`` of the official Chift SDK (and constructing its ChiftClient), each in a
fresh subprocess, bytecode cached (``cached_bytecode``). Target: ratio <= 0.5.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.harness import (
    REPO,
    BenchError,
    Row,
    Settings,
    cached_bytecode,
    child_env,
    interleaved,
    missing_peer_note,
    peer_available,
    ratio_row,
    run_child,
    tail,
)

ACCOUNT_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
"""Both sides get the same credentials; the generated Client checks that this one is a UUID."""

OURS_IMPORT = f"""\
import time
t0 = time.perf_counter()
import generated.chift as package
t1 = time.perf_counter()
package.Client(client_id="id", client_secret="secret", account_id="{ACCOUNT_ID}")
t2 = time.perf_counter()
print({{"import": t1 - t0, "client": t2 - t0, "file": package.__file__}})
"""

PEER_IMPORT = f"""\
import time
t0 = time.perf_counter()
import chift as package
t1 = time.perf_counter()
from chift.api.client import ChiftClient
ChiftClient(client_id="id", client_secret="secret", account_id="{ACCOUNT_ID}")
t2 = time.perf_counter()
print({{"import": t1 - t0, "client": t2 - t0, "file": package.__file__}})
"""


SDK = "official Chift SDK"
Samples = dict[str, dict[str, list[float]]]
"""Side ("ours", "peer") -> measure -> one figure per fresh interpreter."""


def sample_in_turn(ours: Callable[[], float], peer: Callable[[], float] | None, samples: Samples, repeat: int) -> None:
    """Each side once to compile its bytecode (not counted), then ``repeat`` samples of each, in turn."""
    ours()
    if peer is not None:
        peer()
    for figures in samples.values():
        figures.clear()
    interleaved(ours, peer, repeat)


def sdk_row(
    benchmark: str, measure: str, unit: str, samples: Samples, key: str, target: float | None, note: str
) -> Row:
    """The row of one measure, ours against the official SDK's."""
    return ratio_row(benchmark, measure, unit, samples["ours"][key], samples["peer"].get(key), SDK, target, note)


def import_run(code: str, *, with_repo: bool, cwd: Path) -> tuple[dict[str, Any], list[tuple[int, str]]]:
    """One fresh interpreter under ``-X importtime``: its timings, and (self us, module) per import."""
    run = run_child(
        [sys.executable, "-X", "importtime", "-c", code],
        cwd=cwd,
        env=cached_bytecode(child_env(with_repo=with_repo), cwd.parent / "pycache"),
        timeout=120,
    )
    if run.returncode != 0:
        raise BenchError(f"import failed (exit {run.returncode}):\n{tail(run.stderr)}")
    timings: dict[str, Any] = ast.literal_eval(run.stdout.strip().splitlines()[-1])
    modules = []
    for line in run.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)", line)
        if match:
            modules.append((int(match.group(1)), match.group(4)))
    return timings, modules


def bench_import(settings: Settings, work: Path) -> tuple[list[Row], dict[str, Any]]:
    """``import generated.chift`` (and a Client) against ``import chift`` of the official SDK, fresh interpreters."""
    cwd = work / "import-cwd"
    cwd.mkdir(exist_ok=True)
    available = peer_available("chift")
    samples: Samples = {"ours": {}, "peer": {}}
    slowest: dict[str, list[tuple[int, str]]] = {}

    def side(name: str, code: str, with_repo: bool) -> Callable[[], float]:
        def sample() -> float:
            timings, modules = import_run(code, with_repo=with_repo, cwd=cwd)
            if name == "peer" and Path(timings["file"]).resolve().is_relative_to(REPO / "generated"):
                raise BenchError(f"'import chift' found {timings['file']}, not the official SDK")
            for key in ("import", "client"):
                samples[name].setdefault(key, []).append(timings[key] * 1000)
            slowest[name] = sorted(modules, reverse=True)[:8]
            return float(timings["import"])

        return sample

    ours = side("ours", OURS_IMPORT, True)
    peer = side("peer", PEER_IMPORT, False) if available else None
    sample_in_turn(ours, peer, samples, settings.import_repeat)
    note = "" if available else missing_peer_note(f"chift (the {SDK})")
    rows = [
        sdk_row("import", "import generated.chift / import chift", "ms", samples, "import", 0.5, note),
        sdk_row("import", "import, then construct a client", "ms", samples, "client", 0.5, note),
    ]
    details = {
        side_name: [{"self_us": self_us, "module": module} for self_us, module in modules]
        for side_name, modules in slowest.items()
    }
    return rows, {"slowest_imports_self_time": details}

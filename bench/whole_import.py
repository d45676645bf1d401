"""Benchmark ``import-whole``: the client of Chift's whole published spec against the official Chift SDK.

Every operation of the published Chift spec (../shared/vendor-specs) is imported into a
temporary schemas folder (``python -m codegen import SPEC --all``, in process) and
generated as the package ``chift_whole``; then, in fresh interpreters, ``import
chift_whole`` against ``import chift`` of the official SDK: the import time (target:
ratio <= 0.5, as for today's client) and the peak memory of the process after the import
(ru_maxrss; informational), and the import followed by constructing a client
(informational). Both sides start warm, their bytecode cached (``cached_bytecode``). The
smoke settings import the operations of the first paths only.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.harness import (
    BenchError,
    Row,
    Settings,
    cached_bytecode,
    child_env,
    codegen_command,
    missing_peer_note,
    peer_available,
    run_child,
    tail,
)
from bench.imports import PEER_IMPORT, SDK, Samples, sample_in_turn, sdk_row
from bench.scaling import FULL_CHIFT_SPEC
from codegen.maintain.convert import normalise
from codegen.maintain.documents import load_spec
from codegen.maintain.operations import operations_of
from codegen.maintain.spec_import import import_operations

PACKAGE = "chift_whole"
SMOKE_PATHS = 6

OURS_IMPORT = f"""\
import time
t0 = time.perf_counter()
import {PACKAGE} as package
t1 = time.perf_counter()
package.Client(token="token")
t2 = time.perf_counter()
print({{"import": t1 - t0, "client": t2 - t0, "file": package.__file__}})
"""

IMPORT_ONLY = {
    "ours": f"import {PACKAGE}",
    "peer": "import chift",
}


def generate_whole(work: Path, paths: int | None) -> dict[str, Any]:
    """Import the published Chift spec's operations (of its first ``paths`` paths; None: all) and generate them."""
    if not FULL_CHIFT_SPEC.is_file():
        raise BenchError(
            f"the published Chift spec is missing: {FULL_CHIFT_SPEC} (expected ../shared beside the repository)"
        )
    schemas, output = work / "whole-schemas", work / "whole-out"
    if paths is None:
        result = import_operations(FULL_CHIFT_SPEC, [], PACKAGE, schemas, everything=True)
    else:
        document = normalise(load_spec(FULL_CHIFT_SPEC), str(FULL_CHIFT_SPEC)).document
        keys = [key for key, _, _ in operations_of(document)]
        kept = list(dict.fromkeys(key.path for key in keys))[:paths]
        result = import_operations(FULL_CHIFT_SPEC, [key for key in keys if key.path in kept], PACKAGE, schemas)
    run = run_child([*codegen_command(schemas, output), PACKAGE], cwd=work, env=child_env(with_repo=True))
    if run.returncode != 0:
        raise BenchError(f"codegen failed on the whole Chift spec (exit {run.returncode}):\n{tail(run.stderr)}")
    files = {path.name: path.stat().st_size for path in (output / PACKAGE).glob("*.py")}
    return {
        "operations": len(result.operations),
        "paginated": len(result.paginated),
        "generate_seconds": round(run.seconds, 2),
        "largest_files_bytes": dict(sorted(files.items(), key=lambda item: -item[1])[:4]),
    }


def _child(code: str, env: dict[str, str], cwd: Path) -> tuple[str, float]:
    run = run_child([sys.executable, "-c", code], cwd=cwd, env=env, timeout=120)
    if run.returncode != 0:
        raise BenchError(f"import failed (exit {run.returncode}):\n{tail(run.stderr)}")
    return run.stdout, run.max_rss_mb


def bench_whole_import(settings: Settings, work: Path) -> tuple[list[Row], dict[str, Any]]:
    """``import chift_whole`` (the whole published spec) against ``import chift``: time and peak memory."""
    details = generate_whole(work, SMOKE_PATHS if settings.subsets[-1] is not None else None)
    ours_env = cached_bytecode(child_env(with_repo=False), work / "pycache")
    ours_env["PYTHONPATH"] = str(work / "whole-out")
    peer_env = cached_bytecode(child_env(with_repo=False), work / "pycache")
    cwd = work / "import-cwd"
    cwd.mkdir(exist_ok=True)
    available = peer_available("chift")
    samples: Samples = {"ours": {}, "peer": {}}

    def side(name: str, code: str, env: dict[str, str]) -> Callable[[], float]:
        def sample() -> float:
            output, _ = _child(code, env, cwd)
            timings: dict[str, Any] = ast.literal_eval(output.strip().splitlines()[-1])
            if name == "peer" and Path(timings["file"]).resolve().is_relative_to(work):
                raise BenchError(f"'import chift' found {timings['file']}, not the official SDK")
            _, memory = _child(IMPORT_ONLY[name], env, cwd)
            for key, value in (("import", timings["import"] * 1000), ("client", timings["client"] * 1000)):
                samples[name].setdefault(key, []).append(value)
            samples[name].setdefault("memory", []).append(memory)
            return float(timings["import"])

        return sample

    ours = side("ours", OURS_IMPORT, ours_env)
    peer = side("peer", PEER_IMPORT, peer_env) if available else None
    sample_in_turn(ours, peer, samples, settings.import_repeat)
    note = "" if available else missing_peer_note(f"chift (the {SDK})")
    label = f"whole Chift client ({details['operations']} operations)"
    rows = [
        sdk_row("import-whole", f"import, {label} / import chift", "ms", samples, "import", 0.5, note),
        sdk_row("import-whole", f"import, then construct a client, {label}", "ms", samples, "client", None, note),
        sdk_row("import-whole", f"peak memory after the import, {label}", "MB", samples, "memory", None, note),
    ]
    return rows, details

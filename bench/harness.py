"""The shared harness of the benchmarks: settings, result rows, sampling, child processes, peers.

Every figure is a median of repeated samples, and every target is a ratio measured side by
side in the same run (project / peer), never an absolute time: the machine is shared and
noisy. The samples of the sides of a comparison are taken in turn, in a rotating order, so
that drift hits all of them.
"""

from __future__ import annotations

import copy
import gc
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from codegen.openapi import iter_operations

REPO = Path(__file__).resolve().parents[1]
"""The repository root (codegen/, schemas/, generated/)."""
SCHEMAS = REPO / "schemas"
SHARED = REPO.parent / "shared"
"""Seed documents and the vendors' published specs, beside the repository (``../shared``)."""
VENDOR_SPECS = SHARED / "vendor-specs"
SCHEMA_FILE = "openapi.json"
OPC = "openapi-python-client"
CHILD_TIMEOUT = 600.0


class BenchError(Exception):
    """A benchmark could not be run (missing input, a tool failed); the message says why."""


# -- settings and results -----------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """How much to measure; ``quick()`` and ``smoke()`` give smaller runs."""

    repeat: int = 5
    """Samples per figure of the benchmarks that start processes; the figure is their median."""
    samples: int = 21
    """Samples per figure of the in-process benchmarks (decode, encode, per-call)."""
    import_repeat: int = 11
    """Fresh interpreters per side for the import benchmark."""
    calls: int = 200
    """Calls per sample of the per-call benchmark (``samples`` samples: a few thousand calls)."""
    min_sample_seconds: float = 0.05
    """In-process samples repeat the operation until they last at least this long."""
    invoice_lines: int = 100
    batch_size: int = 100
    subsets: tuple[int | None, ...] = (10, 50, None)
    """Path counts of the Chift spec subsets; None is the whole spec."""
    vendors: tuple[str, ...] | None = None
    """Vendors for the generation benchmark (None: every folder of schemas/)."""
    whole_specs: tuple[str, ...] | None = None
    """Packages of the published specs generated whole (None: all three of ``tests/realworld/specs.py``)."""

    @classmethod
    def quick(cls) -> Settings:
        """Fewer repetitions: a rough table in about a minute."""
        return cls(repeat=3, samples=9, import_repeat=5, calls=100, min_sample_seconds=0.03)

    @classmethod
    def smoke(cls) -> Settings:
        """Each benchmark once on tiny input: checks that the harness works, measures nothing useful."""
        return cls(
            repeat=1,
            samples=1,
            import_repeat=1,
            calls=5,
            min_sample_seconds=0.0,
            invoice_lines=2,
            batch_size=3,
            subsets=(2, 4, 6),
            vendors=("formation",),
            whole_specs=("billbee", "formation"),
        )


@dataclass
class Row:
    """One line of the table: the project's figure, the peer's, their ratio and the target."""

    benchmark: str
    name: str
    unit: str
    ours: float | None
    peer: float | None
    peer_name: str
    target: str
    met: bool | None
    """None: informational, or a side could not be measured."""
    note: str = ""
    samples: dict[str, list[float]] = field(default_factory=dict)
    max_ratio: float | None = None
    """The target of a ratio row: ours / peer <= max_ratio."""

    @property
    def ratio(self) -> float | None:
        """Median of ours / median of the peer's, when both were measured."""
        if self.ours is None or self.peer is None or self.peer == 0:
            return None
        return self.ours / self.peer

    @property
    def best_ratio(self) -> float | None:
        """Best of ours / best of the peer's: less sensitive to a busy machine than the medians."""
        ours, peer = self.samples.get("ours"), self.samples.get("peer")
        if not ours or not peer or min(peer) == 0:
            return None
        return min(ours) / min(peer)

    @property
    def noisy(self) -> bool:
        """Whether the medians and the best-of samples disagree on meeting the target."""
        best = self.best_ratio
        if self.met is None or self.max_ratio is None or best is None:
            return False
        return self.met != (best <= self.max_ratio)

    def to_json(self) -> dict[str, Any]:
        """The row as JSON data, the ratios included."""
        data = asdict(self)
        data["ratio"] = self.ratio
        data["best_ratio"] = self.best_ratio
        data["noisy"] = self.noisy
        return data


def ratio_row(
    benchmark: str,
    name: str,
    unit: str,
    ours: Sequence[float],
    peer: Sequence[float] | None,
    peer_name: str,
    max_ratio: float | None,
    note: str = "",
) -> Row:
    """A row judged by ours / peer <= ``max_ratio`` (None: informational); medians of the samples."""
    row = Row(
        benchmark=benchmark,
        name=name,
        unit=unit,
        ours=statistics.median(ours),
        peer=statistics.median(peer) if peer else None,
        peer_name=peer_name,
        target=f"ratio <= {max_ratio:g}" if max_ratio is not None else "info",
        met=None,
        note=note,
        samples={"ours": list(ours), "peer": list(peer or [])},
        max_ratio=max_ratio,
    )
    if max_ratio is not None and row.ratio is not None:
        row.met = row.ratio <= max_ratio
    return row


def limit_row(
    benchmark: str,
    name: str,
    unit: str,
    ours: Sequence[float],
    peer: Sequence[float] | None,
    peer_name: str,
    limit: float,
    note: str = "",
) -> Row:
    """A row judged by the project's own figure < ``limit`` (the peer is shown for reference)."""
    row = ratio_row(benchmark, name, unit, ours, peer, peer_name, None, note)
    row.target = f"< {limit:g} {unit}"
    row.met = row.ours is not None and row.ours < limit
    return row


def missing_peer_note(peer: str) -> str:
    """The note of a row whose peer is not installed."""
    return f"{peer} not installed: pip install -r requirements/bench.txt"


# -- measuring ------------------------------------------------------------------------------


def sample_in_process(operation: Callable[[], object], min_seconds: float) -> float:
    """Seconds per call of ``operation``, repeated until the sample lasts ``min_seconds``."""
    gc.collect()
    number, elapsed = 0, 0.0
    started = time.perf_counter()
    while True:
        operation()
        number += 1
        elapsed = time.perf_counter() - started
        if elapsed >= min_seconds:
            return elapsed / number


def rotated(sides: dict[str, Callable[[], float]], repeat: int) -> dict[str, list[float]]:
    """``repeat`` samples of every side, taken in turn and in a rotating order, so that drift hits all."""
    samples: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for index in range(repeat):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(sides[name]())
    return samples


def interleaved(
    ours: Callable[[], float], peer: Callable[[], float] | None, repeat: int
) -> tuple[list[float], list[float]]:
    """``repeat`` samples of each side (the peer's only if given), alternating which goes first."""
    sides = {"ours": ours} if peer is None else {"ours": ours, "peer": peer}
    samples = rotated(sides, repeat)
    return samples["ours"], samples.get("peer", [])


@dataclass(frozen=True)
class ChildRun:
    """A finished child process: wall time, peak memory of its process tree and output."""

    seconds: float
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_child(command: Sequence[str], *, cwd: Path, env: dict[str, str], timeout: float = CHILD_TIMEOUT) -> ChildRun:
    """Run ``command`` from a cold start; ru_maxrss covers the child and the children it waited for."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        try:
            process = subprocess.Popen(
                list(command), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err
            )
        except OSError as exc:
            raise BenchError(f"cannot run {command[0]}: {exc}") from None
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            watchdog.cancel()
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return ChildRun(
            seconds=seconds,
            max_rss_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
            returncode=process.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def child_env(*, with_repo: bool) -> dict[str, str]:
    """The environment of a child: this interpreter's bin folder first on PATH, PYTHONPATH only for the project."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    if with_repo:
        env["PYTHONPATH"] = str(REPO)
    return env


def cached_bytecode(env: dict[str, str], cache: Path) -> dict[str, str]:
    """``env`` where Python writes and reuses bytecode, in ``cache`` (never next to the sources).

    Import benchmarks compare warm starts, as users see them: an installed SDK has its
    bytecode, and a copied package has it after its first import. With
    PYTHONDONTWRITEBYTECODE set, every run would compile our package again but not the
    peer's, which pip compiled when it installed it.
    """
    result = {key: value for key, value in env.items() if key != "PYTHONDONTWRITEBYTECODE"}
    result["PYTHONPYCACHEPREFIX"] = str(cache)
    return result


def tail(text: str, lines: int = 12) -> str:
    """The last lines of a tool's output, for error messages."""
    return "\n".join(text.strip().splitlines()[-lines:])


def peer_available(module: str) -> bool:
    """Whether ``module`` can be imported here (without importing it)."""
    return importlib.util.find_spec(module) is not None


def opc_command() -> str | None:
    """The openapi-python-client executable of this environment (or on PATH), if installed."""
    if not peer_available("openapi_python_client"):
        return None
    local = Path(sys.executable).parent / OPC
    return str(local) if local.is_file() else shutil.which(OPC)


# -- schemas and the code generators ----------------------------------------------------------


def load_json(path: Path) -> Any:
    """A JSON file, parsed."""
    return json.loads(path.read_text(encoding="utf-8"))


def find_operation(document: dict[str, Any], operation_id: str) -> dict[str, Any]:
    """The operation object with ``operation_id``."""
    for entry in iter_operations(document):
        if entry.operation.get("operationId") == operation_id:
            return entry.operation
    raise BenchError(f"no operation {operation_id!r} in the schema")


def seed_example(holder: dict[str, Any]) -> Any:
    """The value of the first example of a request body or response's application/json content."""
    examples = holder["content"]["application/json"]["examples"]
    return copy.deepcopy(next(iter(examples.values()))["value"])


def codegen_command(schemas: Path, output: Path) -> list[str]:
    """``python -m codegen generate`` of every vendor of ``schemas`` into ``output``."""
    return [sys.executable, "-m", "codegen", "generate", "--schemas", str(schemas), "--output", str(output)]


def run_codegen(schemas: Path, output: Path, vendors: Sequence[str] = (), *, keep: bool = False) -> ChildRun:
    """One cold codegen run into a fresh ``output`` (left there if ``keep``); BenchError when it fails."""
    shutil.rmtree(output, ignore_errors=True)
    run = run_child([*codegen_command(schemas, output), *vendors], cwd=REPO, env=child_env(with_repo=True))
    if not keep:
        shutil.rmtree(output, ignore_errors=True)
    if run.returncode != 0:
        raise BenchError(f"codegen failed (exit {run.returncode}):\n{tail(run.stderr + run.stdout)}")
    return run


def run_opc(command: str, schema: Path, output: Path, *, keep: bool = False) -> ChildRun:
    """One cold ``openapi-python-client generate`` of ``schema`` into a fresh ``output`` (left there if ``keep``)."""
    shutil.rmtree(output, ignore_errors=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    run = run_child(
        [command, "generate", "--path", str(schema), "--output-path", str(output), "--overwrite"],
        cwd=output.parent,
        env=child_env(with_repo=False),
    )
    files = len(list(output.rglob("*.py"))) if output.is_dir() else 0
    if not keep:
        shutil.rmtree(output, ignore_errors=True)
    if run.returncode != 0 or files == 0:
        raise BenchError(f"{OPC} failed on {schema} (exit {run.returncode}):\n{tail(run.stdout + run.stderr)}")
    return run


def opc_warnings(run: ChildRun) -> dict[str, int]:
    """What openapi-python-client reported it left out: endpoints, schemas, responses (by its warnings)."""
    text = run.stdout + run.stderr
    counts = {
        "endpoints skipped": text.count("Endpoint will not be generated"),
        "schemas removed": len(re.findall(r"^/components/schemas/\S+$", text, re.MULTILINE)),
        "responses omitted": text.count("response will be omitted"),
    }
    return {what: count for what, count in counts.items() if count}


def opc_omissions(run: ChildRun) -> dict[str, list[str]]:
    """What openapi-python-client's warnings name as left out: ``METHOD /path`` of endpoints and of the
    operations whose responses it omitted (one entry per response), and component schema names."""
    text = run.stdout + run.stderr
    endpoint = r"WARNING parsing ([A-Z]+ \S+) within [^\n]*?"
    return {
        "endpoints skipped": re.findall(endpoint + r"\. Endpoint will not be generated", text),
        "schemas removed": list(dict.fromkeys(re.findall(r"^/components/schemas/(\S+)$", text, re.MULTILINE))),
        "responses omitted": re.findall(endpoint + r"\n\s*\nCannot parse response[^\n]*response will be omitted", text),
    }


def describe_opc_warnings(counts: dict[str, int]) -> str:
    """``endpoints skipped: 3, schemas removed: 2`` or ``no warnings``."""
    return ", ".join(f"{what}: {count}" for what, count in counts.items()) or "no warnings"

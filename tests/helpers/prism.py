"""Install, start and stop Stoplight Prism, the OpenAPI mock server of the contract tests.

Prism is an npm package: :func:`install` puts the pinned version (exact dependency tree
from ``tests/contract/prism/package-lock.json``) into a cache folder with ``npm ci`` and
returns the path of its ``prism`` executable; it does nothing when that version is
already there. :class:`PrismServer` runs ``prism mock`` for one OpenAPI document on a free
loopback port, waits until it answers, and always stops it (its whole process group).

``python tests/helpers/prism.py install [PREFIX]`` installs and prints the executable's path on
its last line; ``nox -s contract`` uses it and passes the path on as ``PRISM_BIN``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO

PRISM_VERSION = "5.16.0"
"""The pinned @stoplight/prism-cli (the latest 5.x when the contract tests were written)."""

REPO = Path(__file__).resolve().parents[2]
LOCK_DIR = REPO / "tests" / "contract" / "prism"
"""package.json and package-lock.json pinning Prism and every package it depends on."""
DEFAULT_PREFIX = REPO / ".cache" / "prism"
"""Where Prism is installed by default (git-ignored)."""
ENVIRONMENT_VARIABLE = "PRISM_BIN"
"""The environment variable the contract tests read the ``prism`` executable from."""

HOST = "127.0.0.1"
INSTALL_TIMEOUT = 600.0
STARTUP_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


class PrismError(RuntimeError):
    """Prism cannot be installed or started; the message says why and what to do."""


def _require(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        raise PrismError(
            f"{tool!r} was not found on PATH: the contract tests run Stoplight Prism, an npm package, "
            "and need Node.js 20 or later with npm. Install them (e.g. apt-get install nodejs npm, "
            "or from https://nodejs.org) and run `nox -s contract` again."
        )
    return found


def executable(prefix: Path) -> Path:
    """The ``prism`` executable inside an install prefix."""
    return prefix / "node_modules" / ".bin" / ("prism.cmd" if os.name == "nt" else "prism")


def _lock_digest() -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((LOCK_DIR / name).read_bytes())
    return digest.hexdigest()


def installed_version(binary: Path) -> str:
    """``prism --version`` of an executable."""
    result = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60, check=False)
    if result.returncode != 0:
        raise PrismError(f"{binary} --version failed: {result.stderr.strip()[-2000:]}")
    return result.stdout.strip()


def install(prefix: Path = DEFAULT_PREFIX) -> Path:
    """Install the pinned Prism into ``prefix`` (``npm ci`` from the lock file) unless it is there; its executable."""
    _require("node")
    npm = _require("npm")
    prefix.mkdir(parents=True, exist_ok=True)
    stamp = prefix / ".installed-lock-sha256"
    binary = executable(prefix)
    digest = _lock_digest()
    if binary.exists() and stamp.exists() and stamp.read_text(encoding="utf-8").strip() == digest:
        return binary
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(LOCK_DIR / name, prefix / name)
    command = [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error", "--ignore-scripts"]
    try:
        result = subprocess.run(
            command, cwd=prefix, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise PrismError(f"`npm ci` for Prism did not finish within {INSTALL_TIMEOUT:.0f} s") from None
    if result.returncode != 0:
        raise PrismError(f"`{' '.join(command)}` in {prefix} failed:\n{result.stderr.strip()[-4000:]}")
    version = installed_version(binary)
    if version != PRISM_VERSION:
        raise PrismError(f"installed Prism {version}, expected {PRISM_VERSION}")
    stamp.write_text(digest + "\n", encoding="utf-8")
    return binary


def free_port(host: str = HOST) -> int:
    """A TCP port nobody listens on right now (another process may still take it: see PrismServer)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


class PrismServer:
    """``prism mock DOCUMENT`` on a free loopback port, for a ``with`` block.

    Request validation is on (Prism's default); ``--errors`` turns a response that breaks
    the schema into an error as well. Output goes to a log file (``log_text()``), so that
    a chatty server never blocks on a full pipe. Started in its own process group and
    stopped with SIGTERM, then SIGKILL: no Node.js process outlives the block.
    """

    def __init__(
        self,
        binary: Path,
        document: Path,
        *,
        host: str = HOST,
        seed: str = "contract",
        startup_timeout: float = STARTUP_TIMEOUT,
        attempts: int = 3,
    ) -> None:
        self.binary = binary
        self.document = document
        self.host = host
        self.seed = seed
        self.startup_timeout = startup_timeout
        self.attempts = attempts
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    def log_text(self) -> str:
        """Everything Prism printed so far."""
        if self._log is None:
            return ""
        self._log.flush()
        return Path(self._log.name).read_text(encoding="utf-8", errors="replace")

    def start(self) -> PrismServer:
        """Start Prism and wait until it accepts connections; retries on another port if the port was taken."""
        failure = ""
        for _ in range(self.attempts):
            self.port = free_port(self.host)
            self._log = tempfile.NamedTemporaryFile(prefix="prism-", suffix=".log", delete=False)  # noqa: SIM115  # closed by stop()
            command = [
                str(self.binary),
                "mock",
                "--host",
                self.host,
                "--port",
                str(self.port),
                "--errors",
                "--seed",
                self.seed,
                "--verboseLevel",
                "warn",
                str(self.document),
            ]
            self._process = subprocess.Popen(
                command, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True
            )
            try:
                self._wait_ready()
                return self
            except PrismError as exc:
                failure = str(exc)
                in_use = "EADDRINUSE" in self.log_text()
                self.stop()
                if not in_use:
                    break
        raise PrismError(failure)

    def _wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise PrismError(
                    f"prism mock {self.document.name} exited with status {self._process.returncode}:\n"
                    f"{self.log_text()[-4000:]}"
                )
            with contextlib.suppress(OSError), socket.create_connection((self.host, self.port), timeout=0.5):
                return
            time.sleep(0.1)
        raise PrismError(
            f"prism mock {self.document.name} did not listen on {self.url} within {self.startup_timeout:.0f} s:\n"
            f"{self.log_text()[-4000:]}"
        )

    def stop(self) -> None:
        """Stop the server and its children (idempotent)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=STOP_TIMEOUT)
        if self._log is not None:
            self._log.close()
            with contextlib.suppress(OSError):
                os.unlink(self._log.name)
            self._log = None

    def __enter__(self) -> PrismServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def main(arguments: list[str]) -> int:
    """``install [PREFIX]``: install the pinned Prism and print its executable's path."""
    if not arguments or arguments[0] != "install" or len(arguments) > 2:
        print("usage: python tests/helpers/prism.py install [PREFIX]", file=sys.stderr)
        return 2
    prefix = Path(arguments[1]).resolve() if len(arguments) == 2 else DEFAULT_PREFIX
    try:
        binary = install(prefix)
    except PrismError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(binary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Fixtures of the reliability suite and the summary table printed at the end of the run."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:  # the generated packages and codegen, also when the project is not installed
    sys.path.insert(0, str(REPO))

from .report import REPORT  # noqa: E402  (after the path set-up above)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the reliability figures: scenarios, requests, creates, duplicates, secrets, hostile input."""
    if REPORT.empty():
        return
    terminalreporter.section("reliability summary")
    for line in REPORT.lines():
        terminalreporter.write_line(line)

"""Fixtures of the reliability suite and the summary table printed at the end of the run."""

from __future__ import annotations

import pytest

from .report import REPORT


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the reliability figures: scenarios, requests, creates, duplicates, secrets, hostile input."""
    if REPORT.empty():
        return
    terminalreporter.section("reliability summary")
    for line in REPORT.lines():
        terminalreporter.write_line(line)

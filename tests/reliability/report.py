"""The figures the reliability suite gathers, and the summary table printed at the end of a run.

Tests add to the process-wide :data:`REPORT`; ``conftest.pytest_terminal_summary`` prints
it. Figures are recorded as the tests go, so a failing (or xfail) test still shows what it saw.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass
class FaultRow:
    """One fault scenario, over every operation it ran for."""

    scenario: str
    operations: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    processed: int = 0
    duplicates: int = 0
    seconds: float = 0.0


@dataclass
class LostResponses:
    """Calls whose response was lost after the vendor processed them, per vendor group."""

    runs: int = 0
    definite: int = 0
    duplicates: int = 0
    vendors: set[str] = field(default_factory=set)
    outcomes: Counter[str] = field(default_factory=Counter)


@dataclass
class Report:
    """Everything the summary table shows."""

    faults: dict[str, FaultRow] = field(default_factory=dict)
    secret_texts: int = 0
    secrets_found: list[str] = field(default_factory=list)
    concurrency: list[str] = field(default_factory=list)
    schemas: list[tuple[str, str, bool]] = field(default_factory=list)
    responses: Counter[str] = field(default_factory=Counter)
    lost: dict[bool, LostResponses] = field(default_factory=dict)
    """Lost-response runs, keyed by whether the operation takes idempotency keys."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fault(
        self, scenario: str, outcome: str, requests: int, processed: int, duplicates: int, seconds: float
    ) -> None:
        """Record one scenario run for one operation."""
        with self._lock:
            row = self.faults.setdefault(scenario, FaultRow(scenario))
            row.operations += 1
            row.outcomes[outcome] += 1
            row.requests += requests
            row.processed += processed
            row.duplicates += duplicates
            row.seconds += seconds

    def lost_response(self, vendor: str, keyed: bool, outcome: str, definite: bool, duplicates: int) -> None:
        """Record one call whose response was lost after processing: was its outcome definite?"""
        with self._lock:
            row = self.lost.setdefault(keyed, LostResponses())
            row.runs += 1
            row.definite += definite
            row.duplicates += duplicates
            row.vendors.add(vendor)
            row.outcomes[outcome] += 1

    def secrets(self, texts: int, found: list[str]) -> None:
        """Record that ``texts`` texts were searched and which secrets (with where) were found."""
        with self._lock:
            self.secret_texts += texts
            self.secrets_found += found

    def schema(self, name: str, outcome: str, known_bug: bool) -> None:
        """Record the outcome of one hostile schema (``known_bug``: its test is an xfail for a reported bug)."""
        with self._lock:
            self.schemas.append((name, outcome, known_bug))

    def response(self, outcome: str) -> None:
        """Record the outcome of decoding one hostile response."""
        with self._lock:
            self.responses[outcome] += 1

    def empty(self) -> bool:
        """Whether no reliability test recorded anything."""
        return not (self.faults or self.secret_texts or self.concurrency or self.schemas or self.responses or self.lost)

    def lines(self) -> list[str]:
        """The summary table."""
        rows = list(self.faults.values())
        runs = sum(row.operations for row in rows)
        operations = max((row.operations for row in rows), default=0)
        duplicates = sum(row.duplicates for row in rows)
        out = [
            f"{'fault scenarios run':<34}{runs} ({len(rows)} scenarios x up to {operations} operations)",
            f"{'requests sent (received)':<34}{sum(row.requests for row in rows)}",
            f"{'creates processed':<34}{sum(row.processed for row in rows)}",
            f"{'duplicate creates (must be 0)':<34}{duplicates}",
            f"{'secrets found (must be 0)':<34}{len(self.secrets_found)} in {self.secret_texts} texts "
            "(DEBUG logs, exception str/repr/traceback, client and model reprs)",
        ]
        out += [f"    leaked: {leak}" for leak in self.secrets_found[:20]]
        if rows:
            out += [
                "",
                f"{'scenario':<44}{'what the user sees':<44}{'requests':>9}{'processed':>10}{'dups':>5}{'s':>7}",
            ]
            for row in rows:
                seen = ", ".join(f"{name} x{count}" if count > 1 else name for name, count in row.outcomes.items())
                out.append(
                    f"{row.scenario:<44}{seen[:43]:<44}{row.requests:>9}{row.processed:>10}"
                    f"{row.duplicates:>5}{row.seconds:>7.2f}"
                )
        if self.lost:
            out += ["", "definite outcome after a lost response (the record, or AlreadyProcessedError with the key)"]
            for keyed in (True, False):
                group = self.lost.get(keyed)
                if group is None:
                    continue
                label = "with idempotency keys" if keyed else "without (POST never re-sent)"
                rate = 100.0 * group.definite / group.runs if group.runs else 0.0
                seen = ", ".join(f"{name} x{count}" for name, count in sorted(group.outcomes.items()))
                out.append(
                    f"    {label:<30}{rate:6.1f} % ({group.definite}/{group.runs}), duplicate creates "
                    f"{group.duplicates}; {', '.join(sorted(group.vendors))}"
                )
                out.append(f"        {seen}")
        if self.concurrency:
            out += ["", "concurrency"] + [f"    {line}" for line in self.concurrency]
        if self.schemas:
            clean = sum(1 for _, outcome, _ in self.schemas if outcome.startswith("generated:"))
            refused = sum(1 for _, outcome, _ in self.schemas if outcome.startswith("SchemaError"))
            bugs = sum(1 for _, _, known_bug in self.schemas if known_bug)
            out += [
                "",
                f"hostile schemas tried: {len(self.schemas)} ({clean} generated clean, {refused} refused with a "
                f"located SchemaError, {bugs} known bugs, xfail)",
            ]
            out += [
                f"    {name:<24}{outcome}{'  [known bug]' if known_bug else ''}"
                for name, outcome, known_bug in self.schemas
            ]
        if self.responses:
            total = sum(self.responses.values())
            tally = ", ".join(f"{count} {kind}" for kind, count in sorted(self.responses.items()))
            out += ["", f"hostile responses decoded: {total} ({tally})"]
        return out


REPORT = Report()
"""The report of this test run."""

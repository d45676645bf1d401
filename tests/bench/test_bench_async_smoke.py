"""Smoke test of the ``async`` benchmark (bench/async_calls.py): both rows, measured once on tiny input."""

from __future__ import annotations

from bench import async_calls, harness


def test_async_benchmark_runs_once() -> None:
    rows = async_calls.bench_async(harness.Settings.smoke())
    assert [row.benchmark for row in rows] == ["async", "async", "async"]
    for row in rows:
        assert row.ours is not None
        assert row.ours > 0
        assert row.peer is not None
        assert row.peer > 0
    assert rows[0].target == "ratio <= 1.2"
    assert [row.target for row in rows[1:]] == ["info", "info"]

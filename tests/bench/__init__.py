"""Smoke tests of the benchmarks (nox -s bench)."""

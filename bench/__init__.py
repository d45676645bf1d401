"""Benchmarks against the peers users would pick instead: see run.py and README.md."""

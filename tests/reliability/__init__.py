"""Reliability and security suite: fault injection, concurrency, secret hygiene, hostile input.

Run with ``nox -s reliability`` (``pytest tests/reliability``); a summary table is printed
at the end of the run (see ``conftest.py`` and ``report.py``).
"""

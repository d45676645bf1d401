"""Contract tests against Stoplight Prism (``nox -s contract``).

A package so that its ``conftest`` is ``contract.conftest`` beside the suite's own
``conftest`` (mypy rejects two modules named ``conftest``).
"""

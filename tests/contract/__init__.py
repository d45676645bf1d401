"""Contract tests against Stoplight Prism (``nox -s contract``)."""

"""The test suite of vendor-clients: a package, so that tests import shared code as ``tests.helpers``.

Layout mirrors the project: ``codegen/`` (schema checks, generation, maintainer commands),
``runtime/`` (converter, validation, models), ``client/`` (generated clients against a
loopback server), ``bench/``, ``reliability/`` and ``contract/`` (sessions of their own).
"""

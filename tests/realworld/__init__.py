"""Whole-spec proof (``nox -s realworld``): three vendors' published specs, every operation, end to end.

See :mod:`tests.realworld.harness` for what is run and reported; ``nox -s realworld`` runs it.
"""

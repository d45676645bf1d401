"""Hypothesis profiles of the property and contract tests.

- ``ci`` (the default): 100 examples per test, derandomized (a fixed seed derived from
  each test's name, so every run explores the same inputs), no deadline, no database.
  Replaces Hypothesis' own ``ci`` profile, which it loads by itself when ``CI`` is set.
- ``thorough``: 2,500 examples per test, randomized (each run explores new inputs); a
  failure prints a ``@reproduce_failure`` blob and is stored in the local database.

Choose one with ``pytest --hypothesis-profile=thorough`` (needs this module imported by
``tests/conftest.py``, see below) or with the environment variable
``HYPOTHESIS_PROFILE=thorough``. The contract tests draw fewer examples per operation,
:func:`contract_examples` of them, because each one is an HTTP exchange with Prism.

Hypothesis' pytest plugin applies ``--hypothesis-profile`` in ``pytest_configure``, after
the initial conftest files are imported and before test modules are: the profiles must be
registered by then, so ``tests/conftest.py`` imports this module and calls :func:`register`. Test modules call
:func:`load` so that the environment variable (or ``ci``) applies when no profile was
chosen on the command line.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

PROFILE_VARIABLE = "HYPOTHESIS_PROFILE"
"""Environment variable naming the profile to load when none was given on the command line."""

DEFAULT_PROFILE = "ci"
CI_EXAMPLES = 100
THOROUGH_EXAMPLES = 2_500

# Generating instances of large schemas (Chift's invoices) takes longer than Hypothesis'
# default budget; the examples are still cheap enough for the run to take a few minutes.
_SLOW_GENERATION = [HealthCheck.too_slow, HealthCheck.data_too_large]


def register() -> None:
    """Register the ``ci`` and ``thorough`` profiles (idempotent)."""
    settings.register_profile(
        "ci",
        max_examples=CI_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        print_blob=False,
        suppress_health_check=_SLOW_GENERATION,
    )
    settings.register_profile(
        "thorough",
        max_examples=THOROUGH_EXAMPLES,
        derandomize=False,
        deadline=None,
        print_blob=True,
        suppress_health_check=_SLOW_GENERATION,
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
    )


def load() -> str:
    """Load the profile named by ``HYPOTHESIS_PROFILE`` (else ``ci``) unless pytest chose one; returns its name."""
    register()
    current = settings.get_current_profile_name()
    # "default" and Hypothesis' own "ci" mean that nobody chose: ours apply.
    if current in ("default", DEFAULT_PROFILE):
        settings.load_profile(os.environ.get(PROFILE_VARIABLE) or DEFAULT_PROFILE)
    return settings.get_current_profile_name()


def contract_examples() -> int:
    """How many generated requests the contract tests send per operation (a tenth of the profile's)."""
    return max(20, settings().max_examples // 10)

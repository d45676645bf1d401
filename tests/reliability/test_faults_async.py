"""The fault matrix of ``test_faults.py`` for ``AsyncClient``: every scenario, every operation, 0 duplicates.

The same scenarios and checks as for ``Client`` (exact error type, requests, processed
creates, no duplicate, nothing to another host, no secret in logs, exceptions or reprs),
through httpx. ``Timeout.total`` holds for the whole attempt in both clients, so the
scenario that drips the response from its status line on ends at the deadline here too.
"""

from __future__ import annotations

import pytest

from .drivers import ASYNC
from .operations import Operation
from .test_faults import (
    CHIFT_CASES,
    TOKEN_CASES,
    Scenario,
    TokenScenario,
    check_fault,
    check_token_exchange_fault,
    fault_cases,
)


@pytest.mark.parametrize(("scenario", "operation"), fault_cases())
def test_async_fault(scenario: Scenario, operation: Operation, caplog: pytest.LogCaptureFixture) -> None:
    check_fault(ASYNC, scenario, operation, caplog)


@pytest.mark.parametrize("scenario", TOKEN_CASES)
@pytest.mark.parametrize("operation", CHIFT_CASES)
def test_async_token_exchange_fault(
    scenario: TokenScenario, operation: Operation, caplog: pytest.LogCaptureFixture
) -> None:
    check_token_exchange_fault(ASYNC, scenario, operation, caplog)

"""A value the validator accepts holds no NaN and no infinity, anywhere: the client relies on it.

The client writes a validated body with orjson when installed, which turns such a float into
``null`` unseen; so ``_json.dumps`` is told it need not search the body (``finite=True``). This
checks the promise behind that: every vendor schema (and the synthetic ones), instances drawn
from them, and each broken by a non-finite number at every place, under an unknown key of every
object, and as a new item of every array. Either ``validate`` reports a violation, or the standard
library writes the value with ``allow_nan=False``.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.runtime.test_validation_compiled import CASES, SEED, Case, instances, places, replaced

NON_FINITE: tuple[Any, ...] = (math.nan, -math.inf, [math.inf], {"ratio": math.nan}, Decimal("NaN"))


def broken(instance: Any) -> list[Any]:
    """``instance`` with a non-finite number put in each place, under a new key, and as a new item."""
    found = []
    for path, value in places(instance):
        found += [replaced(instance, path, bad) for bad in NON_FINITE[:2]]
        if isinstance(value, dict):
            found.append(replaced(instance, path, {**value, "unknown~key": NON_FINITE[3]}))
        elif isinstance(value, list):
            found.append(replaced(instance, path, [*value, NON_FINITE[2][0]]))
    return found


def writable(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False, default=str)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@seed(SEED)
@settings(max_examples=4, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_no_accepted_value_holds_nan_or_an_infinity(case: Case, data: st.DataObject) -> None:
    instance = data.draw(instances(case.schema, case.components), label="instance")
    for value in broken(instance):
        if not case.validator.validate(value, case.schema, "$"):
            assert writable(value), value


@pytest.mark.parametrize("bad", NON_FINITE, ids=repr)
def test_a_free_schema_refuses_a_non_finite_number_by_its_path(bad: Any) -> None:
    case = CASES[0]
    validator = case.validator
    for schema in (True, {}, {"type": "object"}, {"type": "array"}, {"properties": {"a": {"type": "string"}}}):
        value: Any = [bad] if schema == {"type": "array"} else {"x": bad}
        where = "$[0]" if isinstance(value, list) else "$.x"
        messages = [str(violation) for violation in validator.validate(value, schema, "$")]
        assert messages, schema
        assert all(message.startswith(where) for message in messages), (schema, messages)

"""Models load on first use: importing a package and constructing a client do not import ``models``.

A large API's models take most of its import time (Chift's whole spec: about 450 attrs
classes), so ``import <package>`` and ``Client(...)`` leave them alone; a call, an error
body with a model, or naming a model imports them. Checked in fresh interpreters, since
this test process has imported every model already.
"""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.helpers.paths import REPO, subprocess_env

PROBE = """
import sys
import generated.billbee as package
loaded = lambda: "generated.billbee.models" in sys.modules
steps = [loaded()]
client = package.Client(username="u", api_password="p", api_key="k")
steps.append(loaded())
steps.append("Customer" in dir(package))
steps.append(loaded())
{action}
steps.append(loaded())
print(steps)
"""


def probe(action: str) -> list[bool]:
    completed = subprocess.run(
        [sys.executable, "-c", PROBE.format(action=action)],
        cwd=REPO,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    result: list[bool] = ast.literal_eval(completed.stdout.strip().splitlines()[-1])
    return result


def test_import_and_construction_leave_the_models_alone() -> None:
    assert probe("pass") == [False, False, True, False, False]


def test_naming_a_model_imports_them() -> None:
    assert probe("from generated.billbee import Customer; assert Customer.__name__ == 'Customer'")[-1] is True
    assert probe("assert package.models.Customer is package.Customer")[-1] is True


def test_a_call_imports_them() -> None:
    call = """
from generated.billbee.testing import MockTransport, json_response
body = {"ErrorCode": 0, "ErrorMessage": None, "Data": {"Id": 7}}
transport = MockTransport(lambda request: json_response(200, body))
client = package.Client(username="u", api_password="p", api_key="k", transport=transport)
assert client.customers.create_customer(body={"Name": "A"}).id == 7
"""
    assert probe(call)[-1] is True


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    assert probe("assert not hasattr(package, 'NoSuchModel')") == [False, False, True, False, False]

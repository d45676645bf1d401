"""A generated package works when copied into another code base under another name.

generated/formation is copied to a temporary folder as ``acme_formation`` and used from a
fresh interpreter that sees only that folder (not the repository): it must import, build
models from the seed examples and write them back, without ever importing ``generated``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers.paths import GENERATED, load_schema, subprocess_env

VENDORED_NAME = "acme_formation"

SCRIPT = """
import json
import pathlib
import sys

import acme_formation
from acme_formation import ContactIn, CreateContactResponse, structure, unstructure

here = pathlib.Path.cwd().resolve()
assert pathlib.Path(acme_formation.__file__).resolve().parent == here / "acme_formation", acme_formation.__file__

payloads = json.loads((here / "payloads.json").read_text(encoding="utf-8"))

contact = structure(payloads["request"], ContactIn)
assert type(contact) is ContactIn, type(contact)
assert contact.full_name == payloads["request"]["full_name"]
assert json.dumps(unstructure(contact), sort_keys=True) == json.dumps(payloads["request"], sort_keys=True)

response = structure(payloads["response"], CreateContactResponse)
assert type(response.data).__module__ == "acme_formation.models", type(response.data).__module__
assert json.dumps(unstructure(response), sort_keys=True) == json.dumps(payloads["response"], sort_keys=True)

leaked = sorted(name for name in sys.modules if name == "generated" or name.startswith("generated."))
assert not leaked, f"the vendored package imported {leaked}"
print("vendored copy ok")
"""


def seed_example(status: str) -> object:
    """The "seed" example of Formation's create_contact request body or of one response status."""
    operation = load_schema("formation")["paths"]["/contacts"]["post"]
    assert operation["operationId"] == "create_contact"
    holder = operation["requestBody"] if status == "request" else operation["responses"][status]
    return holder["content"]["application/json"]["examples"]["seed"]["value"]


def test_vendored_copy_works_under_another_name_without_the_repository(tmp_path: Path) -> None:
    shutil.copytree(
        GENERATED / "formation", tmp_path / VENDORED_NAME, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    payloads = {"request": seed_example("request"), "response": seed_example("200")}
    (tmp_path / "payloads.json").write_text(json.dumps(payloads), encoding="utf-8")
    (tmp_path / "use_vendored.py").write_text(SCRIPT, encoding="utf-8")

    result = subprocess.run(
        [sys.executable, "use_vendored.py"],
        cwd=tmp_path,
        env=subprocess_env(PYTHONPATH=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert result.stdout.strip() == "vendored copy ok"

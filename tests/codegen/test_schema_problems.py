"""A bad schema gives one clear error, every problem with its JSON pointer, and writes nothing.

End-to-end cases run ``python -m codegen generate`` on a temporary schemas folder; the
fine-grained ones call ``codegen.schema.load_document`` and ``check_document`` directly on
a small document that is valid until one thing is broken.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from codegen.problems import Problem, SchemaError, Severity
from codegen.schema import check_document, load_document
from tests.helpers.paths import GENERATED, REPO, load_schema, subprocess_env, tree_bytes, vendors

MISSING_REF = "/components/schemas/ContactIn/properties/billing/$ref"
UNKNOWN_TYPE = "/components/schemas/ContactIn/properties/description/type"
DUPLICATE_ID = "/paths/~1contacts~1copy/post/operationId"


def generate(tmp_path: Path, schemas: Path, output: Path, *chosen: str) -> subprocess.CompletedProcess[str]:
    """``python -m codegen generate`` with this checkout's codegen, run outside the repository."""
    return subprocess.run(
        [sys.executable, "-m", "codegen", "generate", *chosen, "--schemas", str(schemas), "--output", str(output)],
        cwd=tmp_path,
        env=subprocess_env(PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def write_schema(root: Path, vendor: str, document: dict[str, Any] | str) -> Path:
    path = root / vendor / "openapi.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = document if isinstance(document, str) else json.dumps(document, indent=2)
    path.write_text(text, encoding="utf-8")
    return path


def malformed_formation() -> dict[str, Any]:
    """Formation's schema with a missing $ref target, an unknown type and a duplicate operationId."""
    document = load_schema("formation")
    properties = document["components"]["schemas"]["ContactIn"]["properties"]
    properties["billing"] = {"$ref": "#/components/schemas/NoSuchBilling"}
    properties["description"]["type"] = "strnig"
    document["paths"]["/contacts/copy"] = {"post": copy.deepcopy(document["paths"]["/contacts"]["post"])}
    return document


def errors_of(problems: list[Problem]) -> list[str]:
    """The pointers of the errors (not warnings) among ``problems``, sorted."""
    return sorted(problem.pointer for problem in problems if problem.severity is Severity.ERROR)


def error_message(problems: list[Problem], pointer: str) -> str:
    """The message of the one error at ``pointer``."""
    messages = [
        problem.message for problem in problems if problem.severity is Severity.ERROR and problem.pointer == pointer
    ]
    assert len(messages) == 1, problems
    return messages[0]


# End to end: the command line -------------------------------------------------------------


@pytest.mark.parametrize("output_state", ["absent", "existing"])
def test_malformed_schema_fails_with_every_problem_and_writes_nothing(tmp_path: Path, output_state: str) -> None:
    schemas = tmp_path / "schemas"
    write_schema(schemas, "formation", malformed_formation())
    output = tmp_path / "generated"
    if output_state == "existing":
        shutil.copytree(GENERATED, output, ignore=shutil.ignore_patterns("__pycache__"))
    before = tree_bytes(output) if output.exists() else None

    result = generate(tmp_path, schemas, output)

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    for pointer in (MISSING_REF, UNKNOWN_TYPE, DUPLICATE_ID):
        assert pointer in result.stderr, f"{pointer} not reported:\n{result.stderr}"
    assert "NoSuchBilling" in result.stderr
    assert "'strnig'" in result.stderr
    assert "duplicate operationId 'create_contact'" in result.stderr
    assert "3 problems" in result.stderr
    assert "schemas/formation/openapi.json" in result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("error")] == [
        result.stderr.splitlines()[0]
    ], "one error, its problems listed under it"
    assert "nothing was written" in result.stderr
    if before is None:
        assert not output.exists()
    else:
        assert tree_bytes(output) == before


def test_one_bad_schema_stops_every_vendor(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    for vendor in vendors():
        write_schema(schemas, vendor, load_schema(vendor))
    write_schema(schemas, "formation", malformed_formation())
    output = tmp_path / "generated"

    result = generate(tmp_path, schemas, output)

    assert result.returncode == 2, result.stderr
    assert not output.exists(), "a good vendor's package was written although another schema is bad"


def test_invalid_json_is_reported_with_line_and_column(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    write_schema(schemas, "formation", '{\n  "openapi": "3.1.0",\n  "info": ,\n}\n')
    output = tmp_path / "generated"

    result = generate(tmp_path, schemas, output)

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "invalid JSON at line 3, column 11" in result.stderr
    assert not output.exists()


def test_unknown_vendor_is_a_clear_error(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    write_schema(schemas, "formation", load_schema("formation"))

    result = generate(tmp_path, schemas, tmp_path / "out", "acme")

    assert result.returncode == 2
    assert "no schema for acme" in result.stderr
    assert "known: formation" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


# Loading: load_document ---------------------------------------------------------------------


def only_problem(exc: SchemaError) -> Problem:
    assert len(exc.problems) == 1, exc.problems
    return exc.problems[0]


def test_load_reports_invalid_json_position(tmp_path: Path) -> None:
    path = write_schema(tmp_path, "bad", '{"openapi": "3.1.0",\n "paths": {"/a": [1, 2,]}}')
    with pytest.raises(SchemaError) as caught:
        load_document(path)
    assert caught.value.source == str(path)
    assert "invalid JSON at line 2, column 24" in only_problem(caught.value).message


def test_load_rejects_duplicate_keys(tmp_path: Path) -> None:
    path = write_schema(tmp_path, "bad", '{"openapi": "3.1.0", "info": {"title": "a", "title": "b"}}')
    with pytest.raises(SchemaError) as caught:
        load_document(path)
    assert "'title'" in only_problem(caught.value).message
    assert "repeats" in only_problem(caught.value).message


def test_load_reports_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "openapi.json"
    with pytest.raises(SchemaError) as caught:
        load_document(path)
    assert caught.value.source == str(path)
    assert "cannot read the schema" in only_problem(caught.value).message


def test_load_rejects_a_document_that_is_not_an_object(tmp_path: Path) -> None:
    path = write_schema(tmp_path, "bad", "[1, 2, 3]")
    with pytest.raises(SchemaError) as caught:
        load_document(path)
    assert "JSON object" in only_problem(caught.value).message


def test_load_gives_content_and_sha256(tmp_path: Path) -> None:
    path = write_schema(tmp_path, "good", '{"openapi": "3.1.0"}')
    document = load_document(path)
    assert document.content == {"openapi": "3.1.0"}
    assert document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


# Checking: check_document -------------------------------------------------------------------


def minimal_document() -> dict[str, Any]:
    """A small schema that codegen accepts: one operation with a path parameter, one model."""
    thing = {"$ref": "#/components/schemas/Thing"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Things", "version": "1"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": {
            "/things/{thing_id}": {
                "post": {
                    "operationId": "update_thing",
                    "parameters": [{"name": "thing_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "requestBody": {"content": {"application/json": {"schema": thing}}},
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": thing}}}},
                    "x-envelope": {"data": "/data"},
                }
            }
        },
        "components": {"schemas": {"Thing": {"type": "object", "properties": {"name": {"type": "string"}}}}},
    }


OPERATION = "/paths/~1things~1{thing_id}/post"


def test_minimal_document_and_the_real_schemas_have_no_errors() -> None:
    assert errors_of(check_document(minimal_document())) == []
    for vendor in vendors():
        assert errors_of(check_document(load_schema(vendor))) == [], vendor


def test_all_three_problems_are_reported_together() -> None:
    problems = check_document(malformed_formation())
    assert errors_of(problems) == sorted([MISSING_REF, UNKNOWN_TYPE, DUPLICATE_ID])


@pytest.mark.parametrize(
    "version", ["3.0.3", "2.0", "3.1", 3.1, None], ids=["3.0.3", "2.0", "no-patch", "number", "missing"]
)
def test_only_openapi_3_1_is_accepted(version: object) -> None:
    document = minimal_document()
    if version is None:
        del document["openapi"]
    else:
        document["openapi"] = version
    problems = check_document(document)
    assert errors_of(problems) == ["/openapi"]
    message = error_message(problems, "/openapi")
    assert "3.1" in message
    assert repr(version) in message


def test_undeclared_path_parameter() -> None:
    document = minimal_document()
    operation = document["paths"]["/things/{thing_id}"]["post"]
    operation["parameters"] = []
    problems = check_document(document)
    assert errors_of(problems) == [OPERATION]
    assert "path parameter {thing_id} is not declared" in error_message(problems, OPERATION)


def test_path_parameter_declared_at_path_item_level_is_accepted() -> None:
    document = minimal_document()
    item = document["paths"]["/things/{thing_id}"]
    item["parameters"] = item["post"].pop("parameters")
    assert errors_of(check_document(document)) == []


def test_declared_path_parameter_missing_from_the_path() -> None:
    document = minimal_document()
    document["paths"]["/things/{thing_id}"]["post"]["parameters"].append(
        {"name": "other_id", "in": "path", "required": True, "schema": {"type": "string"}}
    )
    problems = check_document(document)
    assert errors_of(problems) == [OPERATION]
    assert "'other_id' does not appear in the path" in error_message(problems, OPERATION)


@pytest.mark.parametrize(
    "envelope",
    [{}, {"success": {"pointer": "/ok", "equals": True}}, {"data": "data"}, "data"],
    ids=["empty", "success-only", "data-not-a-pointer", "not-an-object"],
)
def test_envelope_without_data_pointer(envelope: object) -> None:
    document = minimal_document()
    document["paths"]["/things/{thing_id}"]["post"]["x-envelope"] = envelope
    problems = check_document(document)
    assert errors_of(problems) == [f"{OPERATION}/x-envelope"]
    assert "needs 'data'" in error_message(problems, f"{OPERATION}/x-envelope")


def test_missing_ref_target_and_unknown_type_each_located() -> None:
    document = minimal_document()
    document["components"]["schemas"]["Thing"]["properties"]["name"]["type"] = ["string", "strnig"]
    document["paths"]["/things/{thing_id}"]["post"]["requestBody"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/Nothing"
    }
    problems = check_document(document)
    schema_pointer = f"{OPERATION}/requestBody/content/application~1json/schema/$ref"
    assert errors_of(problems) == sorted(["/components/schemas/Thing/properties/name/type", schema_pointer])
    assert error_message(problems, "/components/schemas/Thing/properties/name/type") == "unknown type 'strnig'"
    assert "'#/components/schemas/Nothing' does not exist" in error_message(problems, schema_pointer)


def test_schema_error_lists_every_problem_with_its_pointer() -> None:
    problems = check_document(malformed_formation())
    text = str(SchemaError("schemas/formation/openapi.json", problems))
    lines = text.splitlines()
    assert lines[0] == "schemas/formation/openapi.json: 3 problems"
    assert sorted(line.split(": ")[1] for line in lines[1:]) == sorted([MISSING_REF, UNKNOWN_TYPE, DUPLICATE_ID])
    assert all(line.startswith("  error: ") for line in lines[1:])

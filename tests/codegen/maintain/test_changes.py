"""The per-vendor changelog: ``generate`` appends the schema's change report to CHANGES.md.

All of it runs on a temporary copy of the repository (codegen/, schemas/, generated/).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from codegen.maintain.changes import CHANGES_FILE, SNAPSHOT_FILE, read_snapshot, snapshot_text
from tests.helpers.paths import GENERATED, REPO, SCHEMAS, run_codegen, vendors

CONTACT_IN = "/components/schemas/ContactIn/properties"


def schema_path(root: Path) -> Path:
    return root / "schemas" / "formation" / "openapi.json"


def edit_schema(root: Path, edit: Any) -> str:
    """Apply ``edit`` to the Formation schema of ``root``; returns the new schema's sha256."""
    path = schema_path(root)
    schema = json.loads(path.read_text(encoding="utf-8"))
    edit(schema)
    path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return hashlib.sha256(path.read_bytes()).hexdigest()


def first_change(schema: dict[str, Any]) -> None:
    contact_in = schema["components"]["schemas"]["ContactIn"]
    contact_in["required"].append("status")  # optional -> required: breaking
    del contact_in["properties"]["cc_emails"]  # removed: breaking
    schema["components"]["schemas"]["ContactOut"]["properties"]["tags"] = {"type": "array", "items": {"type": "string"}}


def second_change(schema: dict[str, Any]) -> None:
    schema["components"]["schemas"]["ContactIn"]["properties"]["full_name"]["maxLength"] = 200


def test_snapshots_in_generated_are_the_current_schemas() -> None:
    for vendor in vendors():
        raw = (SCHEMAS / vendor / "openapi.json").read_bytes()
        snapshot = (GENERATED / vendor / SNAPSHOT_FILE).read_text(encoding="utf-8")
        assert read_snapshot(snapshot) == (json.loads(raw), hashlib.sha256(raw).hexdigest())
        assert snapshot == snapshot_text(json.loads(raw), hashlib.sha256(raw).hexdigest())
        init = (GENERATED / vendor / "__init__.py").read_text(encoding="utf-8")
        assert f'\n__schema_sha256__ = "{hashlib.sha256(raw).hexdigest()}"\n' in init


def changelogs(root: Path) -> dict[str, str]:
    """Every ``generated/<vendor>/CHANGES.md`` under ``root``, by vendor."""
    return {
        path.parent.name: path.read_text(encoding="utf-8")
        for path in sorted((root / "generated").glob(f"*/{CHANGES_FILE}"))
    }


def test_generate_without_a_schema_change_writes_no_changelog(repo_copy: Path) -> None:
    before = changelogs(repo_copy)  # those of earlier schema changes, committed with them
    assert run_codegen(repo_copy, "generate").returncode == 0
    assert changelogs(repo_copy) == before


def test_check_prints_the_schema_report_before_the_code_diff(repo_copy: Path) -> None:
    edit_schema(repo_copy, first_change)
    completed = run_codegen(repo_copy, "check")
    assert completed.returncode == 1
    report, _, code_diff = completed.stdout.partition("\n--- ")
    assert report.startswith("Schema changes from formation schema sha256 ")
    assert "POST /contacts (create_contact): 2 breaking, 1 compatible" in report
    assert f"  breaking   request body  {CONTACT_IN}/cc_emails (old): field cc_emails removed" in report
    assert f"  breaking   request body  {CONTACT_IN}/status: field status: optional -> required" in report
    assert "optional field tags added" in report
    assert "generated/formation/" in code_diff  # then the unified diff of the generated code


def test_generate_appends_one_entry_per_schema_change(repo_copy: Path) -> None:
    changes = repo_copy / "generated" / "formation" / CHANGES_FILE
    others = {vendor: text for vendor, text in changelogs(repo_copy).items() if vendor != "formation"}
    first_sha = edit_schema(repo_copy, first_change)
    generated = run_codegen(repo_copy, "generate")
    assert generated.returncode == 0, generated.stderr
    text = changes.read_text(encoding="utf-8")
    assert text.startswith("# Schema changes of the formation client\n")
    assert text.count("\n## sha256 ") == 1
    assert f"\n## sha256 {first_sha}\n" in text
    assert "POST /contacts (create_contact): 2 breaking, 1 compatible" in text
    assert "field cc_emails removed" in text
    # Deterministic: no timestamps, and a second run changes nothing; check is in step.
    assert run_codegen(repo_copy, "generate").returncode == 0
    assert changes.read_text(encoding="utf-8") == text
    assert run_codegen(repo_copy, "check").returncode == 0
    # The next change is appended after the first, which stays as it was.
    second_sha = edit_schema(repo_copy, second_change)
    assert run_codegen(repo_copy, "generate").returncode == 0
    updated = changes.read_text(encoding="utf-8")
    assert updated.startswith(text)
    entry = updated[len(text) :]
    assert entry.startswith(f"## sha256 {second_sha}\n\nPrevious schema: sha256 {first_sha}.\n")
    assert f"  breaking   request body  {CONTACT_IN}/full_name: maxLength added: null -> 200 (tightened)" in entry
    assert run_codegen(repo_copy, "check").returncode == 0
    # Other vendors' schemas did not change: their changelogs (if any) neither.
    assert {vendor: text for vendor, text in changelogs(repo_copy).items() if vendor != "formation"} == others


def test_the_same_history_gives_the_same_changelog_bytes(repo_copy: Path, tmp_path: Path) -> None:
    # The same steps in two separate copies of the repository give the same bytes.
    other = tmp_path / "other"
    other.mkdir()
    for name in ("codegen", "schemas", "generated"):
        shutil.copytree(REPO / name, other / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy2(REPO / "pyproject.toml", other / "pyproject.toml")
    results = []
    for root in (repo_copy, other):
        edit_schema(root, first_change)
        assert run_codegen(root, "generate", "formation").returncode == 0
        folder = root / "generated" / "formation"
        results.append(((folder / CHANGES_FILE).read_bytes(), (folder / SNAPSHOT_FILE).read_bytes()))
    assert results[0] == results[1]


def test_a_hand_edited_snapshot_is_not_trusted(repo_copy: Path) -> None:
    snapshot = repo_copy / "generated" / "formation" / SNAPSHOT_FILE
    snapshot.write_text("not json", encoding="utf-8")
    edit_schema(repo_copy, second_change)
    completed = run_codegen(repo_copy, "generate", "formation")
    assert completed.returncode == 0, completed.stderr
    assert not (repo_copy / "generated" / "formation" / CHANGES_FILE).exists()
    assert read_snapshot(snapshot.read_text(encoding="utf-8")) is not None  # rewritten from the schema

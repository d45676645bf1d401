"""``python -m codegen check`` keeps generated/ and schemas/ in step; generation is deterministic.

Every test works on a temporary copy of codegen/, schemas/, generated/ and pyproject.toml,
with the copy as working directory, so the copy's codegen is the one that runs and the
real tree is never modified.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from codegen.pipeline import KEPT_FILES
from tests.helpers.paths import GENERATED, run_codegen, subprocess_env, tree_bytes

CHIFT_MODELS = "generated/chift/models.py"
BILLBEE_MODELS = "generated/billbee/models.py"
NEW_PROPERTY = "LoyaltyTier"


def output_of(result: subprocess.CompletedProcess[str]) -> str:
    """Exit status, stdout and stderr of a finished process, for assertion messages."""
    return f"exit status {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


def test_check_passes_on_an_unmodified_copy(repo_copy: Path) -> None:
    result = run_codegen(repo_copy, "check")
    assert result.returncode == 0, output_of(result)
    assert "in step" in result.stdout
    assert "Traceback" not in result.stderr


def test_check_fails_with_a_diff_after_a_hand_edit(repo_copy: Path) -> None:
    models = repo_copy / CHIFT_MODELS
    text = models.read_text(encoding="utf-8")
    position = text.index("\nclass ") + 1  # the "c" of the first class statement
    models.write_text(text[:position] + "C" + text[position + 1 :], encoding="utf-8")
    edited_line = text[position : text.index("\n", position)]

    result = run_codegen(repo_copy, "check")

    report = result.stdout + result.stderr
    assert result.returncode == 1, output_of(result)
    assert CHIFT_MODELS in report
    lines = result.stdout.splitlines()
    assert any(line.startswith(f"--- {CHIFT_MODELS}") for line in lines), output_of(result)
    assert any(line.startswith(f"+++ {CHIFT_MODELS}") for line in lines), output_of(result)
    assert any(re.match(r"@@ -\d+(,\d+)? \+\d+(,\d+)? @@", line) for line in lines), output_of(result)
    assert "-C" + edited_line[1:] in lines, output_of(result)
    assert "+" + edited_line in lines, output_of(result)
    assert "nox -s generate" in report
    assert "generated/billbee" not in report  # only the edited package is reported
    assert "Traceback" not in result.stderr


def add_customer_property(schema_path: Path) -> None:
    """Add an optional string property to Billbee's Customer component, as a schema change would."""
    document = json.loads(schema_path.read_text(encoding="utf-8"))
    properties = document["components"]["schemas"]["Customer"]["properties"]
    assert NEW_PROPERTY not in properties
    properties[NEW_PROPERTY] = {"type": "string", "description": "Loyalty programme tier of the customer."}
    schema_path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def test_check_fails_after_a_schema_change_until_regenerated(repo_copy: Path) -> None:
    add_customer_property(repo_copy / "schemas/billbee/openapi.json")

    stale = run_codegen(repo_copy, "check")

    assert stale.returncode == 1, output_of(stale)
    assert BILLBEE_MODELS in stale.stdout + stale.stderr
    assert any(line.startswith("+") and f'"wire": "{NEW_PROPERTY}"' in line for line in stale.stdout.splitlines())
    assert "generated/chift" not in stale.stdout + stale.stderr
    assert "nox -s generate" in stale.stdout + stale.stderr

    generated = run_codegen(repo_copy, "generate")

    assert generated.returncode == 0, output_of(generated)
    assert f'"wire": "{NEW_PROPERTY}"' in (repo_copy / BILLBEE_MODELS).read_text(encoding="utf-8")
    fresh = run_codegen(repo_copy, "check")
    assert fresh.returncode == 0, output_of(fresh)


def test_generate_after_a_hand_edit_restores_the_file(repo_copy: Path) -> None:
    models = repo_copy / CHIFT_MODELS
    original = models.read_bytes()
    models.write_bytes(original.replace(b"class ", b"klass ", 1))

    result = run_codegen(repo_copy, "generate")

    assert result.returncode == 0, output_of(result)
    assert models.read_bytes() == original
    assert run_codegen(repo_copy, "check").returncode == 0


def test_generation_is_deterministic_and_matches_the_committed_tree(repo_copy: Path, tmp_path: Path) -> None:
    trees = []
    for run, hash_seed in (("first", "1"), ("second", "2")):
        output = tmp_path / run
        result = run_codegen(
            repo_copy, "generate", "--output", str(output), env=subprocess_env(PYTHONHASHSEED=hash_seed)
        )
        assert result.returncode == 0, output_of(result)
        trees.append(tree_bytes(output))
    first, second = trees
    assert first, "generate wrote nothing"
    assert first == second
    committed = tree_bytes(GENERATED, KEPT_FILES)
    assert sorted(first) == sorted(committed)
    differing = sorted(name for name in first if first[name] != committed[name])
    assert differing == [], "generated/ is not what the schemas give; run `nox -s generate`"

"""``python -m codegen vendor``: a generated package copied under another name, and its staleness check."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from codegen.maintain.changes import SNAPSHOT_FILE
from codegen.maintain.vendoring import VENDORED_FILE, read_record
from tests.helpers.paths import GENERATED, REPO, run_codegen

PROVENANCE = re.compile(
    r'^__schema__ = "schemas/formation/openapi.json"\n'
    r'__schema_sha256__ = "(?P<sha256>[0-9a-f]{64})"\n__generator_version__ = "(?P<version>[^"]+)"$',
    re.MULTILINE,
)


def generated_files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def vendor(*arguments: str, cwd: Path = REPO) -> tuple[int, str, str]:
    completed = run_codegen(cwd, "vendor", *arguments)
    return completed.returncode, completed.stdout, completed.stderr


def test_vendor_copies_records_and_verifies_in_a_fresh_interpreter(tmp_path: Path) -> None:
    status, out, err = vendor("formation", str(tmp_path), "--package", "acme_formation")
    assert status == 0, err
    copy = tmp_path / "acme_formation"
    # Every file of the generated package, byte for byte, but the schema snapshot.
    source = generated_files(GENERATED / "formation")
    copied = generated_files(copy)
    assert set(copied) == (set(source) - {SNAPSHOT_FILE}) | {VENDORED_FILE}
    assert all(copied[name] == data for name, data in source.items() if name != SNAPSHOT_FILE)
    assert not list(copy.rglob("__pycache__"))  # the verification left no bytecode behind
    # Verified by importing it under its new name and round-tripping the schema's own example.
    assert "verified: imported acme_formation and round-tripped one ContactIn" in out
    # VENDORED.md: source vendor, schema sha256 and generator version, as __init__.py says.
    header = PROVENANCE.search((GENERATED / "formation" / "__init__.py").read_text(encoding="utf-8"))
    assert header is not None
    facts, hashes = read_record((copy / VENDORED_FILE).read_text(encoding="utf-8"))
    assert facts == {
        "vendor": "formation",
        "schema": "schemas/formation/openapi.json",
        "schema sha256": header["sha256"],
        "generator version": header["version"],
    }
    assert hashes == {name: hashlib.sha256(data).hexdigest() for name, data in copied.items() if name != VENDORED_FILE}
    status, out, _ = vendor("formation", str(tmp_path), "--package", "acme_formation", "--check")
    assert status == 0
    assert "is up to date" in out


def test_every_generated_package_vendors_and_round_trips(tmp_path: Path) -> None:
    for name in sorted(path.name for path in GENERATED.iterdir() if (path / "__init__.py").is_file()):
        status, out, err = vendor(name, str(tmp_path), "--package", f"vendored_{name}")
        assert status == 0, err
        assert f"verified: imported vendored_{name} and round-tripped one " in out


def test_check_finds_an_edited_an_added_and_a_missing_file(tmp_path: Path) -> None:
    assert vendor("formation", str(tmp_path), "--package", "acme")[0] == 0
    copy = tmp_path / "acme"
    (copy / "models.py").write_text((copy / "models.py").read_text(encoding="utf-8") + "# patched\n", "utf-8")
    (copy / "extra.py").write_text("", encoding="utf-8")
    (copy / "py.typed").unlink()
    status, _, err = vendor("formation", str(tmp_path), "--package", "acme", "--check")
    assert status == 1
    assert f"{copy}: models.py was edited after it was vendored" in err
    assert f"{copy}: extra.py is not part of the vendored package" in err
    assert f"{copy}: py.typed is missing" in err
    assert f"{copy} is stale: run `python -m codegen vendor formation {tmp_path} --package acme`" in err
    # Vendoring again repairs the copy and leaves what was not ours in place, saying so.
    status, out, _ = vendor("formation", str(tmp_path), "--package", "acme")
    assert status == 0
    assert "files not from the generated package were left in place: extra.py" in out
    (copy / "extra.py").unlink()
    assert vendor("formation", str(tmp_path), "--package", "acme", "--check")[0] == 0


def test_check_finds_a_copy_made_from_an_older_schema(repo_copy: Path, tmp_path: Path) -> None:
    dest = tmp_path / "vendored"
    assert vendor("formation", str(dest), "--package", "acme", cwd=repo_copy)[0] == 0
    old_sha = read_record((dest / "acme" / VENDORED_FILE).read_text(encoding="utf-8"))[0]["schema sha256"]
    schema_path = repo_copy / "schemas" / "formation" / "openapi.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["components"]["schemas"]["ContactIn"]["properties"]["nickname"] = {"type": "string"}
    schema_path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    assert run_codegen(repo_copy, "generate", "formation").returncode == 0
    new_sha = hashlib.sha256(schema_path.read_bytes()).hexdigest()
    status, _, err = vendor("formation", str(dest), "--package", "acme", "--check", cwd=repo_copy)
    assert status == 1
    assert f"was copied from schema sha256 {old_sha}; generated/formation is now from {new_sha}" in err
    assert "models.py differs from generated/formation/models.py" in err
    assert vendor("formation", str(dest), "--package", "acme", cwd=repo_copy)[0] == 0
    assert vendor("formation", str(dest), "--package", "acme", "--check", cwd=repo_copy)[0] == 0


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["formation", "DEST", "--package", "not-a-name"], "--package 'not-a-name' must be a Python identifier"),
        (["nobody", "DEST", "--package", "acme"], "is not a generated package (no __init__.py)"),
        (["formation", "DEST", "--package", "acme", "--check"], "is not a vendored copy (no VENDORED.md)"),
    ],
)
def test_vendor_rejects_bad_input_with_exit_status_2(arguments: list[str], message: str, tmp_path: Path) -> None:
    status, _, err = vendor(*[str(tmp_path) if a == "DEST" else a for a in arguments])
    assert status == 2
    assert message in err
    assert "Traceback" not in err


def test_vendor_never_overwrites_a_folder_it_did_not_write(tmp_path: Path) -> None:
    mine = tmp_path / "acme"
    mine.mkdir()
    (mine / "keep.py").write_text("x = 1\n", encoding="utf-8")
    status, _, err = vendor("formation", str(tmp_path), "--package", "acme")
    assert status == 2
    assert "exists and is not a vendored copy" in err
    assert sorted(p.name for p in mine.iterdir()) == ["keep.py"]


def test_a_package_with_absolute_imports_cannot_be_renamed(tmp_path: Path) -> None:
    generated = tmp_path / "generated"
    package = generated / "tied"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "from generated.tied.models import Thing\n"
        f'__schema__ = "schemas/tied/openapi.json"\n__schema_sha256__ = "{"0" * 64}"\n'
        '__generator_version__ = "0.1.0"\n',
        encoding="utf-8",
    )
    status, _, err = vendor("tied", str(tmp_path / "dest"), "--package", "acme", "--generated", str(generated))
    assert status == 2
    assert "__init__.py:1: imports generated.tied.models absolutely" in err
    assert not (tmp_path / "dest").exists()

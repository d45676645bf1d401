"""The whole-spec row of the ``generation`` benchmark (bench/whole_specs.py): a run on two published specs.

The smoke settings take Billbee's Swagger 2.0 spec and Clemta's OpenAPI 3.0 spec. Where
openapi-python-client is missing (the dev environment), its side is checked as absent, as in
test_bench_smoke.py; the reading of its warnings and failures is checked on its own output.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import harness, whole_specs
from tests.bench.test_bench_smoke import PEERS, SMOKE
from tests.realworld.specs import Vendor

OPC_INSTALLED = PEERS[harness.OPC]

# openapi-python-client 0.29.1's output on the published Chift spec, shortened.
OPC_OUTPUT = """Generating out
Warning(s) encountered while generating. Client was generated, but some pieces may be missing

WARNING parsing POST /syncs within syncs. Endpoint will not be generated.

Could not find reference in parsed models or enums


WARNING parsing GET /syncs/{syncid} within syncs.

Cannot parse response for status code <UntrustedString object at 0x7f26> (Could not find reference in parsed \
models or enums), response will be omitted from generated client

{
  "$ref": "#/components/schemas/ReadSyncItem"
}

Value {'datastores': []} is not valid, only None is allowed

Failure to process schema has resulted in the removal of:
/components/schemas/CreateFlowItem
/components/schemas/CreateSyncItem
"""


def test_whole_specs_generate_on_both_sides(tmp_path: Path, shared_dir: Path) -> None:
    assert harness.VENDOR_SPECS.is_relative_to(shared_dir)
    rows, details = whole_specs.bench_whole_specs(SMOKE, tmp_path)
    assert [row.benchmark for row in rows] == ["generation"]
    row = rows[0]
    assert row.target == "info"
    assert row.ours is not None
    assert row.ours > 0
    assert sorted(details) == ["billbee", "formation"]
    billbee, formation = details["billbee"], details["formation"]
    assert billbee["published"] == {"operations": 80, "schemas": 98}
    assert billbee["codegen"] == {"operations": 80, "schemas": 98, "omitted": {}, "failed": ""}
    assert billbee["import dropped"]["request bodies and responses cut to application/json"] > 0
    # Clemta's spec has component schemas no operation uses: not imported, and said so.
    assert formation["codegen"]["operations"] == 13
    assert formation["not imported"]
    assert formation["codegen"]["schemas"] + len(formation["not imported"]) == formation["published"]["schemas"]
    assert "codegen: 93/93 operations" in row.note
    assert "schemas no operation refers to, not imported (Clemta (Formation):" in row.note
    if not OPC_INSTALLED:
        assert row.peer is None
        assert "not installed" in row.note
        return
    assert billbee[harness.OPC]["operations"] == 80  # it generates Billbee's imported spec whole
    assert billbee["seconds"][harness.OPC]
    assert row.peer is not None
    assert row.peer > 0
    assert "Billbee" in row.name
    peer_formation = formation[harness.OPC]
    if peer_formation["failed"]:  # 0.29.1 writes invalid Python for Clemta's multipart body; its ruff hook fails
        assert f"no client for Clemta (Formation) ({peer_formation['failed']})" in row.note
        assert "timed on Billbee only" in row.note
        assert "Clemta" not in row.name
    else:
        assert peer_formation["operations"] > 0


def test_opc_warnings_name_what_it_left_out() -> None:
    run = harness.ChildRun(seconds=1.0, max_rss_mb=1.0, returncode=0, stdout=OPC_OUTPUT, stderr="")
    assert harness.opc_omissions(run) == {
        "endpoints skipped": ["POST /syncs"],
        "schemas removed": ["CreateFlowItem", "CreateSyncItem"],
        "responses omitted": ["GET /syncs/{syncid}"],
    }
    assert harness.opc_warnings(run) == {"endpoints skipped": 1, "schemas removed": 2, "responses omitted": 1}


def test_a_peer_failure_keeps_its_reason() -> None:
    error = harness.BenchError(
        "openapi-python-client failed on x/openapi.json (exit 1):\nGenerating out\n"
        "Error(s) encountered while generating, client was not created\nruff failed\n\n"
        "error: Failed to parse a.py:8:3: Expected an indented block\n\nIf you believe this was a mistake..."
    )
    generated = whole_specs.peer_failure(error)
    assert generated.failed == "ruff failed: Failed to parse a.py:8:3: Expected an indented block"
    assert (generated.operations, generated.schemas) == (0, 0)


def test_import_notes_are_counted_by_kind() -> None:
    report = "\n".join(
        [
            "schemas/x/openapi.json: created, 2 operation(s) imported",
            "  GET /a -> get_a",
            "note: GET /a: response 200: media types text/json dropped (only application/json is kept)",
            "note: POST /a: request body: media types text/xml dropped (only application/json is kept)",
            "note: GET /a: security scheme 'mcp_auth' is not defined in the spec; dropped",
            "note: GET /a: optional cookie parameter 'c' dropped (not supported)",
            "note: no longer referenced, dropped from the existing schema: schemas Old",
            'note: /components/securitySchemes/k/x-credential: none given; derived "token"',
        ]
    )
    assert whole_specs.dropped_by_import(report) == {
        "request bodies and responses cut to application/json": 2,
        "requirements of an undeclared or unsupported security scheme": 1,
        "optional parameters (unsupported)": 1,
        "other": 1,
    }


def spec_result(title: str, operations: int, peer: whole_specs.Generated) -> whole_specs.SpecResult:
    keys = [f"GET /{index}" for index in range(operations)]
    imported = whole_specs.Imported(
        operations=keys,
        schemas=["A", "B", "Unused"],
        methods={key: f"m{index}" for index, key in enumerate(keys)},
        imported_schemas=["A", "B"],
        dropped={"request bodies and responses cut to application/json": 2},
        seconds=0.1,
    )
    vendor = Vendor(title.lower(), title, f"{title}.json", operations)
    ours = whole_specs.Generated(operations=operations, schemas=2)
    return whole_specs.SpecResult(vendor, imported, ours=ours, peer=peer)


def test_the_note_states_what_each_side_omitted() -> None:
    skipped = whole_specs.Generated(
        operations=3, schemas=1, omitted={"endpoints skipped": ["GET /3"], "schemas removed": ["B"]}
    )
    failed = whole_specs.Generated(operations=0, schemas=0, failed="ruff failed")
    results = [spec_result("One", 4, skipped), spec_result("Two", 2, failed)]
    note = whole_specs.describe(results, results[:1])
    assert "codegen import dropped: 4 request bodies and responses cut to application/json (One: 2, Two: 2)" in note
    assert "codegen: 6/6 operations, 4/6 schemas as models; omitted: 2 schemas no operation refers to" in note
    assert (
        f"{harness.OPC}: 3/6 operations, 1/6 schemas as models; omitted: no client for Two (ruff failed); "
        "1 endpoints skipped (One: 1); 1 schemas removed (One: 1); 1 schemas no operation refers to, not imported "
        "(One: 1)"
    ) in note
    assert note.endswith("timed on One only")


def test_a_missing_published_spec_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(whole_specs, "VENDOR_SPECS", tmp_path)
    with pytest.raises(harness.BenchError, match=r"the published spec is missing: .*billbee"):
        whole_specs.chosen_vendors(SMOKE)

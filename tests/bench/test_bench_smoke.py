"""Smoke test of the benchmarks (bench/, ``python -m bench``): each one runs once, on tiny input.

It runs in the normal test environment (requirements/dev.txt). That environment holds the
project's side of every benchmark and one peer, pydantic v2 with datamodel-code-generator,
but not the two others: openapi-python-client and the official Chift SDK (``chift``).
Where a peer is missing, the benchmark leaves its side empty with a note saying so, and
the tests check exactly that, so the project's side and the measuring harness are still
exercised; ``test_every_peer_is_installed`` then reports the missing peers as a skip with
its reason (shown by ``pytest -ra``), so nothing goes unexercised silently. With
requirements/bench.txt installed, every side runs and is checked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import urllib3

from bench import cli, codecs, generation, harness, imports, per_call, scaling, whole_import

SMOKE = harness.Settings.smoke()
PEERS = {
    "openapi-python-client": harness.opc_command() is not None,
    "chift (official Chift SDK)": harness.peer_available("chift"),
    "pydantic + datamodel-code-generator": harness.peer_available("pydantic")
    and harness.peer_available("datamodel_code_generator"),
}


def check_sides(row: harness.Row, peer_installed: bool) -> None:
    """The project's figure is measured; the peer's too when installed, else a note says why not."""
    assert row.ours is not None
    assert row.ours > 0
    if peer_installed:
        assert row.peer is not None
        assert row.peer > 0
        assert row.ratio is not None
    else:
        assert row.peer is None
        assert row.ratio is None
        assert "not installed" in row.note
        assert row.met is None


def test_generation_runs_once(tmp_path: Path) -> None:
    rows = generation.bench_generation(SMOKE, tmp_path)
    assert [row.benchmark for row in rows] == ["generation", "generation"]
    for row in rows:
        check_sides(row, PEERS["openapi-python-client"])
    assert rows[0].target == "ratio <= 0.5"


def test_scaling_runs_once_on_small_subsets(tmp_path: Path, shared_dir: Path) -> None:
    assert scaling.FULL_CHIFT_SPEC.is_relative_to(shared_dir)
    rows, details = scaling.bench_scaling(SMOKE, tmp_path)
    subsets = details["subsets"]
    assert [entry["paths"] for entry in subsets] == [2, 4, 6]
    assert subsets[0]["bytes"] < subsets[1]["bytes"] < subsets[2]["bytes"]
    assert all(entry["max_rss_mb"] > 0 for entry in subsets)
    assert any("x-credential" in change for change in details["adaptations"])
    measured = [row for row in rows if row.unit in ("s", "MB")]
    assert len(measured) == 6
    for row in measured:
        check_sides(row, PEERS["openapi-python-client"])
    growth = [row for row in rows if row.unit == "x"]
    assert len(growth) == 2
    assert all(row.ours is not None for row in growth)


def test_codecs_run_once(tmp_path: Path) -> None:
    rows, details = codecs.bench_codecs(SMOKE, tmp_path, ["decode", "encode"])
    # Three payloads, two directions; the project with and without orjson against pydantic,
    # and with orjson against openapi-python-client.
    assert len(rows) == 3 * 2 * 3
    assert sorted({row.benchmark for row in rows}) == ["decode", "encode"]
    for row in rows:
        peer = "openapi-python-client" if row.peer_name == harness.OPC else "pydantic + datamodel-code-generator"
        check_sides(row, PEERS[peer])
    assert {row.target for row in rows if "without orjson" in row.name} == {"ratio <= 1.5", "ratio <= 1"}
    assert {row.target for row in rows if row.peer_name == "pydantic v2" and "with orjson" in row.name} == {
        "ratio <= 1.2",
        "ratio <= 1",
    }
    for payload in ("invoice", "invoice-decimal", "contacts"):
        assert details[payload]["ours_round_trip_lossless"] is True
    if PEERS["openapi-python-client"]:  # its attrs models read amounts as floats
        assert "12345678901234567.89" in details["invoice-decimal"]["openapi-python-client_round_trip_difference"]


def test_per_call_runs_once() -> None:
    rows = per_call.bench_per_call(SMOKE)
    assert len(rows) == 2
    for row in rows:
        check_sides(row, peer_installed=True)  # the peer is urllib3, a runtime dependency
    assert rows[0].target == "ratio <= 1.2"


def test_import_runs_once(tmp_path: Path) -> None:
    rows, details = imports.bench_import(SMOKE, tmp_path)
    assert len(rows) == 2
    for row in rows:
        check_sides(row, PEERS["chift (official Chift SDK)"])
    modules = {entry["module"] for entry in details["slowest_imports_self_time"]["ours"]}
    assert modules


def test_whole_import_runs_once_on_the_first_paths(tmp_path: Path, shared_dir: Path) -> None:
    assert scaling.FULL_CHIFT_SPEC.is_relative_to(shared_dir)  # the spec whole_import generates
    rows, details = whole_import.bench_whole_import(SMOKE, tmp_path)
    assert [row.unit for row in rows] == ["ms", "ms", "MB"]
    assert rows[0].target == "ratio <= 0.5"
    for row in rows:
        check_sides(row, PEERS["chift (official Chift SDK)"])
    assert 0 < details["operations"] < 20  # the operations of the first paths, in smoke mode
    assert "client.py" in details["largest_files_bytes"]


def test_command_line_prints_and_writes_every_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "results" / "latest.json"
    markdown = tmp_path / "table.md"
    status = cli.main(
        ["--smoke", "--only", "decode,encode,per-call", "--output", str(output), "--markdown", str(markdown)]
    )
    # Every row with a target is judged against pydantic v2 or urllib3, both in the dev pins; the
    # openapi-python-client rows are informational, so its absence does not make the run fail.
    assert status == 0
    data = json.loads(output.read_text(encoding="utf-8"))
    names = [row["name"] for row in data["rows"]]
    assert len(names) == 3 * 2 * 3 + 2  # codecs: payloads x directions x rows; per-call: 2
    assert all("ratio" in row for row in data["rows"])
    assert data["machine"]["python"]
    printed = capsys.readouterr().out
    for name in names:
        assert name in printed
    assert markdown.read_text(encoding="utf-8").count("\n| ") == len(names) + 1  # header and one line per row


def test_unknown_benchmark_is_refused(tmp_path: Path) -> None:
    assert cli.main(["--only", "nonsense", "--output", str(tmp_path / "out.json")]) == 2


def test_canned_server_keeps_the_connection_alive() -> None:
    with per_call.CannedServer(b'{"ok":true}') as server:
        pool = urllib3.PoolManager(maxsize=1, retries=False)
        try:
            answers = [pool.request("POST", server.url + "/x", body=b'{"a":1}').data for _ in range(3)]
        finally:
            pool.clear()
    assert answers == [b'{"ok":true}'] * 3
    assert server.requests == 3


def tiny_document() -> dict[str, Any]:
    def operation(schema: str) -> dict[str, Any]:
        content = {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
        return {"operationId": schema.lower(), "responses": {"200": {"description": "ok", "content": content}}}

    return {
        "openapi": "3.1.0",
        "paths": {"/a": {"get": operation("A")}, "/b": {"get": operation("B")}},
        "components": {
            "schemas": {
                "A": {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Child"}}},
                "Child": {"type": "string"},
                "B": {"type": "object"},
            },
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def test_subset_keeps_the_components_its_paths_reference() -> None:
    subset = scaling.subset_document(tiny_document(), 1)
    assert list(subset["paths"]) == ["/a"]
    assert sorted(subset["components"]["schemas"]) == ["A", "Child"]
    assert "bearer" in subset["components"]["securitySchemes"]
    assert scaling.subset_document(tiny_document(), None) == tiny_document()


def test_adaptations_are_minimal_and_reported() -> None:
    document = tiny_document()
    assert scaling.add_credentials(document) == [
        'components/securitySchemes/bearer: added x-credential "token"',
    ]
    assert scaling.add_credentials(document) == []  # already there: nothing more
    document["paths"]["/b"]["get"]["security"] = [{"undeclared": []}]
    assert scaling.drop_undeclared_security(document) == [
        "GET /b: dropped the requirement of undeclared undeclared",
    ]
    assert "security" not in document["paths"]["/b"]["get"]
    assert scaling.drop_undeclared_security(document) == []


def test_linearity_compares_marginal_costs() -> None:
    assert scaling.linearity([1, 2, 3], [5, 6, 7]) == pytest.approx(1.0)
    assert scaling.linearity([1, 2, 4], [5, 6, 10]) == pytest.approx(2.0)
    assert scaling.linearity([1, 2], [5, 6]) is None


def test_every_peer_is_installed() -> None:
    missing = [name for name, installed in PEERS.items() if not installed]
    if missing:
        pytest.skip(
            f"not installed here, so their side of the benchmarks was checked as absent, not run: "
            f"{', '.join(missing)} (pip install -r requirements/bench.txt)"
        )

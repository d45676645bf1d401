"""``python -m codegen build``: a wheel and an sdist of a generated package, installable with pip.

The wheel of Formation's package, built as ``acme_formation``, is installed with pip into a
fresh virtual environment, offline: the venv sees attrs, cattrs and urllib3 (and what they
need) through a ``.pth`` file naming a folder that holds copies of exactly those
distributions, so pip resolves the wheel's requirements against them and installs the wheel
alone. A script run by that venv's interpreter then calls ``create_contact`` on a loopback
server in the test process.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import codegen
from codegen.maintain.distribution import RUNTIME_REQUIREMENTS, distribution_version, optional_extras
from tests.helpers.loopback import LoopbackServer, Reply
from tests.helpers.paths import REPO, load_schema, run_codegen, subprocess_env

PACKAGE = "acme_formation"
TIMEOUT_SECONDS = 180


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(wheel, sdist) of generated/formation built as acme_formation, once for the module."""
    out = tmp_path_factory.mktemp("dist")
    result = run_codegen(REPO, "build", "formation", "--out", str(out), "--package", PACKAGE)
    assert result.returncode == 0, result.stdout + result.stderr
    wheels, sdists = sorted(out.glob("*.whl")), sorted(out.glob("*.tar.gz"))
    assert len(wheels) == 1, sorted(out.iterdir())
    assert len(sdists) == 1, sorted(out.iterdir())
    assert f"wheel: {wheels[0]}" in result.stdout
    assert "verified before building: imported acme_formation and round-tripped one ContactIn" in result.stdout
    return wheels[0], sdists[0]


def expected_version() -> str:
    info_version = load_schema("formation")["info"]["version"]
    assert info_version == "2025-06-24"
    return f"2025.6.24+codegen.{codegen.__version__}"


def test_the_wheel_holds_the_package_and_its_metadata_only(built: tuple[Path, Path]) -> None:
    wheel, sdist = built
    version = expected_version()
    assert wheel.name == f"{PACKAGE}-{version}-py3-none-any.whl"
    assert sdist.name == f"{PACKAGE}-{version}.tar.gz"
    source = {p.name for p in (REPO / "generated" / "formation").iterdir() if p.is_file()}
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        meta = archive.read(f"{PACKAGE}-{version}.dist-info/METADATA").decode("utf-8")
    packaged = {name.split("/", 1)[1] for name in names if name.startswith(f"{PACKAGE}/")}
    assert packaged == source - {"_schema_snapshot.json"}
    assert {"py.typed", "__init__.py", "client.py", "testing.py"} <= packaged
    assert all(name.startswith((f"{PACKAGE}/", f"{PACKAGE}-{version}.dist-info/")) for name in names), names
    assert not [name for name in names if "test_" in name or "/tests/" in name or "conftest" in name]
    headers = dict(re.findall(r"^([A-Za-z-]+): (.*)$", meta.split("\n\n", 1)[0], re.MULTILINE))
    assert headers["Name"] == PACKAGE
    assert headers["Version"] == version
    assert headers["Requires-Python"] == ">=3.10"
    # AsyncClient imports httpx; the runtime's JSON module uses orjson when it is installed.
    requires = re.findall(r"^Requires-Dist: (.*)$", meta, re.MULTILINE)
    assert requires == [*RUNTIME_REQUIREMENTS, 'httpx; extra == "httpx"', 'orjson>=3.9; extra == "orjson"']
    assert re.findall(r"^Provides-Extra: (.*)$", meta, re.MULTILINE) == ["httpx", "orjson"]
    with tarfile.open(sdist) as archive:
        members = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", f"{PACKAGE}/py.typed"} | {f"{PACKAGE}/{n}" for n in packaged} <= members


def test_runtime_requirements_are_the_projects_own() -> None:
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    dependencies = pyproject.split("dependencies = [", 1)[1].split("]", 1)[0]
    assert re.findall(r'"([^"]+)"', dependencies) == list(RUNTIME_REQUIREMENTS)


def copy_distributions(names: list[str], folder: Path) -> list[str]:
    """Copy the installed files of ``names`` and everything they require into ``folder``; their names."""
    todo, seen = list(names), {}
    while todo:
        dist = metadata.distribution(todo.pop())
        key = canonicalize_name(dist.metadata["Name"])
        if key in seen:
            continue
        seen[key] = dist
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    for dist in seen.values():
        for file in dist.files or []:
            if file.parts[0] == ".." or "__pycache__" in file.parts:
                continue  # scripts outside site-packages, bytecode
            target = folder / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(dist.locate_file(file), target)  # type: ignore[arg-type]  # a real file here
    return sorted(seen)


USE_SCRIPT = """
import json, pathlib, sys, sysconfig
import acme_formation
from acme_formation import Client, ContactIn, ContactType

home = pathlib.Path(sysconfig.get_paths()["purelib"]).resolve()
where = pathlib.Path(acme_formation.__file__).resolve()
assert where.parent == home / "acme_formation", f"imported from {where}, not from {home}"
leaked = sorted(m for m in sys.modules if m.split(".")[0] in ("generated", "codegen"))
assert not leaked, leaked
with Client(api_key="secret-key", base_url=sys.argv[1]) as client:
    contact = client.create_contact(
        body=ContactIn(type=ContactType.CUSTOMER, full_name="Jane Doe", email="jane@example.com",
                       company_id="64b8f0c9e4b0c8d9f0654321"),
    )
print(json.dumps({"id": contact.id, "full_name": contact.full_name, "version": acme_formation.__generator_version__}))
"""


def run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )
    assert result.returncode == 0, f"{command}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result


def test_the_wheel_installs_with_pip_into_a_fresh_venv_and_calls_a_loopback_server(
    built: tuple[Path, Path], tmp_path: Path, loopback: LoopbackServer
) -> None:
    wheel, _ = built
    venv = tmp_path / "venv"
    # pip sees no configuration of this machine (no index, no find-links) and no user site.
    env = {key: value for key, value in subprocess_env().items() if not key.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONNOUSERSITE="1")
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path, env)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path, env)
    deps = tmp_path / "deps"
    copied = copy_distributions(["attrs", "cattrs", "urllib3"], deps)
    assert {"attrs", "cattrs", "urllib3"} <= set(copied)
    (Path(purelib.stdout.strip()) / "deps.pth").write_text(f"{deps}\n", encoding="utf-8")

    installed = run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", str(wheel)], tmp_path, env
    )
    assert f"Successfully installed acme-formation-{expected_version()}\n" in installed.stdout, installed.stdout
    assert "Looking in links" not in installed.stdout
    for name in ("attrs", "cattrs", "urllib3"):  # resolved against the copies, not installed again
        assert f"Requirement already satisfied: {name}>=" in installed.stdout, installed.stdout

    contact = {
        "id": "64b8f0c9e4b0c8d9f0000001",
        "type": "customer",
        "full_name": "Jane Doe",
        "email": "jane@example.com",
        "company_id": "64b8f0c9e4b0c8d9f0654321",
    }
    loopback.route("POST", "/contacts", Reply.json(200, {"success": True, "message": "created", "data": contact}))
    (tmp_path / "use.py").write_text(USE_SCRIPT, encoding="utf-8")
    used = run([str(python), "use.py", loopback.url], tmp_path, env)

    assert json.loads(used.stdout) == {"id": contact["id"], "full_name": "Jane Doe", "version": codegen.__version__}
    [request] = loopback.requests
    assert request.header("x-api-key") == "secret-key"
    assert request.json()["full_name"] == "Jane Doe"


@pytest.mark.parametrize(
    ("info_version", "expected"),
    [
        ("2025-06-24", "2025.6.24+codegen.0.1.0"),
        ("V1", "1+codegen.0.1.0"),
        ("1.0.0-beta.1", "1.0.0b1+codegen.0.1.0"),
        ("2.3+vendor.7", "2.3+codegen.0.1.0"),
        ("latest", "0+api.latest.codegen.0.1.0"),
        ("", "0+codegen.0.1.0"),
    ],
)
def test_the_version_is_pep_440_from_info_version_and_the_generator(info_version: str, expected: str) -> None:
    assert distribution_version(info_version, "0.1.0") == expected


def test_httpx_and_orjson_become_extras_only_when_imported() -> None:
    assert optional_extras({"a.py": b"import attrs\n"}) == {}
    files = {"a.py": b"try:\n    import orjson\nexcept ImportError:\n    orjson = None\n", "b.md": b"import httpx"}
    assert optional_extras(files) == {"orjson": "orjson>=3.9"}
    assert optional_extras({"t.py": b"from httpx import Client\n"}) == {"httpx": "httpx"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["formation", "--out", "OUT", "--package", "acme-formation"], "must be a Python identifier"),
        (["nobody", "--out", "OUT"], "is not a generated package (no __init__.py)"),
    ],
)
def test_build_rejects_bad_input_with_exit_status_2(arguments: list[str], message: str, tmp_path: Path) -> None:
    result = run_codegen(REPO, "build", *[str(tmp_path / "out") if a == "OUT" else a for a in arguments])
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()

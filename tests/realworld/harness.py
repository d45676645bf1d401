"""Every operation of three published vendor specs: imported, generated, type-checked and contract-tested.

For each vendor spec in ``../shared/vendor-specs/`` (:data:`VENDORS`), in a temporary folder:

1. ``python -m codegen import SPEC --all`` into ``schemas/<package>/openapi.json``;
2. ``python -m codegen generate`` into ``generated/<package>/``;
3. ``ruff check``, ``ruff format --check`` (the project's configuration) and
   ``mypy --strict`` on the output; an error inside a Client method fails that operation,
   an error anywhere else fails every operation of the package;
4. Stoplight Prism mocks the *published* spec (request validation on, ``--errors``,
   ``--seed``); every operation is called once with Prism answering from the spec's
   examples (static mode) and once with values Prism generates from the schemas
   (dynamic mode, ``Prefer: dynamic=true``; the seed makes the run repeatable). The
   client is built with ``strict_responses=True``. The request is built from the spec's
   examples, or from values built from its schemas where it has none
   (:mod:`tests.realworld.values`); an operation passes when Prism answers 2XX without
   reporting a violation and the client returns the response decoded, losing nothing.

Where a published spec is itself wrong the table says so, and so it does where Prism's
response generators fall short (:mod:`tests.realworld.mock_spec` lists both: Prism mocks
a copy of the spec with each of them corrected). An example that breaks its own schema is
never sent: the request is built from the schema instead. Nothing is hidden: every
failure is printed with its reason, and the exit status is 1 when any operation did not
pass every step.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs

from codegen.maintain.documents import load_spec
from tests.helpers.paths import REPO, SHARED, running_in_ci
from tests.helpers.prism import ENVIRONMENT_VARIABLE, PrismError, PrismServer

from .mock_spec import Corrections, mocked_spec
from .specs import (
    VENDORS,
    Vendor,
    generate_command,
    import_command,
    imported_operations,
    method_ranges,
    published_operations,
)
from .values import NoSample, Sampler

SEED = "realworld"
MODES = ("static", "dynamic")
SECRET = "realworld-secret"
SUBPROCESS_TIMEOUT = 600


@dataclass
class OperationResult:
    """What happened to one operation at each step (None: not reached)."""

    key: str
    method: str | None = None
    generated: bool = False
    typechecked: bool = False
    contract: dict[str, bool] = field(default_factory=dict)
    request_source: str = ""
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Generated, type-checked and contract-passed in every mode."""
        return self.generated and self.typechecked and all(self.contract.get(mode) for mode in MODES)


@dataclass
class VendorResult:
    """Everything reported for one vendor."""

    vendor: Vendor
    operations: dict[str, OperationResult] = field(default_factory=dict)
    spec_defects: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Failures of a whole step (import, generation, Prism), with their reason."""
    mocked: Corrections = field(default_factory=lambda: Corrections({}))
    """The copy of the published spec Prism mocks, and how it differs."""
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall-clock time of the steps run for this vendor alone (import and generate, contract)."""

    def count(self, predicate: Any) -> int:
        """Operations for which ``predicate(result)`` holds."""
        return sum(1 for result in self.operations.values() if predicate(result))


# -- steps ---------------------------------------------------------------------------------------


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """A command with the running interpreter's environment, output captured, never raising on failure."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT, check=False
    )


def check_output(root: Path, packages: list[str]) -> dict[str, list[tuple[str, int, str]]]:
    """ruff check, ruff format --check and mypy --strict over ``root/generated``: (file, line, message) per package."""
    found: dict[str, list[tuple[str, int, str]]] = {package: [] for package in packages}
    config = str(REPO / "pyproject.toml")
    folders = [f"generated/{package}" for package in packages]
    lint = run(
        [sys.executable, "-m", "ruff", "check", "--config", config, "--output-format", "concise", *folders], root
    )
    for line in lint.stdout.splitlines():
        match = re.match(r"^generated/(\w+)/([^:]+):(\d+):\d+: (.*)$", line)
        if match and match.group(1) in found:
            found[match.group(1)].append((match.group(2), int(match.group(3)), f"ruff: {match.group(4)}"))
    formatting = run([sys.executable, "-m", "ruff", "format", "--check", "--config", config, *folders], root)
    for line in formatting.stdout.splitlines():
        match = re.match(r"^Would reformat: generated/(\w+)/(\S+)$", line)
        if match and match.group(1) in found:
            found[match.group(1)].append((match.group(2), 0, "ruff format: would reformat"))
    arguments = ["--strict", "--config-file", config, "--cache-dir", str(root / "mypy-cache"), "--no-error-summary"]
    typing = run(
        [sys.executable, "-m", "mypy", *arguments, *(item for package in packages for item in ("-p", package))],
        root / "generated",
    )
    for line in typing.stdout.splitlines():
        match = re.match(r"^(\w+)/([^:]+):(\d+): error: (.*)$", line)
        if match and match.group(1) in found:
            found[match.group(1)].append((match.group(2), int(match.group(3)), f"mypy: {match.group(4)}"))
    if typing.returncode not in (0, 1) or (typing.returncode == 1 and not any(found.values())):
        for package in packages:
            found[package].append(("", 0, f"mypy did not run: {(typing.stdout + typing.stderr)[-1000:]}"))
    return found


# -- calling each operation ------------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    """One request the client sent and the response it got."""

    request: Any
    response: Any


class RecordingTransport:
    """The package's Urllib3Transport, recording each exchange, sending Prism's Prefer header."""

    def __init__(self, pkg: ModuleType, prefer: str) -> None:
        self._inner = pkg.Urllib3Transport()
        self.prefer = prefer
        self.exchanges: list[Exchange] = []

    def send(self, request: Any) -> Any:
        """Send with the Prefer header and record."""
        request = attrs.evolve(request, headers={**request.headers, "Prefer": self.prefer})
        response = self._inner.send(request)
        self.exchanges.append(Exchange(request, response))
        return response

    def close(self) -> None:
        """Close pooled connections."""
        self._inner.close()


def prism_violations(response: Any) -> list[Any]:
    """Prism's ``sl-violations`` header and the ``validation`` list of its problem+json."""
    found: list[Any] = []
    header = response.headers.get("sl-violations")
    if header:
        try:
            found += json.loads(header)
        except ValueError:
            found.append(header)
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        with contextlib.suppress(ValueError):
            problem = json.loads(response.body)
            found += problem.get("validation", []) if isinstance(problem, dict) else [problem]
    return found


def canonical(value: Any) -> str:
    """JSON text equal only for equal JSON."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


@dataclass
class Request:
    """The arguments of one call, and where their values came from."""

    arguments: dict[str, Any]
    from_examples: bool
    defects: list[str]


class RequestBuilder:
    """Arguments of each operation of an imported schema, from its examples or its schemas."""

    def __init__(self, schema: dict[str, Any], pkg: ModuleType) -> None:
        self.schema = schema
        self.pkg = pkg
        self.sampler = Sampler(schema)

    def operation(self, name: str) -> tuple[Any, dict[str, Any], dict[str, Any]]:
        """The runtime spec, path item and operation object of a Client method."""
        spec = self.pkg._spec.OPERATIONS[name]
        item = self.schema["paths"][spec.path]
        return spec, item, item[spec.method.lower()]

    def build(self, name: str, use_examples: bool) -> Request:
        """Arguments for ``name``: examples first when ``use_examples``, schema-built values otherwise."""
        spec, item, operation = self.operation(name)
        parameters = {}
        for raw in [*item.get("parameters", []), *operation.get("parameters", [])]:
            parameter = self.sampler.resolve(raw)
            parameters[(parameter["in"], parameter["name"])] = parameter
        arguments: dict[str, Any] = {}
        all_examples = True
        defects: list[str] = []
        for param in spec.params:
            parameter = parameters[(param.location, param.wire_name)]
            value, example = self.value(parameter, parameter.get("schema", {}), use_examples, defects, param.wire_name)
            all_examples &= example
            arguments[param.python_name] = value
        body = self.sampler.resolve(operation.get("requestBody"))
        content = body.get("content") if isinstance(body, dict) else None
        media = next(
            (
                value
                for key, value in (content or {}).items()
                if key.split(";")[0].strip().lower() == spec.body_media_type
            ),
            None,
        )
        if not isinstance(media, dict):
            return Request(arguments, all_examples, defects)
        if spec.form is not None:
            arguments["body"] = self.form(spec.form, media, use_examples, defects)
            all_examples = False
        elif spec.body_schema is not None:
            value, example = self.value(media, media.get("schema", {}), use_examples, defects, "body")
            all_examples &= example
            arguments["body"] = value
        else:  # a file as the whole body
            arguments["body"] = self.file("body", spec.body_media_type)
            all_examples = False
        return Request(arguments, all_examples, defects)

    def file(self, name: str, content_types: str | None) -> Any:
        """A small file for a file field: a PDF when the field takes one, else the first type it allows."""
        allowed = [kind.strip() for kind in (content_types or "").split(",") if kind.strip()]
        kind = "application/pdf" if "application/pdf" in allowed or not allowed else allowed[0]
        suffix = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}.get(kind, ".bin")
        return self.pkg.File(PDF if kind == "application/pdf" else b"realworld sample\n", f"{name}{suffix}", kind)

    def form(self, form: Any, media: dict[str, Any], use_examples: bool, defects: list[str]) -> dict[str, Any]:
        """A multipart or urlencoded form: every declared field, and one more file when the schema allows them."""
        schema = self.sampler.resolve(media.get("schema", {}))
        values: dict[str, Any] = {}
        for name, child in schema.get("properties", {}).items():
            field_spec = form.fields.get(name)
            kind = field_spec.kind if field_spec is not None else "any"
            if kind == "file":
                one = self.file(name, field_spec.content_type)
                values[name] = [one] if field_spec.array else one
            elif kind == "json" and field_spec.json_text:
                value, _ = self.value({}, child, use_examples, defects, name)
                values[name] = value if _is_json_text(value) else "{}"
            else:
                values[name], _ = self.value({}, child, use_examples, defects, name)
        if form.additional is not None and form.additional.kind == "file":
            values["additional_file"] = self.file("additional_file", form.additional.content_type)
        return values

    def value(
        self, holder: dict[str, Any], schema: Any, use_examples: bool, defects: list[str], where: str
    ) -> tuple[Any, bool]:
        """(value, whether it is the spec's example) for a parameter or media type."""
        if use_examples:
            examples = holder.get("examples")
            candidates = []
            if isinstance(examples, dict):
                candidates += [ex["value"] for ex in examples.values() if isinstance(ex, dict) and "value" in ex]
            for candidate in candidates[:1]:
                if self.sampler.is_valid(candidate, schema):
                    return candidate, True
                defects.append(f"the example of {where} breaks its own schema")
            found, value = self.sampler.example(schema)
            if found:
                return value, True
        return self.sampler.sample(schema, where), False


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
"""A minimal PDF, for file fields."""


def _is_json_text(value: Any) -> bool:
    try:
        json.loads(value)
    except (TypeError, ValueError):
        return False
    return True


def call(pkg: ModuleType, client: Any, name: str, arguments: dict[str, Any]) -> Any:
    """Call a Client method with its arguments."""
    return getattr(client, name)(**arguments)


def judge(pkg: ModuleType, outcome: Any, transport: RecordingTransport) -> str | None:
    """None when the call passed; else the reason it failed."""
    if not transport.exchanges:
        if isinstance(outcome, BaseException):
            return f"not sent: {type(outcome).__name__}: {str(outcome)[:600]}"
        return "nothing was sent"
    exchange = transport.exchanges[-1]
    response = exchange.response
    violations = prism_violations(response)
    where = f"{exchange.request.method} {exchange.request.url} -> HTTP {response.status}"
    if violations:
        return f"Prism reports violations ({where}): {json.dumps(violations)[:600]}"
    if not 200 <= response.status < 300:
        return f"not 2XX ({where}): {response.body[:300]!r}"
    if isinstance(outcome, BaseException):
        return f"{type(outcome).__name__} ({where}): {str(outcome)[:600]}"
    if outcome is None:
        return None
    if isinstance(outcome, pkg.Download):
        return None if outcome.content == response.body else f"the download lost bytes ({where})"
    try:
        payload = json.loads(response.body)
    except ValueError:
        return f"the client decoded a body that is not JSON ({where})"
    if canonical(pkg.unstructure(outcome)) != canonical(payload):
        return f"the decoded result lost data ({where}): {canonical(pkg.unstructure(outcome))[:300]}"
    return None


def credentials(pkg: ModuleType) -> dict[str, str]:
    """A value for every credential argument of the Client."""
    names: dict[str, str] = {}
    for scheme in pkg._spec.SCHEMES.values():
        for argument in scheme.credentials.values():
            names[argument] = SECRET
    return names


def contract(vendor: Vendor, result: VendorResult, pkg: ModuleType, schema: dict[str, Any], prism: PrismServer) -> None:
    """Call every generated operation against Prism in each mode; record the outcome."""
    builder = RequestBuilder(schema, pkg)
    for mode in MODES:
        transport = RecordingTransport(pkg, f"dynamic={'true' if mode == 'dynamic' else 'false'}")
        client = pkg.Client(
            **credentials(pkg),
            base_url=prism.url,
            transport=transport,
            strict_responses=True,
        )
        with client:
            for operation in result.operations.values():
                if not operation.generated or operation.method is None:
                    continue
                try:
                    request = builder.build(operation.method, use_examples=True)
                except (NoSample, KeyError) as exc:
                    operation.contract[mode] = False
                    operation.failures.append(f"{mode}: no request could be built: {exc}")
                    continue
                operation.request_source = "examples" if request.from_examples else "schemas"
                if mode == "static":
                    result.spec_defects += [f"{operation.key}: {defect}" for defect in request.defects]
                before = len(transport.exchanges)
                outcome: Any
                try:
                    outcome = call(pkg, client, operation.method, request.arguments)
                except Exception as exc:  # every failure is reported with its reason, never raised
                    outcome = exc
                if isinstance(outcome, pkg.errors.RequestValidationError) and request.from_examples:
                    # The spec's example breaks the spec: the schema-built request goes instead.
                    result.spec_defects.append(f"{operation.key}: its example is refused: {str(outcome)[:200]}")
                    try:
                        request = builder.build(operation.method, use_examples=False)
                        operation.request_source = "schemas"
                        outcome = call(pkg, client, operation.method, request.arguments)
                    except Exception as exc:  # reported below
                        outcome = exc
                sent = RecordingTransport(pkg, transport.prefer)
                sent.exchanges = transport.exchanges[before:]
                reason = judge(pkg, outcome, sent)
                operation.contract[mode] = reason is None
                if reason is not None:
                    operation.failures.append(f"{mode}: {reason}")


# -- the whole run ---------------------------------------------------------------------------------


def prism_binary() -> Path:
    """The ``prism`` executable named by PRISM_BIN (``nox -s realworld`` installs it)."""
    value = os.environ.get(ENVIRONMENT_VARIABLE, "")
    if not value or not Path(value).is_file():
        raise PrismError(
            f"{ENVIRONMENT_VARIABLE} must name the prism executable: run `nox -s realworld` (it installs the pinned "
            "Prism with npm), or `python tests/helpers/prism.py install` and set it to the path printed"
        )
    return Path(value)


def import_and_generate(vendor: Vendor, root: Path, result: VendorResult) -> None:
    """Steps 1 and 2 for one vendor: operations imported and generated, or the reason they are not."""
    spec = SHARED / "vendor-specs" / vendor.spec
    published = load_spec(spec)
    for key in published_operations(published):
        result.operations[key] = OperationResult(key)
    result.mocked = mocked_spec(published, str(spec))
    result.spec_defects += result.mocked.spec_defects
    imported = run(import_command(spec, vendor.package, root / "schemas"), REPO)
    if imported.returncode != 0:
        result.problems.append(f"import failed: {imported.stderr.strip()[-3000:]}")
        return
    names = imported_operations(imported.stdout)
    generated = run(generate_command(vendor.package, root / "schemas", root / "generated"), REPO)
    if generated.returncode != 0:
        result.problems.append(f"generate failed: {generated.stderr.strip()[-3000:]}")
        return
    client = (root / "generated" / vendor.package / "client.py").read_text(encoding="utf-8")
    methods = method_ranges(client)
    for key, operation in result.operations.items():
        operation.method = names.get(key)
        operation.generated = operation.method in methods
        if not operation.generated:
            operation.failures.append("not generated" if key not in names else f"no Client method {names[key]!r}")


def typecheck(results: list[VendorResult], root: Path) -> None:
    """Step 3 for every generated package at once."""
    packages = [r.vendor.package for r in results if any(op.generated for op in r.operations.values())]
    if not packages:
        return
    errors = check_output(root, packages)
    for result in results:
        if result.vendor.package not in errors:
            continue
        package_errors = errors[result.vendor.package]
        client = (root / "generated" / result.vendor.package / "client.py").read_text(encoding="utf-8")
        ranges = method_ranges(client)
        inside = {
            name: [
                f"{file}:{line}: {text}"
                for file, line, text in package_errors
                if file == "client.py" and a <= line <= b
            ]
            for name, (a, b) in ranges.items()
        }
        owned = {error for errors in inside.values() for error in errors}
        elsewhere = [f"{f}:{line}: {text}" for f, line, text in package_errors if f"{f}:{line}: {text}" not in owned]
        result.problems += [f"fails every operation: {error}" for error in elsewhere]
        for operation in result.operations.values():
            if not operation.generated or operation.method is None:
                continue
            own = inside.get(operation.method, [])
            operation.typechecked = not own and not elsewhere
            operation.failures += own


def run_contracts(results: list[VendorResult], root: Path, binary: Path) -> None:
    """Step 4 for every vendor, one Prism per published spec."""
    sys.path.insert(0, str(root / "generated"))
    try:
        for result in results:
            vendor = result.vendor
            if not any(op.generated for op in result.operations.values()):
                continue
            served = root / f"{vendor.package}.prism.json"
            served.write_text(json.dumps(result.mocked.document), encoding="utf-8")
            schema = json.loads((root / "schemas" / vendor.package / "openapi.json").read_text(encoding="utf-8"))
            try:
                pkg = importlib.import_module(vendor.package)
            except Exception:
                result.problems.append(f"the package does not import: {traceback.format_exc(limit=3)}")
                continue
            started = time.monotonic()
            try:
                with PrismServer(binary, served, seed=SEED) as prism:
                    contract(vendor, result, pkg, schema, prism)
            except PrismError as exc:
                result.problems.append(f"Prism: {exc}")
            result.seconds["contract"] = time.monotonic() - started
    finally:
        sys.path.remove(str(root / "generated"))


def report(results: list[VendorResult]) -> str:
    """The table per vendor, then every failure with its reason."""
    lines = []
    for result in results:
        vendor, total = result.vendor, len(result.operations)
        lines += [
            "",
            f"{vendor.title}: {vendor.spec} ("
            + ", ".join(f"{step} {seconds:.0f} s" for step, seconds in result.seconds.items())
            + ")",
            f"  {'operations in the published spec':<36}{total:>4}   (expected {vendor.operations})",
            f"  {'generated':<36}{result.count(lambda r: r.generated):>4}/{total}",
            f"  {'type-checked (ruff, mypy --strict)':<36}{result.count(lambda r: r.typechecked):>4}/{total}",
        ]
        for mode in MODES:
            label = f"contract-passed, Prism {mode}"
            lines.append(f"  {label:<36}{result.count(lambda r, m=mode: r.contract.get(m) is True):>4}/{total}")
        lines.append(f"  {'all of the above':<36}{result.count(lambda r: r.passed):>4}/{total}")
        sources = [r.request_source for r in result.operations.values() if r.request_source]
        lines.append(
            f"  {'requests':<36}{sources.count('examples')} the spec's own examples, {sources.count('schemas')} built"
            " from its schemas (with the examples of their properties, where valid)"
        )
        defects = list(dict.fromkeys(result.spec_defects))
        lines.append(f"  {'defects of the published spec':<36}{len(defects) or 'none'}")
        lines += [f"    - {defect}" for defect in defects]
        limits = result.mocked.mock_limits
        lines.append(f"  {'limits of Prism worked around':<36}{len(limits) or 'none'}")
        lines += [f"    - {limit}" for limit in limits]
    failures = [
        (result.vendor.title, line)
        for result in results
        for line in result.problems
        + [f"{op.key} ({op.method}): {failure}" for op in result.operations.values() for failure in op.failures]
    ]
    lines += ["", f"failures: {len(failures) or 'none'}"]
    lines += [f"  {title}: {line}" for title, line in failures]
    return "\n".join(lines)


def main(arguments: list[str]) -> int:
    """Run everything; 0 when every operation of every vendor passed every step."""
    keep = arguments[arguments.index("--keep") + 1] if "--keep" in arguments else None
    if not (SHARED / "vendor-specs").is_dir():
        message = f"{SHARED / 'vendor-specs'} not found: the realworld run needs ../shared beside the checkout"
        if running_in_ci():
            print(f"error: {message}", file=sys.stderr)
            return 1
        print(f"skipped: {message} (under CI=true this is an error)", file=sys.stderr)
        return 0
    try:
        binary = prism_binary()
    except PrismError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    chosen = [arguments[index + 1] for index, value in enumerate(arguments) if value == "--vendor"]
    results = [VendorResult(vendor) for vendor in VENDORS if not chosen or vendor.package in chosen]
    started = time.monotonic()
    with _folder(keep) as root:
        for result in results:
            step = time.monotonic()
            import_and_generate(result.vendor, root, result)
            result.seconds["import and generate"] = time.monotonic() - step
        step = time.monotonic()
        typecheck(results, root)
        typecheck_seconds = time.monotonic() - step
        run_contracts(results, root, binary)
        print(report(results))
    expected = all(len(r.operations) == r.vendor.operations for r in results)
    ok = expected and all(not r.problems and all(op.passed for op in r.operations.values()) for r in results)
    print(
        f"\nrealworld: {'passed' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s"
        f" (ruff and mypy over every package: {typecheck_seconds:.0f} s)"
    )
    return 0 if ok else 1


@contextlib.contextmanager
def _folder(keep: str | None) -> Iterator[Path]:
    if keep is not None:
        path = Path(keep).resolve()
        for stale in ("schemas", "generated"):  # an import into an existing schema would merge
            shutil.rmtree(path / stale, ignore_errors=True)
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="realworld-") as folder:
        yield Path(folder)

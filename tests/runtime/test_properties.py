"""Property tests: every model of every schema, over generated instances.

For each component of ``schemas/<vendor>/openapi.json`` (the generated class of a
component has the component's name in ``generated.<vendor>.models``):

1. Round trip: instances generated from the component's JSON Schema (unknown properties
   included) are structured into the attrs model and unstructured back
   to the same JSON (``json.dumps(sort_keys=True)``; absent stays absent, null stays null,
   ``0`` is not ``0.0``). Declared properties must land in their attributes and only
   undeclared ones in ``extra_fields``, so a model that silently keeps everything as
   unknown keys fails too.
2. Agreement: the client's request validation (``_validation.SchemaValidator`` over
   ``_spec.COMPONENTS``) and ``jsonschema`` (Draft 2020-12, formats checked, refs resolved
   through a ``referencing`` registry over the whole document) both accept every
   generated instance; both reject it once one constraint is broken (too long, out of
   range, wrong enum, missing required, wrong type, bad format, pattern), and the client
   reports the violation at the right JSON path; on arbitrary JSON they agree.

For each public operation:

3. Decoding: a strict client (``strict_responses=True``) whose ``testing.MockTransport``
   answers HTTP 200 with an arbitrary JSON value, a schema-valid response or one broken in
   one place, either returns the typed result (which unstructures back to the payload it
   came from) or raises one of the errors a caller is told to expect from a 200 answer:

   - ``DecodeError``: the body is not what the schema promises;
   - ``EnvelopeError``: the envelope's success flag says the call failed (Billbee's
     ErrorCode other than 0, Formation's success other than true); an arbitrary JSON value
     has no success flag, which the client rightly reads as "not successful";
   - ``BatchPartialFailure``: a batch answer with failed items or without a result for
     some input (Cin7), raised because ``raise_on_failure`` defaults to True.

   A schema-valid response never raises DecodeError, unless the envelope lacks its
   payload member, which the schemas do not require (Formation's ``data``); a payload that
   breaks its schema (jsonschema's verdict) never comes back as a result. The same answer
   to a tolerant client (the default) comes back typed, or with a ResponseValidationWarning.

Finally, the checks must catch a broken client: a copy of a generated package is mutated
(the maxLength or enum check dropped, wire names replaced by Python names, the strict check of
a response's payload skipped, Billbee's payload typed ``Customer | Any | None`` as it was before 3c7d736)
and the same check functions must fail on it. Divergences from JSON Schema the checks
found (ECMA-262 ``$``, int32/int64, email) are fixed and pinned by tests at the end.

Examples per test come from the Hypothesis profile (``hypothesis_profiles``): 200 with the
default ``ci`` profile, derandomized.
"""

from __future__ import annotations

import importlib
import json
import shutil
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pytest
from hypothesis import Phase, event, find, given, settings
from hypothesis import strategies as st

from generated.chift._json import dumps as wire_json
from tests.helpers import hypothesis_profiles
from tests.helpers.schema_strategies import (
    COMPONENT_REF,
    REPO,
    Operation,
    arbitrary_json,
    assert_placed,
    call_operation,
    client_path,
    components,
    credentials,
    inline_refs,
    instances,
    is_valid,
    load_document,
    mutations,
    one_mutation,
    package,
    public_operations,
    reference_validator,
    result_classes,
    valid_instances,
    vendors,
)

hypothesis_profiles.load()


def canonical(value: Any) -> str:
    """JSON text that compares equal only for equal JSON (keys sorted; 0 and 0.0 differ).

    Taken from the text the package writes, so that a Decimal compares by its digits.
    """
    return json.dumps(json.loads(wire_json(value)), sort_keys=True, ensure_ascii=False)


@cache
def _document(vendor: str) -> dict[str, Any]:
    return load_document(vendor)


@dataclass(frozen=True)
class ModelCase:
    vendor: str
    name: str

    def __str__(self) -> str:
        return f"{self.vendor}.{self.name}"


MODEL_CASES = [ModelCase(vendor, name) for vendor in vendors() for name in components(_document(vendor))]
OPERATION_CASES = [operation for vendor in vendors() for operation in public_operations(_document(vendor), vendor)]


def _run(test: Callable[..., None], max_examples: int | None) -> None:
    """Run a ``@given`` function with the profile's settings, or as the mutant tests need it.

    With ``max_examples``, whatever the profile: derandomized (the same examples on every
    run, so a mutant is caught every time or never), and the first failure raised as it is
    (not shrunk, not grouped with other failures into an ExceptionGroup) for ``pytest.raises``.
    """
    if max_examples is not None:
        test = settings(
            max_examples=max_examples,
            derandomize=True,
            database=None,
            report_multiple_bugs=False,
            phases=(Phase.explicit, Phase.generate),
        )(test)
    test()


# -- 1. round trip -----------------------------------------------------------------------


def check_round_trip(pkg: ModuleType, document: Mapping[str, Any], name: str, max_examples: int | None = None) -> None:
    """Generated instances of component ``name`` survive structure -> unstructure unchanged."""
    schemas = components(document)
    cls = getattr(pkg.models, name)
    if attrs.has(cls):
        wire_names = {
            field.metadata.get("wire", field.name) for field in attrs.fields(cls) if not field.metadata.get("extra")
        }
        assert wire_names == set(schemas[name].get("properties", {})), f"{name}: attributes do not map the properties"

    @given(valid_instances({"$ref": COMPONENT_REF + name}, schemas))
    def round_trip(wire: Any) -> None:
        instance = pkg.structure(wire, cls)
        back = pkg.unstructure(instance)
        assert canonical(back) == canonical(wire), "the round trip changed the JSON"
        assert_placed(instance, wire, pkg.UNSET)

    _run(round_trip, max_examples)


@pytest.mark.parametrize("case", MODEL_CASES, ids=str)
def test_generated_instances_round_trip_losslessly(case: ModelCase) -> None:
    check_round_trip(package(case.vendor), _document(case.vendor), case.name)


# -- 2. agreement with jsonschema ----------------------------------------------------------


def check_agreement(pkg: ModuleType, document: Mapping[str, Any], name: str, max_examples: int | None = None) -> None:
    """The client's validation and jsonschema agree on valid, mutated and arbitrary instances of ``name``."""
    schemas = components(document)
    ref = {"$ref": COMPONENT_REF + name}
    client = pkg._validation.SchemaValidator(pkg._spec.COMPONENTS)
    reference = reference_validator(document, ref)
    inlined = inline_refs(ref, schemas)

    @given(valid_instances(ref, schemas), st.data())
    def agreement(value: Any, data: st.DataObject) -> None:
        assert reference.is_valid(value), "the strategy drew an invalid instance"
        found = client.validate(value, ref)
        assert not found, f"the client rejects a valid instance: {[str(violation) for violation in found]}"

        options = mutations(value, inlined, is_valid)
        if options:
            mutation = data.draw(one_mutation(options), label="mutation")
            event(f"mutation: {mutation.kind}")
            broken = mutation.apply(value)
            assert not reference.is_valid(broken), f"{mutation} did not break the instance"
            found = client.validate(broken, ref)
            assert found, f"the client accepts an instance jsonschema rejects ({mutation}): {broken!r}"
            paths = {violation.path for violation in found}
            expected = client_path(mutation.reported_at)
            assert expected in paths, f"{mutation}: the client reports {sorted(paths)}, not {expected}"

        junk = data.draw(arbitrary_json(), label="arbitrary JSON")
        client_ok = not client.validate(junk, ref)
        assert client_ok == reference.is_valid(junk), f"client says valid={client_ok}, jsonschema the opposite"

    _run(agreement, max_examples)


@pytest.mark.parametrize("case", MODEL_CASES, ids=str)
def test_client_validation_agrees_with_jsonschema(case: ModelCase) -> None:
    check_agreement(package(case.vendor), _document(case.vendor), case.name)


# -- 3. decoding arbitrary responses ---------------------------------------------------------


def successful_schema(operation: Operation, inlined: Any, *, any_payload: bool = False) -> Any:
    """The response schema narrowed to envelopes that report success and carry a payload (of any JSON type)."""
    envelope = operation.envelope
    if envelope is None or not isinstance(inlined, dict) or "properties" not in inlined:
        return inlined
    narrowed = {**inlined, "properties": dict(inlined["properties"]), "required": list(inlined.get("required", ()))}
    success = envelope.get("success", {})
    narrowing: tuple[tuple[Any, Any], ...] = (
        (success.get("pointer"), {"const": success.get("equals")}),
        (envelope["data"], {} if any_payload else None),
    )
    for pointer, schema in narrowing:
        if not isinstance(pointer, str) or pointer.count("/") != 1:
            continue  # a nested member: left as the schema says
        name = pointer[1:].replace("~1", "/").replace("~0", "~")
        if schema is not None:
            narrowed["properties"][name] = schema
        if name not in narrowed["required"]:
            narrowed["required"].append(name)
    return narrowed


def responses(operation: Operation, document: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Arbitrary JSON; schema-valid bodies, mostly successful ones; those broken in one place or with any payload."""
    schemas = components(document)
    schema = operation.response_schema()
    inlined = inline_refs(schema, schemas)
    valid = valid_instances(schema, schemas)
    successful = instances(successful_schema(operation, inlined))
    odd_payload = instances(successful_schema(operation, inlined, any_payload=True))

    def broken(value: Any) -> st.SearchStrategy[Any]:
        options = mutations(value, inlined, is_valid)
        return one_mutation(options).map(lambda mutation: mutation.apply(value)) if options else st.just(value)

    return st.one_of(arbitrary_json(), valid, successful, successful.flatmap(broken), odd_payload)


def check_decoding(
    pkg: ModuleType, document: Mapping[str, Any], operation: Operation, max_examples: int | None = None
) -> None:
    """Whatever JSON a 200 carries, the call returns a typed result or raises a documented decode error."""
    errors = pkg.errors
    allowed = (errors.DecodeError, errors.EnvelopeError, errors.BatchPartialFailure)
    body: Any = operation.body_examples[0] if operation.body_examples else None  # None: it takes no body
    classes = result_classes(pkg, operation, document)
    reference = reference_validator(document, operation.response_schema())
    payload_reference = reference_validator(document, operation.payload_schema(document))

    @given(responses(operation, document))
    def decoding(wire: Any) -> None:
        transport = pkg.testing.MockTransport(lambda request: pkg.testing.json_response(200, wire))
        client = pkg.Client(**credentials(pkg), transport=transport, strict_responses=True)
        valid = reference.is_valid(wire)
        present, payload = operation.payload(wire)
        try:
            result = call_operation(client, pkg, operation, body)
        except allowed as exc:
            failure: BaseException | None = exc
        except Exception as exc:
            raise AssertionError(f"decoding raised {type(exc).__name__}, not a documented error: {exc}") from exc
        else:
            failure = None
        check_tolerant(pkg, operation, body, wire, classes)
        if failure is not None:
            # A schema-valid body raises DecodeError only when the envelope lacks its payload.
            assert not (valid and present and isinstance(failure, errors.DecodeError)), f"valid, yet {failure!r}"
            return
        assert not present or payload_reference.is_valid(payload), "a payload that breaks its schema came back"
        assert any(isinstance(result, cls) for cls in classes), (
            f"returned {type(result).__name__}, not one of {classes}"
        )
        if operation.is_batch:
            assert len(result.items) == len(body)
            for item in result.items:
                assert item.result is None or isinstance(item.result, pkg.models.BatchResultItem)
        else:
            assert canonical(pkg.unstructure(result)) == canonical(payload), "the decoded result lost data"

    _run(decoding, max_examples)


def check_tolerant(pkg: ModuleType, operation: Operation, body: Any, wire: Any, classes: tuple[type, ...]) -> None:
    """A tolerant client returns what it cannot type only with a ResponseValidationWarning."""
    transport = pkg.testing.MockTransport(lambda request: pkg.testing.json_response(200, wire))
    client = pkg.Client(**credentials(pkg), transport=transport)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call_operation(client, pkg, operation, body)
        except (pkg.errors.DecodeError, pkg.errors.EnvelopeError, pkg.errors.BatchPartialFailure):
            return
    warned = any(issubclass(warning.category, pkg.errors.ResponseValidationWarning) for warning in caught)
    assert warned or any(isinstance(result, cls) for cls in classes), (
        f"tolerant: returned {type(result).__name__} without a warning, not one of {classes}"
    )


@pytest.mark.parametrize("operation", OPERATION_CASES, ids=str)
def test_decoding_any_response_raises_only_documented_errors(operation: Operation) -> None:
    check_decoding(package(operation.vendor), _document(operation.vendor), operation)


# -- the checks catch a broken client ----------------------------------------------------------


@dataclass(frozen=True)
class Mutant:
    """A deliberate bug put into a copy of a generated package, and the check that must catch it."""

    name: str
    vendor: str
    module: str
    """The file of the package to patch."""
    old: str
    new: str
    check: Callable[[ModuleType, Mapping[str, Any]], None]
    occurrences: int = 1
    """How many times ``old`` stands in the file (client.py has each method in Client and AsyncClient)."""

    def __str__(self) -> str:
        return self.name


MUTANT_EXAMPLES = 200
MUTANTS = [
    Mutant(
        "maxLength check dropped",
        "cin7_omni",
        "_validation.py",
        'if "maxLength" in schema and length > schema["maxLength"]:',
        "if False:",
        lambda pkg, document: check_agreement(pkg, document, "Contact", max_examples=MUTANT_EXAMPLES),
    ),
    Mutant(
        "Billbee wire names replaced by snake_case attribute names",
        "billbee",
        "_converter.py",
        'renames[attribute.name] = attribute.metadata.get("wire", attribute.name)',
        "renames[attribute.name] = attribute.name",
        lambda pkg, document: check_round_trip(pkg, document, "Customer", max_examples=MUTANT_EXAMPLES),
    ),
    Mutant(
        "the strict check of a response's payload skipped",
        "formation",
        "_core.py",
        "if not self._strict_responses or schema is None or payload is UNSET:",
        "if True:",
        lambda pkg, document: check_decoding(
            pkg, document, public_operations(document, "formation")[0], max_examples=MUTANT_EXAMPLES
        ),
    ),
    Mutant(
        "Billbee's payload decoded as 'Customer | Any | None' (the codegen bug fixed in 3c7d736)",
        "billbee",
        "client.py",
        "self._structure(data, models.Customer | None, response,",
        "self._structure(data, models.Customer | Any | None, response,",
        lambda pkg, document: check_decoding(
            pkg, document, public_operations(document, "billbee")[0], max_examples=MUTANT_EXAMPLES
        ),
        occurrences=2,
    ),
    Mutant(
        "enum check dropped",
        "chift",
        "_validation.py",
        'if "enum" in schema and not any(_equal(value, option) for option in schema["enum"]):',
        "if False:",
        lambda pkg, document: check_agreement(pkg, document, "InvoiceItemIn", max_examples=MUTANT_EXAMPLES),
    ),
]


@pytest.fixture
def mutant_package(mutant: Mutant, tmp_path: Path) -> Iterator[ModuleType]:
    """A copy of ``generated/<vendor>`` with the mutant's patch, imported as ``mutant_<vendor>``."""
    name = f"mutant_{mutant.vendor}"
    target = tmp_path / name
    shutil.copytree(REPO / "generated" / mutant.vendor, target, ignore=shutil.ignore_patterns("__pycache__"))
    source = (target / mutant.module).read_text(encoding="utf-8")
    assert source.count(mutant.old) == mutant.occurrences, f"the patch no longer applies to {mutant.module}"
    (target / mutant.module).write_text(source.replace(mutant.old, mutant.new), encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))
        for loaded in [module for module in sys.modules if module == name or module.startswith(name + ".")]:
            del sys.modules[loaded]


@pytest.mark.parametrize("mutant", MUTANTS, ids=str)
def test_the_property_checks_catch_a_broken_client(mutant: Mutant, mutant_package: ModuleType) -> None:
    document = _document(mutant.vendor)
    original = package(mutant.vendor)
    mutant.check(original, document)  # passes on the generated package...
    with pytest.raises(AssertionError):  # ...and fails once the bug is in
        mutant.check(mutant_package, document)


# -- divergences from JSON Schema once found, now pinned ----------------------------------------------------


def _schema_nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _schema_nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _schema_nodes(value)


ANCHORED_PATTERNS = sorted(
    {
        (vendor, node["pattern"])
        for vendor in vendors()
        for node in _schema_nodes(_document(vendor))
        if isinstance(node.get("pattern"), str) and node["pattern"].endswith("$")
    }
)


@pytest.mark.parametrize(("vendor", "pattern"), ANCHORED_PATTERNS)
def test_anchored_patterns_refuse_a_trailing_newline(vendor: str, pattern: str) -> None:
    pkg = package(vendor)
    matching = find_matching(pattern)
    validator = pkg._validation.SchemaValidator(pkg._spec.COMPONENTS)
    assert not validator.validate(matching, {"type": "string", "pattern": pattern})
    assert validator.validate(matching + "\n", {"type": "string", "pattern": pattern}), "accepted a trailing newline"


def find_matching(pattern: str) -> str:
    """The simplest text ``pattern`` matches with ECMA-262 meaning."""
    text: str = find(instances({"type": "string", "pattern": pattern}), lambda _: True)
    return text


INTEGER_FORMATS = sorted(
    {
        (vendor, node["format"])
        for vendor in vendors()
        for node in _schema_nodes(components(_document(vendor)))
        if node.get("format") in ("int32", "int64")
    }
)


@pytest.mark.parametrize(("vendor", "name"), INTEGER_FORMATS)
def test_integer_formats_bound_the_value(vendor: str, name: str) -> None:
    pkg = package(vendor)
    validator = pkg._validation.SchemaValidator(pkg._spec.COMPONENTS)
    too_big, too_small = (2**31, -(2**31) - 1) if name == "int32" else (2**63, -(2**63) - 1)
    # The schemas as the client holds them: codegen turns the formats into bounds.
    nodes = [node for node in _schema_nodes(pkg._spec.COMPONENTS) if node.get("format") == name]
    assert nodes, f"no {name} schema in {vendor}'s client"
    for node in nodes:
        assert validator.validate(too_big, node), f"{too_big} passes as {name}"
        assert validator.validate(too_small, node), f"{too_small} passes as {name}"
        if "enum" not in node:
            assert not validator.validate(too_big - 1, node), f"{too_big - 1} is refused as {name}"


EMAIL_VENDORS = sorted(
    {vendor for vendor in vendors() for node in _schema_nodes(_document(vendor)) if node.get("format") == "email"}
)


@pytest.mark.parametrize("vendor", EMAIL_VENDORS)
@pytest.mark.parametrize("text", ["someone@", "@example.com", "@"])
def test_email_format_needs_a_local_part_and_a_domain(vendor: str, text: str) -> None:
    pkg = package(vendor)
    validator = pkg._validation.SchemaValidator(pkg._spec.COMPONENTS)
    assert validator.validate(text, {"type": "string", "format": "email"}), f"{text!r} passes as an email"


@pytest.mark.parametrize(
    ("text", "rfc_3339"),
    [
        ("2024-01-01t00:00:00z", True),  # RFC 3339 5.6: "T" and "Z" may be lower case
        ("2016-12-31T23:59:60Z", True),  # a leap second
        ("2024-01-01T00:00:00Z\n", False),  # text after the date-time
    ],
)
@pytest.mark.parametrize("vendor", vendors())
def test_date_time_corner_cases_follow_rfc_3339(vendor: str, text: str, rfc_3339: bool) -> None:
    """Where jsonschema's date-time check (rfc3339-validator) differs from RFC 3339, the client follows the RFC.

    rfc3339-validator refuses lower case and leap seconds and, matching with ``$``, accepts
    a final newline; the agreement test therefore draws upper-case date-times without leap
    seconds, and invalid ones far from these corners.
    """
    pkg = package(vendor)
    validator = pkg._validation.SchemaValidator(pkg._spec.COMPONENTS)
    accepted = not validator.validate(text, {"type": "string", "format": "date-time"})
    assert accepted is rfc_3339


def test_hypothesis_jsonschema_is_not_usable_with_the_pinned_hypothesis() -> None:
    """schema_strategies draws instances itself: hypothesis-jsonschema 0.23.1 fails on objects.

    It calls ``many.more()`` (hypothesis.internal.conjecture.utils), which Hypothesis
    6.170 no longer has. When this test fails, the pins work together again and
    schema_strategies.instances may give way to hypothesis_jsonschema.from_schema.
    """
    from hypothesis_jsonschema import from_schema

    with pytest.raises(AttributeError, match="more"):
        find(from_schema({"type": "object", "properties": {"a": {"type": "integer"}}}), lambda _: True)

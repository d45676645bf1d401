"""The copy of a published spec that Prism mocks, with every change to it reported.

Two kinds of change, each listed in the realworld table, never silent:

- Defects of the published spec (:class:`Corrections.spec_defects`): security schemes
  that operations require but the spec never declares (dropped, as ``import`` drops them,
  so that the root security applies), and examples that break their own schema (removed,
  so that Prism answers from the schema instead of serving a response the spec forbids).
- Limits of Prism's response generators (:class:`Corrections.mock_limits`), stated again
  in keywords they honour, with the same meaning: ``propertyNames`` listing the allowed
  names (``enum``/``const``) becomes those names as ``properties`` with
  ``additionalProperties: false``; a ``format: byte`` string gets the base64 pattern the
  format implies in its place, and a base64 example.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from codegen.maintain.convert import normalise
from codegen.openapi import iter_operations

from .values import Sampler

BASE64 = "^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
BASE64_EXAMPLE = "aGVsbG8="


@dataclass
class Corrections:
    """The spec Prism mocks and why it differs from the published one."""

    document: dict[str, Any]
    spec_defects: list[str] = field(default_factory=list)
    mock_limits: list[str] = field(default_factory=list)


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(``METHOD /path``, method, operation) of every operation of a Swagger 2.0 or OpenAPI 3.x document."""
    for entry in iter_operations(document):
        yield f"{entry.method.upper()} {entry.path}", entry.method, entry.operation


def mocked_spec(published: dict[str, Any], source: str) -> Corrections:
    """The copy of ``published`` Prism mocks: defects corrected, generator limits worked around."""
    result = Corrections(copy.deepcopy(published))
    _drop_undeclared_schemes(result)
    _drop_invalid_examples(result, normalise(published, source).document)
    _restate_property_names(result)
    _restate_byte_format(result)
    return result


def _drop_undeclared_schemes(result: Corrections) -> None:
    document = result.document
    declared = set(document.get("securityDefinitions", {})) | set(
        document.get("components", {}).get("securitySchemes", {})
    )
    missing: dict[str, int] = {}
    for _, _, operation in operations(document):
        requirements = operation.get("security")
        if not isinstance(requirements, list):
            continue
        kept = []
        for requirement in requirements:
            for name in requirement:
                if name not in declared:
                    missing[name] = missing.get(name, 0) + 1
            usable = {name: scopes for name, scopes in requirement.items() if name in declared}
            if usable or not requirement:
                kept.append(usable)
        if kept == requirements:
            continue
        if kept:
            operation["security"] = kept
        else:
            del operation["security"]
    for name, count in missing.items():
        result.spec_defects.append(
            f"{count} operation(s) require security scheme {name!r}, which the spec never declares: import drops"
            " the requirement (the root security applies); Prism mocks the spec with the same correction"
        )


def _examples_at(node: dict[str, Any]) -> list[Any]:
    examples = node.get("examples")
    return examples if isinstance(examples, list) else []


NAME_MAPS = frozenset({"properties", "patternProperties", "definitions", "schemas", "$defs", "paths", "responses"})
DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const"})


def _walk(node: Any, pointer: str, names: bool = False) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object of a document with its JSON pointer; data (examples, defaults) is not entered."""
    if isinstance(node, dict):
        if not names:
            yield pointer, node
        for key, value in node.items():
            if names or key not in DATA_KEYS:
                child = f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}"
                yield from _walk(value, child, not names and key in NAME_MAPS)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{pointer}/{index}")


def _published_pointer(pointer: str, published: dict[str, Any]) -> str:
    """Where a node of the normalised (3.1) document is in the published one (Swagger 2.0: definitions)."""
    if "swagger" in published and pointer.startswith("/components/schemas/"):
        return "/definitions/" + pointer[len("/components/schemas/") :]
    return pointer


def _node(document: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(document, dict) and token in document:
            document = document[token]
        elif isinstance(document, list) and token.isdigit() and int(token) < len(document):
            document = document[int(token)]
        else:
            return None
    return document


def _drop_invalid_examples(result: Corrections, normalised: dict[str, Any]) -> None:
    sampler = Sampler(normalised)
    for pointer, node in _walk(normalised, ""):
        bad: list[str] = []
        schema_examples = _examples_at(node)
        if schema_examples and "$ref" not in node:
            bare = {key: value for key, value in node.items() if key != "examples"}
            bad += [json.dumps(example)[:60] for example in schema_examples if not sampler.is_valid(example, bare)]
        named = node.get("examples")
        if isinstance(named, dict) and isinstance(node.get("schema"), dict):
            for example in named.values():
                if (
                    isinstance(example, dict)
                    and "value" in example
                    and not sampler.is_valid(example["value"], node["schema"])
                ):
                    bad.append(json.dumps(example["value"])[:60])
        if not bad:
            continue
        target = _node(result.document, _published_pointer(pointer, result.document))
        removed = isinstance(target, dict) and any(target.pop(key, None) is not None for key in ("example", "examples"))
        action = "removed from the mocked copy" if removed else "left in place (not found in the published form)"
        result.spec_defects.append(f"{pointer}: example {', '.join(bad)} breaks its own schema; {action}")


def _restate_property_names(result: Corrections) -> None:
    count = 0
    for _, node in list(_walk(result.document, "")):
        names = node.get("propertyNames")
        if not isinstance(names, dict) or "properties" in node or "patternProperties" in node:
            continue
        allowed = names.get("enum") if isinstance(names.get("enum"), list) else None
        if allowed is None and isinstance(names.get("const"), str):
            allowed = [names["const"]]
        if allowed is None or not all(isinstance(name, str) for name in allowed):
            continue
        additional = node.get("additionalProperties", True)
        node["properties"] = {name: copy.deepcopy(additional) if additional is not True else {} for name in allowed}
        node["additionalProperties"] = False
        del node["propertyNames"]
        count += 1
    if count:
        result.mock_limits.append(
            f"{count} schema(s) list their allowed property names in propertyNames, which Prism's generators ignore:"
            " restated as properties with additionalProperties false (the same constraint)"
        )


def _restate_byte_format(result: Corrections) -> None:
    count = 0
    example_key = "examples" if str(result.document.get("openapi", "")).startswith("3.1") else "example"
    for _, node in list(_walk(result.document, "")):
        if node.get("format") == "byte" and node.get("type", "string") == "string" and "pattern" not in node:
            del node["format"]  # Prism's dynamic generator lets an unknown format win over the pattern
            node["pattern"] = BASE64
            node.setdefault(example_key, [BASE64_EXAMPLE] if example_key == "examples" else BASE64_EXAMPLE)
            count += 1
    if count:
        result.mock_limits.append(
            f"{count} string(s) of format byte, for which Prism generates text that is not base64: format byte"
            " restated as the base64 pattern it means, with a base64 example"
        )

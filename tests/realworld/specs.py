"""The three published specs of the whole-spec proof, and how ``codegen`` imports and generates them.

Shared by ``nox -s realworld`` (:mod:`tests.realworld.harness`) and the whole-spec generation
benchmark (:mod:`bench.whole_specs`), whose environment has neither pytest nor Hypothesis:
this module imports only the standard library and ``codegen``.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codegen.openapi import iter_operations


@dataclass(frozen=True)
class Vendor:
    """A published spec and the package it is imported as."""

    package: str
    title: str
    spec: str
    """Path under ``shared/vendor-specs/``."""
    operations: int
    """How many operations the published spec has."""


VENDORS = (
    Vendor("chift", "Chift", "chift/openapi-2026-08-21.json", 182),
    Vendor("billbee", "Billbee", "billbee/swagger-2024-10-08.yaml", 80),
    Vendor("formation", "Clemta (Formation)", "clemta-formation/openapi-2025-06-24.json", 13),
)


def import_command(spec: Path, package: str, schemas: Path) -> list[str]:
    """``python -m codegen import SPEC --all`` into ``schemas/<package>/openapi.json`` (run from the repository)."""
    target = ["--vendor", package, "--schemas", str(schemas)]
    return [sys.executable, "-m", "codegen", "import", str(spec), "--all", *target]


def generate_command(package: str, schemas: Path, output: Path) -> list[str]:
    """``python -m codegen generate PACKAGE`` from ``schemas`` into ``output/<package>`` (run from the repository)."""
    return [sys.executable, "-m", "codegen", "generate", package, "--schemas", str(schemas), "--output", str(output)]


def published_operations(document: Mapping[str, Any]) -> list[str]:
    """``METHOD /path`` of every operation of a Swagger 2.0 or OpenAPI 3.x document."""
    return [f"{entry.method.upper()} {entry.path}" for entry in iter_operations(document)]


def published_schemas(document: Mapping[str, Any]) -> list[str]:
    """Names of the named schemas of a document: ``components/schemas``, or Swagger 2.0's ``definitions``."""
    components = document.get("components")
    found = components.get("schemas") if isinstance(components, dict) else document.get("definitions")
    return list(found) if isinstance(found, dict) else []


def imported_operations(output: str) -> dict[str, str]:
    """``{"METHOD /path": flat method name}`` from the report of ``python -m codegen import``.

    The report gives ``client.<name>``, or ``client.<group>.<name> (flat: client.<flat name>)``.
    """
    found = {}
    for line in output.splitlines():
        match = re.match(r"^  ([A-Z]+ /\S*) -> client\.([\w.]+)(?: \(flat: client\.(\w+)\))?$", line)
        if match:
            found[match.group(1)] = match.group(3) or match.group(2)
    return found


def method_ranges(client_source: str) -> dict[str, tuple[int, int]]:
    """Line ranges of the Client's methods in a generated client.py."""
    ranges = {}
    for node in ast.walk(ast.parse(client_source)):
        if isinstance(node, ast.ClassDef) and node.name == "Client":
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    first = min([item.lineno, *(decorator.lineno for decorator in item.decorator_list)])
                    ranges[item.name] = (first, item.end_lineno or item.lineno)
    return ranges

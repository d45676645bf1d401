"""Generating a package from a schema in a temporary folder, and importing it.

Tests of features that the shipped schemas do not use (pagination, several groups, name
clashes) or that need a vendor's whole published spec generate their own package::

    with generated_package(document, tmp_path, "paged") as package:
        client = package.Client(api_key="k", base_url=loopback.url)
"""

from __future__ import annotations

import contextlib
import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from codegen.pipeline import Rendered, render_all, write
from tests.helpers.paths import SCHEMA_FILE

__all__ = ["generate", "generated_package", "imported_package"]


def generate(document: dict[str, Any], root: Path, name: str) -> Rendered:
    """Write ``document`` as ``root/schemas/<name>/openapi.json`` and generate it into ``root/out/<name>``."""
    schemas = root / "schemas"
    (schemas / name).mkdir(parents=True, exist_ok=True)
    (schemas / name / SCHEMA_FILE).write_text(json.dumps(document, indent=1), encoding="utf-8")
    rendered = render_all(schemas, [name])
    write(rendered, root / "out")
    return rendered


@contextlib.contextmanager
def imported_package(folder: Path, name: str) -> Iterator[ModuleType]:
    """``folder/<name>`` imported as the top-level package ``name``; forgotten afterwards."""
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(folder))
        for loaded in [module for module in sys.modules if module == name or module.startswith(name + ".")]:
            del sys.modules[loaded]


@contextlib.contextmanager
def generated_package(document: dict[str, Any], root: Path, name: str) -> Iterator[ModuleType]:
    """:func:`generate`, then :func:`imported_package`."""
    generate(document, root, name)
    with imported_package(root / "out", name) as package:
        yield package

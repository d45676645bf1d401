"""Read a published API description, JSON or YAML, into plain JSON data with located problems."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from codegen.problems import Problem, SchemaError
from codegen.schema import load_document

YAML_SUFFIXES = frozenset({".yaml", ".yml"})


class _JsonCompatibleLoader(yaml.SafeLoader):
    """A safe YAML loader that yields only JSON data.

    Dates stay strings (a spec's ``example: 2024-01-01`` is text on the wire), mapping keys
    become strings (``200:`` unquoted is a status code, not an int) and a repeated key is
    an error instead of silently keeping the last value.
    """


_JsonCompatibleLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _JsonCompatibleLoader, node: yaml.MappingNode) -> dict[str, Any]:
    loader.flatten_mapping(node)
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        name = "null" if key is None else str(key).lower() if isinstance(key, bool) else str(key)
        if name in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {name!r} is repeated in one mapping", key_node.start_mark
            )
        result[name] = loader.construct_object(value_node, deep=True)
    return result


_JsonCompatibleLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_spec(path: Path) -> dict[str, Any]:
    """Parse ``path`` as JSON (``.json``, or text starting with ``{``) or YAML; SchemaError on any problem."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SchemaError(source, [Problem("", f"cannot read the file: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SchemaError(source, [Problem("", f"not UTF-8 text (byte {exc.start})")]) from None
    if path.suffix.lower() not in YAML_SUFFIXES and (path.suffix.lower() == ".json" or text.lstrip().startswith("{")):
        # The schema loader already reports bad JSON and repeated keys with their position.
        return load_document(path).content
    try:
        content = yaml.load(text, Loader=_JsonCompatibleLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise SchemaError(source, [Problem("", f"invalid YAML{where}: {exc.problem or exc.context}")]) from None
    except yaml.YAMLError as exc:
        raise SchemaError(source, [Problem("", f"invalid YAML: {exc}")]) from None
    if not isinstance(content, dict):
        raise SchemaError(source, [Problem("", "the document must be a mapping (a JSON object)")])
    try:
        # Only JSON data goes further: YAML-only values (binary, sets) are rejected here.
        json.dumps(content, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise SchemaError(source, [Problem("", f"holds a value JSON cannot carry: {exc}")]) from None
    return content

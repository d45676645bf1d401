"""models.py of a package: attrs classes rendered by datamodel-code-generator.

datamodel-code-generator has no attrs output; its dataclass output is rendered through
codegen's own templates (``templates/models``), which write ``@define`` classes whose
fields carry their wire names, and open enums. The imports it computes for dataclasses
are left for the formatter to drop as unused.
"""

from __future__ import annotations

import ast
import json
import warnings
from pathlib import Path
from typing import Any

from codegen.ir import Spec
from codegen.names import docstring_text
from codegen.problems import Problem, join_pointer

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "models"
RUNTIME_IMPORTS = """\
from typing import Any

from attrs import define, field

from ._enums import OpenEnum, OpenIntEnum, OpenStrEnum
from ._unset import UNSET, UnsetType
"""
EXTRA_FIELD = "extra_fields"


def _generate_with_dcg(document: dict[str, Any], aliases: dict[str, str]) -> str:
    from datamodel_code_generator import (
        DateClassType,
        DatetimeClassType,
        InputFileType,
        OpenAPIScope,
        PythonVersion,
        generate,
    )
    from datamodel_code_generator.enums import DataModelType
    from datamodel_code_generator.format import Formatter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        output = generate(
            json.dumps(document),
            input_file_type=InputFileType.OpenAPI,
            openapi_scopes=[OpenAPIScope.Schemas],
            output_model_type=DataModelType.DataclassesDataclass,
            custom_template_dir=TEMPLATES,
            target_python_version=PythonVersion.PY_310,
            snake_case_field=True,
            strict_nullable=True,
            use_union_operator=True,
            use_standard_collections=True,
            field_constraints=True,
            use_field_description=True,
            use_schema_description=True,
            output_datetime_class=DatetimeClassType.Datetime,
            output_date_class=DateClassType.Date,
            use_subclass_enum=True,
            capitalise_enum_members=True,
            keep_model_order=True,
            disable_timestamp=True,
            formatters=[Formatter.BUILTIN],
            aliases=aliases,
        )
    assert isinstance(output, str), "one schema renders one module"
    return output


def render_models(spec: Spec) -> tuple[str, list[str], list[Problem]]:
    """Return the source of models.py, the public names it defines and any problems."""
    if not spec.components:
        source = ""  # datamodel-code-generator refuses a document without models
    else:
        try:
            source = _generate_with_dcg(spec.model_document, spec.model_aliases)
        except Exception as exc:  # its errors share no base class; reported, never a traceback
            message = f"datamodel-code-generator failed: {type(exc).__name__}: {str(exc)[:500]}"
            return "", [], [Problem("/components/schemas", message)]
    # split("\n"), not splitlines(): the latter also splits at U+2028 and the like inside literals.
    lines = source.split("\n")
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    future = "from __future__ import annotations"
    # The dataclass output imports dataclasses (and sometimes its ``field``, which would
    # shadow attrs' ``field``); the attrs templates need none of it.
    body = "\n".join(line for line in lines if line != future and not line.startswith("from dataclasses import"))
    title = docstring_text(f"Models of {spec.title}: attrs classes and open enums.")
    source = f'"""{title}"""\n\n{future}\n\n{RUNTIME_IMPORTS}\n{body}\n'
    problems: list[Problem] = []
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:  # a template or generator fault, never the user's schema text
        problems.append(Problem("/components/schemas", f"rendered models do not compile: {exc}"))
        return source, [], problems
    defined = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
    original_names = {cls: name for name, cls in spec.class_names.items()}
    for cls in spec.class_names.values():
        if cls not in defined and _is_rendered_as_class(spec.components.get(cls)):
            problems.append(
                Problem(join_pointer("/components/schemas", original_names[cls]), f"no class {cls} was rendered")
            )
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            names = [s.target.id for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)]
            if names.count(EXTRA_FIELD) > 1:
                pointer = join_pointer("/components/schemas", original_names.get(node.name, node.name))
                problems.append(
                    Problem(pointer, f"a property named like {EXTRA_FIELD!r} clashes with the unknown-fields store")
                )
    return source, defined, problems


def _is_rendered_as_class(schema: Any) -> bool:
    return isinstance(schema, dict) and ("properties" in schema or "enum" in schema)

"""Hostile schemas: text from a schema must never break or inject code into a generated package.

Each schema is built from a minimal valid base (OpenAPI 3.1.0, one POST with a request
body and a 200 response referencing a component, an apiKey scheme with x-credential) and
made hostile in one respect: quotes, triple quotes, backslashes, newlines and
``\"\"\"; import os`` in every text; Python keywords and builtins as names; names that
differ only in case or punctuation; non-ASCII; very long names; 50 levels of nesting;
recursive $refs; 2,000 properties. Every text carries a canary that creates a file if
it is ever executed.

Generation (``codegen.pipeline.render_all`` on a temporary schemas folder, then ``write``)
must either succeed with code that compiles, imports in a fresh interpreter, passes
``mypy --strict``, keeps distinct valid identifiers and the original wire names (a dict
with the hostile wire names goes through the client and comes back unchanged); or fail
with a SchemaError naming the JSON pointer of the problem. Never another exception,
never an executed canary. The schemas are generated once per module; one subprocess
imports and exercises all the generated packages and one mypy run checks them all.
"""

from __future__ import annotations

import ast
import builtins
import json
import keyword
import subprocess
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from codegen import problems as codegen_problems
from codegen.pipeline import render_all, write
from tests.helpers.paths import REPO

from .report import REPORT

RUNTIME_TEMPLATES = REPO / "codegen" / "templates" / "runtime"

SCHEMA_ERRORS: tuple[type[Exception], ...] = tuple(
    getattr(codegen_problems, name) for name in ("SchemaError", "SchemaErrors") if hasattr(codegen_problems, name)
)
THING = "/components/schemas/Thing"


def base_schema() -> dict[str, Any]:
    """The minimal valid schema every hostile one starts from."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Hostile", "version": "1.0.0"},
        "servers": [{"url": "https://api.example.com"}],
        "security": [{"apiKey": []}],
        "paths": {
            "/things": {
                "post": {
                    "operationId": "create_thing",
                    "summary": "Create a thing.",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
                    },
                    "responses": {
                        "200": {
                            "description": "The thing.",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {"Thing": {"type": "object", "properties": {"name": {"type": "string"}}}},
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-KEY", "x-credential": "api_key"}
            },
        },
    }


def canary_code(canary: Path) -> str:
    """Python that creates ``canary`` when executed."""
    return f"__import__('os').system('touch {canary}')"


def evil_texts(canary: Path) -> list[str]:
    """Texts that break naive rendering; several would create ``canary`` if ever executed."""
    python = canary_code(canary)
    return [
        '"',
        "'",
        '"""',
        "'''",
        "\\",
        "ends with a backslash \\",
        'ends with a quote "',
        '\\"""',
        "line one\nline two\n\n    indented",
        '"""; import os',
        python,
        f'x"""\n{python}\n"""',
        f"x'''\n{python}\n'''",
        f'"""; {python}; """',
        f"\\\n{python}",
        f"{{{{ {python} }}}}",
        "{% raw %}{{ x }}{% endraw %}",
        f"#{python}",
        f"$(touch {canary}) `touch {canary}`",
        "\r\nCRLF\rCR",
        "\ttab\x0cform feed\x0bvertical tab\x1cfile separator\x85next line\u2028line separator",
        "\ufeffbyte order mark, \u202eright-to-left override",
        "%s %(name)s {0} {name}",
    ]


def thing(document: dict[str, Any]) -> dict[str, Any]:
    """The Thing component of a schema."""
    component: dict[str, Any] = document["components"]["schemas"]["Thing"]
    return component


def operation(document: dict[str, Any]) -> dict[str, Any]:
    """The one operation of a schema."""
    found: dict[str, Any] = next(iter(document["paths"].values()))["post"]
    return found


@dataclass(frozen=True)
class Hostile:
    """One hostile schema and what generating it must give."""

    name: str
    what: str
    build: Callable[[Path], dict[str, Any]]
    """Builds the schema from the base; the argument is the canary file's path."""
    samples: tuple[Any, ...] = ()
    """Request bodies (wire JSON) that must come back unchanged from an echoing server."""
    error_pointer: str | None = None
    """When set, generation must fail with a SchemaError naming this JSON pointer."""
    enum_values: tuple[Any, ...] = ()
    """Values one generated enum must hold, all distinct members."""
    xfail: str | None = None


def _texts(canary: Path) -> dict[str, Any]:
    document = base_schema()
    texts = evil_texts(canary)
    joined = "\n".join(texts)
    document["info"]["description"] = joined
    document["servers"] = [{"url": "https://api.example.com", "description": joined}]
    op = operation(document)
    op["summary"] = texts[11]
    op["description"] = joined
    op["x-source"] = texts[12]
    op["requestBody"]["description"] = joined
    op["requestBody"]["content"]["application/json"]["examples"] = {"evil": {"summary": joined, "value": {}}}
    op["responses"]["200"]["description"] = joined
    op["parameters"] = [
        {"name": "q", "in": "query", "description": joined, "schema": {"type": "string", "description": joined}}
    ]
    thing(document)["description"] = joined
    thing(document)["title"] = texts[11]
    for index, text in enumerate(texts):
        thing(document)["properties"][f"p{index}"] = {
            "type": "string",
            "description": text,
            "title": text,
            "examples": [text],
            "default": text,
        }
    document["components"]["securitySchemes"]["apiKey"]["description"] = joined
    return document


def _names(names: list[str]) -> Callable[[Path], dict[str, Any]]:
    def build(canary: Path) -> dict[str, Any]:
        document = base_schema()
        thing(document)["properties"] = {name: {"type": "string", "description": name} for name in names}
        return document

    return build


KEYWORD_NAMES = [
    *keyword.kwlist,
    *keyword.softkwlist,
    *["list", "dict", "str", "int", "float", "bool", "bytes", "id", "type", "len", "print", "object", "property"],
    *["super", "Exception", "__import__", "__class__", "__dict__", "__init__", "__slots__", "_", "__", "_private"],
    *["models", "datetime", "date", "Any", "UNSET", "UnsetType", "define", "metadata", "kw_only", "extra"],
    *["OpenEnum", "OpenStrEnum", "annotations", "typing", "name2", "mro"],
]
CASE_NAMES = [
    *["fooBar", "foo_bar", "FooBar", "foo-bar", "foo.bar", "foo bar", "FOO_BAR", "foo__bar", "Foo_Bar", "foo_bar2"],
    *["foo/bar", "foo~bar", "$foo", "@foo", "foo:bar", 'foo"bar', "foo'bar", "foo\\bar", 'foo"""bar', "1foo", "-", ""],
    *[" ", "_", "__foo__", "foo_", "FOO", "Foo", "foo"],
]
NON_ASCII_NAMES = [
    *["naïve", "nai\u0308ve", "名前", "Ελληνικά", "ß", "SS", "İstanbul", "\uff11\uff12\uff13"],
    *["שלום", "a\u200db", "\u00e9t\u00e9", "e\u0301te\u0301", "Ωmega", "ω"],
]
ASTRAL_NAMES = ["emoji 😀", "\U0001d518nicode", "𐍈"]
"""Names with characters beyond the Basic Multilingual Plane."""
NFKC_NAMES = ["\ufb01le", "file", "\uff46\uff4f\uff4f", "foo", "\u210c", "H"]
"""Pairs of names that Python folds to one identifier (NFKC)."""
ENUM_VALUES = [
    *['a"b', "a'b", '"""', "\\", "a\nb", '"""; import os', "a-b", "a_b", "A B", "a b", "A_B", "", " ", "None"],
    *["True", "class", "mro", "name", "value", "_missing_", "__init__", "_value_", "1", "01", "é", "名前"],
    *["\t", "\r\n", "x" * 1000],
]


def _keywords_and_builtins(canary: Path) -> dict[str, Any]:
    document = _names(KEYWORD_NAMES)(canary)
    components = document["components"]["schemas"]
    for name in ["class", "None", "Any", "Client", "List", "int", "object", "models", "define", "UNSET", "Thing2"]:
        components[name] = {"type": "object", "properties": {"x": {"type": "string"}}}
        thing(document)["properties"][f"ref_{name}"] = {"$ref": f"#/components/schemas/{name}"}
    return document


def _case_and_punctuation(canary: Path) -> dict[str, Any]:
    document = _names(CASE_NAMES)(canary)
    components = document["components"]["schemas"]
    for name in ["Widget", "widget", "WIDGET", "wid-get", "Widget2", "widget", "Widget_"]:
        components[name] = {"type": "object", "properties": {"x": {"type": "string"}}}
        thing(document)["properties"][f"ref {name}"] = {"$ref": f"#/components/schemas/{name}"}
    return document


def _non_ascii(canary: Path) -> dict[str, Any]:
    document = _names(NON_ASCII_NAMES)(canary)
    document["info"]["title"] = "Ñandú 名前 😀"
    components = document["components"]["schemas"]
    for name in ["Ñandú", "名前モデル", "Ωmega", "😀", "Nandu"]:
        components[name] = {"type": "object", "description": name, "properties": {"x": {"type": "string"}}}
        thing(document)["properties"][f"ref {name}"] = {"$ref": f"#/components/schemas/{name}"}
    return document


LONG = "a" * 5000


def _long_names(canary: Path) -> dict[str, Any]:
    document = _names([LONG, "b" * 5000, "B" * 5000 + "x"])(canary)
    thing(document)["description"] = "z" * 100_000
    document["components"]["schemas"]["L" * 300] = {"type": "object", "properties": {"x": {"type": "string"}}}
    thing(document)["properties"]["long_ref"] = {"$ref": "#/components/schemas/" + "L" * 300}
    thing(document)["properties"]["long_enum"] = {"type": "string", "enum": ["v" * 2000, "w" * 2000]}
    return document


NESTING = 50


def _deep(canary: Path) -> dict[str, Any]:
    document = base_schema()
    node: dict[str, Any] = {"type": "object", "properties": {"leaf": {"type": "string"}}}
    array: dict[str, Any] = {"type": "string"}
    for level in range(NESTING):
        node = {"type": "object", "description": f"level {level}", "properties": {f"level{level}": node}}
        array = {"type": "array", "items": array}
    thing(document)["properties"] = {"deep": node, "arrays": array}
    return document


def _deep_sample() -> dict[str, Any]:
    node: Any = {"leaf": "bottom"}
    array: Any = "bottom"
    for level in range(NESTING):
        node = {f"level{level}": node}
        array = [array]
    return {"deep": node, "arrays": array}


def _recursive(canary: Path) -> dict[str, Any]:
    document = base_schema()
    components = document["components"]["schemas"]
    components["Node"] = {
        "type": "object",
        "properties": {
            "label": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
            "parent": {"$ref": "#/components/schemas/Node"},
        },
    }
    components["A"] = {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}}
    components["B"] = {"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}}
    thing(document)["properties"] = {
        "node": {"$ref": "#/components/schemas/Node"},
        "a": {"$ref": "#/components/schemas/A"},
        "me": {"$ref": "#/components/schemas/Thing"},
    }
    return document


RECURSIVE_SAMPLE = {
    "node": {"label": "root", "children": [{"label": "c1", "children": []}, {"label": "c2"}], "parent": {}},
    "a": {"b": {"a": {"b": {}}}},
    "me": {"node": {"label": "inner"}, "me": {}},
}
MANY = 2000


def _many(canary: Path) -> dict[str, Any]:
    return _names([f"property_{index}" for index in range(MANY)])(canary)


def _enums(canary: Path) -> dict[str, Any]:
    document = base_schema()
    document["components"]["schemas"]["Kind"] = {"type": "string", "enum": ENUM_VALUES, "description": '"""'}
    document["components"]["schemas"]["Level"] = {"type": "integer", "enum": [-1, 0, 1, 2**40]}
    thing(document)["properties"] = {
        "kind": {"$ref": "#/components/schemas/Kind"},
        "level": {"$ref": "#/components/schemas/Level"},
    }
    return document


def _parameters(canary: Path) -> dict[str, Any]:
    document = base_schema()
    op = document["paths"].pop("/things")["post"]
    op["parameters"] = [
        {"name": "class", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "consumer id", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "self", "in": "query", "schema": {"type": "string"}},
        {"name": "body", "in": "query", "schema": {"type": "string"}},
        {"name": "options", "in": "query", "schema": {"type": "string"}},
        {"name": "from", "in": "query", "required": True, "schema": {"type": "string"}},
        {"name": "X-Trace-Id", "in": "header", "schema": {"type": "string"}},
        {"name": "x_trace_id", "in": "query", "schema": {"type": "string"}},
    ]
    document["paths"]["/things/{class}/{consumer id}"] = {"post": op}
    return document


def _with_property(name: str) -> Callable[[Path], dict[str, Any]]:
    return _names(["name", name])


def _title(canary: Path) -> dict[str, Any]:
    document = base_schema()
    document["info"]["title"] = f'T"""\n__import__("os").system("touch {canary}")\n"""'
    return document


def _enum_separators(canary: Path) -> dict[str, Any]:
    document = base_schema()
    document["components"]["schemas"]["Kind"] = {"type": "string", "enum": ["a\u2028b", "c\x85d", "e\x0bf", "g\x1ch"]}
    thing(document)["properties"] = {"kind": {"$ref": "#/components/schemas/Kind"}}
    return document


def _surrogate(canary: Path) -> dict[str, Any]:
    document = base_schema()
    thing(document)["properties"]["name"]["description"] = "lone surrogate \ud800 here"
    return document


def _operation_id(value: str) -> Callable[[Path], dict[str, Any]]:
    def build(canary: Path) -> dict[str, Any]:
        document = base_schema()
        operation(document)["operationId"] = value
        return document

    return build


def _credential(value: str) -> Callable[[Path], dict[str, Any]]:
    def build(canary: Path) -> dict[str, Any]:
        document = base_schema()
        document["components"]["securitySchemes"]["apiKey"]["x-credential"] = value
        return document

    return build


def _alias_cycle(canary: Path) -> dict[str, Any]:
    document = base_schema()
    components = document["components"]["schemas"]
    components["Loop"] = {"$ref": "#/components/schemas/Loop"}
    components["P"] = {"$ref": "#/components/schemas/Q"}
    components["Q"] = {"$ref": "#/components/schemas/P"}
    thing(document)["properties"] = {
        "loop": {"$ref": "#/components/schemas/Loop"},
        "p": {"$ref": "#/components/schemas/P"},
    }
    return document


def _format_syntax_path(canary: Path) -> dict[str, Any]:
    document = base_schema()
    op = document["paths"].pop("/things")["post"]
    op["parameters"] = [
        {"name": "a.b", "in": "path", "required": True, "schema": {"type": "string"}},
        {"name": "x[0]", "in": "path", "required": True, "schema": {"type": "string"}},
    ]
    document["paths"]["/things/{a.b}/{x[0]}"] = {"post": op}
    return document


def _header_name(canary: Path) -> dict[str, Any]:
    document = base_schema()
    operation(document)["parameters"] = [
        {"name": "X-Evil\r\nX-Injected: yes", "in": "header", "required": True, "schema": {"type": "string"}}
    ]
    return document


def _nul(canary: Path) -> dict[str, Any]:
    document = base_schema()
    operation(document)["description"] = "a NUL \x00 character"
    thing(document)["properties"]["name"]["description"] = "a NUL \x00 character"
    return document


def _extra_fields(canary: Path) -> dict[str, Any]:
    return _names(["name", "extra_fields"])(canary)


def _dangling(canary: Path) -> dict[str, Any]:
    document = base_schema()
    thing(document)["properties"]["other"] = {"$ref": "#/components/schemas/Missing"}
    return document


def _bad_pattern(canary: Path) -> dict[str, Any]:
    document = base_schema()
    thing(document)["properties"]["name"]["pattern"] = "([unclosed"
    return document


def _kw_sample(names: list[str]) -> dict[str, Any]:
    return {name: f"value of {name!r}" for name in names}


HOSTILE: tuple[Hostile, ...] = (
    Hostile(
        "h_texts",
        "quotes, triple quotes, backslashes, newlines, code in every text",
        _texts,
        samples=({"name": '"""; import os', "p0": "\\", "p8": "a\nb"},),
    ),
    Hostile(
        "h_keywords",
        "Python keywords and builtins as property and component names",
        _keywords_and_builtins,
        samples=(_kw_sample(KEYWORD_NAMES), {"ref_class": {"x": "1"}, "ref_None": {"x": "2"}}),
    ),
    Hostile(
        "h_case",
        "names differing only in case or punctuation",
        _case_and_punctuation,
        samples=(_kw_sample(CASE_NAMES), {"ref Widget": {"x": "1"}, "ref widget": {"x": "2"}, "ref WIDGET": {}}),
    ),
    Hostile("h_non_ascii", "non-ASCII names and texts", _non_ascii, samples=(_kw_sample(NON_ASCII_NAMES),)),
    Hostile(
        "h_long",
        "5,000-character names, 100,000-character description",
        _long_names,
        samples=({LONG: "x", "b" * 5000: "y", "B" * 5000 + "x": "z", "long_enum": "v" * 2000},),
    ),
    Hostile("h_deep", f"{NESTING} levels of nested objects and arrays", _deep, samples=(_deep_sample(),)),
    Hostile("h_recursive", "recursive $refs (self, mutual, through arrays)", _recursive, samples=(RECURSIVE_SAMPLE,)),
    Hostile(
        "h_many",
        f"{MANY} properties",
        _many,
        samples=({f"property_{index}": str(index) for index in range(MANY)},),
    ),
    Hostile(
        "h_enums",
        "enum values with quotes, newlines, keywords, values alike once normalised",
        _enums,
        samples=tuple({"kind": value, "level": 2**40} for value in ENUM_VALUES),
        enum_values=tuple(ENUM_VALUES),
    ),
    Hostile(
        "h_parameters",
        "parameters named class, self, body, options, from; a path parameter with a space",
        _parameters,
        samples=({"name": "x"},),
    ),
    Hostile(
        "h_extra_fields",
        "a property named like the unknown-fields store (renamed, wire name kept)",
        _extra_fields,
        samples=({"name": "x", "extra_fields": "y"},),
    ),
    Hostile(
        "h_dangling_ref", "a $ref to a missing component", _dangling, error_pointer=f"{THING}/properties/other/$ref"
    ),
    Hostile(
        "h_bad_pattern", "an invalid regular expression", _bad_pattern, error_pointer=f"{THING}/properties/name/pattern"
    ),
    Hostile(
        "h_title",
        "info.title closing the models docstring with code after it",
        _title,
        samples=({"name": "x"},),
    ),
    Hostile(
        "h_enum_separators",
        "enum values with U+2028, U+0085, VT, FS",
        _enum_separators,
        samples=({"kind": "a\u2028b"},),
    ),
    Hostile(
        "h_surrogate",
        "a lone surrogate (\\ud800) in a description",
        _surrogate,
        error_pointer=f"{THING}/properties/name/description",
    ),
    Hostile(
        "h_nul",
        "a NUL character in an operation's description",
        _nul,
        samples=({"name": "x"},),
    ),
    Hostile(
        "h_astral_names",
        "property names with characters beyond U+FFFF (emoji)",
        _names(["name", *ASTRAL_NAMES]),
        samples=(_kw_sample(ASTRAL_NAMES),),
    ),
    Hostile(
        "h_nfkc_names",
        "property names Python folds to one identifier (NFKC: the fi ligature + le / file, fullwidth foo / foo)",
        _names(NFKC_NAMES),
        samples=(_kw_sample(NFKC_NAMES),),
    ),
    Hostile(
        "h_keyword_operation",
        "operationId 'class' (a keyword: the method is class_, with a note)",
        _operation_id("class"),
        samples=({"name": "n"},),
    ),
    Hostile(
        "h_close_operation",
        "operationId 'close' (a BaseClient method): the method is close_2, with a warning",
        _operation_id("close"),
    ),
    Hostile(
        "h_keyword_credential",
        "x-credential 'class'",
        _credential("class"),
        error_pointer="/components/securitySchemes/apiKey/x-credential",
    ),
    Hostile(
        "h_clashing_credential",
        "x-credential 'timeout' (another Client argument)",
        _credential("timeout"),
        error_pointer="/components/securitySchemes/apiKey/x-credential",
    ),
    Hostile(
        "h_property_field",
        "a property named 'field'",
        _with_property("field"),
        samples=({"name": "n", "field": "f"},),
    ),
    Hostile(
        "h_property_self",
        "properties named 'self' and 'cls'",
        _names(["name", "self", "cls"]),
        samples=({"name": "n", "self": "s", "cls": "c"},),
    ),
    Hostile(
        "h_property_converter",
        "properties named 'converter', 'cl', 'attrs'",
        _names(["name", "converter", "cl", "attrs"]),
        samples=({"name": "n", "converter": "c", "cl": "l", "attrs": "a"},),
    ),
    Hostile(
        "h_alias_cycle",
        "$ref cycles with no object in between (Loop -> Loop, P -> Q -> P)",
        _alias_cycle,
        error_pointer="/components/schemas/Loop",
    ),
    Hostile(
        "h_format_path",
        "path parameters named 'a.b' and 'x[0]'",
        _format_syntax_path,
        samples=({"name": "x"},),
    ),
    Hostile(
        "h_header_name",
        "a header parameter name with CR LF",
        _header_name,
        samples=({"name": "x"},),
        error_pointer="/paths/~1things/post/parameters/0/name",
    ),
)


@dataclass
class Outcome:
    """What happened to one hostile schema."""

    generation: str = "not run"  # "generated", "SchemaError" or "crash"
    message: str = ""
    compile_errors: list[str] = field(default_factory=list)
    exercise: dict[str, Any] = field(default_factory=dict)
    mypy_errors: list[str] = field(default_factory=list)

    def summary(self, hostile: Hostile) -> str:
        """One line for the report."""
        if self.generation == "SchemaError":
            pointers = [
                line.split(": ", 2)[1] for line in self.message.splitlines() if line.strip().startswith("error:")
            ]
            return "SchemaError: " + ", ".join(dict.fromkeys(pointers))[:80]
        if self.generation == "crash":
            return "crash: " + self.message.splitlines()[-1][:90]
        failures = [
            ("does not compile", bool(self.compile_errors)),
            ("import fails", "import" in self.exercise),
            ("calls fail", bool(self.exercise.get("problems"))),
            ("mypy errors", bool(self.mypy_errors)),
        ]
        bad = [label for label, failed in failures if failed]
        if bad:
            return "generated but " + ", ".join(bad)
        return "generated: compiles, imports, round-trips, mypy --strict clean"


EXERCISE = r"""
import importlib, inspect, json, keyword, sys, traceback, typing, urllib.parse
import attrs

def exercise(name, samples):
    try:
        package = importlib.import_module(name)
        testing = importlib.import_module(name + ".testing")
    except BaseException:
        return {"import": traceback.format_exc(limit=4)}
    problems, enums = [], []
    models = package.models
    for cls in list(vars(models).values()):
        if not isinstance(cls, type) or cls.__module__ != models.__name__:
            continue
        if attrs.has(cls):
            fields = attrs.fields(cls)
            names = [f.name for f in fields]
            wires = [f.metadata["wire"] for f in fields if "wire" in f.metadata]
            bad = [n for n in names if not n.isidentifier() or keyword.iskeyword(n)]
            if bad or len(set(names)) != len(names) or len(set(wires)) != len(wires):
                problems.append(f"{cls.__name__}: bad or repeated names {bad}")
        elif hasattr(cls, "__members__"):
            enums.append([member.value for member in cls])
    try:
        def echo(request):
            return testing.json_response(200, json.loads(request.body))
        transport = testing.MockTransport(echo)
        init = inspect.signature(package.Client.__init__).parameters.values()
        credentials = {p.name: "secret" for p in init if p.kind is p.KEYWORD_ONLY and p.default is p.empty}
        client = package.Client(transport=transport, **credentials)
        methods = [m for m, v in vars(package.client.Client).items() if callable(v) and not m.startswith("_")]
        for method_name in methods:
            method = getattr(client, method_name)
            hints = typing.get_type_hints(getattr(package.client.Client, method_name))
            body_types = [t for t in typing.get_args(hints.get("body")) if attrs.has(t)]
            params = inspect.signature(method).parameters.values()
            arguments = {p.name: f"v/{p.name}" for p in params if p.name != "body" and p.default is p.empty}
            for sample in samples:
                sent = method(body=sample, **arguments)
                if package.unstructure(sent) != sample or json.loads(transport.requests[-1].body) != sample:
                    problems.append(f"{method_name}: dict body not kept: {str(package.unstructure(sent))[:200]}")
                for body_type in body_types:
                    model = package.structure(sample, body_type)
                    if model.extra_fields:
                        problems.append(f"{method_name}: declared names left undeclared: {list(model.extra_fields)}")
                    method(body=model, **arguments)
                    if json.loads(transport.requests[-1].body) != sample:
                        problems.append(f"{method_name}: model body not kept")
                request = transport.requests[-1]
                for header, value in request.headers.items():
                    if any(char in header + value for char in "\r\n\0"):
                        problems.append(f"{method_name}: CR, LF or NUL in header {header!r}")
                for value in arguments.values():
                    if urllib.parse.quote(value, safe="") not in request.url and value not in request.headers.values():
                        problems.append(f"{method_name}: argument {value!r} not sent: {request.url}")
                repr(sent)
        with package.Client(transport=testing.MockTransport(echo), **credentials):
            pass
    except BaseException:
        problems.append(traceback.format_exc(limit=6))
    return {"problems": problems, "enums": enums}

jobs = json.loads(sys.stdin.read())
print(json.dumps({name: exercise(name, samples) for name, samples in jobs.items()}))
"""


@dataclass
class Generated:
    """Every hostile schema's outcome, and where the canary would appear."""

    outcomes: dict[str, Outcome]
    canary: Path
    output: Path


def _generate(hostile: Hostile, schemas: Path, output: Path, canary: Path) -> Outcome:
    outcome = Outcome()
    folder = schemas / hostile.name
    folder.mkdir(parents=True)
    (folder / "openapi.json").write_text(json.dumps(hostile.build(canary), ensure_ascii=True), encoding="utf-8")
    try:
        rendered = render_all(schemas, [hostile.name])
    except SCHEMA_ERRORS as exc:
        outcome.generation, outcome.message = "SchemaError", str(exc)
        return outcome
    except Exception as exc:
        outcome.generation = "crash"
        outcome.message = "".join(traceback.format_exception(exc, limit=3)) + f"{type(exc).__name__}: {exc}"[:300]
        return outcome
    write(rendered, output)
    outcome.generation = "generated"
    for path in sorted((output / hostile.name).glob("*.py")):
        try:
            compile(path.read_bytes(), str(path), "exec")
        except (SyntaxError, ValueError) as exc:
            outcome.compile_errors.append(f"{path.name}: {exc}")
    return outcome


def _mypy(packages: list[str], output: Path) -> dict[str, list[str]]:
    config = output.parent / "mypy.ini"
    config.write_text("[mypy]\n", encoding="utf-8")
    arguments = ["--strict", "--python-version", "3.10", "--config-file", str(config), "--show-error-codes"]
    arguments += ["--cache-dir", str(output.parent / "mypy-cache"), "--no-error-summary"]
    result = subprocess.run(
        [sys.executable, "-m", "mypy", *arguments, *(item for name in packages for item in ("-p", name))],
        cwd=output,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    errors: dict[str, list[str]] = {name: [] for name in packages}
    for line in result.stdout.splitlines():
        owner = line.split("/", 1)[0]
        if owner in errors and ": error:" in line:
            errors[owner].append(line)
    if result.returncode not in (0, 1) or (result.returncode == 1 and not any(errors.values())):
        for name in packages:
            errors[name].append(f"mypy failed: {result.stdout[-2000:]}{result.stderr[-2000:]}")
    return errors


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    """Generate every hostile schema; exercise the packages in one subprocess and type-check them in one mypy run."""
    root = tmp_path_factory.mktemp("hostile")
    schemas, output, canary = root / "schemas", root / "out", root / "CANARY"
    output.mkdir()
    outcomes = {hostile.name: _generate(hostile, schemas, output, canary) for hostile in HOSTILE}
    usable = [
        hostile
        for hostile in HOSTILE
        if outcomes[hostile.name].generation == "generated" and not outcomes[hostile.name].compile_errors
    ]
    if usable:
        jobs = {hostile.name: list(hostile.samples) for hostile in usable}
        result = subprocess.run(
            [sys.executable, "-c", EXERCISE],
            input=json.dumps(jobs),
            cwd=root,
            env={"PYTHONPATH": str(output), "PYTHONDONTWRITEBYTECODE": "1", "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        for name, exercised in json.loads(result.stdout).items():
            outcomes[name].exercise = exercised
        for name, errors in _mypy([hostile.name for hostile in usable], output).items():
            outcomes[name].mypy_errors = errors
    for hostile in HOSTILE:
        REPORT.schema(hostile.name, outcomes[hostile.name].summary(hostile), hostile.xfail is not None)
    return Generated(outcomes, canary, output)


def _case(hostile: Hostile) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=hostile.xfail)] if hostile.xfail else []
    return pytest.param(hostile, id=hostile.name, marks=marks)


@pytest.mark.parametrize("hostile", [_case(hostile) for hostile in HOSTILE])
def test_hostile_schema(hostile: Hostile, generated: Generated) -> None:
    outcome = generated.outcomes[hostile.name]
    assert not generated.canary.exists(), "schema text was executed: the canary file exists"
    assert outcome.generation != "crash", f"generation crashed instead of a SchemaError:\n{outcome.message}"
    if hostile.error_pointer is not None:
        assert outcome.generation == "SchemaError", f"expected a SchemaError at {hostile.error_pointer}"
        assert f": {hostile.error_pointer}: " in outcome.message, outcome.message
        return
    assert outcome.generation == "generated", outcome.message
    assert outcome.compile_errors == []
    assert "import" not in outcome.exercise, outcome.exercise.get("import")
    assert outcome.exercise.get("problems") == [], "\n".join(outcome.exercise.get("problems", []))
    assert outcome.mypy_errors == [], "\n".join(outcome.mypy_errors[:20])
    if hostile.enum_values:
        assert any(
            sorted(map(str, values)) == sorted(map(str, hostile.enum_values)) for values in outcome.exercise["enums"]
        )


class _WithoutStrings(ast.NodeTransformer):
    def visit_Constant(self, node: ast.Constant) -> ast.Constant:
        return ast.Constant("") if isinstance(node.value, str) else node


def test_hostile_texts_are_kept_as_data(generated: Generated) -> None:
    """The hostile texts appear in the generated code only inside string literals (data, docstrings)."""
    folder = generated.output / "h_texts"
    assert folder.is_dir()
    # Runtime modules are copies of codegen's templates (tests/codegen/test_runtime_templates.py):
    # only the files rendered from the schema can carry its texts.
    runtime = {path.name for path in RUNTIME_TEMPLATES.glob("*.py")}
    sources = {
        path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.py")) if path.name not in runtime
    }
    assert any("touch " in source for source in sources.values()), "the hostile texts did not reach the code"
    for name, source in sources.items():
        code = ast.unparse(_WithoutStrings().visit(ast.parse(source)))
        for fragment in ("__import__", "system(", "touch ", "import os"):
            assert fragment not in code, f"{name}: {fragment!r} outside a string literal"


def test_names_are_python_identifiers_that_do_not_shadow_builtins() -> None:
    """Sanity of the corpus: the keyword schema really holds keywords and builtins."""
    assert {"class", "def", "None", "match", "_"} <= set(KEYWORD_NAMES)
    assert {"list", "dict", "id", "type"} <= {name for name in KEYWORD_NAMES if hasattr(builtins, name)}
    assert len({name.casefold() for name in CASE_NAMES}) < len(CASE_NAMES)
    assert all(name.isidentifier() for name in NFKC_NAMES)


def test_the_canary_fires_when_executed(tmp_path: Path) -> None:
    """The canary is live: executed as Python it creates the file whose absence the tests check."""
    canary = tmp_path / "CANARY"
    subprocess.run([sys.executable, "-c", canary_code(canary)], check=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    assert canary.exists()

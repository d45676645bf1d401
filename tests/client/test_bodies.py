"""Bodies beyond JSON, end to end on a real HTTP server on 127.0.0.1.

A test-only schema (below) is generated with codegen into a temporary folder and imported:
a ``multipart/form-data`` upload shaped like Clemta's ``POST /formations`` (a JSON part
declared as a string with ``encoding.company_data.contentType: application/json``, a file
field ``format: binary`` whose encoding lists the allowed types, more files allowed by
``additionalProperties``), an ``application/x-www-form-urlencoded`` form, a PDF and a CSV
response, and a file as the whole request body. The server side parses what arrived
twice, with the stdlib ``email`` parser and with a strict parser written here, and checks
each part: name, filename, content type, bytes. The shapes of Clemta's published spec are
checked against the same classification at the end.
"""

from __future__ import annotations

import email.parser
import email.policy
import importlib
import io
import json
import re
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import pytest

from codegen.ir import build_spec
from codegen.pipeline import render_all, write
from codegen.schema.load import load_document
from tests.helpers.loopback import LoopbackServer, Reply
from tests.helpers.paths import vendor_spec

PACKAGE = "uploads_under_test"
API_KEY = "uploads-test-key"
CREATED = {"$ref": "#/components/schemas/Created"}
BINARY = {"type": "string", "format": "binary"}
PDF = b"%PDF-1.7\r\n%\xe2\xe3\xcf\xd3\r\n--not-a-boundary\r\n" + bytes(range(256)) + b"\r\n%%EOF\r\n"
"""A PDF-like body with every byte value, CR LF and a line that looks like a multipart delimiter."""
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(255, -1, -1))


def schema() -> dict[str, Any]:
    """The test-only schema: one operation per kind of body."""

    def created(status: str) -> dict[str, Any]:
        return {status: {"description": "created", "content": {"application/json": {"schema": CREATED}}}}

    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Uploads", "version": "1.0.0"},
        "servers": [{"url": "https://api.example.com"}],
        "security": [{"apiKey": []}],
        "paths": {
            "/formations": {
                "post": {
                    "operationId": "create_formation",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "multipart/form-data": {
                                "schema": {
                                    "type": "object",
                                    "required": ["company_data"],
                                    "properties": {
                                        "company_data": {"type": "string", "description": "JSON text"},
                                        "shareholder_passport_0": BINARY,
                                    },
                                    "additionalProperties": {"oneOf": [BINARY]},
                                },
                                "encoding": {
                                    "company_data": {"contentType": "application/json"},
                                    "shareholder_passport_0": {"contentType": "application/pdf, image/jpeg, image/png"},
                                },
                            }
                        },
                    },
                    "responses": created("200"),
                }
            },
            "/notes": {
                "post": {
                    "operationId": "create_note",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "required": ["title"],
                                    "properties": {
                                        "title": {"type": "string", "maxLength": 20},
                                        "count": {"type": "integer", "minimum": 0},
                                        "tags": {"type": "array", "items": {"type": "string"}},
                                        "urgent": {"type": "boolean"},
                                    },
                                    "additionalProperties": False,
                                }
                            }
                        },
                    },
                    "responses": created("201"),
                }
            },
            "/invoices/{invoice_id}/pdf": {
                "get": {
                    "operationId": "get_invoice_pdf",
                    "parameters": [
                        {"name": "invoice_id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": {"description": "the PDF", "content": {"application/pdf": {"schema": BINARY}}},
                        "404": {"description": "no such invoice", "content": error},
                    },
                }
            },
            "/report": {
                "get": {
                    "operationId": "get_report",
                    "responses": {
                        "200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}
                    },
                }
            },
            "/attachments/{attachment_id}": {
                "put": {
                    "operationId": "put_attachment",
                    "parameters": [
                        {"name": "attachment_id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/octet-stream": {"schema": BINARY}},
                    },
                    "responses": {"204": {"description": "stored"}},
                }
            },
        },
        "components": {
            "schemas": {
                "Created": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
                "Error": {"type": "object", "properties": {"message": {"type": "string"}}},
            },
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-KEY", "x-credential": "api_key"}
            },
        },
    }


@pytest.fixture(scope="module")
def uploads(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The test-only schema generated with codegen into a temporary folder, imported."""
    root = tmp_path_factory.mktemp("uploads")
    folder = root / "schemas" / PACKAGE
    folder.mkdir(parents=True)
    (folder / "openapi.json").write_text(json.dumps(schema()), encoding="utf-8")
    write(render_all(root / "schemas", [PACKAGE]), root / "out")
    sys.path.insert(0, str(root / "out"))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root / "out"))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def client(pkg: ModuleType, url: str) -> Any:
    return pkg.Client(api_key=API_KEY, base_url=url, retry=pkg.NO_RETRY)


class Part(NamedTuple):
    """One part of a multipart body, as the server read it."""

    name: str | None
    filename: str | None
    content_type: str | None
    data: bytes


def parts_by_email(content_type: str, body: bytes) -> list[Part]:
    """The parts, read by the stdlib ``email`` parser (MIME, as multipart/form-data is)."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("ascii") + b"\r\n\r\n" + body
    )
    assert message.is_multipart()
    parts = []
    for part in message.iter_parts():
        name, data = part.get_param("name", header="content-disposition"), part.get_payload(decode=True)
        assert isinstance(name, str)
        assert isinstance(data, bytes)
        parts.append(Part(name, part.get_filename(), part.get("content-type"), data))
    return parts


def parts_strictly(content_type: str, body: bytes) -> list[Part]:
    """The parts, read by RFC 7578/2046 rules and nothing more: CRLF everywhere, one closing delimiter."""
    match = re.fullmatch(r"multipart/form-data; boundary=([0-9A-Za-z'()+_,./:=?-]{1,70})", content_type)
    assert match, content_type
    delimiter = b"--" + match.group(1).encode("ascii")
    assert body.startswith(delimiter + b"\r\n")
    assert body.endswith(b"\r\n" + delimiter + b"--\r\n")
    inner = body[len(delimiter) + 2 : -(len(delimiter) + 6)]
    parts = []
    for chunk in inner.split(b"\r\n" + delimiter + b"\r\n"):
        head, separator, data = chunk.partition(b"\r\n\r\n")
        assert separator, "a part without a blank line after its headers"
        headers = dict(line.decode("utf-8").split(": ", 1) for line in head.split(b"\r\n"))
        assert set(headers) <= {"Content-Disposition", "Content-Type"}, headers
        disposition = headers["Content-Disposition"]
        name = re.search(r'; name="([^"]*)"', disposition)
        filename = re.search(r'; filename="([^"]*)"', disposition)
        assert disposition.startswith("form-data; name=")
        parts.append(
            Part(
                name.group(1) if name else None,
                filename.group(1) if filename else None,
                headers.get("Content-Type"),
                data,
            )
        )
    return parts


def received_parts(request: Any) -> list[Part]:
    content_type = request.header("content-type")
    assert content_type is not None
    by_email = parts_by_email(content_type, request.body)
    assert parts_strictly(content_type, request.body) == by_email
    return by_email


# -- multipart/form-data ---------------------------------------------------------------------------


def test_a_json_part_and_two_files_arrive_part_by_part(
    uploads: ModuleType, loopback: LoopbackServer, tmp_path: Path
) -> None:
    loopback.route("POST", "/formations", Reply.json(200, {"id": "formation-1"}))
    passport = tmp_path / "passport 1.png"
    passport.write_bytes(PNG)
    company = {"name": "Example Corp", "type": "LLC", "shareholders": [{"first_name": "Zoë", "shares": 100}]}

    with client(uploads, loopback.url) as api:
        created = api.create_formation(
            body={
                "company_data": company,
                "shareholder_passport_0": uploads.File(PDF, filename="passport-0.pdf"),
                "shareholder_passport_1": passport,
            }
        )

    assert created == uploads.models.Created(id="formation-1")
    (request,) = loopback.requests
    assert request.header("x-api-key") == API_KEY
    company_part, first, second = received_parts(request)
    assert company_part == Part("company_data", None, "application/json", company_part.data)
    assert json.loads(company_part.data) == company
    assert first == Part("shareholder_passport_0", "passport-0.pdf", "application/pdf", PDF)
    assert second == Part("shareholder_passport_1", "passport 1.png", "image/png", PNG)


def test_files_from_a_file_object_and_as_bytes_carry_a_filename(uploads: ModuleType, loopback: LoopbackServer) -> None:
    loopback.route("POST", "/formations", Reply.json(200, {"id": "formation-2"}))
    unnamed = io.BytesIO(b"\x00scan\r\n")
    example = '{"name":"Example Corp","type":"LLC"}'  # the JSON text itself, as Clemta's example gives it

    with client(uploads, loopback.url) as api:
        api.create_formation(
            body={
                "company_data": example,
                "shareholder_passport_0": PDF,
                "shareholder_passport_2": uploads.File(unnamed, content_type="image/jpeg"),
            }
        )

    company_part, pdf_part, scan_part = received_parts(loopback.requests[0])
    assert company_part.data == example.encode("utf-8")  # sent verbatim, not quoted again
    # No name of its own: the field name, so that every file part has one.
    assert pdf_part == Part("shareholder_passport_0", "shareholder_passport_0", "application/octet-stream", PDF)
    assert scan_part == Part("shareholder_passport_2", "shareholder_passport_2", "image/jpeg", b"\x00scan\r\n")


def test_quotes_and_line_breaks_in_a_filename_cannot_forge_a_header(
    uploads: ModuleType, loopback: LoopbackServer
) -> None:
    loopback.route("POST", "/formations", Reply.json(200, {"id": "formation-3"}))
    hostile = 'x.pdf"\r\nContent-Type: text/html\r\n\r\n<script>'

    with client(uploads, loopback.url) as api:
        api.create_formation(body={"company_data": "{}", "shareholder_passport_0": uploads.File(b"%PDF", hostile)})

    _, part = received_parts(loopback.requests[0])
    assert part == Part(
        "shareholder_passport_0",
        "x.pdf%22%0D%0AContent-Type: text/html%0D%0A%0D%0A<script>",
        "application/octet-stream",  # no type to guess from the name
        b"%PDF",
    )


def test_a_form_that_breaks_its_schema_lists_every_violation_and_sends_nothing(
    uploads: ModuleType, loopback: LoopbackServer, tmp_path: Path
) -> None:
    with client(uploads, loopback.url) as api, pytest.raises(uploads.errors.RequestValidationError) as caught:
        api.create_formation(
            body={
                "shareholder_passport_0": "passport.pdf",
                "shareholder_passport_1": uploads.File(b"GIF89a", content_type="text/plain\r\nX-Injected: 1"),
                "shareholder_passport_2": tmp_path / "missing.pdf",
                "shareholder_passport_3": {"not": "a file"},
            }
        )

    assert loopback.requests == []
    messages = {violation.path: violation.message for violation in caught.value.violations}
    assert messages.keys() == {
        "$.company_data",
        "$.shareholder_passport_0",
        "$.shareholder_passport_1",
        "$.shareholder_passport_2",
        "$.shareholder_passport_3",
    }
    assert messages["$.company_data"] == "is required"
    assert messages["$.shareholder_passport_0"].startswith("must be a file (bytes, a binary file object")
    assert "is not a media type" in messages["$.shareholder_passport_1"]
    assert messages["$.shareholder_passport_2"].startswith("cannot be read: FileNotFoundError")
    assert messages["$.shareholder_passport_3"].endswith("not object")


def test_a_file_of_a_type_the_encoding_does_not_allow_or_bad_json_text_is_refused(
    uploads: ModuleType, loopback: LoopbackServer
) -> None:
    with client(uploads, loopback.url) as api, pytest.raises(uploads.errors.RequestValidationError) as caught:
        api.create_formation(
            body={"company_data": "{not json", "shareholder_passport_0": uploads.File(b"x", "a.txt", "text/plain")}
        )

    assert loopback.requests == []
    messages = {violation.path: violation.message for violation in caught.value.violations}
    assert messages["$.company_data"].startswith("must be JSON text")
    assert messages["$.shareholder_passport_0"] == (
        "content_type 'text/plain' is not one of application/pdf, image/jpeg, image/png"
    )


def test_a_text_file_object_is_refused_with_how_to_fix_it(
    uploads: ModuleType, loopback: LoopbackServer, tmp_path: Path
) -> None:
    path = tmp_path / "passport.pdf"
    path.write_bytes(PDF)
    with (
        path.open("r", encoding="latin-1") as text_file,
        client(uploads, loopback.url) as api,
        pytest.raises(uploads.errors.RequestValidationError) as caught,
    ):
        api.create_formation(body={"company_data": "{}", "shareholder_passport_0": text_file})

    assert [str(violation) for violation in caught.value.violations] == [
        "$.shareholder_passport_0: is a text file; open it in binary mode ('rb')"
    ]
    assert loopback.requests == []


# -- application/x-www-form-urlencoded ----------------------------------------------------------------


def test_an_urlencoded_form_arrives_as_name_value_pairs(uploads: ModuleType, loopback: LoopbackServer) -> None:
    loopback.route("POST", "/notes", Reply.json(201, {"id": "note-1"}))

    with client(uploads, loopback.url) as api:
        created = api.create_note(body={"title": "Zoë & co = 100%", "count": 3, "tags": ["a", "b c"], "urgent": True})

    assert created.id == "note-1"
    (request,) = loopback.requests
    assert request.header("content-type") == "application/x-www-form-urlencoded"
    assert urllib.parse.parse_qsl(request.body.decode("ascii"), strict_parsing=True) == [
        ("title", "Zoë & co = 100%"),
        ("count", "3"),
        ("tags", "a"),
        ("tags", "b c"),
        ("urgent", "true"),
    ]


def test_an_urlencoded_form_is_validated_before_sending(uploads: ModuleType, loopback: LoopbackServer) -> None:
    with client(uploads, loopback.url) as api, pytest.raises(uploads.errors.RequestValidationError) as caught:
        api.create_note(body={"title": "x" * 21, "count": -1, "colour": "red", "urgent": b"file"})

    assert loopback.requests == []
    assert {violation.path for violation in caught.value.violations} == {"$.title", "$.count", "$.colour", "$.urgent"}


# -- responses that are not JSON ------------------------------------------------------------------------


def test_a_pdf_response_comes_back_as_bytes_with_its_type_and_name(
    uploads: ModuleType, loopback: LoopbackServer
) -> None:
    disposition = {"Content-Disposition": 'attachment; filename="../../invoice 7.pdf"'}
    loopback.route("GET", "/invoices/7/pdf", Reply.raw(200, PDF, content_type="application/pdf", headers=disposition))

    with client(uploads, loopback.url) as api:
        document = api.get_invoice_pdf(invoice_id="7")

    assert isinstance(document, uploads.Download)
    assert document.content == PDF
    assert document.content_type == "application/pdf"
    assert document.filename == "invoice 7.pdf"  # the name only: never a directory of the server's choosing
    assert loopback.requests[0].header("accept") == "application/pdf, application/json;q=0.9"


def test_a_binary_body_that_looks_like_json_is_never_parsed(uploads: ModuleType, loopback: LoopbackServer) -> None:
    loopback.route("GET", "/invoices/8/pdf", Reply.raw(200, b'{"id": 8}', content_type="application/json"))

    with client(uploads, loopback.url) as api:
        document = api.get_invoice_pdf(invoice_id="8")

    assert document == uploads.Download(content=b'{"id": 8}', content_type="application/json", filename=None)


def test_an_error_answer_to_a_pdf_request_is_still_a_typed_error(uploads: ModuleType, loopback: LoopbackServer) -> None:
    loopback.route("GET", "/invoices/9/pdf", Reply.json(404, {"message": "no invoice 9"}))

    with client(uploads, loopback.url) as api, pytest.raises(uploads.errors.NotFoundError) as caught:
        api.get_invoice_pdf(invoice_id="9")

    assert caught.value.error == uploads.models.Error(message="no invoice 9")


def test_a_text_response_decodes_with_its_charset(uploads: ModuleType, loopback: LoopbackServer) -> None:
    csv = "name;city\nZoë;Köln\n"
    loopback.route("GET", "/report", Reply.raw(200, csv.encode("latin-1"), content_type="text/csv; charset=latin-1"))

    with client(uploads, loopback.url) as api:
        report = api.get_report()

    assert report.text == csv
    assert report.content == csv.encode("latin-1")
    assert loopback.requests[0].header("accept") == "text/csv"


# -- a file as the whole body -------------------------------------------------------------------------------


def test_a_file_as_the_whole_body_is_sent_as_is(uploads: ModuleType, loopback: LoopbackServer, tmp_path: Path) -> None:
    loopback.route("PUT", "/attachments/a-1", Reply.raw(204, b""))
    path = tmp_path / "scan.png"
    path.write_bytes(PNG)

    with client(uploads, loopback.url) as api:
        api.put_attachment(attachment_id="a-1", body=path)
        api.put_attachment(attachment_id="a-1", body=uploads.File(io.BytesIO(PDF), content_type="application/pdf"))

    first, second = loopback.requests
    # The declared type unless one is given: a file name is no reason to send another.
    assert (first.header("content-type"), first.body) == ("application/octet-stream", PNG)
    assert (second.header("content-type"), second.body) == ("application/pdf", PDF)


# -- Clemta's published spec ------------------------------------------------------------------------------


def test_clemta_formations_form_is_read_as_designed(tmp_path: Path) -> None:
    """Clemta's POST /formations: a JSON text part, a file of allowed types, more files by additionalProperties."""
    published = json.loads(vendor_spec("clemta-formation/openapi-2025-06-24.json").read_text(encoding="utf-8"))
    document = schema()
    document["paths"]["/formations"]["post"]["requestBody"] = published["paths"]["/formations"]["post"]["requestBody"]
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    operation = next(op for op in build_spec(load_document(path), "x", "x").operations if op.path == "/formations")

    assert operation.body_kind == "form"
    assert operation.body_media_type == "multipart/form-data"
    assert operation.body_hint == "Mapping[str, Any]"
    form = operation.form
    assert form is not None
    company, passport = form.fields["company_data"], form.fields["shareholder_passport_0"]
    assert (company.kind, company.content_type, company.json_text) == ("json", "application/json", True)
    assert (passport.kind, passport.content_type) == ("file", "application/pdf, image/jpeg, image/png")
    assert form.additional is not None
    assert form.additional.kind == "file"
    assert form.schema["required"] == ["company_data"]

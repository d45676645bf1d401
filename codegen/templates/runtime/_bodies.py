"""Bodies that are not JSON: forms and files going out, files and text coming back.

Requests:

- ``multipart/form-data``: each field of the form is a part. A file field (``format:
  binary``) takes a file: ``bytes``, a binary file object, a ``pathlib.Path`` or a
  :class:`File`, and every file part carries a filename (the File's, the path's or the file
  object's name, else the field name). A field whose encoding says ``application/json``
  (or an object, by OpenAPI's default) is a JSON part; a field declared as a string with
  a JSON encoding takes the JSON text itself, or any value, which is written as JSON. The
  other fields are text parts. A list gives one part per item.
- ``application/x-www-form-urlencoded``: ``name=value`` pairs, a list repeats the name,
  an object gives one pair per member.
- Any other media type: the body is the file's bytes, as is.

The form is validated against its schema before anything is read or sent, like a JSON
body; file fields are checked to be given a file.

Responses declared as something other than JSON come back as a :class:`Download`: the
bytes, the content type, the server's file name, and the text, never parsed as JSON.
"""

from __future__ import annotations

import email.message
import mimetypes
import os
import re
import secrets
import urllib.parse
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any, Protocol, TypeAlias

import attrs

from ._converter import converter
from ._json import dumps, loads
from ._operation import Form, FormField
from ._unset import UNSET
from ._validation import SchemaValidator, child_path, json_type
from .errors import Violation

__all__ = [
    "Download",
    "File",
    "FileInput",
    "Readable",
    "download",
    "encode_body",
    "is_file",
    "is_json_type",
]

MULTIPART = "multipart/form-data"
URLENCODED = "application/x-www-form-urlencoded"
_OCTET_STREAM = "application/octet-stream"
_FILE_KINDS = "bytes, a binary file object, a pathlib.Path or File"
_MEDIA_TYPE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+(?:\s*;[\t\x20-\x7e]*)?")
# Only the built-in table: a guess must not depend on the machine's /etc/mime.types.
_MIME = mimetypes.MimeTypes()


class Readable(Protocol):
    """A binary file object: anything whose ``read()`` returns bytes."""

    def read(self, size: int = -1, /) -> bytes:
        """Read up to ``size`` bytes (all when negative)."""
        ...


@attrs.frozen
class File:
    """A file to upload: its content, and optionally its name and media type.

    ``content`` is bytes, a binary file object (read when the request is built) or a path.
    Without ``filename`` the path's or the file object's name is used, else the field
    name; without ``content_type`` it is guessed from the file name among the types the
    schema allows, else ``application/octet-stream``.
    """

    content: bytes | bytearray | memoryview | Readable | os.PathLike[str] = attrs.field(repr=False)
    filename: str | None = None
    content_type: str | None = None


FileInput: TypeAlias = File | bytes | bytearray | memoryview | Readable | os.PathLike[str]
"""What a file field takes: bytes, a binary file object, a ``pathlib.Path`` or a :class:`File`."""


@attrs.frozen
class Download:
    """A response body that is not JSON (a PDF, an image, a CSV...), as the server sent it.

    ``content`` is the bytes, ``content_type`` the Content-Type header (or the type the
    schema declares when the server sent none), ``filename`` the name the server suggests
    in Content-Disposition, without any directory part (None when it gives none).
    """

    content: bytes = attrs.field(repr=lambda content: f"<{len(content)} bytes>")
    content_type: str
    filename: str | None = None

    @property
    def text(self) -> str:
        """The content decoded with the charset of ``content_type`` (UTF-8 by default; bad bytes replaced)."""
        charset = _header_params(self.content_type).get_content_charset() or "utf-8"
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:  # a charset Python does not know
            return self.content.decode("utf-8", errors="replace")


def is_json_type(media_type: str) -> bool:
    """JSON media types: ``application/json``, ``text/json`` and ``*/*+json`` (parameters ignored)."""
    essence = media_type.split(";", 1)[0].strip().lower()
    return essence in ("application/json", "text/json") or essence.endswith("+json")


def is_file(value: Any) -> bool:
    """Whether ``value`` is something a file field takes."""
    return isinstance(value, (File, bytes, bytearray, memoryview, PurePath, os.PathLike)) or (
        not isinstance(value, (str, dict, list)) and callable(getattr(value, "read", None))
    )


def download(body: bytes, headers: Mapping[str, str], declared: str) -> Download:
    """The result of a non-JSON response."""
    disposition = headers.get("content-disposition")
    filename = None
    if disposition:
        raw = _header_params(disposition, "content-disposition").get_filename()
        if raw:
            # Only the name: a server must not choose where a caller saves the file.
            filename = re.split(r"[/\\]", raw)[-1].strip() or None
    return Download(content=body, content_type=headers.get("content-type") or declared, filename=filename)


def encode_body(
    media_type: str, form: Form | None, body: Any, validator: SchemaValidator, violations: list[Violation]
) -> tuple[bytes, str] | None:
    """The body bytes and Content-Type header, or None with ``violations`` filled."""
    if form is None:
        return _raw_file(media_type, body, violations)
    if not isinstance(body, Mapping):
        violations.append(Violation("$", f"must be a mapping of form fields, not {json_type(body)}"))
        return None
    view: dict[str, Any] = {}  # what the form's schema validates: the wire values, None for files
    fields: list[tuple[str, FormField, Any]] = []
    for name, value in body.items():
        if value is UNSET:
            continue
        path = child_path("$", str(name))
        field = form.fields.get(name, form.additional) if isinstance(name, str) else None
        if field is None:
            violations.append(Violation(path, "is not a field of this form"))
            continue
        if field.kind == "any":
            field = _field_of(value)
        if value is None and field.kind == "file":
            continue  # no file: left out (the form's schema says whether it is required)
        if field.array and not isinstance(value, (list, tuple)):
            violations.append(Violation(path, f"must be a list, not {json_type(value)}"))
            continue
        items = list(value) if field.array else [value]
        if field.kind == "file":
            view[name] = [None] * len(items) if field.array else None
            if media_type != MULTIPART:
                violations.append(Violation(path, "a file cannot be sent in an urlencoded form"))
            else:
                fields.append((name, field, _read_files(items, name, field, path, violations)))
            continue
        if any(is_file(item) for item in items):
            violations.append(Violation(path, "is not a file field; give it a value, not a file"))
            continue
        wires = [_to_wire(item, path, violations) for item in items]
        view[name] = wires if field.array else wires[0]
        if field.json_text:
            wires = [_json_text_of(wire, path, violations) for wire in wires]
            view[name] = wires if field.array else wires[0]
        elif field.kind == "json":
            wires = [_json_text(wire, path, violations) for wire in wires]
        fields.append((name, field, wires))
    violations += validator.validate(view, form.schema, "$")
    if violations:
        return None
    if media_type == MULTIPART:
        return _multipart(fields, violations)
    return _urlencoded(fields, violations)


def _read_files(
    items: Sequence[Any], name: str, field: FormField, path: str, violations: list[Violation]
) -> list[tuple[bytes, str, str]]:
    """(content, filename, content type) of each file given for a file field; violations for the others."""
    files = []
    for index, item in enumerate(items):
        where = child_path(path, index) if field.array else path
        if not is_file(item):
            violations.append(Violation(where, f"must be a file ({_FILE_KINDS}), not {json_type(item)}"))
            continue
        read = _read_file(item, name, field.content_type, where, violations)
        if read is not None:
            files.append(read)
    return files


def _field_of(value: Any) -> FormField:
    """How a key the schema does not describe is sent, from its value."""
    items = value if isinstance(value, (list, tuple)) else None
    if items is not None:
        kind = "file" if items and any(is_file(item) for item in items) else "text"
        return FormField(kind, array=True)
    return FormField("file" if is_file(value) else "text")


# -- multipart/form-data -----------------------------------------------------------------------


def _multipart(
    fields: Sequence[tuple[str, FormField, list[Any]]], violations: list[Violation]
) -> tuple[bytes, str] | None:
    parts: list[tuple[str, str | None, str | None, bytes]] = []  # name, filename, content type, data
    for name, field, items in fields:
        path = child_path("$", name)
        for item in items:
            if field.kind == "file":
                data, filename, content_type = item
                parts.append((name, filename, content_type, data))
            elif field.kind == "json":  # the JSON text already
                parts.append((name, None, field.content_type or "application/json", item.encode("utf-8")))
            elif isinstance(item, (dict, list)):  # OpenAPI's default for an object: a JSON part
                text = _json_text(item, path, violations)
                parts.append((name, None, "application/json", text.encode("utf-8")))
            elif item is not None:  # a null has no form: the field is left out
                parts.append((name, None, field.content_type, _text(item).encode("utf-8")))
    if violations:
        return None
    boundary = _boundary([part[3] for part in parts])
    chunks: list[bytes] = []
    for name, filename, content_type, data in parts:
        disposition = f'form-data; name="{_quote(name)}"'
        if filename is not None:
            disposition += f'; filename="{_quote(filename)}"'
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        if content_type:
            head += f"Content-Type: {content_type}\r\n"
        chunks += [head.encode("utf-8"), b"\r\n", data, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(chunks), f"{MULTIPART}; boundary={boundary}"


def _boundary(contents: Sequence[bytes]) -> str:
    """A random boundary that occurs in no part (a clash is all but impossible; it is still checked)."""
    while True:
        boundary = "vendor-clients-" + secrets.token_hex(16)
        marker = boundary.encode("ascii")
        if not any(marker in data for data in contents):
            return boundary


def _quote(text: str) -> str:
    """A name or filename in a Content-Disposition parameter, escaped as browsers do (WHATWG HTML)."""
    return text.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


# -- application/x-www-form-urlencoded -------------------------------------------------------


def _urlencoded(
    fields: Sequence[tuple[str, FormField, list[Any]]], violations: list[Violation]
) -> tuple[bytes, str] | None:
    pairs: list[tuple[str, str]] = []
    for name, field, items in fields:
        path = child_path("$", name)
        for item in items:
            if field.kind == "json":  # the JSON text already
                pairs.append((name, item))
            elif isinstance(item, dict):  # OpenAPI's default for an object: one pair per member
                for key, member in item.items():
                    if isinstance(member, (dict, list)):
                        violations.append(Violation(child_path(path, key), "a nested value cannot be form-encoded"))
                    elif member is not None:
                        pairs.append((str(key), _text(member)))
            elif isinstance(item, list):
                violations.append(Violation(path, "a nested list cannot be form-encoded"))
            elif item is not None:
                pairs.append((name, _text(item)))
    if violations:
        return None
    return urllib.parse.urlencode(pairs).encode("ascii"), URLENCODED


# -- a file as the whole body ------------------------------------------------------------------


def _raw_file(media_type: str, body: Any, violations: list[Violation]) -> tuple[bytes, str] | None:
    if isinstance(body, str) and media_type.startswith("text/"):
        return body.encode("utf-8"), f"{media_type}; charset=utf-8"
    if not is_file(body):
        violations.append(Violation("$", f"must be a file ({_FILE_KINDS}), not {json_type(body)}"))
        return None
    read = _read_file(body, None, media_type, "$", violations)
    return None if read is None else (read[0], read[2])


# -- shared --------------------------------------------------------------------------------------


def _read_file(
    value: Any, field_name: str | None, declared: str | None, path: str, violations: list[Violation]
) -> tuple[bytes, str, str] | None:
    """(content, filename, content type) of a file input, or None with a violation.

    ``field_name`` is None for a file that is the whole body: its type is then the one given,
    else the declared one, never a guess from the file name.
    """
    given = value if isinstance(value, File) else File(value)
    content, filename = given.content, given.filename
    try:
        if isinstance(content, (bytes, bytearray, memoryview)):
            data = bytes(content)
        elif isinstance(content, (PurePath, os.PathLike)):
            path_name = os.fsdecode(content)
            with open(path_name, "rb") as handle:
                data = handle.read()
            filename = filename or os.path.basename(path_name)
        else:
            data = content.read()
            name = getattr(content, "name", None)
            if filename is None and isinstance(name, str) and not name.startswith("<"):
                filename = os.path.basename(name)
    except OSError as exc:
        violations.append(Violation(path, f"cannot be read: {type(exc).__name__}: {exc.strerror or exc}"[:300]))
        return None
    if not isinstance(data, bytes):
        violations.append(Violation(path, "is a text file; open it in binary mode ('rb')"))
        return None
    filename = filename or field_name or "file"
    content_type = _content_type(given.content_type, filename, declared, field_name is not None, path, violations)
    return (data, filename, content_type) if content_type is not None else None


def _content_type(
    given: str | None, filename: str, declared: str | None, guess: bool, path: str, violations: list[Violation]
) -> str | None:
    """The file's Content-Type: the one given, else guessed from the file name, else the declared one.

    ``declared`` lists the types the schema allows (``application/octet-stream`` allows any).
    """
    allowed = [kind.split(";", 1)[0].strip().lower() for kind in (declared or "").split(",") if kind.strip()]
    unrestricted = not allowed or _OCTET_STREAM in allowed or "*/*" in allowed
    if given is not None:
        if not _MEDIA_TYPE.fullmatch(given):
            violations.append(Violation(path, f"content_type {given[:100]!r} is not a media type like 'image/png'"))
            return None
        if not unrestricted and not _allowed(given, allowed):
            violations.append(Violation(path, f"content_type {given[:100]!r} is not one of {', '.join(allowed)}"))
            return None
        return given
    guessed = _MIME.guess_type(filename, strict=False)[0] if guess else None
    if guessed and (unrestricted or _allowed(guessed, allowed)):
        return guessed
    concrete = [kind for kind in allowed if "*" not in kind]
    return concrete[0] if len(concrete) == 1 else _OCTET_STREAM


def _allowed(media_type: str, allowed: Sequence[str]) -> bool:
    essence = media_type.split(";", 1)[0].strip().lower()
    return any(kind in (essence, "*/*", essence.split("/", 1)[0] + "/*") for kind in allowed)


def _to_wire(value: Any, path: str, violations: list[Violation]) -> Any:
    try:
        return converter.unstructure(value)
    except (AttributeError, TypeError, ValueError, RecursionError) as exc:
        violations.append(Violation(path, f"cannot be written: {type(exc).__name__}"))
        return None


def _json_text_of(wire: Any, path: str, violations: list[Violation]) -> str:
    """The JSON text of a part declared as a string: a string is the text itself (and must parse)."""
    if not isinstance(wire, str):
        return _json_text(wire, path, violations)
    try:
        loads(wire)
    except ValueError as exc:
        violations.append(Violation(path, f"must be JSON text: {exc}"[:300]))
    return wire


def _json_text(value: Any, path: str, violations: list[Violation]) -> str:
    try:
        return dumps(value).decode("utf-8")  # Decimal with exactly its digits
    except (ValueError, TypeError, RecursionError) as exc:
        violations.append(Violation(path, f"cannot be written as JSON: {type(exc).__name__}"))
        return ""


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def _header_params(value: str, name: str = "content-type") -> email.message.Message:
    message = email.message.Message()
    message[name] = value
    return message

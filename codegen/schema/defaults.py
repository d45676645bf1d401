"""Defaults for what plain OpenAPI leaves unsaid: one rule each, used by ``generate`` and ``import``.

A schema without the project's ``x-`` extensions still generates: where a safe default
exists, codegen applies it and says so with a note instead of refusing.

- Client arguments carrying credentials (``x-credential``): named from the security scheme,
  ``token`` for a bearer token, ``username``/``password`` for HTTP Basic, the header name
  in snake_case without an ``x-`` prefix for an API key (``X-Api-Key`` -> ``api_key``).
- Servers: without any, the Client has no usable default ``base_url`` (OpenAPI's default
  server is ``/``, the host serving the document) and callers pass one; ``{variables}`` in
  a server URL take their ``default``.
- OAuth 2 and OpenID Connect schemes: the Client takes the access token (``token``) and
  sends it as a Bearer token; obtaining it is the caller's business.
- Method names: the operationId made readable, or without one the method and the path
  (``GET /things/{id}`` -> ``get_things_id``), with a note; see :mod:`codegen.method_names`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from codegen.names import snake_case, unique
from codegen.problems import Problem, Severity, join_pointer

# Names a generated Client already uses: an operation or credential named so would clash.
CLIENT_MEMBERS = frozenset(
    {"close", "base_url", "self", "cls", "timeout", "retry", "transport", "max_response_bytes", "user_agent"}
    | {"strict_responses", "with_response"}
)
Credential = str | dict[str, str]
TOKEN_SCHEMES = frozenset({"oauth2", "openIdConnect"})
"""Scheme types whose credential is an access token the caller obtains, sent as a Bearer token."""


def note(pointer: str, message: str) -> Problem:
    """A default that codegen applied: printed, never fatal."""
    return Problem(pointer, message, Severity.NOTE)


def default_credential(scheme: Mapping[str, Any]) -> Credential | None:
    """The ``x-credential`` of a security scheme that gives none; None for a scheme codegen cannot use."""
    kind, http = scheme.get("type"), str(scheme.get("scheme", "")).lower()
    if kind == "http" and http == "basic":
        return {"username": "username", "password": "password"}
    if (kind == "http" and http == "bearer") or kind in TOKEN_SCHEMES:
        return "token"
    if kind == "apiKey" and isinstance(scheme.get("name"), str):
        name = snake_case(scheme["name"])
        return name.removeprefix("x_") or name
    return None


def credentials(schemes: Mapping[str, Any]) -> tuple[dict[str, Credential], list[Problem]]:
    """Every scheme's ``x-credential``: its own, or the default (a note each), never a taken name.

    Schemes codegen cannot use get none; checking them is the schema checker's job.
    """
    taken = set(CLIENT_MEMBERS)
    for scheme in schemes.values():
        given = scheme.get("x-credential") if isinstance(scheme, dict) else None
        taken.update(given.values() if isinstance(given, dict) else [given] if isinstance(given, str) else [])
    result: dict[str, Credential] = {}
    notes = []
    for key, scheme in schemes.items():
        if not isinstance(scheme, dict):
            continue
        if "x-credential" in scheme:
            result[key] = scheme["x-credential"]
            continue
        derived = default_credential(scheme)
        if derived is None:
            continue
        if isinstance(derived, dict):
            derived = {role: unique(argument, taken) for role, argument in derived.items()}
        else:
            derived = unique(derived, taken)
        result[key] = derived
        pointer = join_pointer("/components/securitySchemes", key, "x-credential")
        notes.append(note(pointer, f"none given; derived {json.dumps(derived)} (the Client argument(s))"))
    return result, notes


def server_urls(servers: Any) -> tuple[tuple[str, ...], list[Problem]]:
    """The server URLs a Client may call, ``{variables}`` replaced by their defaults, and the notes met.

    Without servers the list is OpenAPI's default, ``/``: the Client then needs ``base_url``.
    """
    if not isinstance(servers, list) or not servers:
        message = "no servers: OpenAPI's default is '/', so callers pass base_url= to Client(...)"
        return ("/",), [note("/servers", message)]
    urls, notes = [], []
    for index, server in enumerate(servers):
        url = server.get("url") if isinstance(server, dict) else None
        if not isinstance(url, str):
            continue
        variables = server.get("variables") if isinstance(server.get("variables"), dict) else {}
        for name, variable in variables.items():
            default = variable.get("default") if isinstance(variable, dict) else None
            if isinstance(default, str) and "{" + name + "}" in url:
                url = url.replace("{" + name + "}", default)
                pointer = join_pointer("/servers", index, "variables", name)
                notes.append(note(pointer, f"the default base_url uses the variable's default {default!r}"))
        urls.append(url)
    return tuple(urls), notes

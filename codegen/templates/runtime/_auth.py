"""Credentials and how they are put on a request, as the schema's securitySchemes declare.

Secrets are held in :class:`Secret`, whose repr and str never show the value, and are
only revealed when a request's headers are built.
"""

from __future__ import annotations

import asyncio
import base64
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from ._operation import SchemeSpec, TokenExchange
from .errors import ConfigurationError

__all__ = [
    "AsyncTokenFetch",
    "Auth",
    "BasicAuth",
    "CombinedAuth",
    "HeaderAuth",
    "NoAuth",
    "Secret",
    "TokenAuth",
    "TokenFetch",
    "build_auth",
    "token_exchanges",
]

F = TypeVar("F")


class Secret:
    """A credential: shown as ``Secret('***')`` everywhere, revealed only to build headers."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise ConfigurationError("a credential must be a non-empty string")
        if any(char in value for char in "\r\n\0"):
            raise ConfigurationError("a credential must not contain CR, LF or NUL characters")
        self._value = value

    def reveal(self) -> str:
        """The secret value."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")


class Auth(Protocol):
    """Adds credentials to a request's headers: ``headers`` in a ``Client``, ``headers_async`` in an ``AsyncClient``."""

    def headers(self) -> dict[str, str]:
        """Headers carrying the credentials for the next request."""
        ...

    async def headers_async(self) -> dict[str, str]:
        """The same headers, fetching a token (if one is needed) without blocking the event loop."""
        ...

    def on_unauthorized(self, used: Mapping[str, str]) -> bool:
        """A 401 answered a request sent with ``used``; True if retrying may help."""
        ...


class _StaticAuth:
    """Credentials that are at hand: nothing to fetch, nothing to refresh."""

    def headers(self) -> dict[str, str]:
        """No headers (subclasses add theirs)."""
        return {}

    async def headers_async(self) -> dict[str, str]:
        """The same headers as :meth:`headers`: nothing to wait for."""
        return self.headers()

    def on_unauthorized(self, used: Mapping[str, str]) -> bool:
        """Static credentials: retrying cannot help."""
        return False


class NoAuth(_StaticAuth):
    """No credentials."""

    def __repr__(self) -> str:
        return "NoAuth()"


class BasicAuth(_StaticAuth):
    """HTTP Basic: user name and password."""

    def __init__(self, username: Secret, password: Secret) -> None:
        self._username = username
        self._password = password

    def headers(self) -> dict[str, str]:
        """The Authorization header."""
        pair = f"{self._username.reveal()}:{self._password.reveal()}".encode()
        return {"Authorization": "Basic " + base64.b64encode(pair).decode("ascii")}

    def __repr__(self) -> str:
        return "BasicAuth(username=***, password=***)"


class HeaderAuth(_StaticAuth):
    """A key sent in a header, such as ``X-API-KEY``; or a static Bearer token."""

    def __init__(self, header: str, key: Secret, prefix: str = "") -> None:
        if not all(" " < char <= "~" for char in key.reveal()):
            # HTTP carries header values as Latin-1; a key outside visible ASCII is a mistake.
            raise ConfigurationError(f"the credential for {header} must be visible ASCII text")
        self._header = header
        self._key = key
        self._prefix = prefix

    def headers(self) -> dict[str, str]:
        """The header with the key."""
        return {self._header: self._prefix + self._key.reveal()}

    def __repr__(self) -> str:
        return f"HeaderAuth(header={self._header!r}, key=***)"


TokenFetch = Callable[[], tuple[str, float]]
"""Obtains a token: returns ``(token, lifetime in seconds)``."""

AsyncTokenFetch = Callable[[], Awaitable[tuple[str, float]]]
"""Obtains a token without blocking the event loop."""


class TokenAuth:
    """A Bearer token obtained from credentials, cached, and refreshed once for all threads or tasks.

    ``fetch`` (for ``headers``, under a thread lock) or ``fetch_async`` (for
    ``headers_async``, under an asyncio lock) returns ``(token, lifetime in seconds)``; a
    client gives the one it uses. The token is refreshed ``refresh_margin`` seconds before
    it expires, and after a 401 that answered a request sent with the current token (a 401
    for an older token just retries with the new one). ``exchange`` is the schema's token
    exchange the fetch makes and the credentials it sends, so that a client can check them
    against the schema when it is constructed.
    """

    def __init__(
        self,
        fetch: TokenFetch | None = None,
        *,
        fetch_async: AsyncTokenFetch | None = None,
        refresh_margin: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        exchange: tuple[TokenExchange, Mapping[str, Secret]] | None = None,
    ) -> None:
        self.exchange = exchange
        self._fetch = fetch
        self._fetch_async = fetch_async
        self._refresh_margin = refresh_margin
        self._clock = clock
        self._lock = threading.Lock()
        self._async_lock = asyncio.Lock()
        self._token: Secret | None = None
        self._expires_at = 0.0

    def __repr__(self) -> str:
        return "TokenAuth(token=***)"

    def _valid_token(self) -> Secret | None:
        if self._token is not None and self._clock() < self._expires_at:
            return self._token
        return None

    def _store(self, fetched: tuple[str, float]) -> Secret:
        value, lifetime = fetched
        token = Secret(value)
        # A short-lived token is refreshed at half its life, not on every call.
        margin = min(self._refresh_margin, lifetime / 2)
        self._token, self._expires_at = token, self._clock() + lifetime - margin
        return token

    def headers(self) -> dict[str, str]:
        """The Authorization header, fetching a token first when there is none or it is about to expire."""
        token = self._valid_token()
        if token is None:
            with self._lock:  # another thread may have refreshed it meanwhile: look again
                token = self._valid_token() or self._store(_required(self._fetch, "fetch")())
        return {"Authorization": "Bearer " + token.reveal()}

    async def headers_async(self) -> dict[str, str]:
        """As :meth:`headers`; concurrent tasks wait for the one that fetches."""
        token = self._valid_token()
        if token is None:
            async with self._async_lock:  # another task may have refreshed it meanwhile: look again
                token = self._valid_token() or self._store(await _required(self._fetch_async, "fetch_async")())
        return {"Authorization": "Bearer " + token.reveal()}

    def expire(self) -> None:
        """Forget the cached token, so that the next request fetches a new one."""
        with self._lock:
            self._token, self._expires_at = None, 0.0

    def on_unauthorized(self, used: Mapping[str, str]) -> bool:
        """Drop the token the 401 answered (unless already replaced); a retry will use a fresh one."""
        with self._lock:
            current = self._token
            if current is not None and used.get("Authorization") == "Bearer " + current.reveal():
                self._token, self._expires_at = None, 0.0
        return True


def _required(fetch: F | None, name: str) -> F:
    if fetch is None:
        raise ConfigurationError(f"this TokenAuth was built without {name}")
    return fetch


class CombinedAuth:
    """Several schemes required together (for example Basic plus an API key header)."""

    def __init__(self, parts: list[Auth]) -> None:
        self._parts = parts

    def headers(self) -> dict[str, str]:
        """Every part's headers."""
        return {name: value for part in self._parts for name, value in part.headers().items()}

    async def headers_async(self) -> dict[str, str]:
        """Every part's headers, fetched without blocking."""
        return {name: value for part in self._parts for name, value in (await part.headers_async()).items()}

    def on_unauthorized(self, used: Mapping[str, str]) -> bool:
        """True when any part can refresh."""
        refreshed = [part.on_unauthorized(used) for part in self._parts]  # every part must hear of the 401
        return any(refreshed)

    def __repr__(self) -> str:
        return f"CombinedAuth({', '.join(map(repr, self._parts))})"


def build_auth(
    schemes: Mapping[str, SchemeSpec],
    security: Sequence[Sequence[str]],
    credentials: Mapping[str, str | None],
    token_auth: Callable[[TokenExchange, Mapping[str, Secret]], Auth],
) -> Auth:
    """The Auth for the first security alternative whose credentials were all given.

    An alternative is a set of schemes required together; a bearer scheme with a token
    exchange is satisfied either by its static token or by the exchange's credentials,
    which ``token_auth`` (the client's: blocking or async) turns into a :class:`TokenAuth`.
    """
    given = {name: Secret(value) for name, value in credentials.items() if value is not None}
    options = []
    for alternative in security:
        parts: list[Auth] = []
        missing: list[str] = []
        for key in alternative:
            part, needs = _scheme_auth(schemes[key], given, token_auth)
            missing += needs
            if part is not None:
                parts.append(part)
        if not missing:
            return parts[0] if len(parts) == 1 else (CombinedAuth(parts) if parts else NoAuth())
        options.append(" + ".join(missing))
    if not security:
        return NoAuth()
    raise ConfigurationError("missing credentials: give " + " or ".join(f"({option})" for option in options))


def _scheme_auth(
    scheme: SchemeSpec,
    given: Mapping[str, Secret],
    token_auth: Callable[[TokenExchange, Mapping[str, Secret]], Auth],
) -> tuple[Auth | None, list[str]]:
    names = scheme.credentials
    if scheme.kind == "basic":
        missing = [names[role] for role in ("username", "password") if names[role] not in given]
        if missing:
            return None, missing
        return BasicAuth(given[names["username"]], given[names["password"]]), []
    if scheme.kind == "header":
        if names["key"] not in given:
            return None, [names["key"]]
        return HeaderAuth(scheme.header, given[names["key"]]), []
    if names["token"] in given:
        return HeaderAuth("Authorization", given[names["token"]], prefix="Bearer "), []
    token_exchange = scheme.exchange
    if token_exchange is None:
        return None, [names["token"]]
    required = [argument for argument, _, needed in token_exchange.arguments if needed]
    missing = [argument for argument in required if argument not in given]
    if missing:
        return None, [names["token"] + " | " + ", ".join(required)]
    secrets = {argument: given[argument] for argument, _, _ in token_exchange.arguments if argument in given}
    return token_auth(token_exchange, secrets), []


def token_exchanges(auth: Auth) -> list[tuple[TokenExchange, Mapping[str, Secret]]]:
    """The token exchanges ``auth`` makes, each with the credentials it sends."""
    if isinstance(auth, CombinedAuth):
        return [found for part in auth._parts for found in token_exchanges(part)]
    if isinstance(auth, TokenAuth) and auth.exchange is not None:
        return [auth.exchange]
    return []

"""Secret hygiene beyond the fault matrix: configuration errors, reprs, recorded requests, DEBUG logs.

The fault matrix (test_faults.py) already scans the DEBUG logs, every exception and the
client and result reprs of every scenario; here the remaining places a credential could
show: errors about the credentials themselves, the objects that hold them, and what a
MockTransport records.
"""

from __future__ import annotations

import json
import logging
import pickle
from collections.abc import Callable
from typing import Any

import pytest

from generated import billbee, chift, cin7_omni, formation
from tests.helpers.vendors import (
    BILLBEE_API_KEY,
    BILLBEE_API_PASSWORD,
    BILLBEE_USERNAME,
    CHIFT_CLIENT_ID,
    CHIFT_CLIENT_SECRET,
    CHIFT_ISSUED_TOKEN_PREFIX,
    CHIFT_STATIC_TOKEN,
    CIN7_API_KEY,
    CIN7_USERNAME,
    FORMATION_API_KEY,
    SECRETS,
    find_secrets,
)

from .hygiene import exception_texts, log_texts, scan
from .operations import OPERATIONS, Operation


def answer_for(operation: Operation) -> Any:
    """A mock transport handler: the token endpoint and the operation answer with success."""
    package = operation.package

    def handler(request: Any) -> Any:
        if request.url.endswith("/token"):
            return package.testing.json_response(
                200,
                {
                    "access_token": CHIFT_ISSUED_TOKEN_PREFIX + "1",
                    "token_type": "bearer",
                    "expires_in": 1800,
                    "expires_on": 0,
                },
            )
        return package.testing.json_response(200, operation.success(json.loads(request.body)))

    return handler


@pytest.mark.parametrize("operation", [pytest.param(op, id=op.id) for op in OPERATIONS])
def test_objects_holding_credentials_never_show_them(operation: Operation, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    package = operation.package
    transport = package.testing.MockTransport(answer_for(operation))
    client = operation.make_client(transport=transport)
    result = operation.call(client, "hygiene")
    request = transport.requests[0]
    assert find_secrets(repr(dict(request.headers))), "the credentials were not sent: the check would be vacuous"
    texts = [
        repr(client),
        str(client),
        repr(vars(client)),
        repr(client._auth),
        repr(vars(client._auth)),
        repr(request),
        str(request),
        repr(transport),
        repr(result),
        *log_texts(caplog.records),
    ]
    assert scan(f"objects / {operation.id}", texts) == []


def test_token_exchange_objects_never_show_secrets(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    operation = next(op for op in OPERATIONS if op.vendor == "chift")
    transport = chift.testing.MockTransport(answer_for(operation))
    client = chift.Client(
        client_id=CHIFT_CLIENT_ID,
        client_secret=CHIFT_CLIENT_SECRET,
        account_id="3fa85f64-5717-4562-b3fc-2c963f66afa6",
        transport=transport,
    )
    operation.call(client, "hygiene")
    assert CHIFT_CLIENT_SECRET in (transport.requests[0].body or b"").decode()
    assert transport.requests[1].headers["Authorization"] == f"Bearer {CHIFT_ISSUED_TOKEN_PREFIX}1"
    texts = [repr(client), repr(vars(client)), repr(client._auth), repr(vars(client._auth)), *log_texts(caplog.records)]
    texts += [repr(request) for request in transport.requests]
    assert scan("token exchange objects", texts) == []


CONFIGURATION_ERRORS: dict[str, Callable[[], object]] = {
    "token with CR LF": lambda: chift.Client(token=CHIFT_STATIC_TOKEN + "\r\nX-Injected: 1"),
    "client secret with NUL": lambda: chift.Client(
        client_id=CHIFT_CLIENT_ID, client_secret=CHIFT_CLIENT_SECRET + "\0", account_id="x"
    ),
    "billbee password with LF": lambda: billbee.Client(
        username=BILLBEE_USERNAME, api_password=BILLBEE_API_PASSWORD + "\n", api_key=BILLBEE_API_KEY
    ),
    "billbee key, plain http to a remote host": lambda: billbee.Client(
        username=BILLBEE_USERNAME,
        api_password=BILLBEE_API_PASSWORD,
        api_key=BILLBEE_API_KEY,
        base_url="http://example.com",
    ),
    "cin7 credentials in the base URL": lambda: cin7_omni.Client(
        username=CIN7_USERNAME,
        api_key=CIN7_API_KEY,
        base_url=f"https://{CIN7_USERNAME}:{CIN7_API_KEY}@api.cin7.com/api",
    ),
    "formation key, missing nothing but a bad URL": lambda: formation.Client(
        api_key=FORMATION_API_KEY, base_url="ftp://x"
    ),
    "cin7 missing api_key": lambda: cin7_omni.Client(username=CIN7_USERNAME, api_key=None),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("case", list(CONFIGURATION_ERRORS))
def test_configuration_errors_never_show_credentials(case: str) -> None:
    with pytest.raises(Exception) as caught:  # noqa: PT011  (the type is checked below, per package)
        CONFIGURATION_ERRORS[case]()
    assert type(caught.value).__name__ == "ConfigurationError", repr(caught.value)
    assert scan(f"configuration error / {case}", exception_texts(caught.value)) == []


def test_token_credentials_that_break_the_schema_are_named_not_shown() -> None:
    """accountId must be a UUID: the error names the argument and where, never the credential values."""
    transport = chift.testing.MockTransport(lambda request: chift.testing.json_response(500, {}))
    with pytest.raises(chift.errors.ConfigurationError) as caught:
        chift.Client(
            client_id=CHIFT_CLIENT_ID,
            client_secret=CHIFT_CLIENT_SECRET,
            account_id="not-a-uuid-" + CHIFT_CLIENT_SECRET,
            transport=transport,
        )
    assert transport.requests == [], "credentials that break the schema were sent"
    assert "account_id" in str(caught.value)
    assert "accountId" in str(caught.value)
    assert scan("token credentials error", exception_texts(caught.value)) == []


def test_secrets_cannot_be_pickled() -> None:
    client = formation.Client(api_key=FORMATION_API_KEY)
    with pytest.raises(TypeError):
        pickle.dumps(client._auth)
    client.close()


def test_the_secret_list_is_distinctive() -> None:
    """Each secret is long and unique enough that finding it in a text cannot be a coincidence."""
    assert len(set(SECRETS)) == len(SECRETS)
    assert all(len(secret) >= 16 for secret in SECRETS)

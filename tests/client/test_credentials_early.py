"""Credentials the schema constrains are checked when the Client is constructed, not on the first call.

Chift's client credentials are exchanged for a token (the schema's ``x-token-exchange``);
the request body of that exchange (``AuthItem``) declares ``accountId`` and ``marketplaceId``
as UUIDs. A Client given anything else fails at once with a ConfigurationError that names
the argument and never shows a credential's value; nothing is ever sent.
"""

from __future__ import annotations

import pytest

from generated import chift
from tests.helpers.vendors import (
    CHIFT_ACCOUNT_ID,
    CHIFT_CLIENT_ID,
    CHIFT_CLIENT_SECRET,
    CHIFT_MARKETPLACE_ID,
    CHIFT_STATIC_TOKEN,
    assert_exception_secret_free,
)

BAD_ACCOUNT_ID = "account-42-" + CHIFT_CLIENT_SECRET
"""Not a UUID, and holding a secret: neither may appear in the error."""


def recording_transport() -> chift.testing.MockTransport:
    """A transport that records what it is asked to send (and answers 500 if it ever is)."""
    return chift.testing.MockTransport(lambda request: chift.testing.json_response(500, {}))


def test_an_account_id_that_is_not_a_uuid_fails_when_the_client_is_constructed() -> None:
    transport = recording_transport()
    with pytest.raises(chift.errors.ConfigurationError) as caught:
        chift.Client(
            client_id=CHIFT_CLIENT_ID, client_secret=CHIFT_CLIENT_SECRET, account_id=BAD_ACCOUNT_ID, transport=transport
        )

    message = str(caught.value)
    assert message == (
        "credentials that break the schema: account_id must be a UUID (sent as $.accountId to create_token)"
    )
    assert "account-42" not in message
    assert_exception_secret_free(caught.value)
    assert transport.requests == []


def test_every_credential_that_breaks_the_schema_is_named_in_one_error() -> None:
    with pytest.raises(chift.errors.ConfigurationError) as caught:
        chift.Client(
            client_id=CHIFT_CLIENT_ID,
            client_secret=CHIFT_CLIENT_SECRET,
            account_id=BAD_ACCOUNT_ID,
            marketplace_id="marketplace-7",
        )

    message = str(caught.value)
    assert "account_id must be a UUID" in message
    assert "marketplace_id must be a UUID" in message
    assert "marketplace-7" not in message
    assert_exception_secret_free(caught.value)


def test_credentials_that_fit_the_schema_construct_a_client_without_sending_anything() -> None:
    transport = recording_transport()
    client = chift.Client(
        client_id=CHIFT_CLIENT_ID,
        client_secret=CHIFT_CLIENT_SECRET,
        account_id=CHIFT_ACCOUNT_ID,
        marketplace_id=CHIFT_MARKETPLACE_ID,
        transport=transport,
    )

    assert transport.requests == []  # the token is still fetched on the first call only
    client.close()


def test_the_async_client_checks_them_when_constructed_too() -> None:
    with pytest.raises(chift.errors.ConfigurationError) as caught:
        chift.AsyncClient(client_id="i", client_secret="s", account_id="account-42")

    # A one-letter secret masks nothing it should not: only quoted values are masked.
    assert str(caught.value) == (
        "credentials that break the schema: account_id must be a UUID (sent as $.accountId to create_token)"
    )


def test_a_static_token_is_not_held_to_the_exchange_schema() -> None:
    """With ``token=``, no exchange is made: the exchange's credentials are neither needed nor checked."""
    client = chift.Client(token=CHIFT_STATIC_TOKEN, account_id="not-used", transport=recording_transport())
    client.close()


def test_a_problem_that_quotes_the_value_is_reported_without_it() -> None:
    """The validator's messages put an offending value after ", not ": it is cut, and any secret masked."""
    exchange = chift._spec.SCHEMES["bearerAuth"].exchange
    assert exchange is not None
    secret = chift._auth.Secret("enum-secret-value-1234")
    violation = chift.errors.Violation("$.accountId", "must be one of 'a', 'b', not 'enum-secret-value-1234'")

    quoted = chift.errors.Violation("$.accountId", "must be 'enum-secret-value-1234'")

    problems = [chift._core._credential_problem(exchange, {"account_id": secret}, v) for v in (violation, quoted)]

    assert problems == [
        "account_id must be one of 'a', 'b' (sent as $.accountId to create_token)",
        "account_id must be '***' (sent as $.accountId to create_token)",
    ]

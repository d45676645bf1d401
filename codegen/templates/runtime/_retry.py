"""Time limits and retry policy: immutable configuration objects a user can replace.

A retry happens only where the request was certainly not processed: the connection could
not be made (nothing was sent), or the server said so with 429 or 503. A request that
may have reached the vendor (read timeout, connection lost after sending, 500, 502, 504)
is never sent again unless its method is idempotent or it carries an idempotency key the
vendor honours (the schema's ``x-idempotency``), so a POST never creates twice.
"""

from __future__ import annotations

import email.utils
import math
import random
import time

import attrs

__all__ = [
    "DEFAULT_RETRY",
    "DEFAULT_TIMEOUT",
    "IDEMPOTENT_METHODS",
    "NO_RETRY",
    "RetryPolicy",
    "Timeout",
    "parse_retry_after",
    "seconds_left",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@attrs.frozen
class Timeout:
    """Seconds allowed to connect, to wait for each read, and for a whole attempt.

    ``total`` is a deadline for one attempt, from connecting to the last byte of the body:
    a server that answers one byte at a time cannot hold a call past it.
    """

    connect: float = 10.0
    read: float = 30.0
    total: float = 120.0


def seconds_left(deadline: float) -> float:
    """Seconds from now until ``deadline`` (a ``time.monotonic()`` value); 0.0 once it has passed."""
    return max(deadline - time.monotonic(), 0.0)


@attrs.frozen
class RetryPolicy:
    """When and how long to wait before trying a request again.

    ``max_attempts`` counts the first attempt. The wait before retry ``n`` is
    ``backoff * multiplier ** (n - 1)`` capped at ``max_backoff``, with up to ``jitter``
    of it added at random; a ``Retry-After`` from the server replaces it, capped at
    ``retry_after_cap``.
    """

    max_attempts: int = 3
    backoff: float = 0.5
    multiplier: float = 2.0
    max_backoff: float = 8.0
    jitter: float = 0.25
    retry_after_cap: float = 60.0
    retry_statuses: frozenset[int] = frozenset({429, 503})
    retry_connect_errors: bool = True
    idempotent_retry_statuses: frozenset[int] = frozenset({500, 502, 504})

    def delay(self, retry_number: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry ``retry_number`` (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.retry_after_cap)
        base = min(self.backoff * self.multiplier ** (retry_number - 1), self.max_backoff)
        return base + random.uniform(0, base * self.jitter)  # jitter, not cryptography: random is fine


DEFAULT_TIMEOUT = Timeout()
"""The time limits a Client uses unless given others."""

DEFAULT_RETRY = RetryPolicy()
"""The retry policy a Client uses unless given another."""

NO_RETRY = RetryPolicy(max_attempts=1)
"""A policy that never retries."""


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta seconds or HTTP date); None when malformed."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if math.isfinite(seconds):
        return max(seconds, 0.0)
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(moment.timestamp() - current, 0.0)

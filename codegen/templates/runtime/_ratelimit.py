"""Client-side rate limiting, for vendors whose schema declares a limit (x-rate-limit)."""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    """At most ``requests`` calls in any window of ``per_seconds``; callers wait their turn.

    It never waits itself (the clients do, blocking or with ``await``): :meth:`reserve`
    counts a call that may go now, or says how long to wait before asking again.
    """

    def __init__(self, requests: int, per_seconds: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._requests = requests
        self._window = per_seconds
        self._clock = clock
        self._sent: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """0.0 when a call may go now (it is counted); otherwise the seconds to wait before asking again."""
        with self._lock:
            now = self._clock()
            while self._sent and now - self._sent[0] >= self._window:
                self._sent.popleft()
            if len(self._sent) < self._requests:
                self._sent.append(now)
                return 0.0
            return self._window - (now - self._sent[0])

"""Client-side rate limiting, for vendors whose schema declares a limit (x-rate-limit)."""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable

__all__ = ["RateLimiter"]


class RateLimiter:
    """At most ``requests`` calls in any window of ``per_seconds``; callers wait their turn."""

    def __init__(
        self,
        requests: int,
        per_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._requests = requests
        self._window = per_seconds
        self._clock = clock
        self._sleep = sleep
        self._sent: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Wait until a call is allowed and count it; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._sent and now - self._sent[0] >= self._window:
                    self._sent.popleft()
                if len(self._sent) < self._requests:
                    self._sent.append(now)
                    return waited
                pause = self._window - (now - self._sent[0])
            self._sleep(pause)
            waited += pause

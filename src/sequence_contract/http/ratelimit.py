"""Client-side rate limit, so that the suite stays under the API's documented quota."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """A token bucket: `per_minute` requests a minute on average, bursts up to `burst`.

    `per_minute=0` disables the limit (the embedded sandbox needs none).
    """

    def __init__(
        self,
        per_minute: int,
        burst: int = 10,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_minute < 0:
            raise ValueError(f"per_minute must be >= 0, got {per_minute}")
        self.per_minute = per_minute
        self._capacity = float(max(1, burst))
        self._tokens = self._capacity
        self._clock = clock
        self._sleep = sleep
        self._last = clock()
        self._lock = threading.Lock()
        self.waited_seconds = 0.0

    def acquire(self) -> float:
        """Take one token, sleeping until one is free; return the seconds waited."""
        if self.per_minute == 0:
            return 0.0
        rate = self.per_minute / 60.0
        with self._lock:
            now = self._clock()
            self._tokens = min(self._capacity, self._tokens + (now - self._last) * rate)
            self._last = now
            wait = 0.0 if self._tokens >= 1 else (1 - self._tokens) / rate
            # The token is spent now; the refill during the wait pays the debt back.
            self._tokens -= 1
            self.waited_seconds += wait
        if wait:
            self._sleep(wait)
        return wait

"""Client-side pacing under the API's quota. It only ever slows down, with a margin: to the quota
a 429's rate-limit headers give (`RateLimit-Policy`/`RateLimit`, `RateLimit-*`, `X-RateLimit-*`)
or one estimated from the requests before a long `Retry-After`; `Remaining: 0` holds until reset."""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# Sequence documents its quota per minute: a quota without a window is taken to mean the same.
DEFAULT_WINDOW_SECONDS = 60.0
# Pace at 90 % of what the server allows: clocks and windows never line up exactly.
SAFETY = 0.9
# When only Retry-After tells the quota, the requests of the last minute estimate it; a 429
# after a handful means another client of the key spent the quota, not that it is a handful.
LOOKBACK_SECONDS = 60.0
MIN_SAMPLE = 10
MIN_LEARNING_WAIT = 2.0  # seconds of Retry-After it takes to learn a rate from one


@dataclass(frozen=True)
class Quota:
    """What a server's rate-limit headers say."""

    limit: float | None = None  # requests a window
    window: float | None = None  # seconds
    remaining: float | None = None
    reset: float | None = None  # seconds until `remaining` is replenished

    @property
    def per_minute(self) -> float | None:
        if self.limit is None or self.limit <= 0:
            return None
        return self.limit * 60.0 / (self.window or DEFAULT_WINDOW_SECONDS)


_NUMBER = r"(\d+(?:\.\d+)?)"


def read_quota(headers: Mapping[str, str]) -> Quota | None:
    """The quota in a response's headers (case-insensitive names), or None if there is none."""
    lower = {name.lower(): value for name, value in headers.items()}
    limit = _number(lower, "ratelimit-limit", "x-ratelimit-limit")
    remaining = _number(lower, "ratelimit-remaining", "x-ratelimit-remaining")
    reset = _number(lower, "ratelimit-reset", "x-ratelimit-reset")
    window = None
    policy = lower.get("ratelimit-policy", "")
    # Draft 08 and later: `"default";q=1500;w=60`; earlier ones: `1500;w=60`.
    match = re.search(rf"(?:^|[;,\s])q={_NUMBER}", policy) or re.match(rf"\s*{_NUMBER}", policy)
    if match:
        limit = limit if limit is not None else float(match.group(1))
    if match := re.search(rf"(?:^|;)\s*w={_NUMBER}", policy):
        window = float(match.group(1))
    current = lower.get("ratelimit", "")  # draft 08 and later: `"default";r=0;t=48`
    if remaining is None and (match := re.search(rf";\s*r={_NUMBER}", current)):
        remaining = float(match.group(1))
    if reset is None and (match := re.search(rf";\s*t={_NUMBER}", current)):
        reset = float(match.group(1))
    if reset is not None and reset > 1_000_000_000:
        reset = None  # an epoch timestamp (some X-RateLimit-Reset): no shared clock to read it
    if limit is None and remaining is None and reset is None:
        return None
    return Quota(limit=limit, window=window, remaining=remaining, reset=reset)


def _number(headers: Mapping[str, str], *names: str) -> float | None:
    for name in names:
        match = re.match(rf"\s*{_NUMBER}\s*$", headers.get(name, ""))
        if match:
            return float(match.group(1))
    return None


class RunWaitBudget:
    """The seconds the server's rate limit may add to a run (429 waits, holds, learned pace)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spent = 0.0
        self._lock = threading.Lock()

    def take(self, wait: float) -> bool:
        """Spend `wait` seconds of the budget, or refuse (spending nothing) if too few are left."""
        with self._lock:
            if self.spent + wait > self.seconds:
                return False
            self.spent += wait
            return True


class RateLimiter:
    """A token bucket kept as the time its next token is free: `per_minute` requests a minute on
    average (0: none until the server says), bursts up to `burst`; a known quota is also kept
    over any window."""

    def __init__(
        self,
        per_minute: int,
        burst: int = 10,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if per_minute < 0:
            raise ValueError(f"per_minute must be >= 0, got {per_minute}")
        self.per_minute: float = per_minute
        self.learned_per_minute: float | None = None
        self.throttles = 0
        # Pays for the waits the server's limit causes (holds, a taught pace); None: unbounded.
        self.budget: RunWaitBudget | None = None
        self.gave_up = False  # the budget ran out: the server's limit is no longer waited for
        self._configured = (float(per_minute), max(1, burst))
        self._burst = max(1, burst)
        self._clock = clock
        self._sleep = sleep
        self._free = clock()  # when the pace frees the next token; a burst may run ahead of it
        self._hold_until = 0.0
        self._cap: tuple[int, float] | None = None  # at most n requests in any w seconds
        self._sent: deque[float] = deque()  # when recent requests went out
        self._lock = threading.Lock()
        self.waited_seconds = 0.0

    def acquire(self, *, past_hold: bool = False) -> float:
        """Take one token, sleeping until one is free; return the seconds waited. `past_hold`: the
        caller already slept the server's hold. When the run's wait budget cannot pay for a wait
        the server's limit causes, only the configured pace is kept from then on."""
        with self._lock:
            now = self._clock()
            wait, free = self._plan(now, past_hold)
            server_paced = self.learned_per_minute is not None or self._cap is not None
            charged = wait > 0 and (server_paced or self._hold_until > now)
            if charged and self.budget is not None and not self.budget.take(wait):
                self.gave_up = True
                self.per_minute, self._burst = self._configured
                self._cap, self._hold_until = None, 0.0
                wait, free = self._plan(now, past_hold=True)
            self._free = free
            self._sent.append(now + wait)
            keep = max(LOOKBACK_SECONDS, self._cap[1] if self._cap else 0.0)
            while self._sent[0] < now + wait - keep:
                self._sent.popleft()
            self.waited_seconds += wait
        if wait:
            self._sleep(wait)
        return wait

    def _plan(self, now: float, past_hold: bool) -> tuple[float, float]:
        """The wait before the next request, and when the token after it is free."""
        at = now if past_hold else max(now, self._hold_until)
        free = self._free
        if self.per_minute:
            interval = 60.0 / self.per_minute
            free = max(free, at)
            at = max(at, free - (self._burst - 1) * interval)
            free += interval
        return at - now + self._window_wait(at), free

    def throttled(self, headers: Mapping[str, str], wait: float) -> None:
        """A 429 came back; its retry waits `wait` seconds (Retry-After or backoff): learn the
        rate, and hold every request for as long."""
        with self._lock:
            now = self._clock()
            self.throttles += 1
            if self.gave_up:
                return
            if self._sent:
                self._sent.pop()  # the refused request used no quota
            quota = read_quota(headers)
            learned = quota.per_minute if quota is not None else None
            # Retry-After in seconds, when given as a number (a date needs a shared clock).
            asked = _number({name.lower(): v for name, v in headers.items()}, "retry-after")
            # A short Retry-After says "try again now", not "slow down": it teaches no rate.
            if learned is None and asked is not None and asked >= MIN_LEARNING_WAIT:
                while self._sent and self._sent[0] < now - LOOKBACK_SECONDS:
                    self._sent.popleft()
                if len(self._sent) >= MIN_SAMPLE:
                    learned = len(self._sent) * 60.0 / (now - self._sent[0] + asked)
                if learned is not None and self.learned_per_minute is not None:
                    # A long wait despite the learned pace: the estimate was too high.
                    learned = min(learned, self.per_minute / 2 / SAFETY)
            self._learn(quota, learned)
            self._hold_until = max(self._hold_until, now + wait)

    def observe(self, headers: Mapping[str, str]) -> None:
        """Any answer: when its headers say the quota is used up, wait for the reset."""
        quota = read_quota(headers)
        if self.gave_up or quota is None or quota.remaining is None or quota.remaining > 0:
            return
        with self._lock:
            self._learn(quota, quota.per_minute)
            if quota.reset:
                self._hold_until = max(self._hold_until, self._clock() + quota.reset)

    def note(self) -> str | None:
        """What the server taught the pacing, for the closing note; None if nothing."""
        if self.gave_up and self.budget is not None:
            return (
                f"pacing: gave up waiting for the server's rate limit after "
                f"{self.budget.spent:.0f} s (--max-run-wait {self.budget.seconds:g} s); "
                f"{self.throttles} 429 answer(s)"
            )
        if self.learned_per_minute is None:
            return None
        return (
            f"pacing: the server allows about {self.learned_per_minute:.0f}/min; "
            f"paced at {self.per_minute:.0f}/min after {self.throttles} 429 answer(s)"
        )

    def _window_wait(self, at: float) -> float:
        """Seconds past `at` until the known quota's window has room for one more request."""
        if self._cap is None:
            return 0.0
        limit, window = self._cap
        recent = [sent for sent in self._sent if sent > at - window]
        if len(recent) < limit:
            return 0.0
        return recent[len(recent) - limit] + window - at

    def _learn(self, quota: Quota | None, per_minute: float | None) -> None:
        """Slow down to `per_minute` (never speed up), and keep a known quota over its window:
        after a burst the window may free up more slowly than the average rate."""
        if quota is not None and quota.limit is not None and quota.limit > 0:
            cap = (max(1, int(quota.limit * SAFETY)), quota.window or DEFAULT_WINDOW_SECONDS)
            if self._cap is None or cap[0] / cap[1] < self._cap[0] / self._cap[1]:
                self._cap = cap
        if per_minute and (not self.per_minute or per_minute * SAFETY < self.per_minute):
            self.per_minute = per_minute * SAFETY
            self.learned_per_minute = per_minute
            # From now on no bursts: the quota is known to be tight.
            self._burst = 1

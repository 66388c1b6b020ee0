"""Retries that are safe for a contract suite, on urllib3's Retry machinery: a 429 is repeated
for any method (the server did not act), 502/503/504 and dropped connections only for idempotent
ones, a refused connection for all (nothing was sent), a timeout or failed DNS lookup never. A
wait that would break its budget (`run_wait_seconds` for 429s, `max_wait_seconds` per request for
the rest) is not waited: the request gives up at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from urllib3.exceptions import (
    ConnectTimeoutError,
    InvalidHeader,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
    ResponseError,
)
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from sequence_contract.http.budget import RequestBudget
from sequence_contract.http.ratelimit import RateLimiter, RunWaitBudget

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the suite tries before calling a failure "environment".

    `attempts`: retries after the first try. `max_wait_seconds`: the longest one request may
    wait before its retries of 5xx answers and dropped connections. `run_wait_seconds`: the
    longest the whole run may wait out the server's rate limit.
    """

    attempts: int = 5
    backoff_seconds: float = 0.5
    max_wait_seconds: float = 30.0
    run_wait_seconds: float = 600.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.attempts < 0:
            raise ValueError(f"attempts must be >= 0, got {self.attempts}")
        if min(self.backoff_seconds, self.max_wait_seconds, self.run_wait_seconds) < 0:
            raise ValueError("backoff_seconds, max_wait_seconds and run_wait_seconds must be >= 0")


@dataclass
class Attempt:
    """The tries of one request: the causes of its retries and its waits."""

    causes: list[str] = field(default_factory=list)
    waited: float = 0.0  # before retries
    paced: float = 0.0  # by the client-side rate limit, first try and retries
    next_wait: float = 0.0  # decided by a retry's increment(), slept by its sleep()
    past_hold: bool = False  # the retry slept the server's Retry-After itself
    gave_up: str | None = None
    started: float = field(default_factory=time.monotonic)

    def note(self) -> str:
        """How hard the session tried, for the end of an environment message."""
        note = (
            f" after {len(self.causes)} retries ({self.waited:.1f} s waited)" if self.causes else ""
        )
        return note + (f"; {self.gave_up}" if self.gave_up else "")

    def counts(self) -> dict[str, Any]:
        """The fields of the request's `Exchange` that its tries fill in."""
        return {
            "elapsed_seconds": time.monotonic() - self.started,
            "retry_causes": tuple(self.causes),
            "waited_seconds": self.paced + self.waited,
            "paced_seconds": self.paced,
        }


class Tries:
    """Every try of a request, retries included, is charged to the run's budget and paced: each
    one spends the API's quota. One request in flight per thread."""

    def __init__(self, policy: RetryPolicy, limiter: RateLimiter, budget: RequestBudget) -> None:
        self.policy, self.limiter, self.budget = policy, limiter, budget
        # One budget for everything the server's rate limit adds to the run (--max-run-wait).
        self.wait_budget = RunWaitBudget(policy.run_wait_seconds)
        limiter.share_budget(self.wait_budget)
        self._local = threading.local()

    @property
    def attempt(self) -> Attempt:
        attempt: Attempt | None = getattr(self._local, "attempt", None)
        return attempt or Attempt()  # a request sent around `start` goes uncounted

    def start(self) -> Attempt:
        self.budget.charge()  # may refuse: BudgetSpent before anything is sent
        self._local.attempt = Attempt()
        return self.pace()

    def end(self) -> None:
        self._local.attempt = None

    def pace(self) -> Attempt:
        attempt = self.attempt
        attempt.paced += self.limiter.acquire(past_hold=attempt.past_hold)
        return attempt

    def retry(self) -> Retry:
        """The urllib3 Retry that a session's adapter uses."""
        return _ContractRetry(
            total=self.policy.attempts,  # connections, reads and statuses alike
            other=0,
            redirect=0,
            allowed_methods=IDEMPOTENT_METHODS,
            status_forcelist=frozenset({429, 502, 503, 504}),
            backoff_factor=self.policy.backoff_seconds,
            backoff_max=self.policy.max_wait_seconds,
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=False,
            tries=self,
        )


class _ContractRetry(Retry):
    def __init__(self, *args: Any, tries: Tries, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tries = tries

    def new(self, **kw: Any) -> _ContractRetry:
        # urllib3 copies the object on every attempt; carry the tries along.
        return super().new(tries=self.tries, **kw)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code == 429:
            return self.total is None or self.total > 0
        return super().is_retry(method, status_code, has_retry_after)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: Any = None,
        _stacktrace: Any = None,
    ) -> _ContractRetry:
        if isinstance(error, ReadTimeoutError):
            raise error  # requests turns it into ReadTimeout: "timed out", not retried
        if isinstance(error, NameResolutionError) or (
            isinstance(error, ConnectTimeoutError) and not isinstance(error, NewConnectionError)
        ):
            raise MaxRetryError(_pool, url or "", error) from error  # a typo stays a typo
        attempt = self.tries.attempt
        cause = _cause(response, error)
        try:
            new_retry = super().increment(method, url, response, error, _pool, _stacktrace)
        except MaxRetryError:
            raise  # every allowed retry used: the caller's message counts them
        except Exception:
            # urllib3 re-raises a read error of a method it may not repeat.
            attempt.gave_up = f"not repeated: a {method} may already have been applied"
            raise
        asked = self.get_retry_after(response) if response is not None else None
        wait = asked if asked is not None else new_retry.get_backoff_time()
        verb = "gave up" if self.history else "not retried"
        budget = self.tries.wait_budget
        if cause == "429" and not budget.take(wait):
            left = max(0.0, budget.seconds - budget.spent)
            attempt.gave_up = (
                f"{verb}: waiting {wait:g} s more would exceed the run's {budget.seconds:g} s "
                f"budget for rate-limit waits ({left:g} s left; --max-run-wait)"
            )
        elif cause != "429" and attempt.waited + wait > self.tries.policy.max_wait_seconds:
            already = f", {attempt.waited:g} s already waited" if attempt.waited else ""
            attempt.gave_up = (
                f"{verb}: waiting {wait:g} s more would exceed the "
                f"{self.tries.policy.max_wait_seconds:g} s retry budget{already} (--max-retry-wait)"
            )
        if attempt.gave_up:
            raise MaxRetryError(_pool, url or "", error or ResponseError(cause))
        if cause == "429" and response is not None:
            self.tries.limiter.throttled(dict(response.headers.items()), wait)
            attempt.past_hold = True
        attempt.causes.append(cause)
        attempt.waited += wait
        attempt.next_wait = wait
        return new_retry

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        try:
            return super().get_retry_after(response)
        except InvalidHeader:
            return None  # "Retry-After: soon" from a hostile server: fall back to backoff

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        self.tries.policy.sleep(self.tries.attempt.next_wait)
        self.tries.budget.charge(refuse=False)
        self.tries.pace()


def _cause(response: BaseHTTPResponse | None, error: Exception | None) -> str:
    """A short name for why a request is being retried, for counting."""
    if response is not None:
        return str(response.status)
    if isinstance(error, NewConnectionError):
        return "connection refused"
    return "connection dropped"

"""Retries that are safe for a contract suite, built on urllib3's Retry machinery.

- 429: the server did not act on the request, so any method may be sent again, after the
  `Retry-After` it asked for or an exponential backoff.
- 502/503/504 and dropped connections: only idempotent methods are repeated; a create is never
  blindly sent twice. A refused connection is retried for every method: nothing was sent.
- Timeouts and failed DNS lookups are not retried: the per-request timeout is the patience for
  one request (repeating it would multiply the wait), and a misspelt host stays misspelt.
- Waiting is bounded. A wait the server asks for with a 429 is honoured in full, however long,
  as long as the run's waits for 429s stay within `run_wait_seconds` (one budget for the whole
  run: a quota that frees up in 48 s is waited out, a server that answers 429 forever still
  ends the run). Other waits (5xx, backoff) are bounded per request by `max_wait_seconds`.
  When the next wait would break its budget, the policy gives up at once instead of retrying
  early and meeting the same answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

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

from sequence_contract.http.ratelimit import RunWaitBudget

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})


class RetryListener(Protocol):
    """Told about every retry a request makes, so that each one can be counted and shown."""

    def retried(self, cause: str, wait_seconds: float) -> None:
        """A retry is about to happen after waiting `wait_seconds`; `cause` is "429",
        "503", "connection refused", "connection dropped", ..."""

    def gave_up(self, reason: str) -> None:
        """No (further) retry, although the answer was retryable; `reason` says why."""

    def resending(self) -> None:
        """The wait is over and the request goes out again (a rate limiter may pace it)."""

    def throttled(self, headers: Mapping[str, str], wait_seconds: float) -> None:
        """A 429 came back with these headers; the request waits `wait_seconds` before its
        retry (so may every other request: the quota is shared)."""


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the suite tries before calling a failure "environment".

    `attempts`: retries after the first try. `max_wait_seconds`: the longest a single request
    may spend waiting between its retries for 5xx answers and dropped connections.
    `run_wait_seconds`: the longest the whole run may spend waiting out 429s.
    `sleep` is replaceable for tests.
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

    def build(
        self, listener: RetryListener | None = None, budget: RunWaitBudget | None = None
    ) -> Retry:
        """The urllib3 Retry; `budget` is the run's budget for rate-limit waits, shared with
        the rate limiter (a new one of `run_wait_seconds` if not given)."""
        return _ContractRetry(
            total=self.attempts,
            connect=self.attempts,
            read=self.attempts,
            status=self.attempts,
            other=0,
            redirect=0,
            allowed_methods=IDEMPOTENT_METHODS,
            status_forcelist=RETRY_STATUSES,
            backoff_factor=self.backoff_seconds,
            backoff_max=self.max_wait_seconds,
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=False,
            max_wait=self.max_wait_seconds,
            run_budget=budget or RunWaitBudget(self.run_wait_seconds),
            listener=listener,
            sleep_function=self.sleep,
        )


class _ContractRetry(Retry):
    def __init__(
        self,
        *args: Any,
        max_wait: float = 30.0,
        run_budget: RunWaitBudget | None = None,
        listener: RetryListener | None = None,
        sleep_function: Callable[[float], None] = time.sleep,
        waited: float = 0.0,
        next_wait: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.max_wait = max_wait
        self.run_budget = run_budget or RunWaitBudget(0.0)
        self.listener = listener
        self.sleep_function = sleep_function
        self.waited = waited  # by this request so far
        self.next_wait = next_wait  # decided by increment(), spent by sleep()

    def new(self, **kw: Any) -> _ContractRetry:
        # urllib3 copies the object on every attempt; carry our own state along.
        kw.setdefault("max_wait", self.max_wait)
        kw.setdefault("run_budget", self.run_budget)
        kw.setdefault("listener", self.listener)
        kw.setdefault("sleep_function", self.sleep_function)
        kw.setdefault("waited", self.waited)
        kw.setdefault("next_wait", self.next_wait)
        return super().new(**kw)

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
        if isinstance(error, ConnectTimeoutError) and not isinstance(error, NewConnectionError):
            raise MaxRetryError(_pool, url or "", error) from error  # -> ConnectTimeout
        if isinstance(error, NameResolutionError):
            raise MaxRetryError(_pool, url or "", error) from error  # a typo stays a typo
        cause = _cause(response, error)
        try:
            new_retry = super().increment(method, url, response, error, _pool, _stacktrace)
        except MaxRetryError:
            raise  # every allowed retry used: the caller's message counts them
        except Exception:
            # urllib3 re-raises a read error of a method it may not repeat.
            self._give_up(f"not repeated: a {method} may already have been applied")
            raise
        assert isinstance(new_retry, _ContractRetry)
        wait = new_retry._planned_wait(response)
        verb = "gave up" if self.history else "not retried"
        if cause == "429":
            if not self.run_budget.take(wait):
                left = max(0.0, self.run_budget.seconds - self.run_budget.spent)
                self._give_up(
                    f"{verb}: waiting {wait:g} s more would exceed the run's "
                    f"{self.run_budget.seconds:g} s budget for rate-limit waits "
                    f"({left:g} s left; --max-run-wait)"
                )
                raise MaxRetryError(_pool, url or "", error or ResponseError(cause))
        elif self.waited + wait > self.max_wait:
            already = f", {self.waited:g} s already waited" if self.waited else ""
            self._give_up(
                f"{verb}: waiting {wait:g} s more would exceed the {self.max_wait:g} s "
                f"retry budget{already} (--max-retry-wait)"
            )
            raise MaxRetryError(_pool, url or "", error or ResponseError(cause))
        new_retry.next_wait = wait
        new_retry.waited = self.waited + wait
        if self.listener is not None:
            if cause == "429" and response is not None:
                self.listener.throttled(dict(response.headers.items()), wait)
            self.listener.retried(cause, wait)
        return new_retry

    def _planned_wait(self, response: BaseHTTPResponse | None) -> float:
        retry_after = self.get_retry_after(response) if response is not None else None
        return retry_after if retry_after is not None else self.get_backoff_time()

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        try:
            return super().get_retry_after(response)
        except InvalidHeader:
            return None  # "Retry-After: soon" from a hostile server: fall back to backoff

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        self.sleep_function(self.next_wait)
        if self.listener is not None:
            self.listener.resending()

    def _give_up(self, reason: str) -> None:
        if self.listener is not None:
            self.listener.gave_up(reason)


def _cause(response: BaseHTTPResponse | None, error: Exception | None) -> str:
    """A short name for why a request is being retried, for counting."""
    if response is not None:
        return str(response.status)
    if isinstance(error, NewConnectionError):
        return "connection refused"
    return "connection dropped"

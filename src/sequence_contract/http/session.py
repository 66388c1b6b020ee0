"""`ContractSession`: a requests.Session with a default timeout, a client-side rate limit,
safe retries, and a record of every exchange.

Whatever the network does, a request ends in one of two ways: a response the contract checks
may judge, or an `EnvironmentProblem` (unreachable, timed out, rate limited or unavailable
beyond the retry budget) that the suite reports apart from contract failures.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from sequence_contract.http.budget import RequestBudget
from sequence_contract.http.errors import (
    RateLimitExhausted,
    RequestTimedOut,
    ServiceUnavailable,
    TargetUnreachable,
)
from sequence_contract.http.exchange import Exchange, TrafficLog
from sequence_contract.http.ratelimit import RateLimiter, RunWaitBudget
from sequence_contract.http.reasons import connection_reason, is_timeout
from sequence_contract.http.retry import RetryPolicy

UNAVAILABLE_STATUSES = frozenset({502, 503, 504})
# Every way requests reports that no (whole) response came back. A timeout while a streamed
# body is read arrives as a ConnectionError; is_timeout() tells it apart.
NETWORK_FAILURES = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.RetryError,
)


@dataclass
class _Attempt:
    """The retries and waits of the request in flight on this thread."""

    causes: list[str] = field(default_factory=list)
    waited: float = 0.0  # before retries
    paced: float = 0.0  # by the client-side rate limit, first try and retries
    gave_up: str | None = None


class _AttemptTracker(threading.local):
    """Receives retry events (a RetryListener) for the request in flight on each thread, and
    paces every try, retries included: each one counts against the API's quota."""

    attempt: _Attempt | None = None
    # The request in flight on this thread slept the server's Retry-After in its retry.
    waited_out_hold = False

    def __init__(self, limiter: RateLimiter, budget: RequestBudget) -> None:
        self.limiter = limiter
        self.budget = budget

    def start(self) -> _Attempt:
        self.budget.charge()  # may refuse: BudgetSpent before anything is sent
        self.attempt = _Attempt()
        self.waited_out_hold = False
        self._pace()
        return self.attempt

    def resending(self) -> None:
        self.budget.charge(refuse=False)
        self._pace()

    def _pace(self) -> None:
        waited = self.limiter.acquire(past_hold=self.waited_out_hold)
        if self.attempt is not None:
            self.attempt.paced += waited

    def retried(self, cause: str, wait_seconds: float) -> None:
        if self.attempt is not None:
            self.attempt.causes.append(cause)
            self.attempt.waited += wait_seconds

    def gave_up(self, reason: str) -> None:
        if self.attempt is not None:
            self.attempt.gave_up = reason

    def throttled(self, headers: Mapping[str, str], wait_seconds: float) -> None:
        self.limiter.throttled(headers, wait_seconds)
        self.waited_out_hold = True


class ContractSession(requests.Session):
    """Every request of the suite goes through here (schemathesis gets it as `session=`)."""

    def __init__(
        self,
        *,
        timeout_seconds: float = 30.0,
        rate_limiter: RateLimiter | None = None,
        retry_policy: RetryPolicy | None = None,
        traffic: TrafficLog | None = None,
        budget: RequestBudget | None = None,
    ) -> None:
        super().__init__()
        self.timeout_seconds = timeout_seconds
        self.rate_limiter = rate_limiter or RateLimiter(per_minute=0)
        self.retry_policy = retry_policy or RetryPolicy()
        self.traffic = traffic if traffic is not None else TrafficLog()
        self.budget = budget or RequestBudget()
        self._tracker = _AttemptTracker(self.rate_limiter, self.budget)
        # One budget for everything the server's rate limit adds to the run (--max-run-wait).
        self.wait_budget = RunWaitBudget(self.retry_policy.run_wait_seconds)
        self.rate_limiter.share_budget(self.wait_budget)
        adapter = HTTPAdapter(max_retries=self.retry_policy.build(self._tracker, self.wait_budget))
        self.mount("http://", adapter)
        self.mount("https://", adapter)
        # Entered while a request waits for its pace, the network and its retries: the suite
        # lets its other threads run Python there (suite/inflight.py).
        self.network_wait: Callable[[], AbstractContextManager[object]] = nullcontext

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout_seconds)
        # Redirects would hide what the API really answered; a contract test wants the first reply.
        kwargs.setdefault("allow_redirects", False)
        verb = (method.decode() if isinstance(method, bytes) else method).upper()
        url_text = url.decode() if isinstance(url, bytes) else url
        where = f"{verb} {url_text}"
        started = time.monotonic()
        with self.network_wait():
            attempt = self._tracker.start()
            try:
                response = super().request(method, url, *args, **kwargs)
                # Read the body here even when streaming (schemathesis streams): a body cut off
                # mid-way is a network failure, to be reported as one.
                response.content  # noqa: B018
            except NETWORK_FAILURES as exc:
                if is_timeout(exc):
                    self._record_error(verb, url_text, started, attempt, "timed out")
                    phase, limit = _timeout_phase(exc), _seconds(kwargs["timeout"])
                    raise RequestTimedOut(
                        f"{where}: timed out: {phase} within {limit} s (--request-timeout)"
                    ) from exc
                self._record_error(verb, url_text, started, attempt, "unreachable")
                raise TargetUnreachable(
                    f"{where}: {connection_reason(exc)}{_retry_note(attempt)}"
                ) from exc
            finally:
                self._tracker.attempt = None
        self.rate_limiter.observe(response.headers)
        self.traffic.record(
            Exchange(
                method=verb,
                url=response.request.url or url_text,
                request_headers=dict(response.request.headers),
                request_body=_as_bytes(response.request.body),
                status=response.status_code,
                response_headers=dict(response.headers),
                response_body=response.content,
                elapsed_seconds=time.monotonic() - started,
                retries=len(attempt.causes),
                waited_seconds=attempt.paced + attempt.waited,
                paced_seconds=attempt.paced,
                retry_causes=tuple(attempt.causes),
            )
        )
        if response.status_code == 429:
            raise RateLimitExhausted(
                f"{where}: still 429 Too Many Requests{_retry_note(attempt)}; "
                "lower --rate-limit, raise --max-run-wait or retry later"
            )
        if response.status_code in UNAVAILABLE_STATUSES:
            raise ServiceUnavailable(
                f"{where}: {response.status_code} {response.reason or 'unavailable'} "
                f"(a gateway or overload answer, not the API's){_retry_note(attempt)}"
            )
        return response

    def _record_error(
        self, verb: str, url: str, started: float, attempt: _Attempt, error: str
    ) -> None:
        self.traffic.record(
            Exchange(
                method=verb,
                url=url,
                request_headers={},
                request_body=None,
                status=None,
                response_headers={},
                response_body=b"",
                elapsed_seconds=time.monotonic() - started,
                retries=len(attempt.causes),
                waited_seconds=attempt.paced + attempt.waited,
                paced_seconds=attempt.paced,
                retry_causes=tuple(attempt.causes),
                error=error,
            )
        )


def _retry_note(attempt: _Attempt) -> str:
    """How hard the session tried, for the end of an environment message."""
    note = ""
    if attempt.causes:
        note = f" after {len(attempt.causes)} retries ({attempt.waited:.1f} s waited)"
    if attempt.gave_up:
        note += f"; {attempt.gave_up}"
    return note


def _seconds(timeout: object) -> str:
    """`30`, `0.5`, or `(5, 30)` for a (connect, read) pair, as given to requests."""
    if isinstance(timeout, int | float):
        return f"{timeout:g}"
    return str(timeout)


def _timeout_phase(exc: Exception) -> str:
    if isinstance(exc, requests.ConnectTimeout):
        return "no connection"
    return "no answer"


def _as_bytes(body: object) -> bytes | None:
    if body is None:
        return None
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return None  # a stream or file: not kept

"""`ContractSession`: a requests.Session with a default timeout, client-side pacing, budgeted
retries and a record of every exchange. A request ends in a response the checks may judge, or in
an `EnvironmentProblem` the suite reports apart from contract failures."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import InvalidHeader, NameResolutionError, NewConnectionError, ProtocolError
from urllib3.util.retry import Retry

from sequence_contract.errors import error_behind
from sequence_contract.http.budget import RequestBudget
from sequence_contract.http.errors import (
    EnvironmentProblem,
    RateLimitExhausted,
    RequestTimedOut,
    ServiceUnavailable,
    TargetUnreachable,
    connection_reason,
    is_timeout,
)
from sequence_contract.http.exchange import Exchange, TrafficLog
from sequence_contract.http.ratelimit import RateLimiter, RunWaitBudget

DEFAULT_HEADERS = requests.utils.default_headers()
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
UNAVAILABLE = (502, 503, 504)
# Every way requests reports that no (whole) response came back. A timeout while a streamed
# body is read arrives as a ConnectionError; is_timeout() tells it apart.
NETWORK_FAILURES = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the suite tries before calling a failure "environment": `attempts` retries, at
    most `max_wait_seconds` of waits per request (5xx, dropped connections) and
    `run_wait_seconds` per run for the server's rate limit."""

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

    def backoff(self, retry: int) -> float:
        """urllib3's schedule: none before the first retry, then doubling up to the maximum."""
        return (
            0.0
            if retry <= 1
            else min(self.max_wait_seconds, self.backoff_seconds * 2 ** (retry - 1))
        )


@dataclass
class _Tries:
    """One request's tries so far: why each was repeated, the waits, and why they stopped."""

    verb: str
    causes: list[str] = field(default_factory=list)
    waited: float = 0.0  # before retries
    paced: float = 0.0  # client-side rate limit
    past_hold: bool = False
    gave_up: str = ""

    def note(self) -> str:
        note = (
            f" after {len(self.causes)} retries ({self.waited:.1f} s waited)" if self.causes else ""
        )
        return note + (f"; {self.gave_up}" if self.gave_up else "")


class ContractSession(requests.Session):
    """Every request of the suite goes through here (schemathesis gets it as `session=`).
    Every try, retries included, is charged to the budget and paced: each spends the API's quota.
    """

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
        # One budget for everything the server's rate limit adds to the run (--max-run-wait).
        self.wait_budget = RunWaitBudget(self.retry_policy.run_wait_seconds)
        self.rate_limiter.budget = self.wait_budget
        # Entered while a request waits for its pace, the network and its retries: the suite
        # lets its other threads run Python there (suite/inflight.py).
        self.network_wait: Callable[[], AbstractContextManager[object]] = nullcontext

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout_seconds)
        # Redirects would hide what the API really answered; a contract test wants the first reply.
        kwargs.setdefault("allow_redirects", False)
        # schemathesis empties `session.headers` while it sends a case; a request another thread
        # sends meanwhile must still go out with the same default headers.
        headers = CaseInsensitiveDict(DEFAULT_HEADERS)
        headers.update(kwargs.get("headers") or {})
        kwargs["headers"] = headers
        verb = (method.decode() if isinstance(method, bytes) else method).upper()
        url_text = url.decode() if isinstance(url, bytes) else url
        tries, started = _Tries(verb), time.monotonic()
        with self.network_wait():
            self.budget.charge()  # may refuse: BudgetSpent before anything is sent
            while True:
                tries.paced += self.rate_limiter.acquire(past_hold=tries.past_hold)
                response, error = self._send(method, url, *args, **kwargs)
                wait = self._next_wait(tries, response, error)
                if wait is None:
                    break
                self.retry_policy.sleep(wait)
                self.budget.charge(refuse=False)
        counts: dict[str, Any] = {
            "elapsed_seconds": time.monotonic() - started,
            "retry_causes": tuple(tries.causes),
            "waited_seconds": tries.paced + tries.waited,
            "paced_seconds": tries.paced,
        }
        where = f"{verb} {url_text}"
        if error is not None:
            timed_out = is_timeout(error)
            outcome = "timed out" if timed_out else "unreachable"
            self.traffic.record(Exchange(verb, url_text, error=outcome, **counts))
            raise _no_answer(where, error, kwargs["timeout"], tries.note()) from error
        assert response is not None
        self.rate_limiter.observe(response.headers)
        self.traffic.record(Exchange.of(response, **counts))
        if response.status_code == 429:
            raise RateLimitExhausted(
                f"{where}: still 429 Too Many Requests{tries.note()}; "
                "lower --rate-limit, raise --max-run-wait or retry later"
            )
        if response.status_code in UNAVAILABLE:
            raise ServiceUnavailable(
                f"{where}: {response.status_code} {response.reason or 'unavailable'} "
                f"(a gateway or overload answer, not the API's){tries.note()}"
            )
        return response

    def _send(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> tuple[requests.Response | None, BaseException | None]:
        try:
            response = super().request(method, url, *args, **kwargs)
            # Read the body here even when streaming (schemathesis streams): a body cut off
            # mid-way is a network failure, to be reported as one.
            response.content  # noqa: B018
        except NETWORK_FAILURES as exc:
            return None, exc
        return response, None

    def _next_wait(
        self, tries: _Tries, response: requests.Response | None, error: BaseException | None
    ) -> float | None:
        """The wait before the next try, or None when this one stands. A 429 is repeated for any
        method (the server did not act), 502/503/504 and dropped connections for idempotent ones,
        a refused connection for all (nothing was sent), a timeout or failed DNS lookup never."""
        policy, verb = self.retry_policy, tries.verb
        cause = _retry_cause(verb, response, error)
        if cause == "connection dropped" and verb not in IDEMPOTENT_METHODS:
            tries.gave_up = f"not repeated: a {verb} may already have been applied"
        if tries.gave_up or cause is None or len(tries.causes) == policy.attempts:
            return None
        wait = _retry_after(response)
        wait = policy.backoff(len(tries.causes) + 1) if wait is None else wait
        tries.gave_up = self._beyond_patience(tries, cause, wait)
        if tries.gave_up:
            return None
        if response is not None and cause == "429":
            self.rate_limiter.throttled(dict(response.headers.items()), wait)
            tries.past_hold = True
        tries.causes.append(cause)
        tries.waited += wait
        return wait

    def _beyond_patience(self, tries: _Tries, cause: str, wait: float) -> str:
        """Why waiting `wait` s more is too much ("" when it is not); a 429's wait is taken."""
        given_up = "gave up" if tries.causes else "not retried"
        budget, limit = self.wait_budget, self.retry_policy.max_wait_seconds
        if cause == "429" and not budget.take(wait):
            left = max(0.0, budget.seconds - budget.spent)
            return (
                f"{given_up}: waiting {wait:g} s more would exceed the run's "
                f"{budget.seconds:g} s budget for rate-limit waits ({left:g} s left; "
                "--max-run-wait)"
            )
        if cause != "429" and tries.waited + wait > limit:
            already = f", {tries.waited:g} s already waited" if tries.waited else ""
            return (
                f"{given_up}: waiting {wait:g} s more would exceed the "
                f"{limit:g} s retry budget{already} (--max-retry-wait)"
            )
        return ""


def _no_answer(where: str, error: BaseException, timeout: Any, note: str) -> EnvironmentProblem:
    if not is_timeout(error):
        return TargetUnreachable(f"{where}: {connection_reason(error)}{note}")
    phase = "no connection" if isinstance(error, requests.ConnectTimeout) else "no answer"
    limit = f"{timeout:g}" if isinstance(timeout, int | float) else str(timeout)
    return RequestTimedOut(f"{where}: timed out: {phase} within {limit} s (--request-timeout)")


def _retry_cause(
    verb: str, response: requests.Response | None, error: BaseException | None
) -> str | None:
    """Why this try may be repeated ("429", "503", "connection refused", ...), or None."""
    if response is not None:
        status = response.status_code
        if status == 429 or (status in UNAVAILABLE and verb in IDEMPOTENT_METHODS):
            return str(status)
        return None
    if error is None or is_timeout(error) or error_behind(error, NameResolutionError):
        return None  # a timeout may have been applied; a typo stays a typo
    if error_behind(error, NewConnectionError):
        return "connection refused"
    if isinstance(error, requests.ConnectionError) and error_behind(error, ProtocolError):
        return "connection dropped"
    return None


def _retry_after(response: requests.Response | None) -> float | None:
    value = response.headers.get("Retry-After") if response is not None else None
    try:
        return None if value is None else float(Retry().parse_retry_after(value))
    except InvalidHeader:
        return None  # "Retry-After: soon" from a hostile server: fall back to backoff

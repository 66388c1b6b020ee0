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
from urllib3.exceptions import InvalidHeader, NameResolutionError, NewConnectionError, ProtocolError
from urllib3.util.retry import Retry

from sequence_contract.errors import error_behind
from sequence_contract.http.budget import RequestBudget
from sequence_contract.http.errors import (
    RateLimitExhausted,
    RequestTimedOut,
    ServiceUnavailable,
    TargetUnreachable,
    connection_reason,
    is_timeout,
)
from sequence_contract.http.exchange import Exchange, TrafficLog
from sequence_contract.http.ratelimit import RateLimiter, RunWaitBudget

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
        verb = (method.decode() if isinstance(method, bytes) else method).upper()
        url_text = url.decode() if isinstance(url, bytes) else url
        where = f"{verb} {url_text}"
        policy, started = self.retry_policy, time.monotonic()
        causes: list[str] = []
        waited = paced = 0.0
        past_hold, gave_up = False, ""
        with self.network_wait():
            self.budget.charge()  # may refuse: BudgetSpent before anything is sent
            while True:
                paced += self.rate_limiter.acquire(past_hold=past_hold)
                response, error = None, None
                try:
                    response = super().request(method, url, *args, **kwargs)
                    # Read the body here even when streaming (schemathesis streams): a body cut
                    # off mid-way is a network failure, to be reported as one.
                    response.content  # noqa: B018
                except NETWORK_FAILURES as exc:
                    error = exc
                # A 429 is repeated for any method (the server did not act), 502/503/504 and
                # dropped connections for idempotent ones, a refused connection for all (nothing
                # was sent), a timeout or failed DNS lookup never.
                cause = _retry_cause(verb, response, error)
                if cause == "connection dropped" and verb not in IDEMPOTENT_METHODS:
                    gave_up = f"not repeated: a {verb} may already have been applied"
                if gave_up or cause is None or len(causes) == policy.attempts:
                    break
                wait = _retry_after(response)
                wait = policy.backoff(len(causes) + 1) if wait is None else wait
                verb_given_up = "gave up" if causes else "not retried"
                budget = self.wait_budget
                if cause == "429" and not budget.take(wait):
                    left = max(0.0, budget.seconds - budget.spent)
                    gave_up = (
                        f"{verb_given_up}: waiting {wait:g} s more would exceed the run's "
                        f"{budget.seconds:g} s budget for rate-limit waits ({left:g} s left; "
                        "--max-run-wait)"
                    )
                elif cause != "429" and waited + wait > policy.max_wait_seconds:
                    already = f", {waited:g} s already waited" if waited else ""
                    gave_up = (
                        f"{verb_given_up}: waiting {wait:g} s more would exceed the "
                        f"{policy.max_wait_seconds:g} s retry budget{already} (--max-retry-wait)"
                    )
                if gave_up:
                    break
                if response is not None and cause == "429":
                    self.rate_limiter.throttled(dict(response.headers.items()), wait)
                    past_hold = True
                causes.append(cause)
                waited += wait
                policy.sleep(wait)
                self.budget.charge(refuse=False)
        counts: dict[str, Any] = {
            "elapsed_seconds": time.monotonic() - started,
            "retry_causes": tuple(causes),
            "waited_seconds": paced + waited,
            "paced_seconds": paced,
        }
        note = f" after {len(causes)} retries ({waited:.1f} s waited)" if causes else ""
        note += f"; {gave_up}" if gave_up else ""
        if error is not None:
            timed_out = is_timeout(error)
            self.traffic.record(
                Exchange(
                    verb, url_text, error="timed out" if timed_out else "unreachable", **counts
                )
            )
            if not timed_out:
                raise TargetUnreachable(f"{where}: {connection_reason(error)}{note}") from error
            phase = "no connection" if isinstance(error, requests.ConnectTimeout) else "no answer"
            limit = kwargs["timeout"]
            limit = f"{limit:g}" if isinstance(limit, int | float) else str(limit)
            raise RequestTimedOut(
                f"{where}: timed out: {phase} within {limit} s (--request-timeout)"
            ) from error
        assert response is not None
        self.rate_limiter.observe(response.headers)
        self.traffic.record(Exchange.of(response, **counts))
        if response.status_code == 429:
            raise RateLimitExhausted(
                f"{where}: still 429 Too Many Requests{note}; "
                "lower --rate-limit, raise --max-run-wait or retry later"
            )
        if response.status_code in UNAVAILABLE:
            raise ServiceUnavailable(
                f"{where}: {response.status_code} {response.reason or 'unavailable'} "
                f"(a gateway or overload answer, not the API's){note}"
            )
        return response


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

"""`ContractSession`: a requests.Session with a default timeout, a client-side rate limit, safe
retries and a record of every exchange. A request ends in a response the checks may judge, or in
an `EnvironmentProblem` the suite reports apart from contract failures.

Retries, on urllib3's Retry: a 429 is repeated for any method (the server did not act),
502/503/504 and dropped connections only for idempotent ones, a refused connection for all
(nothing was sent), a timeout or failed DNS lookup never. A wait that would break its budget
(`run_wait_seconds` for 429s, `max_wait_seconds` per request for the rest) gives up at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter
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
# Every way requests reports that no (whole) response came back. A timeout while a streamed
# body is read arrives as a ConnectionError; is_timeout() tells it apart.
NETWORK_FAILURES = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.RetryError,
)


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
        self.retry_policy = policy = retry_policy or RetryPolicy()
        self.traffic = traffic if traffic is not None else TrafficLog()
        self.budget = budget or RequestBudget()
        # One budget for everything the server's rate limit adds to the run (--max-run-wait).
        self.wait_budget = RunWaitBudget(policy.run_wait_seconds)
        self.rate_limiter.share_budget(self.wait_budget)
        self._local = threading.local()  # the attempt of this thread's request in flight
        retry = _ContractRetry(
            total=policy.attempts,  # connections, reads and statuses alike
            other=0,
            redirect=0,
            allowed_methods=IDEMPOTENT_METHODS,
            status_forcelist=frozenset({429, 502, 503, 504}),
            backoff_factor=policy.backoff_seconds,
            backoff_max=policy.max_wait_seconds,
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=False,
            session=self,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.mount("http://", adapter)
        self.mount("https://", adapter)
        # Entered while a request waits for its pace, the network and its retries: the suite
        # lets its other threads run Python there (suite/inflight.py).
        self.network_wait: Callable[[], AbstractContextManager[object]] = nullcontext

    @property
    def attempt(self) -> Attempt:
        attempt: Attempt | None = getattr(self._local, "attempt", None)
        return attempt or Attempt()  # a request sent around `request` goes uncounted

    def pace(self) -> None:
        attempt = self.attempt
        attempt.paced += self.rate_limiter.acquire(past_hold=attempt.past_hold)

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout_seconds)
        # Redirects would hide what the API really answered; a contract test wants the first reply.
        kwargs.setdefault("allow_redirects", False)
        verb = (method.decode() if isinstance(method, bytes) else method).upper()
        url_text = url.decode() if isinstance(url, bytes) else url
        where = f"{verb} {url_text}"
        with self.network_wait():
            self.budget.charge()  # may refuse: BudgetSpent before anything is sent
            self._local.attempt = attempt = Attempt()
            self.pace()
            try:
                response = super().request(method, url, *args, **kwargs)
                # Read the body here even when streaming (schemathesis streams): a body cut off
                # mid-way is a network failure, to be reported as one.
                response.content  # noqa: B018
            except NETWORK_FAILURES as exc:
                error = "timed out" if is_timeout(exc) else "unreachable"
                self.traffic.record(Exchange(verb, url_text, error=error, **attempt.counts()))
                if error == "unreachable":
                    raise TargetUnreachable(
                        f"{where}: {connection_reason(exc)}{attempt.note()}"
                    ) from exc
                phase = "no connection" if isinstance(exc, requests.ConnectTimeout) else "no answer"
                limit = kwargs["timeout"]
                limit = f"{limit:g}" if isinstance(limit, int | float) else str(limit)
                raise RequestTimedOut(
                    f"{where}: timed out: {phase} within {limit} s (--request-timeout)"
                ) from exc
            finally:
                self._local.attempt = None
        self.rate_limiter.observe(response.headers)
        self.traffic.record(Exchange.of(response, **attempt.counts()))
        if response.status_code == 429:
            raise RateLimitExhausted(
                f"{where}: still 429 Too Many Requests{attempt.note()}; "
                "lower --rate-limit, raise --max-run-wait or retry later"
            )
        if response.status_code in (502, 503, 504):
            raise ServiceUnavailable(
                f"{where}: {response.status_code} {response.reason or 'unavailable'} "
                f"(a gateway or overload answer, not the API's){attempt.note()}"
            )
        return response


class _ContractRetry(Retry):
    def __init__(self, *args: Any, session: ContractSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.session = session

    def new(self, **kw: Any) -> _ContractRetry:
        # urllib3 copies the object on every attempt; carry the session along.
        return super().new(session=self.session, **kw)

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
        session, attempt = self.session, self.session.attempt
        if response is not None:
            cause = str(response.status)
        else:
            refused = isinstance(error, NewConnectionError)
            cause = "connection refused" if refused else "connection dropped"
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
        budget, most = session.wait_budget, session.retry_policy.max_wait_seconds
        if cause == "429" and not budget.take(wait):
            left = max(0.0, budget.seconds - budget.spent)
            attempt.gave_up = (
                f"{verb}: waiting {wait:g} s more would exceed the run's {budget.seconds:g} s "
                f"budget for rate-limit waits ({left:g} s left; --max-run-wait)"
            )
        elif cause != "429" and attempt.waited + wait > most:
            already = f", {attempt.waited:g} s already waited" if attempt.waited else ""
            attempt.gave_up = (
                f"{verb}: waiting {wait:g} s more would exceed the "
                f"{most:g} s retry budget{already} (--max-retry-wait)"
            )
        if attempt.gave_up:
            raise MaxRetryError(_pool, url or "", error or ResponseError(cause))
        if cause == "429" and response is not None:
            session.rate_limiter.throttled(dict(response.headers.items()), wait)
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
        self.session.retry_policy.sleep(self.session.attempt.next_wait)
        self.session.budget.charge(refuse=False)
        self.session.pace()

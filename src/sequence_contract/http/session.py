"""`ContractSession`: a requests.Session with a default timeout, a client-side rate limit, safe
retries, and a record of every exchange.

Whatever the network does, a request ends in a response the contract checks may judge, or in an
`EnvironmentProblem` that the suite reports apart from contract failures.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import requests
from requests.adapters import HTTPAdapter

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
from sequence_contract.http.ratelimit import RateLimiter
from sequence_contract.http.retry import RetryPolicy, Tries

# Every way requests reports that no (whole) response came back. A timeout while a streamed
# body is read arrives as a ConnectionError; is_timeout() tells it apart.
NETWORK_FAILURES = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.RetryError,
)


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
        self._tries = Tries(self.retry_policy, self.rate_limiter, self.budget)
        adapter = HTTPAdapter(max_retries=self._tries.retry())
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
        with self.network_wait():
            attempt = self._tries.start()
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
                self._tries.end()
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

"""Retries that are safe for a contract suite, built on urllib3's Retry machinery.

- 429: the server did not act on the request, so any method may be sent again, after the
  `Retry-After` it asked for (capped) or an exponential backoff.
- 502/503/504 and dropped connections: only idempotent methods are repeated; a create is never
  blindly sent twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How hard the suite tries before calling a failure "environment"."""

    attempts: int = 5
    backoff_seconds: float = 0.5
    max_wait_seconds: float = 30.0

    def build(self, on_wait: Callable[[float], None] | None = None) -> Retry:
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
            on_wait=on_wait,
        )


class _ContractRetry(Retry):
    def __init__(
        self,
        *args: Any,
        max_wait: float = 30.0,
        on_wait: Callable[[float], None] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.max_wait = max_wait
        self.on_wait = on_wait

    def new(self, **kw: Any) -> _ContractRetry:
        # urllib3 copies the object on every attempt; carry our own settings along.
        kw.setdefault("max_wait", self.max_wait)
        kw.setdefault("on_wait", self.on_wait)
        return super().new(**kw)

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code == 429:
            return self.total is None or self.total > 0
        return super().is_retry(method, status_code, has_retry_after)

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, self.max_wait)

    def get_backoff_time(self) -> float:
        return min(super().get_backoff_time(), self.max_wait)

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        seconds = self.get_retry_after(response) if response is not None else None
        if seconds is None:
            seconds = self.get_backoff_time()
        if self.on_wait is not None:
            self.on_wait(seconds)
        super().sleep(response)

"""What was sent and what came back, kept for reports and coverage."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Exchange:
    """One request and its final response (after retries), as seen on the wire; `error` is set
    when no response came back."""

    method: str
    url: str
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: bytes | None = None
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: bytes = b""
    elapsed_seconds: float = 0.0
    waited_seconds: float = 0.0  # the client-side rate limit (`paced_seconds`) and retry waits
    error: str | None = None
    paced_seconds: float = 0.0
    retry_causes: tuple[str, ...] = ()  # "429", "503", "connection dropped", ...

    @property
    def retries(self) -> int:
        return len(self.retry_causes)

    @classmethod
    def of(cls, response: Any, **fields: Any) -> Exchange:
        """The exchange behind a `requests` response or a schemathesis one (whose headers are
        lists and whose elapsed time is a float); `fields` set the rest."""
        request, elapsed = response.request, response.elapsed
        body = request.body.encode() if isinstance(request.body, str) else request.body
        seen: dict[str, Any] = {
            "method": (request.method or "").upper(),
            "url": request.url or "",
            "request_headers": dict(request.headers),
            "request_body": body if isinstance(body, bytes) else None,  # a stream is not kept
            "status": response.status_code,
            "response_headers": {
                name: ", ".join(value) if isinstance(value, list) else value
                for name, value in response.headers.items()
            },
            "response_body": response.content,
            "elapsed_seconds": elapsed if isinstance(elapsed, float) else elapsed.total_seconds(),
        }
        return cls(**(seen | fields))

    def __repr__(self) -> str:
        # Short on purpose: headers and bodies carry credentials, and pytest prints the repr of
        # every local variable with --showlocals.
        outcome = self.status if self.status is not None else self.error
        return f"<Exchange {self.method} {self.url.split('?')[0]} -> {outcome}>"


@dataclass
class TrafficLog:
    """Every exchange of the run, counted; the exchanges of the current test, kept apart."""

    total_requests: int = 0
    total_retries: int = 0
    total_wait_seconds: float = 0.0
    total_paced_seconds: float = 0.0
    retry_causes: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    current: list[Exchange] = field(default_factory=list, repr=False)
    all_exchanges: list[Exchange] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _collectors: dict[int, list[Exchange]] = field(default_factory=dict, repr=False)

    def record(self, exchange: Exchange) -> None:
        with self._lock:
            self.total_requests += 1 + exchange.retries
            self.total_retries += exchange.retries
            self.total_wait_seconds += exchange.waited_seconds
            self.total_paced_seconds += exchange.paced_seconds
            self.retry_causes.update(exchange.retry_causes)
            if exchange.error is not None:
                self.errors[exchange.error] += 1
            # A test running in another thread collects its own (see `collect`).
            self._collectors.get(threading.get_ident(), self.current).append(exchange)
            self.all_exchanges.append(exchange)

    @contextlib.contextmanager
    def collect(self) -> Iterator[list[Exchange]]:
        """Exchanges this thread sends in the block go to the yielded list, not `current`: a test
        run in a worker thread keeps its own, handed over with `adopt` when reported."""
        collected: list[Exchange] = []
        with self._lock:
            self._collectors[threading.get_ident()] = collected
        try:
            yield collected
        finally:
            with self._lock:
                del self._collectors[threading.get_ident()]

    def adopt(self, exchanges: list[Exchange]) -> None:
        with self._lock:
            self.current.extend(exchanges)

    def take_current(self) -> list[Exchange]:
        with self._lock:
            taken, self.current = self.current, []
            return taken

    def summary(self) -> str:
        """One line for the end of a run: requests, retries by cause, waits, failures."""
        with self._lock:
            causes = ", ".join(f"{cause} x{n}" for cause, n in self.retry_causes.most_common())
            retried = f"retries {self.total_retries}" + (f" ({causes})" if causes else "")
            retry_wait = self.total_wait_seconds - self.total_paced_seconds
            line = (
                f"requests sent: {self.total_requests}; {retried}; waited "
                f"{self.total_wait_seconds:.1f} s ({retry_wait:.1f} s before retries, "
                f"{self.total_paced_seconds:.1f} s client-side rate limit)"
            )
            if self.errors:
                line += "; no answer: " + ", ".join(
                    f"{error} x{n}" for error, n in self.errors.most_common()
                )
            return line

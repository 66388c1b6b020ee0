"""What was sent and what came back, kept for reports and coverage."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Exchange:
    """One request and its final response (after retries), as seen on the wire."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: bytes | None
    status: int | None
    response_headers: dict[str, str]
    response_body: bytes
    elapsed_seconds: float
    retries: int = 0
    waited_seconds: float = 0.0
    error: str | None = None


@dataclass
class TrafficLog:
    """Every exchange of the run, counted; the exchanges of the current test, kept whole."""

    total_requests: int = 0
    total_retries: int = 0
    total_wait_seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    current: list[Exchange] = field(default_factory=list)
    all_exchanges: list[Exchange] = field(default_factory=list)
    keep_all: bool = True
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, exchange: Exchange) -> None:
        with self._lock:
            self.total_requests += 1 + exchange.retries
            self.total_retries += exchange.retries
            self.total_wait_seconds += exchange.waited_seconds
            if exchange.status is not None:
                self.statuses[exchange.status] += 1
            self.current.append(exchange)
            if self.keep_all:
                self.all_exchanges.append(exchange)

    def start_test(self) -> None:
        with self._lock:
            self.current = []

    def take_current(self) -> list[Exchange]:
        with self._lock:
            taken, self.current = self.current, []
            return taken

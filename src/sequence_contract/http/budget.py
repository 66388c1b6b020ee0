"""A run's request budget: the requests (every try, charged before it is sent) and created
customers it may spend, keeping room for the cleanup (one archive per customer) and `reserve`."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field


class BudgetSpent(Exception):
    """A request would go beyond the run's hard request ceiling."""


@dataclass
class RequestBudget:
    """`max_requests` / `max_customers` None: no limit."""

    max_requests: int | None = None
    max_customers: int | None = None
    reserve: int = 0
    requests: int = 0
    customers: int = 0
    archived: int = 0  # of the customers created: no cleanup needed
    earmarked: int = 0  # customers promised to tests that will surely create them
    _exempt: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def charge(self, tries: int = 1, *, refuse: bool = True) -> None:
        """Count `tries` requests about to be sent; beyond the ceiling raise BudgetSpent, unless
        `refuse` is False (a retry of a request under way)."""
        with self._lock:
            over = (
                refuse
                and self.max_requests is not None
                and not self._exempt
                and self.requests + tries > self.max_requests
            )
            if not over:
                self.requests += tries
        if over:
            raise BudgetSpent(f"request budget of {self.max_requests} spent")

    def customer_created(self) -> None:
        with self._lock:
            self.customers += 1

    def customer_archived(self) -> None:
        with self._lock:
            self.archived += 1

    def earmark(self, customers: int) -> None:
        """Keep `customers` of the allowance for tests that need them (see `can_create`)."""
        with self._lock:
            self.earmarked += customers

    def release_earmark(self) -> None:
        """One earmarked customer was created (or is no longer needed)."""
        with self._lock:
            self.earmarked = max(0, self.earmarked - 1)

    @property
    def requests_left(self) -> int | None:
        if self.max_requests is None:
            return None
        cleanup = self.customers - self.archived
        return max(0, self.max_requests - self.reserve - cleanup - self.requests)

    @property
    def exhausted(self) -> bool:
        """No request left for tests (the reserve is the cleanup's)."""
        return self.requests_left == 0

    def can_create(self, count: int = 1) -> bool:
        """Whether `count` customers may be created beyond the earmarked ones."""
        if self.max_customers is None:
            return True
        return self.max_customers - self.customers - self.earmarked >= count

    @contextlib.contextmanager
    def exempt(self) -> Iterator[None]:
        """Requests in the block (the cleanup) are counted but never refused."""
        with self._lock:
            self._exempt += 1
        try:
            yield
        finally:
            with self._lock:
                self._exempt -= 1

    def describe(self) -> str:
        """`requests 385/400, customers 27/30`, for the run's summary."""
        return ", ".join(
            f"{name} {spent}/{limit if limit is not None else 'unlimited'}"
            for name, spent, limit in (
                ("requests", self.requests, self.max_requests),
                ("customers", self.customers, self.max_customers),
            )
        )

"""A few generated tests at once: each operation's hypothesis test in its own thread.

Against a server 150 ms away a run is mostly waiting, and one operation's cases do not depend
on another's. When pytest calls the first generated test, all of them start on a small thread
pool; each test's call then waits for its own result and raises what it raised, so pytest
reports every test as usual, in order. Cases within an operation stay sequential (hypothesis
shrinks within one test), and each operation generates the same cases as it would alone.
The session they share is built for it: a lock in the rate limit, the budget and the traffic
log, and per-thread retry tracking.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class InFlight:
    """Runs `tests` (node id -> the test function) `workers` at a time, started on first use."""

    def __init__(self, tests: dict[str, Callable[..., Any]], workers: int) -> None:
        self.tests = tests
        self.workers = workers
        self._executor: ThreadPoolExecutor | None = None
        self._futures: dict[str, Future[Any]] = {}

    def covers(self, node_id: str) -> bool:
        return self.workers > 1 and node_id in self.tests

    def run(self, node_id: str, fixtures: dict[str, Any]) -> None:
        """Wait for the test `node_id` (starting all of them the first time) and raise what it
        raised. `fixtures`: the session-scoped fixture values the tests take."""
        if self._executor is None:
            self._start(fixtures)
        future = self._futures.get(node_id)
        if future is None:  # it needs a fixture the first one did not have: run it here
            self.tests[node_id](**_arguments(self.tests[node_id], fixtures))
            return
        future.result()

    def _start(self, fixtures: dict[str, Any]) -> None:
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="generated")
        for node_id, test in self.tests.items():
            wanted = inspect.signature(test).parameters
            if all(name in fixtures for name in wanted):
                self._futures[node_id] = self._executor.submit(test, **_arguments(test, fixtures))

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)


def _arguments(test: Callable[..., Any], fixtures: dict[str, Any]) -> dict[str, Any]:
    return {name: fixtures[name] for name in inspect.signature(test).parameters if name in fixtures}

"""Generated tests in worker threads, one per operation, while pytest runs the example-based tests;
pytest reports each in its place. Threads take turns running Python (`Turn`) and overlap only
while waiting on the network, where a run's time goes.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from sequence_contract.http import ContractSession, Exchange, TrafficLog

Outcome = tuple[list[Exchange], BaseException | None]


class Turn:
    """Whose turn it is to run Python: no two threads build `ast` trees at once (pytest and
    hypothesis do; CPython 3.11 before 3.11.8 crashes with `SystemError` then)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder = threading.local()

    @property
    def held(self) -> bool:
        return getattr(self._holder, "held", False)

    def take(self) -> None:
        self._lock.acquire()
        self._holder.held = True

    def give(self) -> None:
        if self.held:
            self._holder.held = False
            self._lock.release()

    @contextmanager
    def taken(self) -> Iterator[None]:
        self.take()
        try:
            yield
        finally:
            self.give()

    @contextmanager
    def given_up(self) -> Iterator[None]:
        """Let the other threads run meanwhile (a thread without the turn just goes on)."""
        held = self.held
        self.give()
        try:
            yield
        finally:
            if held:
                self.take()


class InFlight:
    """Runs `tests` (node id -> test function) `workers` at a time, from `start` on."""

    def __init__(self, tests: dict[str, Callable[..., Any]], workers: int) -> None:
        self.tests = tests
        self.workers = workers
        self._executor: ThreadPoolExecutor | None = None
        self._futures: dict[str, Future[Outcome]] = {}
        self._traffic = TrafficLog()
        self._turn = Turn()

    @property
    def active(self) -> bool:
        return self.workers > 1 and bool(self.tests)

    def start(
        self, fixture: Callable[[str], Any], traffic: TrafficLog, session: ContractSession
    ) -> None:
        """Start the tests, with the (session-scoped) fixtures they take from `fixture`."""
        if self._executor is not None or not self.active:
            return
        tests = self.tests.values()
        fixtures = {name: fixture(name) for t in tests for name in inspect.signature(t).parameters}
        self._traffic = traffic
        session.network_wait = self._turn.given_up
        self._turn.take()  # pytest's thread, from now until close()
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="generated")
        # The tests of one operation (positive and negative) run one after the other: they
        # write to the same customer, and a write racing another is no contract break.
        groups: dict[str, list[str]] = {}
        for node_id in self.tests:
            groups.setdefault(operation_of(node_id), []).append(node_id)
            self._futures[node_id] = Future()
        for node_ids in groups.values():
            self._executor.submit(self._run_group, node_ids, fixtures)

    def covers(self, node_id: str) -> bool:
        return node_id in self._futures

    def result(self, node_id: str) -> None:
        """Wait for the test, make its exchanges the current test's, raise what it raised."""
        with self._turn.given_up():
            exchanges, error = self._futures[node_id].result()
        self._traffic.adopt(exchanges)
        if error is not None:
            raise error

    def close(self) -> None:
        """Stop starting tests and wait for the ones under way (before the run's cleanup)."""
        for future in self._futures.values():
            future.cancel()  # a test not started yet is not started at all
        if self._executor is not None:
            with self._turn.given_up():
                self._executor.shutdown(wait=True, cancel_futures=True)
        self._turn.give()

    def _run_group(self, node_ids: list[str], fixtures: dict[str, Any]) -> None:
        for node_id in node_ids:
            future = self._futures[node_id]
            if not future.set_running_or_notify_cancel():
                continue
            test = self.tests[node_id]
            error: BaseException | None = None
            with self._turn.taken(), self._traffic.collect() as exchanges:
                try:
                    test(**{name: fixtures[name] for name in inspect.signature(test).parameters})
                except BaseException as exc:  # handed to pytest in the main thread
                    error = exc
            future.set_result((exchanges, error))


def operation_of(name: str) -> str:
    """`POST /customers` from a generated test's name or node id
    (`...::test_write_operation_negative[POST /customers]`)."""
    return name[name.index("[") + 1 : -1] if name.endswith("]") else name

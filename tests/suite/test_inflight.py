"""Generated tests in worker threads: each reports its own outcome and its own exchanges."""

from __future__ import annotations

import threading
import time

import pytest

from sequence_contract.http import ContractSession, Exchange, TrafficLog
from sequence_contract.suite.inflight import InFlight, Turn


def _exchange(url: str) -> Exchange:
    return Exchange("GET", url, {}, None, 200, {}, b"", 0.0)


def test_each_test_reports_its_outcome_and_exchanges_in_its_place() -> None:
    traffic = TrafficLog()
    session = ContractSession(traffic=traffic)
    both_waiting = threading.Barrier(2, timeout=5)

    def passes(runtime: TrafficLog) -> None:
        with session.network_wait():
            both_waiting.wait()  # proves the two wait on the network at the same time
        runtime.record(_exchange("http://x/a"))

    def fails(runtime: TrafficLog) -> None:
        with session.network_wait():
            both_waiting.wait()
        runtime.record(_exchange("http://x/b"))
        raise AssertionError("broken contract")

    in_flight = InFlight({"a": passes, "b": fails}, workers=2)
    in_flight.start({"runtime": traffic}.__getitem__, traffic, session)

    in_flight.result("a")
    assert [e.url for e in traffic.take_current()] == ["http://x/a"]
    with pytest.raises(AssertionError, match="broken contract"):
        in_flight.result("b")
    assert [e.url for e in traffic.take_current()] == ["http://x/b"]
    assert traffic.total_requests == 2
    in_flight.close()


def test_one_at_a_time_is_not_in_flight() -> None:
    in_flight = InFlight({"a": lambda: None}, workers=1)
    in_flight.start({}.__getitem__, TrafficLog(), ContractSession())
    assert not in_flight.active
    assert not in_flight.covers("a")


def test_only_one_thread_runs_python_outside_network_waits() -> None:
    """What keeps two threads from building `ast` trees at once (CPython 3.11 before 3.11.8)."""
    traffic = TrafficLog()
    session = ContractSession(traffic=traffic)
    running = 0
    most_at_once = 0
    count_lock = threading.Lock()

    def busy() -> None:
        nonlocal running, most_at_once
        for _ in range(20):
            with count_lock:
                running += 1
                most_at_once = max(most_at_once, running)
            time.sleep(0.0005)  # the interpreter switches threads here
            with count_lock:
                running -= 1
            with session.network_wait():
                pass

    tests = {name: busy for name in ("a", "b", "c", "d")}
    in_flight = InFlight(tests, workers=4)
    in_flight.start({}.__getitem__, traffic, session)
    for name in tests:
        in_flight.result(name)
    in_flight.close()
    assert most_at_once == 1


def test_a_thread_without_the_turn_waits_for_nothing() -> None:
    turn = Turn()
    with turn.given_up():  # not held here: no-op, no deadlock
        assert not turn.held
    with turn.taken():
        assert turn.held
        with turn.given_up():
            assert not turn.held
        assert turn.held
    assert not turn.held

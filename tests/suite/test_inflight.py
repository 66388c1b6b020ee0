"""Generated tests in worker threads: each reports its own outcome and its own exchanges."""

from __future__ import annotations

import threading

import pytest

from sequence_contract.http import Exchange, TrafficLog
from sequence_contract.suite.inflight import InFlight


def _exchange(url: str) -> Exchange:
    return Exchange("GET", url, {}, None, 200, {}, b"", 0.0)


def test_each_test_reports_its_outcome_and_exchanges_in_its_place() -> None:
    traffic = TrafficLog()
    both_running = threading.Barrier(2, timeout=5)

    def passes(runtime: TrafficLog) -> None:
        both_running.wait()  # proves the two run at the same time
        runtime.record(_exchange("http://x/a"))

    def fails(runtime: TrafficLog) -> None:
        both_running.wait()
        runtime.record(_exchange("http://x/b"))
        raise AssertionError("broken contract")

    in_flight = InFlight({"a": passes, "b": fails}, workers=2)
    in_flight.start({"runtime": traffic}, traffic)

    in_flight.result("a")
    assert [e.url for e in traffic.take_current()] == ["http://x/a"]
    with pytest.raises(AssertionError, match="broken contract"):
        in_flight.result("b")
    assert [e.url for e in traffic.take_current()] == ["http://x/b"]
    assert traffic.total_requests == 2
    in_flight.close()


def test_one_at_a_time_is_not_in_flight() -> None:
    in_flight = InFlight({"a": lambda: None}, workers=1)
    in_flight.start({}, TrafficLog())
    assert not in_flight.active
    assert not in_flight.covers("a")

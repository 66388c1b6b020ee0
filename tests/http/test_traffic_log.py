"""Every request, retry, wait and failure of a run is counted, and summed up in one line."""

from __future__ import annotations

import pytest

from sequence_contract.http import ContractSession, RateLimiter, RetryPolicy, TargetUnreachable
from tests.http.scripted_server import Answer, Reset, scripted_server


def test_retries_waits_and_failures_add_up() -> None:
    waits: list[float] = []
    clock = [0.0]

    def sleep(seconds: float) -> None:  # one fake clock for the retries and the pacing
        waits.append(seconds)
        clock[0] += seconds

    session = ContractSession(
        timeout_seconds=5,
        retry_policy=RetryPolicy(sleep=sleep),
        rate_limiter=RateLimiter(0, clock=lambda: clock[0], sleep=sleep),
    )
    with scripted_server(
        Answer(429, (("Retry-After", "2"),)), Reset(), Answer(200), Reset()
    ) as server:
        session.get(server.url("/api/customers"))
        with pytest.raises(TargetUnreachable):
            session.post(server.url("/api/customers"), json={})

    traffic = session.traffic
    first, second = traffic.take_current()
    assert (first.status, first.retry_causes) == (200, ("429", "connection dropped"))
    assert waits == [2, 1]  # Retry-After, then backoff: the second error in a row waits 1 s
    assert first.waited_seconds == 3
    assert (second.status, second.error, second.retries) == (None, "unreachable", 0)
    assert traffic.total_requests == len(server.received) == 4
    assert traffic.total_retries == 2
    assert traffic.retry_causes == {"429": 1, "connection dropped": 1}
    assert [exchange.status for exchange in traffic.all_exchanges] == [200, None]
    assert traffic.summary() == (
        "requests sent: 4; retries 2 (429 x1, connection dropped x1); waited 3.0 s "
        "(3.0 s before retries, 0.0 s client-side rate limit); no answer: unreachable x1"
    )


def test_a_quiet_run_says_so_briefly() -> None:
    session = ContractSession(timeout_seconds=5)
    with scripted_server() as server:
        session.get(server.url("/api/customers"))
    assert session.traffic.summary() == (
        "requests sent: 1; retries 0; waited 0.0 s (0.0 s before retries, "
        "0.0 s client-side rate limit)"
    )


def test_requests_keep_the_default_headers_while_schemathesis_has_emptied_them() -> None:
    """schemathesis sets `session.headers = {}` while it sends a case; another thread's request
    in that moment went out without User-Agent or Accept-Encoding."""
    session = ContractSession(timeout_seconds=5)
    with scripted_server() as server:
        session.headers = {}  # what schemathesis does during its send
        session.get(server.url("/api/customers"), headers={"Accept": "application/json"})

    [received] = server.received
    assert (received.header("User-Agent") or "").startswith("python-requests/")
    assert received.header("Accept-Encoding") is not None
    assert received.header("Accept") == "application/json"  # the caller's header wins

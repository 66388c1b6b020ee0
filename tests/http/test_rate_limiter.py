"""The client-side token bucket: the suite stays under the API's quota on its own."""

from __future__ import annotations

import threading
import time

import pytest

from sequence_contract.http import ContractSession, RateLimiter, RetryPolicy
from tests.http.scripted_server import Answer, scripted_server


class FakeTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_burst_passes_then_requests_are_paced() -> None:
    fake = FakeTime()
    limiter = RateLimiter(per_minute=60, burst=3, clock=fake.clock, sleep=fake.sleep)
    waits = [limiter.acquire() for _ in range(6)]
    assert waits == [0, 0, 0, 1, 1, 1]
    assert limiter.waited_seconds == 3


def test_an_idle_bucket_refills_up_to_the_burst_only() -> None:
    fake = FakeTime()
    limiter = RateLimiter(per_minute=120, burst=2, clock=fake.clock, sleep=fake.sleep)
    limiter.acquire(), limiter.acquire()
    fake.now += 3600  # an hour idle earns 2 tokens, not 7,200
    assert [limiter.acquire() for _ in range(3)] == [0, 0, 0.5]


@pytest.mark.parametrize(("per_minute", "burst"), [(1200, 10), (100, 1), (1500, 50)])
def test_no_minute_ever_holds_more_than_the_limit_plus_the_burst(
    per_minute: int, burst: int
) -> None:
    fake = FakeTime()
    limiter = RateLimiter(per_minute=per_minute, burst=burst, clock=fake.clock, sleep=fake.sleep)
    sent = []
    for _ in range(3 * per_minute):
        limiter.acquire()
        sent.append(fake.now)
    busiest = max(sum(1 for t in sent if start <= t < start + 60) for start in sent)
    assert per_minute <= busiest <= per_minute + burst


def test_zero_means_no_limit_and_negative_is_refused() -> None:
    fake = FakeTime()
    limiter = RateLimiter(per_minute=0, clock=fake.clock, sleep=fake.sleep)
    assert sum(limiter.acquire() for _ in range(10_000)) == 0
    with pytest.raises(ValueError, match="per_minute must be >= 0"):
        RateLimiter(per_minute=-1)


def test_threads_share_one_bucket() -> None:
    limiter = RateLimiter(per_minute=6000, burst=1)  # 100 a second, real time
    started = time.monotonic()
    threads = [
        threading.Thread(target=lambda: [limiter.acquire() for _ in range(5)]) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 20 tokens at 100/s with a burst of 1: at least 0.19 s, whatever the interleaving.
    assert time.monotonic() - started >= 0.185
    assert limiter.waited_seconds >= 0.185


def test_the_session_paces_and_counts_the_pacing() -> None:
    fake = FakeTime()
    limiter = RateLimiter(per_minute=60, burst=1, clock=fake.clock, sleep=fake.sleep)
    session = ContractSession(timeout_seconds=5, rate_limiter=limiter)
    with scripted_server() as server:
        for _ in range(3):
            session.get(server.url("/api/customers"))
    assert [exchange.paced_seconds for exchange in session.traffic.take_current()] == [0, 1, 1]
    assert session.traffic.total_paced_seconds == 2
    assert session.traffic.total_wait_seconds == 2
    assert "2.0 s client-side rate limit" in session.traffic.summary()


def test_retries_are_paced_too() -> None:
    # Each retry spends the API's quota like any request, so it waits for a token as well.
    fake = FakeTime()
    limiter = RateLimiter(per_minute=60, burst=1, clock=fake.clock, sleep=fake.sleep)
    session = ContractSession(
        timeout_seconds=5, rate_limiter=limiter, retry_policy=RetryPolicy(sleep=fake.sleep)
    )
    with scripted_server(Answer(503), Answer(503)) as server:
        session.get(server.url("/api/customers"))
    [exchange] = session.traffic.take_current()
    # Backoff 0 s then 1 s; the token bucket adds 1 s before the first retry, none before the
    # second (the 1 s backoff refilled it).
    assert fake.slept == [0, 1, 1]
    assert (exchange.retries, exchange.paced_seconds, exchange.waited_seconds) == (2, 1, 2)

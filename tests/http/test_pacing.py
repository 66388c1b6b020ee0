"""Pacing that learns: after the server's first 429 the client keeps to the rate it allows.

The simulations run the client's limiter against the sandbox's own quota counter on one fake
clock: thousands of requests, no sleeping.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sequence_contract.http import ContractSession, RateLimiter, RateLimitExhausted, RetryPolicy
from sequence_contract.http.ratelimit import Quota, RunWaitBudget, read_quota
from sequence_contract.sandbox.messages import too_many_requests
from sequence_contract.sandbox.server import SlidingWindowLimiter as ServerQuota
from tests.http.scripted_server import Answer, scripted_server


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += seconds


QUOTAS = {
    "draft-08-and-later": (
        {"RateLimit-Policy": '"minute";q=1500;w=60', "RateLimit": '"minute";r=0;t=48'},
        Quota(limit=1500, window=60, remaining=0, reset=48),
    ),
    "draft-06-07": (
        {"RateLimit-Limit": "100", "RateLimit-Remaining": "3", "RateLimit-Reset": "7",
         "RateLimit-Policy": "100;w=10"},
        Quota(limit=100, window=10, remaining=3, reset=7),
    ),
    "x-ratelimit-lower-case": (
        {"x-ratelimit-limit": "1500", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "12"},
        Quota(limit=1500, remaining=0, reset=12),
    ),
    "epoch-reset-is-not-a-delay": (
        {"X-RateLimit-Limit": "60", "X-RateLimit-Reset": "1767225600"}, Quota(limit=60),
    ),
    "unreadable-values": ({"RateLimit-Limit": "lots", "RateLimit-Reset": "soon"}, None),
    "no-headers": ({"Retry-After": "3"}, None),
}  # fmt: skip


@pytest.mark.parametrize(("headers", "expected"), QUOTAS.values(), ids=QUOTAS)
def test_quota_headers_are_read(headers: dict[str, str], expected: Quota | None) -> None:
    assert read_quota(headers) == expected


@pytest.mark.parametrize(
    ("quota", "per_minute"), [(Quota(limit=100, window=10), 600), (Quota(limit=1500), 1500)]
)
def test_a_quota_without_window_is_per_minute(quota: Quota, per_minute: float) -> None:
    assert quota.per_minute == per_minute


@dataclass(frozen=True)
class Simulated:
    throttles: int
    seconds: float
    learned: float | None


def simulate(
    requests: int, *, per_minute: int, headers: bool, counted_every: int = 1, slow_start: int = 0
) -> Simulated:
    """`requests` requests, 4 ms each (the first `slow_start` 200 ms each), from an unpaced
    client to a sliding-window quota of `per_minute` (the sandbox's own counter); the server
    counts every `counted_every`-th one (the sandbox does not count those it answers 401)."""
    fake = FakeTime()
    client = RateLimiter(per_minute=0, clock=fake.clock, sleep=fake.sleep)
    server = ServerQuota(per_minute, clock=fake.clock)
    started, throttles = fake.now, 0
    for n in range(requests):
        client.acquire()
        while n % counted_every == 0 and (wait := server.acquire("key")) is not None:
            throttles += 1
            answer = too_many_requests(wait, per_minute if headers else None)
            client.throttled(answer.headers, wait)
            fake.sleep(wait)  # the retry sleeps the Retry-After
            client.acquire(past_hold=True)
        fake.now += 0.2 if n < slow_start else 0.004
    return Simulated(throttles, fake.now - started, client.learned_per_minute)


@pytest.mark.parametrize("headers", [True, False], ids=["quota-headers", "retry-after-only"])
def test_one_429_then_the_rest_of_the_run_is_paced(headers: bool) -> None:
    result = simulate(3300, per_minute=1500, headers=headers)
    assert result.throttles == 1
    assert result.learned == pytest.approx(1500, rel=0.05)
    # 1,500 at once, a wait, then 1,800 at 90 % of 1,500/min: about 60 s + 80 s.
    assert result.seconds < 150


def test_a_known_quota_is_kept_over_any_window_after_a_slow_start() -> None:
    # The window frees up slowly after a slow start: Retry-After frees one request, not a rate.
    result = simulate(3300, per_minute=1500, headers=True, slow_start=200)
    assert result.throttles == 1


def test_a_server_that_counts_only_some_requests_is_learned_too() -> None:
    result = simulate(6000, per_minute=1500, headers=False, counted_every=2)
    assert result.throttles <= 2
    assert result.learned is not None
    assert result.learned < 3000


def test_remaining_zero_holds_before_a_429() -> None:
    fake = FakeTime()
    limiter = RateLimiter(per_minute=0, clock=fake.clock, sleep=fake.sleep)
    limiter.observe({"RateLimit-Policy": "10;w=60", "RateLimit": '"p";r=0;t=30'})
    assert limiter.acquire() == 30
    assert limiter.learned_per_minute == 10
    assert limiter.per_minute == 9


def test_a_rate_is_only_ever_lowered() -> None:
    fake = FakeTime()
    limiter = RateLimiter(per_minute=600, clock=fake.clock, sleep=fake.sleep)
    limiter.throttled({"RateLimit-Policy": "1500;w=60"}, 1)
    assert limiter.per_minute == 600
    assert limiter.learned_per_minute is None
    limiter.throttled({"RateLimit-Policy": "100;w=60"}, 1)
    assert (limiter.per_minute, limiter.learned_per_minute) == (90, 100)
    assert limiter.note() == (
        "pacing: the server allows about 100/min; paced at 90/min after 2 429 answer(s)"
    )


def test_random_short_throttling_teaches_no_rate() -> None:
    # A proxy that answers 1 request in 25 with 429 and Retry-After 0 or 1, or none: waited
    # for, but the pace stays (learning from each would compound into a crawl).
    fake = FakeTime()
    limiter = RateLimiter(per_minute=5400, clock=fake.clock, sleep=fake.sleep)
    waits = ["0", "1", None]
    for n in range(3000):
        limiter.acquire()
        if n % 25 == 0:
            asked = waits[n % 3]
            limiter.throttled({"Retry-After": asked} if asked else {}, float(asked or 0.5))
        fake.now += 0.004
    assert limiter.learned_per_minute is None
    assert limiter.per_minute == 5400


def test_a_429_after_a_handful_of_requests_teaches_no_rate() -> None:
    # Another client of the same key spent the quota: hold, but do not crawl for the rest.
    fake = FakeTime()
    limiter = RateLimiter(per_minute=0, clock=fake.clock, sleep=fake.sleep)
    limiter.acquire()
    limiter.throttled({}, 2)
    assert limiter.learned_per_minute is None
    assert limiter.acquire() == 2


def test_a_server_that_answers_429_forever_ends_in_an_environment_failure() -> None:
    fake = FakeTime()
    session = ContractSession(
        timeout_seconds=5,
        rate_limiter=RateLimiter(0, clock=fake.clock, sleep=fake.sleep),
        retry_policy=RetryPolicy(run_wait_seconds=600, sleep=fake.sleep),
    )
    messages = []
    with scripted_server(then=Answer(429, (("Retry-After", "48"),))) as server:
        for _ in range(4):
            with pytest.raises(RateLimitExhausted) as raised:
                session.get(server.url("/api/customers"))
            messages.append(str(raised.value))
    # 5 retries of 48 s, 5 more, then 2 (576 s): the next 48 s would pass 600 s.
    assert fake.slept == 576
    assert "after 5 retries (240.0 s waited)" in messages[0]
    assert "gave up: waiting 48 s more would exceed the run's 600 s budget" in messages[2]
    assert "not retried: waiting 48 s more would exceed the run's 600 s budget" in messages[3]
    assert session.traffic.retry_causes["429"] == 12


def test_when_the_budget_runs_out_the_server_limit_is_no_longer_waited_for() -> None:
    # A quota of 40/min and 2 s of patience: the hold is refused, the learned pace dropped,
    # and requests go out at the configured pace (so that 429s end the run quickly).
    fake = FakeTime()
    limiter = RateLimiter(per_minute=0, clock=fake.clock, sleep=fake.sleep)
    limiter.budget = RunWaitBudget(2)
    limiter.observe({"RateLimit-Policy": '"m";q=40;w=60', "RateLimit": '"m";r=0;t=58'})
    assert limiter.per_minute == 36
    assert limiter.acquire() == 0
    assert limiter.gave_up
    assert limiter.per_minute == 0
    limiter.throttled({"Retry-After": "58", "RateLimit-Policy": "40;w=60"}, 58)
    assert [limiter.acquire() for _ in range(3)] == [0, 0, 0]
    assert limiter.note() == (
        "pacing: gave up waiting for the server's rate limit after 0 s (--max-run-wait 2 s); "
        "1 429 answer(s)"
    )


def test_the_server_limit_is_waited_for_within_the_budget() -> None:
    fake = FakeTime()
    limiter = RateLimiter(per_minute=0, clock=fake.clock, sleep=fake.sleep)
    budget = RunWaitBudget(100)
    limiter.budget = budget
    limiter.observe({"RateLimit-Policy": "60;w=60", "RateLimit": '"m";r=0;t=30'})
    assert limiter.acquire() == 30
    assert limiter.acquire() == pytest.approx(60 / 54)  # 90 % of 60/min
    assert budget.spent == pytest.approx(30 + 60 / 54)
    assert not limiter.gave_up

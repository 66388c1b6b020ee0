"""What ContractSession repeats, how long it waits first, and when it gives up.

Each case scripts a server's answers and states the outcome, how many requests reached the
server, the waits before each retry (recorded, not slept) and the retry causes counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from sequence_contract.http import (
    ContractSession,
    EnvironmentProblem,
    RateLimitExhausted,
    RetryPolicy,
    ServiceUnavailable,
    TargetUnreachable,
)
from tests.http.scripted_server import Answer, Close, Reset, Step, scripted_server


def retry_after(value: str) -> tuple[tuple[str, str], ...]:
    return (("Retry-After", value),)


@dataclass(frozen=True)
class RetryCase:
    method: str
    steps: tuple[Step, ...]
    outcome: int | type[EnvironmentProblem]
    sent: int
    waits: tuple[float, ...]
    causes: tuple[str, ...]
    then: Step = field(default_factory=lambda: Answer(200))
    message: str = ""
    policy: RetryPolicy = field(default_factory=RetryPolicy)


TOO_MANY = Answer(429)
CASES = {
    "429-get-honours-retry-after": RetryCase(
        "GET", (Answer(429, retry_after("2")),), 200, 2, (2,), ("429",)),
    "429-post-is-repeated-too": RetryCase(
        "POST", (Answer(429, retry_after("1")),), 201, 2, (1,), ("429",), then=Answer(201)),
    "429-without-retry-after-backs-off": RetryCase(
        "GET", (TOO_MANY, TOO_MANY, TOO_MANY), 200, 4, (0, 1, 2), ("429",) * 3),
    "429-unreadable-retry-after-backs-off": RetryCase(
        "POST", (Answer(429, retry_after("soon")),), 201, 2, (0,), ("429",), then=Answer(201)),
    "429-until-the-attempts-run-out": RetryCase(
        "GET", (), RateLimitExhausted, 6, (0,) * 5, ("429",) * 5,
        then=Answer(429, retry_after("0")), message="still 429 Too Many Requests after 5 retries"),
    "429-until-the-run-wait-budget-runs-out": RetryCase(
        "GET", (), RateLimitExhausted, 3, (10, 10), ("429", "429"),
        then=Answer(429, retry_after("10")), policy=RetryPolicy(run_wait_seconds=25),
        message="gave up: waiting 10 s more would exceed the run's 25 s budget for "
                "rate-limit waits (5 s left; --max-run-wait)"),
    "429-waits-beyond-one-requests-budget": RetryCase(
        "GET", (Answer(429, retry_after("48")),), 200, 2, (48,), ("429",),
        policy=RetryPolicy(max_wait_seconds=30)),
    "429-asking-for-more-than-the-run-budget": RetryCase(
        "POST", (), RateLimitExhausted, 1, (), (),
        then=Answer(429, retry_after("3600")),
        message="not retried: waiting 3600 s more would exceed the run's 600 s budget"),
    "503-waits-within-one-requests-budget": RetryCase(
        "GET", (), ServiceUnavailable, 3, (10, 10), ("503", "503"),
        then=Answer(503, retry_after("10")), policy=RetryPolicy(max_wait_seconds=25),
        message="gave up: waiting 10 s more would exceed the 25 s retry budget, "
                "20 s already waited"),
    "503-get-is-repeated": RetryCase("GET", (Answer(503),), 200, 2, (0,), ("503",)),
    "502-then-504-put-is-repeated": RetryCase(
        "PUT", (Answer(502), Answer(504)), 200, 3, (0, 1), ("502", "504")),
    "503-post-is-not-repeated": RetryCase(
        "POST", (Answer(503),), ServiceUnavailable, 1, (), (), message="503 Service Unavailable"),
    "503-until-the-attempts-run-out": RetryCase(
        "GET", (), ServiceUnavailable, 6, (0, 1, 2, 4, 8), ("503",) * 5, then=Answer(503),
        message="after 5 retries (15.0 s waited)"),
    "503-retry-after-is-honoured": RetryCase(
        "GET", (Answer(503, retry_after("3")),), 200, 2, (3,), ("503",)),
    "reset-get-is-repeated": RetryCase("GET", (Reset(),), 200, 2, (0,), ("connection dropped",)),
    "close-put-is-repeated": RetryCase("PUT", (Close(),), 200, 2, (0,), ("connection dropped",)),
    "reset-post-is-not-repeated": RetryCase(
        "POST", (Reset(),), TargetUnreachable, 1, (), (),
        message="not repeated: a POST may already have been applied"),
    "close-post-is-not-repeated": RetryCase(
        "POST", (Close(),), TargetUnreachable, 1, (), (),
        message="connection closed by the server without an answer"),
    "500-is-the-contracts-business": RetryCase("GET", (Answer(500),), 500, 1, (), ()),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES.values(), ids=CASES)
def test_retry_policy(case: RetryCase) -> None:
    waits: list[float] = []
    policy = RetryPolicy(
        attempts=case.policy.attempts,
        backoff_seconds=case.policy.backoff_seconds,
        max_wait_seconds=case.policy.max_wait_seconds,
        run_wait_seconds=case.policy.run_wait_seconds,
        sleep=waits.append,
    )
    session = ContractSession(timeout_seconds=5, retry_policy=policy)
    body = b'{"legalName": "Acme"}'
    with scripted_server(*case.steps, then=case.then) as server:
        if isinstance(case.outcome, int):
            response = session.request(case.method, server.url("/api/customers"), data=body)
            assert response.status_code == case.outcome, response.text
        else:
            with pytest.raises(case.outcome) as raised:
                session.request(case.method, server.url("/api/customers"), data=body)
            assert case.message in str(raised.value), str(raised.value)
            assert f"{case.method} {server.url('/api/customers')}: " in str(raised.value)

    assert server.methods == [case.method] * case.sent
    assert {message.body for message in server.received} == {body}, "a retry changed the body"
    assert tuple(waits) == case.waits
    [exchange] = session.traffic.take_current()
    assert exchange.retry_causes == case.causes
    assert exchange.retries == len(case.causes)
    assert exchange.waited_seconds == sum(case.waits)
    assert session.traffic.total_requests == case.sent


def test_policy_rejects_negative_settings() -> None:
    with pytest.raises(ValueError, match="attempts"):
        RetryPolicy(attempts=-1)
    with pytest.raises(ValueError, match="max_wait_seconds"):
        RetryPolicy(max_wait_seconds=-5)
    with pytest.raises(ValueError, match="run_wait_seconds"):
        RetryPolicy(run_wait_seconds=-1)

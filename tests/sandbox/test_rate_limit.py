"""Requests per minute per API key: over the limit is a 429 with Retry-After."""

from __future__ import annotations

from collections.abc import Callable

from sequence_contract.sandbox import EmbeddedSandbox, SandboxConfig
from sequence_contract.sandbox.server import SlidingWindowLimiter
from tests.sandbox.client import VERSION, ApiClient, assert_error, describe


def test_the_documented_limit_is_the_default() -> None:
    assert SandboxConfig().rate_limit_per_minute == 1500


def test_over_the_limit_is_429_with_retry_after(
    start_sandbox: Callable[..., EmbeddedSandbox],
) -> None:
    client = ApiClient(start_sandbox(rate_limit_per_minute=3).base_url)
    try:
        for _ in range(3):
            response = client.call("GET", "/customers")
            assert response.status_code == 200, describe(response)
        # Requests that fail authentication carry no API key and are not counted.
        assert_error(client.call("GET", "/customers", authenticated=False), 401)
        limited = client.call("GET", "/customers")
        assert_error(limited, 429, "TooManyRequests")
        assert 1 <= int(limited.headers["Retry-After"]) <= 60, describe(limited)
        assert limited.headers.get("Sequence-Version") == VERSION, describe(limited)
        # h11: the quota in the IETF RateLimit fields, so that a client can learn its pace.
        assert limited.headers["RateLimit-Policy"] == '"minute";q=3;w=60', describe(limited)
        retry_after = limited.headers["Retry-After"]
        assert limited.headers["RateLimit"] == f'"minute";r=0;t={retry_after}', describe(limited)
    finally:
        client.close()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_window_slides_and_retry_after_counts_down() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(2, clock)
    assert limiter.acquire("key") is None
    clock.now += 20
    assert limiter.acquire("key") is None
    assert limiter.acquire("key") == 40  # the first request leaves the window in 40 s
    assert limiter.acquire("other-key") is None  # limits are per key
    clock.now += 39.5
    assert limiter.acquire("key") == 1  # never 0: a client would retry at once
    clock.now += 0.5
    assert limiter.acquire("key") is None
    assert limiter.acquire("key") == 20

"""The load driver behind benchmarks/load_sandbox.py: bounded, measured, and its consistency
check catches a store that loses writes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from benchmarks.load_driver import LoadSettings, nearest_rank, run_load

from sequence_contract.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmbeddedSandbox


def settings(sandbox: EmbeddedSandbox, **overrides: float) -> LoadSettings:
    values: dict[str, float] = {"clients": 3, "seconds": 1.5, "max_requests": 100_000}
    values.update(overrides)
    return LoadSettings(
        sandbox.base_url, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET,
        clients=int(values["clients"]), seconds=values["seconds"],
        max_requests=int(values["max_requests"]),
    )  # fmt: skip


def test_a_short_run_is_measured_and_consistent(
    start_sandbox: Callable[..., EmbeddedSandbox],
) -> None:
    sandbox = start_sandbox(rate_limit_per_minute=10_000_000)
    result = run_load(settings(sandbox))

    assert result.problems == []
    assert result.requests > 20, result.statuses
    assert result.server_errors == 0
    assert result.no_answer == 0
    assert set(result.statuses) <= {200, 201}, result.statuses
    assert 0 < result.archived <= len(result.customers)
    assert 0 < result.latency_ms(50) <= result.latency_ms(90) <= result.latency_ms(99)
    assert result.elapsed_seconds < 1.5 + 10 + 5  # bounded by the deadline and one timeout


def test_the_request_budget_stops_the_run_early(
    start_sandbox: Callable[..., EmbeddedSandbox],
) -> None:
    sandbox = start_sandbox(rate_limit_per_minute=10_000_000)
    result = run_load(settings(sandbox, clients=4, seconds=60, max_requests=50))
    assert result.requests == 50
    assert result.elapsed_seconds < 30
    assert result.problems == []


def test_the_consistency_check_catches_archives_that_were_not_stored(
    start_sandbox: Callable[..., EmbeddedSandbox],
) -> None:
    sandbox = start_sandbox(rate_limit_per_minute=10_000_000, faults=("archive-not-persisted",))
    result = run_load(settings(sandbox, clients=2, seconds=0.5))
    assert result.archived > 0
    assert any("archivedAt None, the archive answered" in p for p in result.problems), (
        result.problems[:5]
    )


@pytest.mark.parametrize(
    ("percentile", "expected"), [(50, 5.0), (90, 9.0), (99, 10.0), (100, 10.0), (1, 1.0)]
)
def test_nearest_rank_percentiles(percentile: float, expected: float) -> None:
    assert nearest_rank([float(n) for n in range(1, 11)], percentile) == expected

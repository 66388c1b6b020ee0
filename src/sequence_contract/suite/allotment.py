"""How a run's request budget is shared out at collection: the example-based tests first, then
the stateful run's small share, then the generated cases, evenly over the operations (coverage
cases first, thinned evenly, then random ones). Estimates: `RequestBudget` is the real limit.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TypeVar

# Measured on the embedded sandbox: 48 example-based tests sent 85 requests.
REQUESTS_PER_EXAMPLE_TEST = 2.0
# A generated case, plus the checks' own requests now and then (content-type control
# requests, a fresh customer for a positive archive case).
REQUESTS_PER_CASE = 1.25
RANDOM_SHARE = 0.25  # of an operation's share, kept for random cases

T = TypeVar("T")


@dataclass(frozen=True)
class OperationAllotment:
    coverage_cases: int  # coverage-phase cases kept (of those available)
    random_cases: int  # hypothesis max_examples


@dataclass(frozen=True)
class Plan:
    example_requests: int
    stateful_requests: int
    generated_requests: int
    operations: dict[str, OperationAllotment]

    def describe(self) -> str:
        """One line for the run header."""
        shares = ", ".join(
            f"{name} {share.coverage_cases}+{share.random_cases}"
            for name, share in self.operations.items()
        )
        return (
            f"about {self.example_requests} for example-based tests, "
            f"{self.stateful_requests} stateful, {self.generated_requests} generated"
            + (f" (coverage+random cases: {shares})" if shares else "")
        )


def plan(
    *,
    max_requests: int,
    reserve: int,
    example_tests: int,
    stateful_requests: int,
    coverage_available: dict[str, int],
    creating: Collection[str] = (),
    customers: int = 0,
) -> Plan:
    """Share `max_requests` (less `reserve` for cleanup) between the parts of a run.

    `coverage_available`: per generated test, how many coverage-phase cases schemathesis made
    for it (after the read-only filter). Each of the `creating` tests (every positive case
    creates a customer) also stays within its even share of `customers`."""
    examples = math.ceil(example_tests * REQUESTS_PER_EXAMPLE_TEST)
    left = max(0, max_requests - reserve - examples)
    stateful = min(stateful_requests, left // 2)
    left -= stateful
    operations: dict[str, OperationAllotment] = {}
    per_test = max(1, customers // len(creating)) if creating else 0
    for name, available in coverage_available.items():
        cases = int(left / REQUESTS_PER_CASE) // len(coverage_available)
        random_floor = max(1, math.ceil(cases * RANDOM_SHARE))
        coverage = min(available, max(0, cases - random_floor))
        random_cases = max(1, cases - coverage)
        if name in creating:
            coverage = min(coverage, per_test - 1)
            random_cases = max(1, min(random_cases, per_test - coverage))
        operations[name] = OperationAllotment(coverage, random_cases)
    return Plan(examples, stateful, left, operations)


def spread(items: Sequence[T], count: int) -> list[T]:
    """`count` of `items`, evenly spaced and in order (all of them when they fit)."""
    if count >= len(items):
        return list(items)
    if count <= 0:
        return []
    step = len(items) / count
    return [items[int(i * step)] for i in range(count)]

"""Reading a run's result: the suite's exit status and summary, the peer's NDJSON events."""

from __future__ import annotations

from typing import Any

import pytest
from benchmarks.detection import RunOutcome, Verdict
from benchmarks.detection.peer_runner import parse_peer_run
from benchmarks.detection.suite_runner import parse_suite_run
from benchmarks.detection.table import Row, render, totals

SUITE_DETECTED = """\
FFF
----------------------------- sequence-contract ------------------------------
requests sent: 37; retries 0; waited 0.0 s; customers created: 10
first contract failure at request 12 (of 37)
=========================== short test summary info ============================
FAILED ../../work/main/contract_tests/test_archive.py::test_x[missing] - sequence_contract...
FAILED contract_tests/test_other.py::test_y
1 failed, 20 passed in 3.10s
"""
SUITE_COLLECTION_ERROR = """\
requests sent: 2; retries 0
ERROR contract_tests/test_generated.py - sequence_contract.suite.runtime.Setu...
1 error in 0.56s
"""
SUITE_PASSED = "requests sent: 2858 (retries 0)\n48 passed in 20.43s\n"
SUITE_ENVIRONMENT = "sequence-contract: environment broken: connection refused\n"

# output, exit status -> verdict, first failure, requests
SUITE_CASES: dict[str, tuple[str, int, Verdict, str | None, int | None]] = {
    "detected": (
        SUITE_DETECTED,
        1,
        Verdict.DETECTED,
        "contract_tests/test_archive.py::test_x[missing]",
        37,
    ),
    "collection-error": (
        SUITE_COLLECTION_ERROR,
        1,
        Verdict.DETECTED,
        "contract_tests/test_generated.py",
        2,
    ),
    "passed": (SUITE_PASSED, 0, Verdict.PASSED, None, 2858),
    "environment": (SUITE_ENVIRONMENT, 10, Verdict.ENVIRONMENT, None, None),
    "usage-error": ("ERROR: bad option\n", 4, Verdict.ERROR, None, None),
}


@pytest.mark.parametrize("case", SUITE_CASES)
def test_a_suite_run_is_read_from_its_exit_status_and_summary(case: str) -> None:
    output, exit_code, verdict, first, requests = SUITE_CASES[case]

    outcome = parse_suite_run("some-fault", exit_code, 1.5, output)

    assert (outcome.verdict, outcome.first_failure, outcome.requests) == (
        verdict,
        first,
        requests,
    )
    if verdict in (Verdict.ENVIRONMENT, Verdict.ERROR):
        assert outcome.detail, "an unusable run must say why"
    assert outcome.requests_to_first == (12 if case == "detected" else None)


def _scenario(status: str, label: str, checks: list[dict[str, Any]], requests: int) -> Any:
    interactions = {str(n): {} for n in range(requests)}
    recorder = {"label": label, "checks": {"case": checks}, "interactions": interactions}
    return {"ScenarioFinished": {"status": status, "recorder": recorder}}


PASSING_CHECK = {"name": "not_a_server_error", "status": "success"}
FAILING_CHECK = {
    "name": "response_schema_conformance",
    "status": "failure",
    "failure_info": {"failure": {"operation": "POST /customers"}},
}
PEER_EVENTS = [
    {"Initialize": {}},
    _scenario("success", "GET /customers", [PASSING_CHECK], 4),
    _scenario("failure", "Stateful tests", [PASSING_CHECK, FAILING_CHECK], 3),
]


def test_a_peer_run_names_its_first_failed_check_and_counts_requests() -> None:
    outcome = parse_peer_run("some-fault", 1, 2.0, PEER_EVENTS, "")

    assert outcome.verdict is Verdict.DETECTED
    assert outcome.first_failure == "response_schema_conformance @ POST /customers"
    assert outcome.requests == 7
    assert outcome.requests_to_first == 7  # through the end of the failed scenario


def test_the_peer_counts_requests_to_its_first_failure() -> None:
    events = [*PEER_EVENTS, _scenario("success", "PUT /customers/{id}", [PASSING_CHECK], 5)]
    outcome = parse_peer_run("some-fault", 1, 2.0, events, "")

    assert (outcome.requests_to_first, outcome.requests) == (7, 12)


def test_a_peer_exit_1_without_a_failed_check_is_an_error_not_a_detection() -> None:
    outcome = parse_peer_run("some-fault", 1, 2.0, PEER_EVENTS[:2], "Error: schema not found")

    assert outcome.verdict is Verdict.ERROR
    assert "schema not found" in outcome.detail


def _run(tool: str, variant: str, verdict: Verdict, seconds: float) -> RunOutcome:
    to_first = 4 if verdict is Verdict.DETECTED else None
    return RunOutcome(
        tool,
        variant,
        0,
        verdict,
        seconds,
        requests=10,
        requests_to_first=to_first,
        first_failure="t::x",
    )


def test_the_table_marks_misses_and_false_positives_and_totals_them() -> None:
    rows = [
        Row("fault-a", "shape", {"suite": [_run("suite", "fault-a", Verdict.DETECTED, 2.0)]}),
        Row("fault-b", "auth", {"suite": [_run("suite", "fault-b", Verdict.PASSED, 4.0)]}),
        Row(
            "variant-c",
            "benign",
            {
                "suite": [
                    _run("suite", "variant-c", Verdict.DETECTED, 1.0),
                    _run("suite", "variant-c", Verdict.DETECTED, 3.0),
                    _run("suite", "variant-c", Verdict.DETECTED, 5.0),
                ]
            },
        ),
    ]

    table = render(rows, ["suite"])
    summary = totals(rows, "suite")

    assert "| fault-b | auth | MISSED |" in table, table
    assert "| variant-c | benign | FALSE POSITIVE | t::x | 3.0 | 4 / 10 |" in table, table
    assert "| fault-b | auth | MISSED |  | 4.0 | 10 |" in table, table
    assert "detected 1/2 faults (50%); false positives 1/1 benign" in summary, summary

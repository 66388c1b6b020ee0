"""Failure entries from what a test raised: check, operation, "where: what", exchanges."""

from __future__ import annotations

import pytest
from schemathesis.core.failures import Failure, FailureGroup

from sequence_contract.http import TargetUnreachable
from sequence_contract.suite.checks import ContractViolation
from sequence_contract.suite.reporting.coverage import ContractCoverage, DocumentedOperation
from sequence_contract.suite.reporting.failures import describe
from sequence_contract.suite.runtime import SetupFailed
from tests.reporting.exchanges import BASE_URL, exchange

MATCHER = ContractCoverage(
    [
        DocumentedOperation("GET", "/customers", ("200",)),
        DocumentedOperation("POST", "/customers/{id}/archive", ("200",)),
    ],
    BASE_URL,
)
ARCHIVE = exchange("POST", "/customers/c1/archive", 200)
LISTING = exchange("GET", "/customers", 200, {"X-Schemathesis-TestCaseId": "case-2"})
OTHER_CASE = exchange("GET", "/customers", 200, {"X-Schemathesis-TestCaseId": "case-1"})


def _unreachable() -> BaseException:
    try:
        try:
            raise OSError("connection refused")
        except OSError as exc:
            raise TargetUnreachable("GET http://127.0.0.1:1/api: connection refused") from exc
    except TargetUnreachable as outer:
        wrapped = AssertionError("request failed")
        wrapped.__cause__ = outer
        return wrapped


# name -> (error, exchanges of the test, expected (check, operation, headline, kind, failing))
CASES: dict[str, tuple[BaseException, list, tuple]] = {
    "contract violation": (
        ContractViolation(
            "...",
            where="POST /api/customers/c1/archive status",
            what="500, expected 200",
            check="status code",
            exchange=ARCHIVE,
        ),
        [LISTING, ARCHIVE],
        (
            "status code",
            "POST /customers/{id}/archive",
            "POST /api/customers/c1/archive status: 500, expected 200",
            "contract",
            [ARCHIVE],
        ),
    ),
    "pytest.fail message": (
        AssertionError("GET /customers?legalName=x: archived customer c1 is still listed"),
        [ARCHIVE, LISTING],
        (
            "test_x",
            "GET /customers",
            "GET /customers?legalName=x: archived customer c1 is still listed",
            "contract",
            [LISTING],
        ),
    ),
    "unexpected exception": (
        KeyError("legalName"),
        [ARCHIVE],
        ("test_x", "POST /customers/{id}/archive", "KeyError: 'legalName'", "contract", [ARCHIVE]),
    ),
    "setup": (
        SetupFailed("setup: POST /customers answered 500, expected 201: boom"),
        [],
        ("setup", "", "setup: POST /customers answered 500, expected 201: boom", "setup", []),
    ),
    "environment": (
        _unreachable(),
        [ARCHIVE],
        (
            "environment",
            "POST /customers/{id}/archive",
            "environment: GET http://127.0.0.1:1/api: connection refused",
            "environment",
            [ARCHIVE],
        ),
    ),
    "schemathesis": (
        FailureGroup(
            [
                Failure(
                    operation="GET /customers",
                    title="Undocumented HTTP status code",
                    message="Received: 415\nDocumented: 200",
                    case_id="case-2",
                )
            ]
        ),
        [OTHER_CASE, LISTING, ARCHIVE],
        (
            "ST901 Undocumented HTTP status code",
            "GET /customers",
            "GET /customers: Undocumented HTTP status code: Received: 415; Documented: 200",
            "contract",
            [LISTING],
        ),
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_describe(name: str) -> None:
    error, exchanges, expected = CASES[name]
    (record,) = describe("tests/t.py::test_x", "test_x", error, exchanges, MATCHER)
    assert (
        record.check,
        record.operation,
        record.headline,
        record.kind,
        list(record.failing),
    ) == expected


def test_every_distinct_failure_of_a_group_is_an_entry() -> None:
    group = FailureGroup(
        [
            Failure(operation="GET /customers", title="A", message="a", case_id="case-1"),
            Failure(operation="GET /customers", title="B", message="b", case_id="case-2"),
        ]
    )
    records = describe("t", "test_x", group, [OTHER_CASE, LISTING], MATCHER)
    assert [(r.check, r.failing, r.generated) for r in records] == [
        ("ST901 A", (OTHER_CASE,), True),
        ("ST901 B", (LISTING,), True),
    ]

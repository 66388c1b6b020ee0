"""Contract coverage: requests mapped to documented operations, statuses seen and not seen."""

from __future__ import annotations

import pytest

from sequence_contract.schemas import LATEST_VERSION
from sequence_contract.suite.reporting.coverage import (
    ContractCoverage,
    DocumentedOperation,
    documented_operations,
    status_documented,
)
from tests.reporting.exchanges import BASE_URL, exchange

OPERATIONS = [
    DocumentedOperation("GET", "/customers", ("200", "400")),
    DocumentedOperation("GET", "/customers/{id}", ("200", "4XX")),
    DocumentedOperation("POST", "/customers/{id}/archive", ("200", "400", "401", "500")),
    DocumentedOperation("GET", "/customers/search", ("200",)),
]

# (method, path) -> the name the matcher gives it
MATCHES = {
    ("GET", "/customers"): "GET /customers",
    ("get", "/customers/abc-123"): "GET /customers/{id}",
    ("POST", "/customers/abc/archive"): "POST /customers/{id}/archive",
    ("POST", "/customers/..%2F..%2Fcustomers/archive"): "POST /customers/{id}/archive",
    ("GET", "/customers/search"): "GET /customers/search",
    ("GET", "/customers/abc/archive"): "GET /customers/{id}/archive (not documented)",
    ("GET", "/invoices"): "GET other path",
}


@pytest.mark.parametrize(("method", "path"), MATCHES, ids=[" ".join(k) for k in MATCHES])
def test_requests_map_to_their_operation(method: str, path: str) -> None:
    matcher = ContractCoverage(OPERATIONS, BASE_URL)
    assert matcher.name(method, BASE_URL + path + "?limit=1") == MATCHES[(method, path)]


@pytest.mark.parametrize(
    ("status", "documented", "expected"),
    [
        (200, ("200",), True),
        (404, ("4XX",), True),
        (404, ("400",), False),
        (503, ("default",), True),
    ],
)
def test_status_documented(status: int, documented: tuple[str, ...], expected: bool) -> None:
    assert status_documented(status, documented) is expected


def test_the_shipped_document_yields_every_customers_operation() -> None:
    names = {op.name for op in documented_operations(LATEST_VERSION)}
    assert "POST /customers/{id}/archive" in names
    assert {"GET /customers", "POST /customers", "GET /customers/{id}"} <= names


def test_coverage_counts_statuses_versions_cases_and_tests() -> None:
    coverage = ContractCoverage(OPERATIONS, BASE_URL)
    archive = [
        exchange("POST", "/customers/a/archive", 200, {"Sequence-Version": "2024-07-30"}),
        exchange("POST", "/customers/b/archive", 200, {"sequence-version": "2024-07-30"}),
        exchange("POST", "/customers/c/archive", 401, {"X-Schemathesis-TestCaseId": "k1"}),
        exchange("POST", "/customers/d/archive", 404, {"Sequence-Version": "1999-01-01"}),
        exchange("PUT", "/customers/e/archive", 405),
        exchange("POST", "/customers/f/archive", None),
    ]
    coverage.count(archive)
    coverage.attribute("test_archive", archive, failed=True)
    coverage.failure_at("PUT /customers/{id}/archive (not documented)")

    rows = {row.name: row for row in coverage.rows()}
    row = rows["POST /customers/{id}/archive"]
    assert row.requests == 5
    assert {code: row.status_seen(code) for code in row.documented_statuses} == {
        "200": 2,
        "400": 0,
        "401": 1,
        "500": 0,
    }
    assert row.undocumented_statuses == [404]
    assert row.versions == {"2024-07-30": 2, "(absent)": 2, "1999-01-01": 1}
    assert row.generated_cases == {"k1"}
    assert row.failed_tests == {"test_archive"}
    other = rows["other methods on /customers/{id}/archive"]
    assert (other.methods, other.failures, other.documented) == ({"PUT": 1}, 1, False)
    # Documented operations come first, reached or not.
    assert list(rows)[: len(OPERATIONS)] == [op.name for op in OPERATIONS]
    assert rows["GET /customers"].requests == 0


def test_a_request_sent_as_another_published_version_is_not_judged_by_this_document() -> None:
    # 2024-05-09 archives with PUT: its 405 to a POST is that version's answer, not news about
    # the run's version; a version nobody published stays on the run's row (see above).
    coverage = ContractCoverage(OPERATIONS, BASE_URL, "2024-07-30")
    older = exchange("POST", "/customers/a/archive", 405, {"Sequence-Version": "2024-05-09"})
    current = exchange("POST", "/customers/a/archive", 200, {"Sequence-Version": "2024-07-30"})
    coverage.count([older, current])
    touched = coverage.attribute("test_version", [older], failed=False)

    rows = {row.name: row for row in coverage.rows()}
    archive = rows["POST /customers/{id}/archive"]
    assert (archive.requests, archive.undocumented_statuses) == (1, [])
    sent_as = rows["POST /customers/{id}/archive (Sequence-Version 2024-05-09)"]
    assert (sent_as.requests, dict(sent_as.statuses), sent_as.documented) == (1, {405: 1}, False)
    assert touched == {sent_as.name}
    assert sent_as.tests == {"test_version"}

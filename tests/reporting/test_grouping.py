"""Identical failures are grouped: values that vary between runs do not split a group."""

from __future__ import annotations

import pytest

from sequence_contract.suite.reporting.failures import FailureBook, FailureRecord, normalise

# text -> normalised
NORMALISED = {
    "GET /customers/3f1c2a9e-0b7d-4c1e-9a55-0d1e2f3a4b5c body": "GET /customers/{uuid} body",
    "archivedAt '2026-11-26T15:08:50.844Z' changed": "archivedAt '{timestamp}' changed",
    "http://127.0.0.1:41387/api answered": "http://127.0.0.1:{port}/api answered",
    "label 'run 202611261508485f81d5'": "label 'run {run}'",
    "  two\n  lines ": "two lines",
    "status 404, expected 200": "status 404, expected 200",
}


@pytest.mark.parametrize("text", NORMALISED)
def test_normalise(text: str) -> None:
    assert normalise(text) == NORMALISED[text]


def _record(test: str, check: str, where: str, what: str) -> FailureRecord:
    return FailureRecord(test, check, "POST /customers/{id}/archive", where, what)


def test_identical_failures_share_a_group_and_are_counted() -> None:
    book = FailureBook()
    where = "POST /api/customers/{}/archive body vs customer schema"
    first = book.record(
        _record(
            "t1",
            "schema customer",
            where.format("a1b2c3d4-0000-4000-8000-000000000001"),
            "$: 'legalName' is a required property",
        )
    )
    same = book.record(
        _record(
            "t2",
            "schema customer",
            where.format("a1b2c3d4-0000-4000-8000-000000000002"),
            "$: 'legalName' is a required property",
        )
    )
    other_check = book.record(_record("t3", "status code", "status", "500, expected 200"))
    other_what = book.record(
        _record(
            "t4",
            "schema customer",
            where.format("a1b2c3d4-0000-4000-8000-000000000003"),
            "$.status: 'ARCHIVED' is not one of ['DRAFT', 'ACTIVE']",
        )
    )

    assert same is first
    assert (first.count, first.tests, first.first.test) == (2, ["t1", "t2"], "t1")
    assert len({id(first), id(other_check), id(other_what)}) == 3
    assert [group.number for group in book.groups()] == [1, 2, 3]
    assert book.groups()[0] is first  # the largest group first
    assert sum(group.count for group in book.groups()) == 4

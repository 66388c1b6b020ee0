"""Baselines: failure groups compared with an earlier run's, marked new, known, fixed, flaky."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis.errors import FlakyFailure

from sequence_contract.suite.reporting.baseline import (
    Baseline,
    BaselineError,
    Entry,
    Mark,
    compare,
    dump,
    flaky_replay,
    has_new,
    load,
    write_baseline,
)

MISSING_NAME = Entry(
    ("response_schema_conformance", "GET /customers/{id}", "$: 'legalName' is a required property"),
    3,
)
WRONG_STATUS = Entry(("status_code_conformance", "POST /customers", "status: 200, expected 201"))
FLAKY_500 = Entry(("not_a_server_error", "PUT /customers/{id}", "status: 500"), flaky=True)


@pytest.mark.parametrize(
    ("previous", "current", "marks", "fixed"),
    [
        pytest.param(None, [MISSING_NAME], [Mark.NEW], [], id="first-run-everything-new"),
        pytest.param([MISSING_NAME], [MISSING_NAME, WRONG_STATUS], [Mark.KNOWN, Mark.NEW], [],
                     id="one-known-one-new"),
        pytest.param([MISSING_NAME, WRONG_STATUS], [WRONG_STATUS], [Mark.KNOWN], [MISSING_NAME],
                     id="one-fixed"),
        pytest.param([], [FLAKY_500], [Mark.FLAKY], [], id="a-flaky-failure-is-not-new"),
        pytest.param([MISSING_NAME], [], [], [MISSING_NAME], id="all-fixed"),
    ],
)  # fmt: skip
def test_compare(
    previous: list[Entry] | None, current: list[Entry], marks: list[Mark], fixed: list[Entry]
) -> None:
    baseline = None if previous is None else Baseline(tuple(previous))
    comparison = compare(baseline, current)
    assert [mark for _, mark in comparison.marked] == marks
    assert list(comparison.fixed) == fixed


@pytest.mark.parametrize(
    ("current", "fails"),
    [
        ([MISSING_NAME], False),
        ([MISSING_NAME, WRONG_STATUS], True),
        ([FLAKY_500], False),
        ([], False),
    ],
)
def test_fail_on_new(current: list[Entry], fails: bool) -> None:
    """Only a failure missing from the baseline fails a `--fail-on new` run."""
    comparison = compare(Baseline((MISSING_NAME,)), current)
    assert has_new(comparison) is fails


def _raised_from(error: BaseException) -> BaseException:
    try:
        try:
            raise error
        except BaseException as inner:
            raise AssertionError("wrapped") from inner
    except AssertionError as outer:
        return outer


@pytest.mark.parametrize(
    ("error", "flaky"),
    [
        (FlakyFailure("passed on replay", [AssertionError("status 500")]), True),
        (_raised_from(FlakyFailure("passed on replay", [ValueError("x")])), True),
        (ExceptionGroup("two", [ValueError("x"), FlakyFailure("f", [ValueError("y")])]), True),
        (AssertionError("status 500"), False),
        (None, False),
    ],
    ids=["flaky-failure", "wrapped", "in-a-group", "failed-on-replay-too", "no-error"],
)
def test_a_failure_whose_replay_passed_is_flaky(error: BaseException | None, flaky: bool) -> None:
    assert flaky_replay(error) is flaky


def test_lines_and_summary_name_each_group() -> None:
    comparison = compare(Baseline((MISSING_NAME, WRONG_STATUS)), [WRONG_STATUS, FLAKY_500])
    assert comparison.summary() == "0 new, 1 known, 1 flaky, 1 fixed"
    assert comparison.lines() == [
        "KNOWN [status_code_conformance] POST /customers: status: 200, expected 201",
        "FLAKY [not_a_server_error] PUT /customers/{id}: status: 500",
        "FIXED [response_schema_conformance] GET /customers/{id}: $: 'legalName' is a required "
        "property",
    ]


def test_a_written_baseline_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "nightly" / "baseline.json"
    write_baseline(path, [WRONG_STATUS, MISSING_NAME, FLAKY_500], "run-1")
    loaded = load(path)
    assert loaded is not None
    assert loaded.run_id == "run-1"
    assert set(loaded.entries) == {WRONG_STATUS, MISSING_NAME, FLAKY_500}
    # Sorted by key, so two runs with the same failures write the same file.
    assert dump([MISSING_NAME, WRONG_STATUS], "x") == dump([WRONG_STATUS, MISSING_NAME], "x")


def test_no_file_yet_is_no_baseline(tmp_path: Path) -> None:
    assert load(tmp_path / "absent.json") is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a readable JSON file"),
        ('{"format": "other"}', "not a sequence-contract baseline file"),
        ('{"format": "sequence-contract-baseline", "version": 99, "failures": []}',
         "format version 99; this suite reads version 1"),
        ('{"format": "sequence-contract-baseline", "version": 1, "failures": [{"check": "x"}]}',
         "malformed failure entry"),
    ],
)  # fmt: skip
def test_an_unreadable_baseline_is_one_sentence(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "baseline.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError, match=message):
        load(path)

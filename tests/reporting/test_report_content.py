"""What a person reads in the report of a broken run: each failure, the groups, the overview."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ElementTree

import pytest

from sequence_contract import __version__
from sequence_contract.schemas import LATEST_VERSION
from sequence_contract.suite.reporting.coverage import documented_operations
from tests.reporting.fixtures import FAULTS, SuiteRun
from tests.reporting.report_data import HtmlReport

pytestmark = pytest.mark.slow

FULL_ENTRY_PARTS = {
    "check": "<b>Check</b>",
    "where: what": 'class="sc-headline"',
    "request": "request: ",
    "response": "response: ",
    "curl": "curl -i -X ",
    "rerun command": "<th>rerun</th>",
}


@pytest.fixture(scope="module")
def report(broken_run: SuiteRun) -> HtmlReport:
    assert broken_run.html.is_file(), broken_run.console_tail()
    return HtmlReport.read(broken_run.html)


def test_the_report_is_self_contained(report: HtmlReport) -> None:
    assert "<style" in report.raw
    assert '<link href="assets/' not in report.raw


def test_every_failed_test_has_a_failure_entry(report: HtmlReport) -> None:
    failed = report.failed_tests()
    assert len(failed) >= 5, f"a broken sandbox should fail many tests, the report shows {failed}"
    missing = [test for test in failed if not report.failure_entries(test)]
    assert missing == [], f"failed tests without a failure entry: {missing}"


def test_full_entries_show_check_where_what_exchange_and_curl(report: HtmlReport) -> None:
    full = [
        (test, entry)
        for test in report.failed_tests()
        for entry in report.failure_entries(test)
        if "sc-duplicate" not in entry
    ]
    assert full, "no full failure entry"
    for test, entry in full:
        missing = [name for name, marker in FULL_ENTRY_PARTS.items() if marker not in entry]
        assert missing == [], f"{test}: the failure entry lacks {missing}"
        headline = re.search(r'class="sc-headline">(.*?)</pre>', entry, re.S)
        assert headline, f"{test}: no headline"
        assert ": " in html.unescape(headline.group(1)), f"{test}: no 'where: what'"


def test_schema_violations_name_path_keyword_and_value(report: HtmlReport) -> None:
    entry = report.failure_entries(
        "contract_tests/test_archive.py::test_archive_answers_the_archived_customer"
    )[0]
    for row in ("<th>JSON path</th><td>$</td>", "<th>keyword</th><td>required</td>"):
        assert row in entry, f"schema violation entry lacks {row!r}"
    assert "<th>offending value</th><td>{" in entry
    assert "&#x27;legalName&#x27; is a required property" in entry


def test_generated_failures_say_how_to_replay(report: HtmlReport) -> None:
    generated = [t for t in report.failed_tests() if "test_generated.py" in t]
    assert generated, "the broken sandbox should fail generated cases too"
    # A group's first member is shown in full; the others link to it (see the next test).
    full = {
        test: entry
        for test in generated
        for entry in report.failure_entries(test)[:1]
        if "sc-duplicate" not in entry
    }
    assert full, "no generated failure is shown in full"
    for test, entry in full.items():
        for marker in ("<th>seed</th>", "<th>example</th>", "X-Schemathesis-TestCaseId"):
            assert marker in entry, f"{test}: replay information lacks {marker}"
        assert "--hypothesis-profile dev" in entry
        assert "--sandbox-fault" in entry


def test_identical_failures_are_grouped_and_counted(report: HtmlReport) -> None:
    counts = report.group_counts()
    assert counts, "the overview lists no failure group"
    assert max(counts.values()) >= 3, f"no group of identical failures: {counts}"
    entries = [e for t in report.failed_tests() for e in report.failure_entries(t)]
    full = [e for e in entries if "sc-duplicate" not in e]
    short = [e for e in entries if "sc-duplicate" in e]
    # Each group is shown in full once; its other members point to it.
    assert len(full) == len(counts), (len(full), counts)
    assert len(short) == sum(counts.values()) - len(counts)
    assert all("Same failure as group" in e for e in short)


def test_the_overview_describes_the_run(report: HtmlReport, broken_run: SuiteRun) -> None:
    overview = html.unescape(report.overview)
    expected = {
        "Base URL": "http://127.0.0.1:",
        "API version": LATEST_VERSION,
        "Target": "embedded sandbox with faults " + ", ".join(FAULTS),
        "Profile": "dev: budget 200 requests, 20 created customers",
        "Seed": "derandomized",
        "Suite version": f"sequence-contract {__version__}",
    }
    for label, value in expected.items():
        assert re.search(rf"<th>{label}</th><td>[^<]*{re.escape(value)}", overview), (
            f"overview: {label} should show {value!r}"
        )
    # The overview comes before the results table.
    assert report.raw.index('id="sc-overview"') < report.raw.index('id="results-table"')


def test_the_coverage_table_lists_every_documented_operation(report: HtmlReport) -> None:
    overview = html.unescape(report.overview)
    for operation in documented_operations(LATEST_VERSION):
        row = re.search(
            rf"<tr class=\"sc-documented\"><td>{re.escape(operation.name)}</td>"
            r"<td>(\d+)</td><td>(.*?)</td>",
            overview,
        )
        assert row, f"coverage: no row for {operation.name}"
        assert int(row.group(1)) > 0, f"coverage: {operation.name} was never sent"
        for status in operation.documented_statuses:
            assert re.search(rf">{status} (✓ \d+|✗ not seen)<", row.group(2)), (
                f"coverage: {operation.name} does not say whether {status} was seen"
            )
    assert "✗ not seen" in overview, "a short run cannot have seen every documented status"


def test_junit_carries_run_and_failure_properties(broken_run: SuiteRun) -> None:
    root = ElementTree.parse(broken_run.junit).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    assert suite is not None
    run_properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    for name in (
        "sequence_base_url",
        "sequence_api_version",
        "sequence_target",
        "sequence_profile",
        "sequence_seed",
        "sequence_suite_version",
        "sequence_requests_sent",
    ):
        assert name in run_properties, f"junit: no run property {name}"
    failed = [case for case in suite.iter("testcase") if case.find("failure") is not None]
    assert failed
    for case in failed:
        names = {p.get("name") for p in case.iter("property")}
        missing = {"failure_kind", "check", "operation", "where_what", "failure_group"} - names
        assert not missing, f"junit {case.get('name')}: no properties {missing}"


def test_the_console_groups_failures_and_shows_coverage(broken_run: SuiteRun) -> None:
    out = broken_run.stdout
    assert "sequence-contract: failures, grouped" in out
    assert re.search(r"#\d+ \d+x \[schema customer\] POST /customers/\{id\}/archive", out)
    assert "sequence-contract: contract coverage" in out
    assert "documented, not seen:" in out


def test_the_console_says_how_far_into_the_run_the_first_failure_showed(
    broken_run: SuiteRun,
) -> None:
    console = broken_run.stdout
    sent = re.search(r"^requests sent: (\d+); retries 0", console, re.MULTILINE)
    first = re.search(r"^first contract failure at request (\d+) \(of (\d+)\)$", console, re.M)
    assert sent, broken_run.console_tail()
    assert first, broken_run.console_tail()
    # A required field is dropped from every customer answer: the first request that gets
    # one, early in the run, shows it.
    assert 1 <= int(first.group(1)) <= 10, first.group(0)
    assert int(first.group(2)) == int(sent.group(1))

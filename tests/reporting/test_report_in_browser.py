"""The report renders in a real browser: failing rows, their request and response, visible."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from tests.reporting.browser import chromium, find_chromium
from tests.reporting.fixtures import SuiteRun

pytestmark = pytest.mark.slow

ARCHIVE_TEST = "contract_tests/test_archive.py::test_archive_answers_the_archived_customer"


@pytest.fixture(scope="module")
def dom(broken_run: SuiteRun, tmp_path_factory: pytest.TempPathFactory) -> str:
    browser = find_chromium()
    assert broken_run.html.is_file(), broken_run.console_tail()
    profile = tmp_path_factory.mktemp("chromium-profile")
    result = chromium(browser, profile, "--dump-dom", broken_run.html.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert "results-table" in result.stdout, result.stdout[:2000]
    return result.stdout


def _row(dom: str, test: str) -> str:
    """The rendered <tbody> of one test (pytest-html gives it the test id as its id)."""
    start = dom.find(f'id="{html.escape(test, quote=True)}"')
    assert start >= 0, f"{test}: no row in the rendered report"
    start = dom.rfind("<tbody", 0, start)
    end = dom.find('<tbody class="results-table-row', start + 1)
    return dom[start : end if end > 0 else len(dom)]


def test_a_failing_row_shows_its_failure_request_and_response(dom: str) -> None:
    row = _row(dom, ARCHIVE_TEST)
    assert 'class="results-table-row failed"' in row, row[:300]
    assert 'class="extras-row hidden"' not in row, "the failing row is collapsed"
    text = html.unescape(re.sub(r"<[^>]+>", "", row))
    for shown in (
        "body vs customer schema: $: 'legalName' is a required property",
        "request: POST http://127.0.0.1:",
        "response: 200",
        "curl -i -X POST",
        '-u "$SEQUENCE_CLIENT_ID:$SEQUENCE_CLIENT_SECRET"',
    ):
        assert shown in text, f"{ARCHIVE_TEST}: the rendered row does not show {shown!r}"


def _junit_name(test: str) -> tuple[str, str]:
    """(classname, name) as JUnit spells a pytest node id."""
    path, *scopes, name = test.split("::")
    return ".".join([path.removesuffix(".py").replace("/", "."), *scopes]), name


def test_every_failed_test_is_a_visible_failed_row(dom: str, broken_run: SuiteRun) -> None:
    # pytest-html can show a test as passed when only a part of it failed (subtests); the
    # JUnit file says which tests failed, and the browser must show each as a failed row.
    suite = ElementTree.parse(broken_run.junit).getroot()
    failed = {
        (case.get("classname", ""), case.get("name", ""))
        for case in suite.iter("testcase")
        if case.find("failure") is not None or case.find("error") is not None
    }
    assert len(failed) >= 5, f"the broken run failed too few tests: {failed}"
    rows = re.findall(r'<tbody class="results-table-row failed" id="([^"]+)"', dom)
    shown = {_junit_name(html.unescape(row)) for row in rows}
    assert failed - shown == set(), "failed tests not shown as failed rows"


def test_the_overview_renders_above_the_results(dom: str) -> None:
    assert dom.index('id="sc-overview"') < dom.index('id="results-table"')
    assert "Contract coverage" in dom


def test_a_screenshot_can_be_taken(
    broken_run: SuiteRun, tmp_path_factory: pytest.TempPathFactory
) -> None:
    browser = find_chromium()
    shot: Path = tmp_path_factory.mktemp("screenshot") / "report.png"
    result = chromium(
        browser,
        tmp_path_factory.mktemp("chromium-profile"),
        "--window-size=1400,2000",
        f"--screenshot={shot}",
        broken_run.html.as_uri(),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert shot.stat().st_size > 20_000, "the screenshot is blank"

"""pytest-html 4.2 loses a failed subtest's details; the suite's plugin keeps them visible."""

from __future__ import annotations

import pytest

from tests.reporting.report_data import HtmlReport

SUBTESTS = """
def test_with_subtests(subtests):
    with subtests.test(msg="first"):
        assert 1 == 2, "SUBTEST-FAILURE-MARKER"
    with subtests.test(msg="second"):
        pass
"""
PLUGIN = "sequence_contract.suite.reporting.subtests"


def _report(pytester: pytest.Pytester, *plugin: str) -> str:
    pytester.makepyfile(test_subtests=SUBTESTS)
    result = pytester.runpytest_subprocess(
        "--html=report.html", "--self-contained-html", "-p", "no:cacheprovider", *plugin
    )
    assert result.ret == 1, result.stdout.str()[-2000:]
    report = HtmlReport.read(pytester.path / "report.html")
    entries = report.results()["test_subtests.py::test_with_subtests"]
    return "\n".join(
        [entry["log"] for entry in entries]
        + [extra["content"] for entry in entries for extra in entry["extras"]]
    )


def test_without_the_plugin_the_failure_message_is_lost(pytester: pytest.Pytester) -> None:
    # Documents the pytest-html behaviour the plugin exists for; when a pytest-html release
    # fixes it, this fails and the plugin can go.
    assert "SUBTEST-FAILURE-MARKER" not in _report(pytester)


def test_with_the_plugin_the_failed_subtest_is_shown(pytester: pytest.Pytester) -> None:
    shown = _report(pytester, "-p", PLUGIN)
    assert "SUBTEST-FAILURE-MARKER" in shown
    assert "Failed subtest" in shown
    assert "[first]" in shown

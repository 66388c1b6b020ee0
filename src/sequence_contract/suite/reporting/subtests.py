"""Keeps failed subtests visible in pytest-html 4.2.

pytest-html keeps one report per (phase, outcome) of a test, so a failed subtest is replaced
by the next failed report of the same test (the test's own "contains 1 failed subtest") and
its message and extras vanish from the HTML. This plugin copies every failed subtest's text and
extras onto the test's own call report, which pytest-html does show.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import Any

import pytest


def is_subtest(report: pytest.TestReport) -> bool:
    return hasattr(report, "context") and type(report).__name__ == "SubtestReport"


class SubtestKeeper:
    def __init__(self) -> None:
        self.failed: defaultdict[str, list[pytest.TestReport]] = defaultdict(list)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if is_subtest(report):
            if report.failed:
                self.failed[report.nodeid].append(report)
            return
        if report.when != "call" or report.nodeid not in self.failed:
            return
        extras: list[dict[str, Any]] = list(getattr(report, "extras", []))
        for subtest in self.failed.pop(report.nodeid):
            extras += list(getattr(subtest, "extras", []))
            extras.append(_failure_extra(subtest))
        report.extras = extras  # type: ignore[attr-defined]


def _failure_extra(subtest: pytest.TestReport) -> dict[str, Any]:
    title = subtest.head_line or subtest.nodeid
    context = getattr(subtest, "context", None)
    message = getattr(context, "msg", None)
    if message:
        title += f" [{message}]"
    return {
        "name": None,
        "format_type": "html",
        "content": f'<div class="sc-subtest"><b>Failed subtest: {escape(title)}</b>'
        f"<pre>{escape(subtest.longreprtext)}</pre></div>",
        "mime_type": None,
        "extension": None,
    }


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("htmlpath", None):
        config.pluginmanager.register(SubtestKeeper(), "sequence-contract-subtests")

"""The parts of a pytest-html report the tests look at: its data blob and the overview."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class HtmlReport:
    raw: str
    data: dict[str, Any]

    @classmethod
    def read(cls, path: Path) -> HtmlReport:
        raw = path.read_text(encoding="utf-8")
        match = re.search(r'data-jsonblob="([^"]*)"', raw)
        assert match, f"{path}: no pytest-html data blob"
        return cls(raw, json.loads(html.unescape(match.group(1))))

    @property
    def overview(self) -> str:
        match = re.search(r'<section class="sc" id="sc-overview">.*?</section>', self.raw, re.S)
        assert match, "the report has no contract run overview"
        return match.group(0)

    def results(self) -> dict[str, list[dict[str, Any]]]:
        tests: dict[str, list[dict[str, Any]]] = self.data["tests"]
        return tests

    def failed_tests(self) -> list[str]:
        return [
            test
            for test, entries in self.results().items()
            if any(entry["result"] in ("Failed", "Error") for entry in entries)
        ]

    def failure_entries(self, test: str) -> list[str]:
        """The HTML of the test's failure entries (full or short)."""
        return [
            extra["content"]
            for entry in self.results()[test]
            for extra in entry["extras"]
            if extra["format_type"] == "html" and "sc-failure" in extra["content"]
        ]

    def group_counts(self) -> dict[int, int]:
        rows = re.findall(r'<tr id="sc-group-(\d+)"><td>#\d+</td><td>(\d+)&times;', self.overview)
        return {int(number): int(count) for number, count in rows}

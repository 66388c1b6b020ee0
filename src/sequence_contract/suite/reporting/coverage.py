"""Contract coverage: per documented operation, what the run sent and saw, and what it never
reached; and which documented operation a request belongs to."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sequence_contract.documents import documents
from sequence_contract.http import Exchange
from sequence_contract.schemas import LATEST_VERSION, PUBLISHED_VERSIONS

UNDOCUMENTED = "not documented"


@dataclass(frozen=True)
class DocumentedOperation:
    method: str  # upper case
    path: str  # the template, e.g. /customers/{id}/archive
    documented_statuses: tuple[str, ...]  # as written: "200", "4XX", "default"

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


def documented_operations(version: str) -> list[DocumentedOperation]:
    return [
        DocumentedOperation(method, path, tuple(str(code) for code in op.get("responses", {})))
        for method, path, op in documents(version).operations()
    ]


def status_documented(status: int, documented: tuple[str, ...]) -> bool:
    text = str(status)
    return any(
        code == text or (code.upper().endswith("XX") and code[0] == text[0]) or code == "default"
        for code in documented
    )


VERSION_HEADER = "sequence-version"
CASE_HEADER = "x-schemathesis-testcaseid"
ABSENT = "(absent)"


@dataclass
class OperationCoverage:
    name: str
    documented_statuses: tuple[str, ...] = ()  # empty: the operation is not documented
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    versions: Counter[str] = field(default_factory=Counter)
    methods: Counter[str] = field(default_factory=Counter)
    generated_cases: set[str] = field(default_factory=set)
    tests: set[str] = field(default_factory=set)
    failed_tests: set[str] = field(default_factory=set)
    failures: int = 0  # failure entries attributed to this operation
    not_reached: set[str] = field(default_factory=set)  # tests the request budget left out

    @property
    def documented(self) -> bool:
        return bool(self.documented_statuses)

    def status_seen(self, documented: str) -> int:
        """How many responses had this documented status (a range like 4XX counts all)."""
        return sum(
            count
            for status, count in self.statuses.items()
            if status_documented(status, (documented,))
        )

    @property
    def undocumented_statuses(self) -> list[int]:
        documented = self.documented_statuses
        return sorted(s for s in self.statuses if not status_documented(s, documented))


class ContractCoverage:
    """Rows for every documented operation, reached or not, and for anything else sent; and
    the operation a request (method, URL) belongs to."""

    def __init__(
        self, operations: list[DocumentedOperation], base_url: str, version: str = LATEST_VERSION
    ) -> None:
        self._version = version
        self._rows: dict[str, OperationCoverage] = {
            op.name: OperationCoverage(op.name, op.documented_statuses) for op in operations
        }
        self.not_reached_elsewhere: set[str] = set()  # budget-skipped tests of no one operation
        self._base_path = urlsplit(base_url).path.rstrip("/")
        # Literal segments win over parameters: /customers/search before /customers/{id}.
        templates = sorted({op.path for op in operations}, key=lambda t: (t.count("{"), -len(t)))
        self._templates = [
            (t, re.compile(re.sub(r"\\\{[^}/]+\\\}", "[^/]+", re.escape(t)))) for t in templates
        ]
        self._operations = {op.name for op in operations}

    def name(self, method: str, url: str) -> str:
        """ "POST /customers/{id}/archive", or "GET /customers/{id}/archive (not documented)"."""
        path = urlsplit(url).path.removeprefix(self._base_path) or "/"
        template = next((t for t, pattern in self._templates if pattern.fullmatch(path)), None)
        name = f"{method.upper()} {template or path}"
        if name not in self._operations:
            return f"{name} ({UNDOCUMENTED})" if template else f"{method.upper()} other path"
        return name

    def row(self, operation: str) -> OperationCoverage:
        """The row of `operation` as `name` gives it: the undocumented methods
        of a path share one row, and every other path another."""
        name = operation
        if operation.endswith(f" ({UNDOCUMENTED})"):
            name = (
                "other methods on " + operation.removesuffix(f" ({UNDOCUMENTED})").split(" ", 1)[1]
            )
        elif operation.endswith(" other path"):
            name = "other paths"
        return self._rows.setdefault(name, OperationCoverage(name))

    def _row_of(self, exchange: Exchange) -> OperationCoverage:
        """The exchange's row. A request sent as another published version is answered by that
        version's document, not this run's: it gets a row of its own, whose statuses are not
        judged against this document (a 405 for a version without the operation is no news)."""
        row = self.row(self.name(exchange.method, exchange.url))
        sent = _headers(exchange).get(VERSION_HEADER)
        if sent != self._version and sent in PUBLISHED_VERSIONS:
            name = f"{row.name} (Sequence-Version {sent})"
            return self._rows.setdefault(name, OperationCoverage(name))
        return row

    def count(self, exchanges: Iterable[Exchange]) -> None:
        """Count these exchanges: requests, statuses, versions sent, generated cases."""
        for exchange in exchanges:
            row = self._row_of(exchange)
            row.requests += 1 + exchange.retries
            row.methods[exchange.method] += 1
            if exchange.status is not None:
                row.statuses[exchange.status] += 1
            headers = _headers(exchange)
            row.versions[headers.get(VERSION_HEADER, ABSENT) or "(empty)"] += 1
            if CASE_HEADER in headers:
                row.generated_cases.add(headers[CASE_HEADER])

    def attribute(self, test: str, exchanges: Iterable[Exchange], failed: bool) -> set[str]:
        """Note that `test` exercised (and failed on) these exchanges' operations; returns them."""
        touched = {self._row_of(e).name for e in exchanges}
        for name in touched:
            self._rows[name].tests.add(test)
            if failed:
                self._rows[name].failed_tests.add(test)
        return touched

    def budget_skipped(self, test: str) -> None:
        """The budget ended the run before `test`: note it on the documented operation its id
        names, if any."""
        for name in sorted(self._rows, key=len, reverse=True):
            if self._rows[name].documented and name in test:
                self._rows[name].not_reached.add(test)
                return
        self.not_reached_elsewhere.add(test)

    def failure_at(self, operation: str) -> None:
        """Count a failure entry against the row of `operation`."""
        if operation:
            self.row(operation).failures += 1

    def rows(self) -> list[OperationCoverage]:
        """Documented operations first (in document order), then whatever else was sent."""
        rows = list(self._rows.values())
        return [r for r in rows if r.documented] + sorted(
            (r for r in rows if not r.documented), key=lambda r: r.name
        )


def _headers(exchange: Exchange) -> dict[str, str]:
    return {key.lower(): value for key, value in exchange.request_headers.items()}

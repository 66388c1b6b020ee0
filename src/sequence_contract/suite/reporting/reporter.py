"""`ContractReporter`: follows one contract run and feeds pytest-html, JUnit and the console."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections import Counter
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from _pytest.junitxml import xml_key
from pytest_html import extras as html_extras  # type: ignore[import-untyped]
from pytest_metadata.plugin import metadata_key  # type: ignore[import-untyped]

from sequence_contract import __version__
from sequence_contract.http import Exchange
from sequence_contract.suite import exitcodes
from sequence_contract.suite.config import PROFILES
from sequence_contract.suite.reporting import baseline
from sequence_contract.suite.reporting.coverage import ContractCoverage, documented_operations
from sequence_contract.suite.reporting.failures import FailureBook, Group, describe
from sequence_contract.suite.reporting.render import Html
from sequence_contract.suite.reporting.rerun import replay_lines

if TYPE_CHECKING:
    from sequence_contract.suite.runtime import Run

FAILURE_KIND = "failure_kind"
BUDGET_SPENT = "request budget of"  # the skip reason of tests the budget left out


class ContractReporter:
    def __init__(self, config: pytest.Config, run: Run) -> None:
        self.config = config
        self.run = run
        self.book = FailureBook()
        self.failed_tests: set[str] = set()
        self.outcomes: Counter[str] = Counter()
        self._finished = False
        self._coverage: ContractCoverage | None = None
        self._coverage_url = ""
        self._baseline_on = False
        self._previous: baseline.Baseline | None = None
        self.comparison: baseline.Comparison | None = None

    @property
    def coverage(self) -> ContractCoverage:
        """Built anew once the target runs (an embedded sandbox's URL is known only then)."""
        if self._coverage is None or self._coverage_url != self.run.base_url:
            self._coverage_url = self.run.base_url
            version = self.run.settings.api_version
            self._coverage = ContractCoverage(
                documented_operations(version), self._coverage_url, version
            )
        return self._coverage

    def use_baseline(self, previous: baseline.Baseline | None) -> None:
        """--baseline was given: compare with `previous` (None: no earlier run) at the end."""
        self._baseline_on, self._previous = True, previous

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        # On each handler: a filter on a logger misses propagated records.
        logging_plugin = self.config.pluginmanager.get_plugin("logging-plugin")
        for name in ("caplog_handler", "report_handler", "log_file_handler", "log_cli_handler"):
            handler = getattr(logging_plugin, name, None)
            if handler is not None and self._redact_log not in handler.filters:
                handler.addFilter(self._redact_log)
        # pytest-html's environment table: pytest-base-url leaves Base URL empty when the suite
        # starts its own sandbox.
        metadata = self.config.stash.get(metadata_key, None)
        if metadata is not None:
            static = self.run_facts(static_only=True)
            metadata.update((k, self.run.redactor.text(v)) for k, v in static[:3])

    def _redact_log(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.run.redactor.text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_text:
            record.exc_text = self.run.redactor.text(record.exc_text)
        return True

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        self.run.traffic.take_current()

    def after_report(
        self, item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport
    ) -> None:
        """Called for each phase's report, after the suite plugin marked and redacted it."""
        exchanges = list(self.run.traffic.current)
        if report.skipped and BUDGET_SPENT in str(report.longrepr):
            self.coverage.budget_skipped(item.nodeid)
        if report.failed and call.excinfo is not None:
            self.failed_tests.add(item.nodeid)
            self._add_failures(item, report, call.excinfo.value, exchanges)
        if report.when == "teardown":
            failed = item.nodeid in self.failed_tests
            touched = self.coverage.attribute(item.nodeid, exchanges, failed)
            report.user_properties.append(("requests", str(len(exchanges))))
            report.user_properties.append(("operations", ", ".join(sorted(touched))))

    def _note_first_failure(self, failing: tuple[Exchange, ...], exchanges: list[Exchange]) -> None:
        """How far into the run a failure showed: the first of the test's requests that got a
        failing answer (a check's copy of it is matched by its content), else its last one."""
        shown = {_answer(exchange) for exchange in failing}
        last = exchanges[-1] if exchanges else None
        first = next((e for e in exchanges if _answer(e) in shown), last)
        sent = self.run.traffic.all_exchanges
        at = next((n for n, e in enumerate(sent, 1) if e is first), None)
        if at is not None:
            self.run.first_failure_at = min(at, self.run.first_failure_at or at)

    def _add_failures(
        self,
        item: pytest.Item,
        report: pytest.TestReport,
        error: BaseException,
        exchanges: list[Exchange],
    ) -> None:
        name = getattr(item, "originalname", None) or item.name
        records = describe(item.nodeid, name, error, exchanges, self.coverage)
        changes: dict[str, Any] = {"flaky": baseline.flaky_replay(error)}
        if dict(report.user_properties).get(FAILURE_KIND) == "environment":
            changes["kind"] = "environment"
        redact = self.run.redactor.text
        html = Html(self.run.redactor, self.run.authorization())
        extras: list[dict[str, Any]] = list(getattr(report, "extras", []))
        headlines = []
        for record in (dataclasses.replace(r, **changes) for r in records):
            group = self.book.record(record)
            if record.kind != "environment":  # a setup failure is the contract's too
                self._note_first_failure(record.failing, exchanges)
            self.coverage.failure_at(record.operation)
            if group.first is record:
                replay = replay_lines(
                    item.nodeid, self.run.settings, self.run.seed, record.generated
                )
                extras.append(html_extras.html(html.failure(record, group, replay, exchanges)))
            else:
                extras.append(html_extras.html(html.duplicate(record, group)))
                report.sc_duplicate_of = group  # type: ignore[attr-defined]
            headlines.append(redact(record.headline))
            for key, value in (
                (FAILURE_KIND, record.kind),
                ("check", record.check),
                ("operation", record.operation),
                ("where_what", record.headline),
                ("failure_group", f"#{group.number}"),
            ):
                item.user_properties.append((key, redact(value)))
        report.extras = extras  # type: ignore[attr-defined]
        report.sc_headline = "\n".join(headlines)  # type: ignore[attr-defined]

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Before pytest-html and JUnit write their files (both do so in their own hook)."""
        if self._finished:
            return
        self._finished = True
        # A run whose every failure is the environment's says so with exit status 10.
        broken = session.exitstatus == exitcodes.CONTRACT_BROKEN
        if broken and set(self._failure_kinds()) == {"environment"}:
            session.exitstatus = exitcodes.ENVIRONMENT_BROKEN
        self.coverage.count(self.run.traffic.all_exchanges)
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        stats = getattr(reporter, "stats", {})
        for outcome in ("passed", "failed", "error", "skipped", "xfailed", "xpassed"):
            self.outcomes[outcome] = len(stats.get(outcome, []))
        if self._baseline_on:
            entries = [
                baseline.Entry(group.key, group.count, tuple(group.tests), group.flaky)
                for group in self.book.groups()
                if group.first.kind != "environment"
            ]
            self.comparison = baseline.compare(self._previous, entries)
            baseline.write_baseline(Path(self._baseline_out()), entries, self.run.run_id)
            if (
                self.config.getoption("fail_on") == "new"
                and session.exitstatus == exitcodes.CONTRACT_BROKEN
                and not baseline.has_new(self.comparison)
            ):
                environment = any(g.first.kind == "environment" for g in self.book.groups())
                session.exitstatus = exitcodes.ENVIRONMENT_BROKEN if environment else 0
        junit = self.config.stash.get(xml_key, None)
        if junit is not None:
            for name, value in self.run_facts():
                name = "sequence_" + name.lower().replace(" ", "_").replace("-", "_")
                junit.add_global_property(name, self.run.redactor.text(value))

    def _baseline_out(self) -> str:
        return str(self.config.getoption("baseline_out") or self.config.getoption("baseline"))

    def run_facts(self, *, static_only: bool = False) -> list[tuple[str, str]]:
        settings = self.run.settings
        profile = PROFILES[settings.profile]
        facts = [
            ("Base URL", self.run.base_url or "embedded sandbox (started on first use)"),
            ("API version", f"{settings.api_version} (schemas/{settings.api_version})"),
            ("Target", settings.target_kind.value + settings.with_faults),
            (
                "Profile",
                f"{profile.name}: budget {settings.request_budget} requests, "
                f"{settings.customer_budget} created customers "
                f"({self.run.budget.describe()} spent); {profile.purpose}",
            ),
            ("Seed", self.run.seed.describe()),
            ("Suite version", f"sequence-contract {__version__}"),
            ("Run id", self.run.run_id),
            ("Writes", "allowed" if settings.destructive else "read-only run"),
        ]
        changed = settings.expectations.changed()
        if changed:
            pairs = ", ".join(f"{name}={value}" for name, value in changed.items())
            facts.append(("Expectations changed", pairs))
        if static_only:
            return facts
        traffic = self.run.traffic
        counts = ", ".join(f"{n} {outcome}" for outcome, n in self.outcomes.items() if n)
        kinds = Counter(r.kind for g in self.book.groups() for r in g.records)
        facts += [
            ("Tests", counts or "none ran"),
            ("Failure entries", ", ".join(f"{n} {k}" for k, n in kinds.items()) or "none"),
            (
                "Requests sent",
                f"{traffic.total_requests} (retries {traffic.total_retries}, "
                f"waited {traffic.total_wait_seconds:.1f} s)",
            ),
            ("Duration", f"{time.time() - self.run.started:.1f} s"),
        ]
        if self.comparison is not None:
            facts.append(("Against the baseline", self.comparison.summary()))
            facts += [("Baseline mark", line) for line in self.comparison.lines()]
        return facts

    def pytest_html_report_title(self, report: Any) -> None:
        settings = self.run.settings
        report.title = (
            f"Sequence contract report: API {settings.api_version}, {settings.target_kind.value}"
        )

    def pytest_html_results_summary(
        self, prefix: list[str], summary: list[str], postfix: list[str], session: pytest.Session
    ) -> None:
        self.pytest_sessionfinish(session)
        html = Html(self.run.redactor)
        prefix.append(html.overview(self.run_facts(), self.book.groups(), self.coverage.rows()))

    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        cells.insert(2, "<th>Failure (where: what)</th>")

    def pytest_html_results_table_row(self, report: pytest.TestReport, cells: list[str]) -> None:
        headline = getattr(report, "sc_headline", "")
        cells.insert(2, f'<td class="col-failure">{escape(headline)}</td>')

    def pytest_html_results_table_html(self, report: pytest.TestReport, data: list[str]) -> None:
        group = getattr(report, "sc_duplicate_of", None)
        if isinstance(group, Group) and len(data) > 0:
            data[:] = [
                escape(
                    f"Log left out: the same failure as group #{group.number}; its full log is "
                    f"in {group.first.test}.\n"
                )
            ]

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        self._summarise_failures(terminalreporter)
        self._summarise_coverage(terminalreporter)
        self._summarise_run(terminalreporter)

    def _summarise_failures(self, terminal: pytest.TerminalReporter) -> None:
        redact = self.run.redactor.text
        groups = self.book.groups()
        if groups:
            terminal.write_sep("-", "sequence-contract: failures, grouped")
            for group in groups:
                first = group.first
                mark = self.comparison.mark_of(group.key) if self.comparison else None
                terminal.write_line(
                    redact(
                        f"#{group.number} {mark.value.upper() + ' ' if mark else ''}"
                        f"{group.count}x [{first.check}] {first.operation or '-'}: "
                        f"{first.headline}"
                    ),
                    red=True,
                )
                tests = group.tests
                shown = ", ".join(t.rsplit("::", 1)[-1] for t in tests[:4])
                more = f" (+{len(tests) - 4} more)" if len(tests) > 4 else ""
                terminal.write_line(f"    {shown}{more}")
        if self.comparison is not None:
            terminal.write_sep("-", "sequence-contract: against the baseline")
            terminal.write_line(
                f"{self.comparison.summary()}; new baseline: {self._baseline_out()}"
            )
            for entry in self.comparison.fixed:
                terminal.write_line(redact(f"FIXED {entry.line}"), green=True)

    def _summarise_coverage(self, terminal: pytest.TerminalReporter) -> None:
        terminal.write_sep("-", "sequence-contract: contract coverage")
        for row in self.coverage.rows():
            if not row.documented and not row.requests:
                continue
            unseen = [code for code in row.documented_statuses if not row.status_seen(code)]
            seen = ", ".join(f"{s} x{n}" for s, n in sorted(row.statuses.items()))
            line = f"{row.name}: {row.requests} requests"
            if seen:
                line += f"; statuses {seen}"
            if unseen:
                line += f"; documented, not seen: {', '.join(unseen)}"
            if row.undocumented_statuses and row.documented:
                line += "; UNDOCUMENTED: " + ", ".join(map(str, row.undocumented_statuses))
            if row.not_reached:
                line += f"; NOT REACHED (request budget spent): {len(row.not_reached)} tests"
            terminal.write_line(self.run.redactor.text(line))
        if self.coverage.not_reached_elsewhere:
            terminal.write_line(
                f"not reached (request budget spent): {len(self.coverage.not_reached_elsewhere)} "
                "more tests"
            )

    def _summarise_run(self, terminal: pytest.TerminalReporter) -> None:
        """Where the run went, what it sent and waited, its budget, and what it left behind."""
        run, runtime, write = self.run, self.run.runtime, terminal.write_line
        terminal.write_sep("-", "sequence-contract")
        if runtime is not None and run.settings.embedded:
            write(
                f"sequence-contract {__version__}: {run.base_url} (embedded sandbox, started for "
                f"this run{run.settings.with_faults})"
            )
        write(
            f"{run.traffic.summary()}; customers created: {len(runtime.created) if runtime else 0}"
        )
        if run.first_failure_at is not None:
            write(
                f"first contract failure at request {run.first_failure_at} "
                f"(of {len(run.traffic.all_exchanges)})"
            )
        pacing = runtime.session.rate_limiter.note() if runtime else None
        if pacing:  # what the server taught
            write(pacing)
        skips = [str(getattr(r, "longrepr", "")) for r in terminal.stats.get("skipped", [])]
        spent = sum(BUDGET_SPENT in text for text in skips)
        cut_short = sum("customer allowance of" in text for text in skips)
        ended = (
            f"; the run ended at its budget: {spent} tests not run (see the coverage table for "
            "what was not reached); raise --max-requests for more"
        )
        write(f"budget: {run.budget.describe()}{ended if spent else ''}", yellow=bool(spent))
        if cut_short:
            write(
                f"budget: {cut_short} generated tests cut short at the customer allowance "
                "(the profile's); their earlier cases ran",
                yellow=True,
            )
        failed = self._failure_kinds()
        environment = failed.count("environment")
        if failed:
            write(f"failures: {len(failed) - environment} contract, {environment} environment")
        for problem in runtime.cleanup_failures if runtime else ():
            write(f"cleanup: could not archive {problem}", yellow=True)

    def _failure_kinds(self) -> list[Any]:
        """The kind of each failed test and error in setup or teardown (a fixture's request can
        meet a 429 too)."""
        stats = getattr(self.config.pluginmanager.get_plugin("terminalreporter"), "stats", {})
        reports = [*stats.get("failed", []), *stats.get("error", [])]
        return [dict(getattr(r, "user_properties", ())).get(FAILURE_KIND) for r in reports]


def _answer(exchange: Exchange) -> tuple[str, str, int | None, bytes]:
    return (exchange.method, exchange.url, exchange.status, exchange.response_body)

"""The contract suite's pytest plugin: configuration, run header, safety guard, exit statuses.

Loaded by the root conftest.py. It starts a run only when the contract suite is collected, so
`pytest tests` never starts a sandbox or sends a request.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from sequence_contract import __version__
from sequence_contract.http import EnvironmentProblem
from sequence_contract.http.errors import environment_problem_behind
from sequence_contract.sandbox import SandboxConfigError, SandboxStartError
from sequence_contract.suite import exitcodes
from sequence_contract.suite.options import add_options, resolve, runs_contract_suite
from sequence_contract.suite.profiles import PROFILES, register_hypothesis_profiles
from sequence_contract.suite.runtime import SuiteRuntime, activate
from sequence_contract.suite.settings import UsageError
from sequence_contract.suite.target import TargetKind

RUNTIME = pytest.StashKey[SuiteRuntime]()
DEFAULT_HTML = Path("reports/report.html")
DEFAULT_JUNIT = Path("reports/junit.xml")

register_hypothesis_profiles()


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not runs_contract_suite(config) or hasattr(config, "workerinput"):
        return
    _default_report_paths(config)
    try:
        settings = resolve(config)
    except UsageError as exc:
        raise pytest.UsageError(f"sequence-contract: {exc}") from None
    hypothesis_settings.load_profile(settings.profile)
    runtime = SuiteRuntime(settings)
    try:
        runtime.start()
    except SandboxConfigError as exc:
        runtime.stop()
        raise pytest.UsageError(f"sequence-contract: {exc}") from None
    except (EnvironmentProblem, SandboxStartError) as exc:
        runtime.stop()
        pytest.exit(
            f"sequence-contract: environment broken: {runtime.redactor.text(str(exc))}",
            returncode=exitcodes.ENVIRONMENT_BROKEN,
        )
    config.stash[RUNTIME] = runtime
    activate(runtime)
    config.add_cleanup(runtime.stop)
    config.add_cleanup(lambda: activate(None))


def _default_report_paths(config: pytest.Config) -> None:
    """Every contract run writes an HTML and a JUnit report unless told otherwise."""
    if getattr(config.option, "htmlpath", "missing") is None:
        config.option.htmlpath = str(DEFAULT_HTML)
        config.option.self_contained_html = True
    if getattr(config.option, "xmlpath", "missing") is None:
        config.option.xmlpath = str(DEFAULT_JUNIT)
    for path in (config.option.htmlpath, config.option.xmlpath):
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)


def pytest_report_header(config: pytest.Config) -> list[str]:
    runtime = config.stash.get(RUNTIME, None)
    if runtime is None:
        return []
    settings = runtime.settings
    profile = PROFILES[settings.profile]
    where = runtime.base_url
    if settings.target_kind is TargetKind.EMBEDDED:
        faults = (
            f" with faults {', '.join(settings.sandbox_faults)}" if settings.sandbox_faults else ""
        )
        where += f" (embedded sandbox, started for this run{faults})"
    lines = [
        f"sequence-contract {__version__}: {where} [{settings.target_kind.value}]",
        f"  API version {settings.api_version} (schemas/{settings.api_version}); profile "
        f"{profile.name}: {profile.max_examples} cases per operation"
        f"{', deterministic' if profile.deterministic else ''}; run id {runtime.run_id}",
        f"  credentials: client id from {_credential_source(settings.credentials is None)}; "
        f"rate limit {settings.effective_rate_limit or 'none'}/min; "
        f"timeout {settings.request_timeout:g} s",
    ]
    if settings.destructive:
        lines.append(
            f"  writes: allowed (customers labelled {runtime.label!r}, archived at the end)"
        )
    else:
        lines.append(
            "  writes: READ-ONLY run: this host is not the sandbox, so tests that create, update "
            "or archive are deselected (pass --allow-destructive-host HOST to allow them)"
        )
    changed = settings.expectations.changed()
    if changed:
        lines.append("  expectations changed: " + ", ".join(f"{k}={v}" for k, v in changed.items()))
    return lines


def _credential_source(embedded_defaults: bool) -> str:
    return "the embedded sandbox's defaults" if embedded_defaults else "SEQUENCE_CLIENT_ID"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    runtime = config.stash.get(RUNTIME, None)
    if runtime is None or runtime.settings.destructive:
        return
    kept = [item for item in items if item.get_closest_marker("destructive") is None]
    deselected = [item for item in items if item.get_closest_marker("destructive") is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    runtime = item.config.stash.get(RUNTIME, None)
    if runtime is None:
        return report
    if report.failed:
        problem = environment_problem_behind(call.excinfo.value if call.excinfo else None)
        if problem is not None:
            report.longrepr = "ENVIRONMENT, not a contract failure: " + runtime.redactor.text(
                str(problem)
            )
            report.user_properties.append(("failure_kind", "environment"))
        else:
            report.user_properties.append(("failure_kind", "contract"))
    _redact_report(runtime, report)
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    runtime = session.config.stash.get(RUNTIME, None)
    if runtime is None or exitstatus != exitcodes.CONTRACT_BROKEN:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    failed = _failed_reports(reporter.stats) if reporter else []
    kinds = {_failure_kind(report) for report in failed}
    if failed and kinds == {"environment"}:
        session.exitstatus = exitcodes.ENVIRONMENT_BROKEN


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    runtime = terminalreporter.config.stash.get(RUNTIME, None)
    if runtime is None:
        return
    traffic = runtime.traffic
    terminalreporter.write_sep("-", "sequence-contract")
    terminalreporter.write_line(f"{traffic.summary()}; customers created: {len(runtime.created)}")
    pacing = runtime.session.rate_limiter.note()  # h11: what the server taught the pacing
    if pacing:
        terminalreporter.write_line(pacing)
    failed = _failed_reports(terminalreporter.stats)
    environment = sum(1 for report in failed if _failure_kind(report) == "environment")
    if failed:
        terminalreporter.write_line(
            f"failures: {len(failed) - environment} contract, {environment} environment"
        )
    for problem in runtime.cleanup_failures:
        terminalreporter.write_line(f"cleanup: could not archive {problem}", yellow=True)


def _failed_reports(stats: dict[str, list[Any]]) -> list[Any]:
    """Failed tests and errors in setup or teardown (a fixture's request can meet a 429 too)."""
    return [*stats.get("failed", []), *stats.get("error", [])]


def _failure_kind(report: Any) -> str | None:
    kind = dict(getattr(report, "user_properties", ())).get("failure_kind")
    return kind if isinstance(kind, str) else None


def _redact_report(runtime: SuiteRuntime, report: pytest.TestReport) -> None:
    """Last line of defence: no credential reaches a report, whatever raised the failure."""
    if report.longrepr is not None:
        text = str(report.longrepr)
        redacted = runtime.redactor.text(text)
        if redacted != text:
            report.longrepr = redacted
    report.sections = [(title, runtime.redactor.text(body)) for title, body in report.sections]

"""The contract suite's pytest plugin (entry point `sequence_contract`): settings, fixtures,
read-only and budget guards, environment vs contract failures, exit statuses. It acts only when
`contract_tests/conftest.py` is loaded at start-up, so `pytest tests` never starts a run.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import FlakyStrategyDefinition

from sequence_contract import __version__
from sequence_contract.errors import UsageError, error_behind
from sequence_contract.http import EnvironmentProblem
from sequence_contract.http.budget import BudgetSpent
from sequence_contract.http.errors import environment_problem_behind
from sequence_contract.sandbox import SandboxStartError
from sequence_contract.suite import exitcodes
from sequence_contract.suite.allotment import Plan, plan
from sequence_contract.suite.config import (
    PROFILE_VARIABLE,
    PROFILES,
    VERSION_VARIABLE,
    Expectations,
    pytest_addoption,  # noqa: F401 - pytest reads the hook off this module
    resolve,
)
from sequence_contract.suite.generated import (
    ALWAYS_EXCLUDED,
    READ_ONLY_EXCLUDED,
    budget_spent_reason,
    coverage_cases,
    creating_operations,
    route_probes_through,
    sendable,
    size_generated_test,
)
from sequence_contract.suite.inflight import InFlight, operation_of
from sequence_contract.suite.reporting.baseline import BaselineError
from sequence_contract.suite.reporting.baseline import load as load_baseline
from sequence_contract.suite.reporting.reporter import FAILURE_KIND, ContractReporter
from sequence_contract.suite.reporting.rerun import RunSeed, choose_seed
from sequence_contract.suite.runtime import Run, SuiteRuntime, running
from sequence_contract.target import SAFE_METHODS

RUN = pytest.StashKey[Run]()
PLAN = pytest.StashKey[Plan]()
IN_FLIGHT = pytest.StashKey[InFlight]()
GENERATED_MARK = "generated"


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{GENERATED_MARK}: generated cases (schemathesis); run after the example-based tests, "
        "sized by the run's request budget",
    )
    _refuse_a_path_taken_for_a_test_path(config)
    # pytest loads a test folder's conftest at start-up exactly when it collects that folder.
    plugins = config.pluginmanager.get_plugins()
    if hasattr(config, "workerinput") or not any(hasattr(p, "CONTRACT_SUITE") for p in plugins):
        return
    # Every contract run writes an HTML and a JUnit report unless told otherwise.
    if getattr(config.option, "htmlpath", "missing") is None:
        config.option.htmlpath = "reports/report.html"
        config.option.self_contained_html = True
    if getattr(config.option, "xmlpath", "missing") is None:
        config.option.xmlpath = "reports/junit.xml"
    for path in (config.option.htmlpath, config.option.xmlpath):
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    baseline = config.getoption("baseline")
    try:
        settings = resolve(config)
        if config.getoption("fail_on") == "new" and not baseline:
            raise UsageError("--fail-on new needs --baseline FILE")
        previous = load_baseline(Path(baseline)) if baseline else None
    except (UsageError, BaselineError) as exc:
        raise pytest.UsageError(f"sequence-contract: {exc}") from None
    hypothesis_settings.load_profile(settings.profile)
    # Before hypothesis' own pytest_configure reads --hypothesis-seed.
    seed = choose_seed(settings.profile, config.getoption("hypothesis_seed", None))
    if seed is not None:
        config.option.hypothesis_seed = seed
    # schemathesis builds its tests when a module is imported, reading the version and profile
    # from these variables (config.collection_version): they must be the run's.
    environment = pytest.MonkeyPatch()
    environment.setenv(VERSION_VARIABLE, settings.api_version)
    environment.setenv(PROFILE_VARIABLE, settings.profile)
    config.add_cleanup(environment.undo)
    run = config.stash[RUN] = Run(settings, RunSeed(settings.profile, seed))
    reporter = ContractReporter(config, run)
    if baseline:
        reporter.use_baseline(previous)
    # Registered now, before pytest-html's session start asks for the table header.
    config.pluginmanager.register(reporter, "sequence-contract-reporter")


def _refuse_a_path_taken_for_a_test_path(config: pytest.Config) -> None:
    """pytest looks for its settings before it knows a plugin's options, so in `--baseline FILE`
    an existing FILE outside the project reads as a test path: the project's settings are lost
    and the wrong tests run."""
    if config.inipath is not None:
        return
    args = [str(arg) for arg in config.invocation_params.args]
    for option, value in itertools.pairwise(args):
        if option in ("--baseline", "--baseline-out") and Path(value).exists():
            raise pytest.UsageError(
                f"sequence-contract: {option} {value}: write {option}={value} (with '=': pytest "
                "took the file for a test path and lost the project's settings)"
            )


# -- fixtures (session-scoped: schemathesis tests run under hypothesis) -----------------------


@pytest.fixture(scope="session")
def runtime(pytestconfig: pytest.Config) -> Iterator[SuiteRuntime]:
    """The started target and session of this run; archives what the run created at the end.
    A target that cannot be used ends the run with one line and exit status 10."""
    run = pytestconfig.stash.get(RUN, None)
    if run is None:
        pytest.fail("sequence-contract: the plugin is not configured (run `pytest contract_tests`)")
    try:
        with running(run) as started:
            route_probes_through(started.session)  # checks' extra requests: paced, counted
            run.runtime = started
            yield started
            in_flight = pytestconfig.stash.get(IN_FLIGHT, None)
            if in_flight is not None:  # before cleanup: no generated test is still sending
                in_flight.close()
    except (EnvironmentProblem, SandboxStartError) as exc:
        pytest.exit(
            f"sequence-contract: environment broken: {run.redactor.text(str(exc))}",
            returncode=exitcodes.ENVIRONMENT_BROKEN,
        )


@pytest.fixture(scope="session", autouse=True)
def _generated_in_flight(request: pytest.FixtureRequest) -> None:
    """In a contract run, the generated tests start in the background with the first test
    (--in-flight; suite/inflight.py)."""
    in_flight = request.config.stash.get(IN_FLIGHT, None)
    if in_flight is not None and in_flight.active:
        session = request.getfixturevalue("runtime").session
        in_flight.start(request.getfixturevalue, request.config.stash[RUN].traffic, session)


@pytest.fixture(scope="session")
def expectations(pytestconfig: pytest.Config) -> Expectations:
    return pytestconfig.stash[RUN].settings.expectations


@pytest.fixture
def customer(runtime: SuiteRuntime) -> dict[str, Any]:
    """A fresh, unarchived customer created by this run (earmarked in the budget)."""
    return _earmarked(runtime)


@pytest.fixture(scope="session")
def shared_customer(runtime: SuiteRuntime) -> dict[str, Any]:
    """One customer for tests that only read it or must leave it untouched."""
    return _earmarked(runtime)


@pytest.fixture(scope="session")
def path_id(runtime: SuiteRuntime) -> str | None:
    """The `{id}` generated cases use: a customer of this run (not the shared one: generated
    cases may change it), or an existing one on a read-only run (random ids only reach 404)."""
    if runtime.settings.destructive:
        return str(_earmarked(runtime)["id"])
    return runtime.existing_customer_id()


def _earmarked(runtime: SuiteRuntime) -> dict[str, Any]:
    try:
        return runtime.create_customer()
    finally:
        runtime.budget.release_earmark()


# -- console, selection, reports -----------------------------------------------------------


def pytest_report_header(config: pytest.Config) -> list[str]:
    run = config.stash.get(RUN, None)
    if run is None:
        return []
    settings = run.settings
    profile = PROFILES[settings.profile]
    where = settings.base_url or f"embedded sandbox, started on first use{settings.with_faults}"
    source = "SEQUENCE_CLIENT_ID" if settings.credentials else "the embedded sandbox's defaults"
    lines = [
        f"sequence-contract {__version__}: {where} [{settings.target_kind.value}]",
        f"  API version {settings.api_version} (schemas/{settings.api_version}); profile "
        f"{profile.name}: budget {settings.request_budget} requests, "
        f"{settings.customer_budget} created customers"
        f"{', deterministic' if profile.deterministic else ''}; run id {run.run_id}",
        f"  credentials: client id from {source}; "
        f"rate limit {settings.effective_rate_limit or 'none'}/min; "
        f"timeout {settings.request_timeout:g} s",
        "  auth: probed once per operation and kind of bad credential (test_auth.py); "
        f"left out of generated cases: {', '.join(c.__name__ for c in ALWAYS_EXCLUDED)}",
    ]
    if settings.destructive:
        label = f"sequence-contract run {run.run_id}"
        lines.append(f"  writes: allowed (customers labelled '{label}', archived at the end)")
    else:
        why = (
            "--read-only"
            if settings.read_only
            else "this host is not the sandbox (pass --allow-destructive-host HOST to allow them)"
        )
        lines += [
            f"  writes: READ-ONLY run: {why}; tests that create, update or archive are deselected",
            f"  read-only: generated cases send only {', '.join(sorted(SAFE_METHODS))}; "
            f"never sent: {', '.join(READ_ONLY_EXCLUDED)}",
        ]
    changed = settings.expectations.changed()
    if changed:
        lines.append("  expectations changed: " + ", ".join(f"{k}={v}" for k, v in changed.items()))
    return lines


@pytest.hookimpl(trylast=True)  # after -k, -m and --deselect: plan only what will run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Read-only deselection, then the order of spending (example-based tests first,
    generated last), then each generated test's share of the budget."""
    run = config.stash.get(RUN, None)
    if run is None:
        return
    settings = run.settings
    if not settings.destructive:
        deselected = [item for item in items if item.get_closest_marker("destructive")]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = [item for item in items if item not in deselected]
    items.sort(key=lambda item: item.get_closest_marker(GENERATED_MARK) is not None)
    fixtures = [list(getattr(item, "fixturenames", ())) for item in items]
    if settings.destructive:
        # Customers the example-based tests will create: their own, a fresh one each, and
        # one for each session fixture that creates one.
        run.budget.earmark(
            sum(int(m.args[0]) for item in items for m in item.iter_markers("creates_customers"))
            + sum("customer" in names for names in fixtures)
            + sum(any(n in names for names in fixtures) for n in ("shared_customer", "path_id"))
        )
    _share_out(config, run, items, fixtures)


def _share_out(
    config: pytest.Config, run: Run, items: list[pytest.Item], fixtures: list[list[str]]
) -> None:
    """Plan the budget, size each generated test to its share, and set them to run in flight."""
    settings, profile = run.settings, run.settings.run_profile
    generated = [item for item in items if item.get_closest_marker(GENERATED_MARK)]
    # Stateful runs are classes (a state machine's TestCase); generated cases are functions.
    cases: dict[pytest.Item, Any] = {
        item: getattr(item, "obj", None) for item in generated if getattr(item, "cls", None) is None
    }

    def keep(case: Any) -> bool:
        return case is not None and sendable(case, settings.destructive)

    # Each generated test's share, keyed by its name (`test_read_operation[GET /customers]`).
    shares = config.stash[PLAN] = plan(
        max_requests=settings.request_budget,
        reserve=run.budget.reserve + settings.customer_budget,  # the worst cleanup
        example_tests=sum(
            "runtime" in names
            for item, names in zip(items, fixtures, strict=True)
            if item not in generated
        ),
        stateful_requests=(profile.stateful_max_steps + 1) * profile.stateful_examples
        if len(cases) < len(generated)
        else 0,
        coverage_available={
            item.name: sum(1 for case in coverage_cases(test) if keep(case))
            for item, test in cases.items()
        },
        # Every positive case of a creating operation creates a customer: those tests share
        # what the allowance leaves after the example-based tests and the stateful run.
        creating=[
            item.name
            for item in cases
            if item.name.startswith("test_write_operation[")
            and operation_of(item.name) in creating_operations(settings.api_version)
        ],
        customers=settings.customer_budget - run.budget.earmarked - profile.stateful_examples,
    )
    for item, test in cases.items():
        share = shares.operations[item.name]
        size_generated_test(test, keep, share.coverage_cases, share.random_cases)
    config.stash[IN_FLIGHT] = InFlight(
        {item.nodeid: test for item, test in cases.items()}, settings.in_flight
    )


def pytest_report_collectionfinish(config: pytest.Config) -> list[str]:
    shares = config.stash.get(PLAN, None)
    return [] if shares is None else [f"sequence-contract: the budget's plan: {shares.describe()}"]


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """A generated test running in the background (suite/inflight.py) reports its result."""
    in_flight = pyfuncitem.config.stash.get(IN_FLIGHT, None)
    if in_flight is None or not in_flight.covers(pyfuncitem.nodeid):
        return None
    in_flight.result(pyfuncitem.nodeid)
    return True


def pytest_runtest_setup(item: pytest.Item) -> None:
    """The hard stop: once the budget is spent, tests that would send something are skipped."""
    run = item.config.stash.get(RUN, None)
    in_flight = item.config.stash.get(IN_FLIGHT, None)
    if in_flight is not None and in_flight.covers(item.nodeid):
        return  # it ran in the background: its own result, budget stop included
    if run and run.budget.exhausted and "runtime" in getattr(item, "fixturenames", ()):
        pytest.skip(f"sequence-contract: {budget_spent_reason(run.budget.max_requests)}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Tell environment failures from contract ones, mask secrets, then hand the report on."""
    report = yield
    run = item.config.stash.get(RUN, None)
    if run is None:
        return report
    error = call.excinfo.value if report.failed and call.excinfo is not None else None
    skip = error_behind(error, pytest.skip.Exception)
    # Not findings: the run reached its size, or the test stopped itself mid-run (its allowance
    # was spent) and hypothesis, having seen that case go further before, calls it flaky.
    reason = None
    if error is not None and error_behind(error, BudgetSpent):
        reason = budget_spent_reason(run.budget.max_requests)
    elif isinstance(error, FlakyStrategyDefinition) and skip is not None:
        reason = str(skip)
    if reason is not None:
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: {reason}")
    if report.failed:
        problem = environment_problem_behind(error)
        if problem is not None:
            report.longrepr = "ENVIRONMENT, not a contract failure: " + str(problem)
        kind = "contract" if problem is None else "environment"
        report.user_properties.append((FAILURE_KIND, kind))
    # Last line of defence: no credential reaches a report, whatever raised the failure.
    text = str(report.longrepr)
    if report.longrepr is not None and run.redactor.text(text) != text:
        report.longrepr = run.redactor.text(text)
    report.sections = [(title, run.redactor.text(body)) for title, body in report.sections]
    reporter = item.config.pluginmanager.get_plugin("sequence-contract-reporter")
    if isinstance(reporter, ContractReporter):
        reporter.after_report(item, call, report)
    return report

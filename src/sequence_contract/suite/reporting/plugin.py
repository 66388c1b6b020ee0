"""pytest hooks that turn a contract run into reports: HTML entries and overview, JUnit, console.

Loaded by the root conftest.py after `suite.plugin`. It does nothing unless that plugin started
a run; then it registers a `ContractReporter` that follows the run.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from pathlib import Path

import pytest
from _pytest.junitxml import xml_key

from sequence_contract.suite.options import profile_name, runs_contract_suite
from sequence_contract.suite.plugin import RUNTIME
from sequence_contract.suite.reporting.baseline import Baseline, BaselineError, load
from sequence_contract.suite.reporting.replay import RunSeed, choose_seed
from sequence_contract.suite.reporting.reporter import ContractReporter

SEED = pytest.StashKey[RunSeed]()
BASELINE = pytest.StashKey[Baseline | None]()  # h11: the earlier run's, if --baseline
REPORTER_NAME = "sequence-contract-reporter"


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not runs_contract_suite(config) or hasattr(config, "workerinput"):
        return
    # Before hypothesis' own pytest_configure reads --hypothesis-seed.
    profile = profile_name(config)
    seed = choose_seed(profile, config.getoption("hypothesis_seed", None))
    if seed is not None:
        config.option.hypothesis_seed = seed
    config.stash[SEED] = RunSeed(profile, seed)
    path = config.getoption("baseline", None)
    if config.getoption("fail_on", "any") == "new" and not path:
        raise pytest.UsageError("sequence-contract: --fail-on new needs --baseline FILE")
    if path:
        try:
            config.stash[BASELINE] = load(Path(path))
        except BaselineError as exc:
            raise pytest.UsageError(f"sequence-contract: {exc}") from None


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    config = session.config
    runtime = config.stash.get(RUNTIME, None)
    seed = config.stash.get(SEED, None)
    if runtime is None or seed is None or config.pluginmanager.has_plugin(REPORTER_NAME):
        return
    # Registered before pytest-html's session start, which asks for the table header.
    reporter = ContractReporter(config, runtime, seed, started=time.time())
    if BASELINE in config.stash:
        reporter.use_baseline(config.stash[BASELINE])
    config.pluginmanager.register(reporter, REPORTER_NAME)
    reporter.start(config.stash.get(xml_key, None))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    reporter = item.config.pluginmanager.get_plugin(REPORTER_NAME)
    if isinstance(reporter, ContractReporter):
        reporter.after_report(item, call, report)
    return report

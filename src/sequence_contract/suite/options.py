"""Command-line options and ini keys of the contract suite, and their resolution."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sequence_contract.schemas import LATEST_VERSION
from sequence_contract.suite.expectations import ExpectationError, Expectations
from sequence_contract.suite.profiles import DEFAULT_PROFILE
from sequence_contract.suite.settings import (
    SuiteSettings,
    UsageError,
    credentials_from_env,
    validate,
)


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("sequence-contract", "Sequence Customers API contract suite")
    group.addoption(
        "--api-version",
        default=None,
        help=f"Sequence-Version to test and schemas/<version>/ to check against "
        f"(env SEQUENCE_VERSION; default {LATEST_VERSION})",
    )
    group.addoption(
        "--allow-destructive-host",
        default=None,
        metavar="HOST",
        help="allow creates/updates/archives on HOST although it is not the sandbox "
        "(env SEQUENCE_ALLOW_DESTRUCTIVE_HOST)",
    )
    group.addoption(
        "--expect",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change an expectation that goes beyond the docs (see README)",
    )
    group.addoption(
        "--request-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="per-request timeout (default 30)",
    )
    group.addoption(
        "--rate-limit",
        type=int,
        default=None,
        metavar="PER_MINUTE",
        help="client-side request limit (default 1200/min remote, none on loopback)",
    )
    group.addoption(
        "--max-retry-wait",
        type=float,
        default=None,
        metavar="SECONDS",
        help="longest a request may wait in total for retries of 5xx answers and dropped "
        "connections; default 30",
    )
    group.addoption(  # h11: adaptive pacing
        "--max-run-wait",
        type=float,
        default=None,
        metavar="SECONDS",
        help="longest the server's rate limit may slow the whole run down (429 waits, "
        "holds, learned pace); default 600",
    )
    group.addoption(
        "--sandbox-fault",
        action="append",
        default=[],
        metavar="NAME",
        help="start the embedded sandbox with this fault injected (repeatable)",
    )
    group.addoption(  # h11: nightly baselines
        "--baseline",
        default=None,
        metavar="FILE",
        help="compare failures with this earlier run's baseline (marked new, known, fixed) "
        "and write this run's baseline there (or to --baseline-out)",
    )
    group.addoption(
        "--baseline-out",
        default=None,
        metavar="FILE",
        help="write this run's baseline here instead of over --baseline",
    )
    group.addoption(
        "--fail-on",
        choices=("any", "new"),
        default="any",
        help="exit 1 for any contract failure (default) or only for failures new since --baseline",
    )
    parser.addini("sequence_api_version", "default for --api-version", default="")
    parser.addini("sequence_profile", "default run profile (ci, nightly, dev)", default="")
    parser.addini(
        "sequence_expect", "NAME=VALUE expectations, one a line", type="linelist", default=[]
    )
    parser.addini("sequence_request_timeout", "default for --request-timeout", default="")


def resolve(config: pytest.Config) -> SuiteSettings:
    """Option, then environment, then ini, then default; raises UsageError with one sentence."""
    try:
        expectations = Expectations.from_pairs(
            [*config.getini("sequence_expect"), *config.getoption("expect")]
        )
    except ExpectationError as exc:
        raise UsageError(str(exc)) from exc
    base_url = config.getoption("base_url", None) or config.getini("base_url") or None
    timeout = _first_number(
        config.getoption("request_timeout"),
        _float_ini(config, "sequence_request_timeout"),
        default=30.0,
    )
    settings = SuiteSettings(
        base_url=base_url,
        api_version=_first(
            config.getoption("api_version"),
            os.environ.get("SEQUENCE_VERSION"),
            config.getini("sequence_api_version"),
        )
        or LATEST_VERSION,
        credentials=credentials_from_env(),
        profile=profile_name(config),
        expectations=expectations,
        allow_destructive_host=_first(
            config.getoption("allow_destructive_host"),
            os.environ.get("SEQUENCE_ALLOW_DESTRUCTIVE_HOST"),
            None,
        ),
        request_timeout=timeout,
        rate_limit_per_minute=config.getoption("rate_limit"),
        # 0 is a real answer ("never wait"), so no `or` here and above.
        max_retry_wait=_first_number(config.getoption("max_retry_wait"), default=30.0),
        max_run_wait=_first_number(config.getoption("max_run_wait"), default=600.0),
        sandbox_faults=tuple(config.getoption("sandbox_fault")),
    )
    return validate(settings)


def profile_name(config: pytest.Config) -> str:
    return (
        _first(
            config.getoption("hypothesis_profile", None),
            os.environ.get("SEQUENCE_PROFILE"),
            config.getini("sequence_profile"),
            DEFAULT_PROFILE,
        )
        or DEFAULT_PROFILE
    )


def runs_contract_suite(config: pytest.Config) -> bool:
    """True when the paths pytest was given include the contract suite (not `pytest tests`)."""
    suite_dir = (config.rootpath / "contract_tests").resolve()
    for arg in config.args:
        path = Path(arg.split("::")[0])
        resolved = (config.invocation_params.dir / path).resolve()
        if resolved == suite_dir or suite_dir in resolved.parents or resolved in suite_dir.parents:
            return True
    return False


def _first(*values: str | None) -> str | None:
    for value in values:
        if value:
            return value.strip()
    return None


def _first_number(*values: float | None, default: float) -> float:
    for value in values:
        if value is not None:
            return value
    return default


def _float_ini(config: pytest.Config, name: str) -> float | None:
    raw = config.getini(name)
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError as exc:
        raise UsageError(f"ini {name} = {raw!r}: expected a number of seconds") from exc

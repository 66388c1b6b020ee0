"""The configuration of one contract run: options, environment and ini keys, run profiles and the
expectations beyond Sequence's docs (`--expect NAME=VALUE`; the README's table says what each
means), resolved once in `pytest_configure` (no network) into the `SuiteSettings` the rest reads."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings

from sequence_contract.errors import SequenceContractError, UsageError
from sequence_contract.schemas import LATEST_VERSION, available_versions
from sequence_contract.target import (
    ALLOW_HOST_VARIABLE,
    Credentials,
    TargetKind,
    classify,
    credentials_from_env,
    destructive_allowed,
    remote_target,
    sandbox_config,
)

VERSION_VARIABLE = "SEQUENCE_VERSION"
PROFILE_VARIABLE = "SEQUENCE_PROFILE"
DEFAULT_PROFILE = "ci"
DEFAULT_IN_FLIGHT = 4  # generated tests (one per operation) at once (suite/inflight.py)


# Each name's choices (the first is the default), or its default list of HTTP status codes.
CATALOGUE: dict[str, tuple[str, ...] | str] = {
    "unknown-id-status": "400,404",
    "repeat-archive": ("idempotent", "client-error"),
    "method-not-allowed-status": "405",
    "version-without-operation": ("client-error", "unrecognised-version"),
    "empty-version-header": ("rejected", "as-absent"),
    "grey-zone": ("accept-or-400", "accept"),
    "unknown-method-status": "405,501",
    "read-after-write": ("immediate", "eventual"),
}
DEFAULTS = {name: kind if isinstance(kind, str) else kind[0] for name, kind in CATALOGUE.items()}


class ExpectationError(SequenceContractError):
    """An `--expect` value names no expectation or holds a value it cannot take."""


def _parse(name: str, value: str) -> str:
    value, choices = value.strip(), CATALOGUE[name]
    if isinstance(choices, tuple):
        if value not in choices:
            raise ExpectationError(f"--expect {name}={value}: must be one of {', '.join(choices)}")
        return value
    try:
        codes = sorted({int(part) for part in value.split(",") if part.strip()})
    except ValueError:
        codes = []
    if not codes or not all(100 <= code <= 599 for code in codes):
        raise ExpectationError(
            f"--expect {name}={value}: must be HTTP status codes, e.g. 404 or 400,404"
        )
    return ",".join(str(code) for code in codes)


@dataclass(frozen=True)
class Expectations:
    """The expectations in effect for a run."""

    values: Mapping[str, str]

    @classmethod
    def from_pairs(cls, pairs: Iterable[str]) -> Expectations:
        values = dict(DEFAULTS)
        for pair in pairs:
            name, sep, value = pair.partition("=")
            name = name.strip()
            if not sep:
                raise ExpectationError(f"--expect {pair}: write NAME=VALUE")
            if name not in CATALOGUE:
                raise ExpectationError(
                    f"--expect {name}: unknown; known: {', '.join(sorted(CATALOGUE))}"
                )
            values[name] = _parse(name, value)
        return cls(values)

    def statuses(self, name: str) -> frozenset[int]:
        return frozenset(int(code) for code in self.values[name].split(","))

    def __getitem__(self, name: str) -> str:
        return self.values[name]

    def changed(self) -> dict[str, str]:
        """The expectations the user set away from their defaults (for the run header)."""
        return {name: value for name, value in self.values.items() if value != DEFAULTS[name]}


@dataclass(frozen=True)
class RunProfile:
    """A run's size is a budget, not a case count (suite/allotment.py shares it out)."""

    name: str
    max_requests: int  # every try counts, cleanup included
    max_customers: int  # customers the run may create (each stays in the account)
    stateful_max_steps: int
    stateful_examples: int
    deterministic: bool
    purpose: str

    @property
    def max_examples(self) -> int:
        """About one operation's share of the budget, for tools that take a case count."""
        return max(1, self.max_requests // 12)


PROFILES: dict[str, RunProfile] = {
    profile.name: profile
    for profile in (
        RunProfile(
            "ci", 400, 30, 5, 2, True,
            "every change: shape, status, header and auth breaks, same cases each run",
        ),
        # 10 minutes of the documented 1,500/min: 15,000 requests.
        RunProfile(
            "nightly", 15000, 300, 20, 100, False,
            "nightly against the sandbox: the whole coverage phase and thousands of cases",
        ),
        RunProfile("dev", 200, 20, 3, 1, True, "a quick look while editing"),
    )
}  # fmt: skip


# Our profiles, replacing hypothesis' built-in `ci`; `max_examples` is set per test.
for profile in PROFILES.values():
    settings.register_profile(
        profile.name,
        max_examples=100,
        stateful_step_count=profile.stateful_max_steps,
        derandomize=profile.deterministic,
        # Network round trips make wall-clock deadlines meaningless here.
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
        print_blob=True,
        # The explain phase parses source (ast): not thread-safe on CPython before 3.11.8.
        phases=[phase for phase in Phase if phase is not Phase.explain],
    )


@dataclass(frozen=True)
class SuiteSettings:
    base_url: str | None  # None: start the embedded sandbox
    api_version: str
    credentials: Credentials | None  # None: the embedded sandbox's defaults
    profile: str
    expectations: Expectations
    allow_destructive_host: str | None = None
    request_timeout: float = 30.0
    rate_limit_per_minute: int | None = None  # None: the default for the target
    max_retry_wait: float = 30.0
    max_run_wait: float = 600.0  # the run's budget for waiting out the server's rate limit
    sandbox_faults: tuple[str, ...] = ()
    read_only: bool = False  # --read-only: no writes, whatever the host
    max_requests: int | None = None  # None: the profile's budget
    in_flight: int = DEFAULT_IN_FLIGHT  # generated tests (operations) run at once

    @property
    def run_profile(self) -> RunProfile:
        return PROFILES[self.profile]

    @property
    def request_budget(self) -> int:
        return self.max_requests if self.max_requests is not None else self.run_profile.max_requests

    @property
    def customer_budget(self) -> int:
        return self.run_profile.max_customers

    @property
    def embedded(self) -> bool:
        return self.base_url is None

    @property
    def with_faults(self) -> str:
        """` with faults a, b` when the embedded sandbox breaks its contract on purpose, else ""."""
        return f" with faults {', '.join(self.sandbox_faults)}" if self.sandbox_faults else ""

    @property
    def target_kind(self) -> TargetKind:
        return classify(self.base_url, embedded=self.embedded)

    @property
    def destructive(self) -> bool:
        allowed = destructive_allowed(self.base_url, self.target_kind, self.allow_destructive_host)
        return not self.read_only and allowed

    @property
    def effective_rate_limit(self) -> int:
        if self.rate_limit_per_minute is not None:
            return self.rate_limit_per_minute
        # Below the documented 1,500/min so that other clients of the same key still get room.
        return 0 if self.target_kind in (TargetKind.EMBEDDED, TargetKind.LOOPBACK) else 1200


_OPTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("--api-version", {"help": "Sequence-Version to test and schemas/<version>/ to check "
                       f"against (env {VERSION_VARIABLE}; default {LATEST_VERSION})"}),
    ("--allow-destructive-host", {"metavar": "HOST", "help": "allow creates/updates/archives "
     f"on HOST although it is not the sandbox (env {ALLOW_HOST_VARIABLE})"}),
    ("--expect", {"action": "append", "default": [], "metavar": "NAME=VALUE",
                  "help": "change an expectation that goes beyond the docs (see README)"}),
    ("--request-timeout", {"type": float, "metavar": "SECONDS",
                           "help": "per-request timeout (default 30)"}),
    ("--rate-limit", {"type": int, "metavar": "PER_MINUTE", "help": "client-side request "
                      "limit (default 1200/min remote, none on loopback)"}),
    ("--max-retry-wait", {"type": float, "default": 30.0, "metavar": "SECONDS", "help":
                          "longest a request may wait in total for retries of 5xx answers "
                          "and dropped connections; default 30"}),
    ("--max-run-wait", {"type": float, "default": 600.0, "metavar": "SECONDS", "help":
                        "longest the server's rate limit may slow the whole run down (429 "
                        "waits, holds, learned pace); default 600"}),
    ("--read-only", {"action": "store_true", "default": False, "help": "send only GET, HEAD "
                     "and OPTIONS, whatever the host (writes are off by default off the sandbox)"}),
    ("--max-requests", {"type": int, "metavar": "N", "help": "the run's request budget "
                        "(every try, cleanup included); default: the profile's"}),
    ("--in-flight", {"type": int, "default": DEFAULT_IN_FLIGHT, "metavar": "N", "help":
                     "generated tests (one per operation) run at the same time, each "
                     "sequential inside; default 4 (1: one by one)"}),
    ("--sandbox-fault", {"action": "append", "default": [], "metavar": "NAME", "help":
                         "start the embedded sandbox with this fault injected (repeatable)"}),
    ("--baseline", {"metavar": "FILE", "help": "compare failures with this earlier run's "
                    "baseline (marked new, known, fixed) and write this run's baseline there "
                    "(or to --baseline-out)"}),
    ("--baseline-out", {"metavar": "FILE",
                        "help": "write this run's baseline here instead of over --baseline"}),
    ("--fail-on", {"choices": ("any", "new"), "default": "any", "help": "exit 1 for any "
                   "contract failure (default) or only for failures new since --baseline"}),
)  # fmt: skip
_INI: tuple[tuple[str, str, Any, Any], ...] = (
    ("sequence_api_version", "default for --api-version", "string", ""),
    ("sequence_profile", "default run profile (ci, nightly, dev)", "string", ""),
    ("sequence_expect", "NAME=VALUE expectations, one a line", "linelist", []),
    ("sequence_request_timeout", "default for --request-timeout", "string", ""),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sequence-contract", "Sequence Customers API contract suite")
    for flag, kwargs in _OPTIONS:
        group.addoption(flag, **kwargs)
    for name, help_text, kind, default in _INI:
        parser.addini(name, help_text, type=kind, default=default)


def resolve(config: pytest.Config) -> SuiteSettings:
    """Option, then environment, then ini, then default; raises UsageError with one sentence."""
    settings = _read(config)
    _validate(settings)
    return settings


def _read(config: pytest.Config) -> SuiteSettings:
    try:
        expectations = Expectations.from_pairs(
            [*config.getini("sequence_expect"), *config.getoption("expect")]
        )
    except ExpectationError as exc:
        raise UsageError(str(exc)) from exc
    # 0 is a real answer ("never wait"), so no `or` for the numbers.
    timeout = config.getoption("request_timeout")
    if timeout is None:
        raw = config.getini("sequence_request_timeout")
        try:
            timeout = float(raw) if raw else 30.0
        except ValueError as exc:
            raise UsageError(
                f"ini sequence_request_timeout = {raw!r}: expected a number of seconds"
            ) from exc
    return SuiteSettings(
        base_url=config.getoption("base_url", None) or config.getini("base_url") or None,
        api_version=_first(
            config.getoption("api_version"),
            os.environ.get(VERSION_VARIABLE),
            config.getini("sequence_api_version"),
        )
        or LATEST_VERSION,
        credentials=credentials_from_env(),
        profile=_first(
            config.getoption("hypothesis_profile", None),
            os.environ.get(PROFILE_VARIABLE),
            config.getini("sequence_profile"),
        )
        or DEFAULT_PROFILE,
        expectations=expectations,
        allow_destructive_host=_first(
            config.getoption("allow_destructive_host"), os.environ.get(ALLOW_HOST_VARIABLE)
        ),
        request_timeout=timeout,
        rate_limit_per_minute=config.getoption("rate_limit"),
        max_retry_wait=config.getoption("max_retry_wait"),
        max_run_wait=config.getoption("max_run_wait"),
        sandbox_faults=tuple(config.getoption("sandbox_fault")),
        read_only=bool(config.getoption("read_only")),
        max_requests=config.getoption("max_requests"),
        in_flight=config.getoption("in_flight"),
    )


def _validate(settings: SuiteSettings) -> None:
    if settings.base_url is not None:
        remote_target(settings.base_url, settings.credentials)
        if settings.sandbox_faults:
            raise UsageError("--sandbox-fault only applies to the embedded sandbox (no --base-url)")
    else:
        from sequence_contract.sandbox import SandboxConfigError

        try:
            sandbox_config(settings.credentials, settings.sandbox_faults)
        except SandboxConfigError as exc:  # e.g. an unknown fault name
            raise UsageError(str(exc)) from None
    versions = available_versions()
    if settings.api_version not in versions:
        raise UsageError(
            f"--api-version {settings.api_version}: no schemas for it; "
            f"available: {', '.join(versions)}"
        )
    if settings.profile not in PROFILES:
        raise UsageError(f"profile {settings.profile!r}: unknown; available: {', '.join(PROFILES)}")
    for option, value, lowest in (
        ("--max-requests", settings.max_requests, ">= 1"),
        ("--in-flight", settings.in_flight, ">= 1"),
        ("--request-timeout", settings.request_timeout, "> 0"),
        ("--rate-limit", settings.rate_limit_per_minute, ">= 0 (0: no limit)"),
        ("--max-retry-wait", settings.max_retry_wait, ">= 0"),
        ("--max-run-wait", settings.max_run_wait, ">= 0"),
    ):
        sign, bound = lowest.split()[:2]
        if value is not None and (value <= int(bound) if sign == ">" else value < int(bound)):
            raise UsageError(f"{option} {value}: must be {lowest}")


def collection_version() -> str:
    """The API version the test modules build their tests from at import (schemathesis makes
    them then, before any fixture): the plugin pins the run's in the environment variable."""
    return os.environ.get(VERSION_VARIABLE, "").strip() or LATEST_VERSION


def collection_profile() -> str:
    """The profile the test modules build their tests for (see `collection_version`)."""
    name = os.environ.get(PROFILE_VARIABLE, "").strip()
    return name if name in PROFILES else DEFAULT_PROFILE


def _first(*values: str | None) -> str | None:
    for value in values:
        if value:
            return value.strip()
    return None

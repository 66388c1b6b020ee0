"""The settings of one contract run, resolved from options, environment and ini."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from sequence_contract.errors import SequenceContractError
from sequence_contract.schemas import LATEST_VERSION, available_versions
from sequence_contract.suite.expectations import Expectations
from sequence_contract.suite.profiles import PROFILES
from sequence_contract.suite.target import TargetKind, classify, destructive_allowed


class UsageError(SequenceContractError):
    """The run was configured in a way that cannot work; the message says how to fix it."""


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str = field(repr=False)


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
    max_run_wait: float = 600.0  # h11: the run's budget for waiting out 429s
    sandbox_faults: tuple[str, ...] = ()

    @property
    def embedded(self) -> bool:
        return self.base_url is None

    @property
    def target_kind(self) -> TargetKind:
        return classify(self.base_url, embedded=self.embedded)

    @property
    def destructive(self) -> bool:
        return destructive_allowed(self.base_url, self.target_kind, self.allow_destructive_host)

    @property
    def effective_rate_limit(self) -> int:
        if self.rate_limit_per_minute is not None:
            return self.rate_limit_per_minute
        # Below the documented 1,500/min so that other clients of the same key still get room.
        return 0 if self.target_kind in (TargetKind.EMBEDDED, TargetKind.LOOPBACK) else 1200


def credentials_from_env(environ: dict[str, str] | None = None) -> Credentials | None:
    env = os.environ if environ is None else environ
    client_id = env.get("SEQUENCE_CLIENT_ID", "").strip()
    client_secret = env.get("SEQUENCE_CLIENT_SECRET", "").strip()
    if client_id and client_secret:
        return Credentials(client_id, client_secret)
    if client_id or client_secret:
        missing = "SEQUENCE_CLIENT_SECRET" if client_id else "SEQUENCE_CLIENT_ID"
        raise UsageError(f"credentials: {missing} is not set (both variables are needed)")
    return None


def validate(settings: SuiteSettings) -> SuiteSettings:
    """Reject settings that cannot work, each with one readable sentence."""
    if settings.base_url is not None:
        _check_base_url(settings.base_url)
        if settings.credentials is None:
            raise UsageError(
                f"credentials: {settings.base_url} needs SEQUENCE_CLIENT_ID and "
                "SEQUENCE_CLIENT_SECRET in the environment (never on the command line)"
            )
    if settings.sandbox_faults and settings.base_url is not None:
        raise UsageError("--sandbox-fault only applies to the embedded sandbox (no --base-url)")
    versions = available_versions()
    if settings.api_version not in versions:
        raise UsageError(
            f"--api-version {settings.api_version}: no schemas for it; "
            f"available: {', '.join(versions)}"
        )
    if settings.profile not in PROFILES:
        raise UsageError(f"profile {settings.profile!r}: unknown; available: {', '.join(PROFILES)}")
    if settings.request_timeout <= 0:
        raise UsageError(f"--request-timeout {settings.request_timeout}: must be > 0")
    if settings.rate_limit_per_minute is not None and settings.rate_limit_per_minute < 0:
        raise UsageError(
            f"--rate-limit {settings.rate_limit_per_minute}: must be >= 0 (0: no limit)"
        )
    if settings.max_retry_wait < 0:
        raise UsageError(f"--max-retry-wait {settings.max_retry_wait}: must be >= 0")
    if settings.max_run_wait < 0:
        raise UsageError(f"--max-run-wait {settings.max_run_wait}: must be >= 0")
    return settings


def _check_base_url(base_url: str) -> None:
    """A URL requests can send to, or one sentence; not a traceback from the first request."""
    expected = "expected http(s)://host[:port]/api"
    try:
        parts = urlsplit(base_url)
        parts.port  # noqa: B018 - raises for a port that is no number or out of range
        requests.Request("GET", base_url).prepare()
    except (ValueError, requests.RequestException) as exc:
        raise UsageError(f"--base-url {base_url!r}: {exc}; {expected}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--base-url {base_url!r}: {expected}")


__all__ = [
    "LATEST_VERSION",
    "Credentials",
    "SuiteSettings",
    "UsageError",
    "credentials_from_env",
    "validate",
]

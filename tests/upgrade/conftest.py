"""Fixtures of the upgrade-check tests: one embedded sandbox, no credentials from outside."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sequence_contract.sandbox import EmbeddedSandbox, SandboxConfig
from sequence_contract.target import Credentials
from sequence_contract.upgrade.check import ReplaySettings

_ENVIRONMENT = ("SEQUENCE_CLIENT_ID", "SEQUENCE_CLIENT_SECRET", "SEQUENCE_ALLOW_DESTRUCTIVE_HOST")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's real credentials must never reach these tests."""
    for name in _ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def replay_sandbox() -> Iterator[EmbeddedSandbox]:
    # Its own server: the replays create customers other tests need not see.
    with EmbeddedSandbox(SandboxConfig(rate_limit_per_minute=1_000_000)) as server:
        yield server


@pytest.fixture(scope="session")
def on_sandbox(replay_sandbox: EmbeddedSandbox) -> ReplaySettings:
    """Replay settings pointing at the shared sandbox, with its default credentials."""
    config = replay_sandbox.config
    return ReplaySettings(
        base_url=replay_sandbox.base_url,
        credentials=Credentials(config.client_id, config.client_secret),
    )

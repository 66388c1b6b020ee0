"""Fixtures of the sandbox tests: one shared server per session, extra ones on demand."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sequence_contract.sandbox import EmbeddedSandbox, SandboxConfig
from tests.sandbox.client import ApiClient

# The session server is shared by every test; a limit this high keeps the rate limit out
# of tests that are not about it (those start their own server).
SESSION_RATE_LIMIT = 1_000_000


@pytest.fixture(scope="session")
def sandbox() -> Iterator[EmbeddedSandbox]:
    with EmbeddedSandbox(SandboxConfig(rate_limit_per_minute=SESSION_RATE_LIMIT)) as server:
        yield server


@pytest.fixture
def api(sandbox: EmbeddedSandbox) -> Iterator[ApiClient]:
    client = ApiClient(sandbox.base_url)
    yield client
    client.close()


@pytest.fixture
def start_sandbox() -> Iterator[Callable[..., EmbeddedSandbox]]:
    """Start a server with these SandboxConfig fields; it stops when the test ends."""
    started: list[EmbeddedSandbox] = []

    def start(**config: Any) -> EmbeddedSandbox:
        server = EmbeddedSandbox(SandboxConfig(**config)).start()
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        server.stop()

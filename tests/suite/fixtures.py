"""Running the contract suite as a user would: a separate pytest process (pytester)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sequence_contract.detection.process import SUITE_ENVIRONMENT
from sequence_contract.sandbox import EmbeddedSandbox, SandboxConfig
from sequence_contract.suite.runtime import EMBEDDED_RATE_LIMIT

REPO = Path(__file__).resolve().parents[2]
SEPARATE_SANDBOX_CREDENTIALS = ("team-ci", "s3cr3t-for-a-separate-sandbox")

RunSuite = Callable[..., pytest.RunResult]


@pytest.fixture
def run_suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> RunSuite:
    """Run the repo's contract suite in a fresh process, from an empty working directory."""
    for name in SUITE_ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)

    def run(
        *args: str, env: dict[str, str] | None = None, timeout: float = 300
    ) -> pytest.RunResult:
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        return pytester.runpytest_subprocess(
            "--rootdir",
            str(REPO),
            "-c",
            str(REPO / "pyproject.toml"),
            "-p",
            "no:cacheprovider",
            *args,
            timeout=timeout,
        )

    return run


@pytest.fixture
def suite_path() -> str:
    return str(REPO / "contract_tests")


@pytest.fixture
def separate_sandbox() -> Iterator[EmbeddedSandbox]:
    """A sandbox the suite did not start, with its own credentials (as a real target has)."""
    client_id, client_secret = SEPARATE_SANDBOX_CREDENTIALS
    # The suite is its only client, as it is the embedded sandbox's: the documented quota
    # (1,500/min) is not what this sandbox is for, and a loopback run is not paced.
    # Rate limits have their own tests (tests/sandbox/test_rate_limit.py, tests/http).
    config = SandboxConfig(
        client_id=client_id,
        client_secret=client_secret,
        rate_limit_per_minute=EMBEDDED_RATE_LIMIT,
    )
    with EmbeddedSandbox(config) as sandbox:
        yield sandbox

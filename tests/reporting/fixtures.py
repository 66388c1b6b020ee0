"""Fixtures of the report tests: one contract run against a broken, credential-echoing sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
CLIENT_ID = "report-test-client"
# Characters that change under URL-encoding, base64 and HTML/XML escaping, so that every
# spelling of the secret differs from the others.
CLIENT_SECRET = "Sx-9k/Q+eN=w&t%3Fz~report-secret"
FAULTS = ("echo-credentials", "drop-required-field")
RUN_TIMEOUT = 300


@dataclass(frozen=True)
class SuiteRun:
    """A finished contract run: its exit status, console and every file it wrote."""

    returncode: int
    stdout: str
    stderr: str
    workdir: Path  # the run's working directory: reports/, the log file, hypothesis' storage

    @property
    def html(self) -> Path:
        return self.workdir / "reports" / "report.html"

    @property
    def junit(self) -> Path:
        return self.workdir / "reports" / "junit.xml"

    def console_tail(self, characters: int = 3000) -> str:
        """The end of the run's console, for assertion messages."""
        return f"exit status {self.returncode}\n{(self.stdout + self.stderr)[-characters:]}"

    def files(self) -> list[Path]:
        return sorted(path for path in self.workdir.rglob("*") if path.is_file())


def run_suite(workdir: Path, *args: str, env: dict[str, str] | None = None) -> SuiteRun:
    """Run the contract suite from `workdir` (so default report paths land there)."""
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(PROJECT / "contract_tests"),
        "--rootdir",
        str(PROJECT),
        "-c",
        str(PROJECT / "pyproject.toml"),
        "-p",
        "no:cacheprovider",
        *args,
    ]
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SEQUENCE_", "PYTEST_"))
    }
    environment["HYPOTHESIS_STORAGE_DIRECTORY"] = str(workdir / "hypothesis")
    environment.update(env or {})
    completed = subprocess.run(
        command,
        cwd=workdir,
        env=environment,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    return SuiteRun(completed.returncode, completed.stdout, completed.stderr, workdir)


@pytest.fixture(scope="session")
def broken_run(tmp_path_factory: pytest.TempPathFactory) -> SuiteRun:
    """The suite against a sandbox that drops a required field and echoes credentials back,
    with every output turned up: verbose console, locals, DEBUG log file, logs in JUnit."""
    workdir = tmp_path_factory.mktemp("broken-run")
    fault_args = [arg for fault in FAULTS for arg in ("--sandbox-fault", fault)]
    return run_suite(
        workdir,
        *fault_args,
        "--hypothesis-profile",
        "dev",
        "-vv",
        "--showlocals",
        "--log-file",
        str(workdir / "run.log"),
        "--log-file-level",
        "DEBUG",
        "-o",
        "junit_logging=all",
        env={"SEQUENCE_CLIENT_ID": CLIENT_ID, "SEQUENCE_CLIENT_SECRET": CLIENT_SECRET},
    )

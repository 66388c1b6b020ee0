"""Running one tool (the suite or the peer) as a bounded child process."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from .outcome import RunOutcome, Verdict

# Settings a user's shell may hold that would point the suite elsewhere or change its run.
SUITE_ENVIRONMENT = (
    "SEQUENCE_CLIENT_ID",
    "SEQUENCE_CLIENT_SECRET",
    "SEQUENCE_VERSION",
    "SEQUENCE_PROFILE",
    "SEQUENCE_ALLOW_DESTRUCTIVE_HOST",
    "PYTEST_BASE_URL",
    "PYTEST_ADDOPTS",
)


def clean_environment() -> dict[str, str]:
    """This process's environment without anything that would retarget the suite."""
    return {name: value for name, value in os.environ.items() if name not in SUITE_ENVIRONMENT}


@dataclass(frozen=True)
class Finished:
    exit_code: int
    output: str  # stdout then stderr, also written to workdir/output.txt
    seconds: float


def run_tool(
    tool: str, variant: str, command: list[str], workdir: Path, timeout_seconds: float
) -> Finished | RunOutcome:
    """Run `command` in `workdir`; a run that outlives the timeout is an ERROR outcome."""
    started = time.monotonic()
    try:
        finished = subprocess.run(
            command,
            cwd=workdir,  # tools' own folders (.schemathesis/, reports/) land here
            env=clean_environment(),
            capture_output=True,
            text=True,
            timeout=timeout_seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return RunOutcome(
            tool,
            variant,
            -1,
            Verdict.ERROR,
            time.monotonic() - started,
            detail=f"no result within {timeout_seconds:.0f} s",
            workdir=workdir,
        )
    seconds = time.monotonic() - started
    output = finished.stdout + finished.stderr
    (workdir / "output.txt").write_text(output, encoding="utf-8")
    return Finished(finished.returncode, output, seconds)

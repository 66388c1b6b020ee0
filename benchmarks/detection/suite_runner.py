"""Running the contract suite in a fresh process against the embedded sandbox with a fault."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from sequence_contract.suite import exitcodes

from .outcome import RunOutcome, Verdict
from .process import run_tool

REQUESTS_SENT = re.compile(r"^requests sent: (\d+)", re.MULTILINE)
FIRST_FAILURE_AT = re.compile(r"^first contract failure at request (\d+)", re.MULTILINE)
# "-ra" summary lines: "FAILED contract_tests/x.py::test_y[param] - message".
FIRST_PROBLEM = re.compile(r"^(?:FAILED|ERROR) (\S.*?)(?: - .*)?$", re.MULTILINE)
LAST_LINES = 3
SUITE_FOLDER = "contract_tests/"


@dataclass(frozen=True)
class SuiteRunner:
    """Runs `pytest <project>/contract_tests` with the embedded sandbox and one fault.

    `stop_at_first`: `-x`, so a detected fault ends the run at once (its wall time is the
    time to detection). Reports go to `workdir`, never to the project's reports/.
    """

    project_root: Path
    profile: str = "dev"
    stop_at_first: bool = True
    timeout_seconds: float = 900.0

    def command(self, fault: str | None, workdir: Path) -> list[str]:
        command = [
            sys.executable,
            "-m",
            "pytest",
            str(self.project_root / "contract_tests"),
            "--rootdir",
            str(self.project_root),
            "-c",
            str(self.project_root / "pyproject.toml"),
            "-p",
            "no:cacheprovider",
            "-q",
            "--hypothesis-profile",
            self.profile,
            "--junitxml",
            str(workdir / "junit.xml"),
            "--html",
            str(workdir / "report.html"),
        ]
        if self.stop_at_first:
            command.append("-x")
        if fault is not None:
            command += ["--sandbox-fault", fault]
        return command

    def run(self, fault: str | None, workdir: Path) -> RunOutcome:
        workdir.mkdir(parents=True, exist_ok=True)
        variant = fault or "clean"
        result = run_tool(
            "suite", variant, self.command(fault, workdir), workdir, self.timeout_seconds
        )
        if isinstance(result, RunOutcome):
            return result
        outcome = parse_suite_run(variant, result.exit_code, result.seconds, result.output)
        return replace(outcome, workdir=workdir)


def _from_suite_root(node_id: str) -> str:
    """`contract_tests/...` however pytest rendered the path (runs start in a work folder)."""
    at = node_id.find(SUITE_FOLDER)
    return node_id[at:] if at >= 0 else node_id


def parse_suite_run(variant: str, exit_code: int, seconds: float, output: str) -> RunOutcome:
    """The outcome a suite run's exit status and terminal output describe."""
    sent = REQUESTS_SENT.search(output)
    first_at = FIRST_FAILURE_AT.search(output)
    problem = FIRST_PROBLEM.search(output)
    verdict = {
        exitcodes.OK: Verdict.PASSED,
        exitcodes.CONTRACT_BROKEN: Verdict.DETECTED,
        exitcodes.ENVIRONMENT_BROKEN: Verdict.ENVIRONMENT,
    }.get(exit_code, Verdict.ERROR)
    detail = ""
    if verdict in (Verdict.ENVIRONMENT, Verdict.ERROR):
        lines = [line for line in output.strip().splitlines() if line.strip()]
        detail = " | ".join(lines[-LAST_LINES:])[:300]
    return RunOutcome(
        "suite",
        variant,
        exit_code,
        verdict,
        seconds,
        requests=int(sent.group(1)) if sent else None,
        requests_to_first=int(first_at.group(1)) if first_at else None,
        first_failure=_from_suite_root(problem.group(1).strip()) if problem else None,
        detail=detail,
    )

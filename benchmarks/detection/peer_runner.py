"""Running the peer, `schemathesis run` (its CLI), against the embedded sandbox with a fault.

The peer gets what a user would give it: the same OpenAPI document, base URL and credentials,
all its checks, every phase (examples, coverage, fuzzing, stateful), a bounded number of
examples. No help with ids: the suite feeds generated cases ids of real customers, the peer
only has the document's links (create -> get, update, archive) to find one.

Its false positives on the clean sandbox are recorded first, with its own baseline feature
(`--baseline-update`), and accepted in every later run (`--baseline`): a fault counts as
detected only when the peer reports a failure that the clean sandbox does not cause.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sequence_contract.sandbox import EmbeddedSandbox, SandboxConfig

from .outcome import RunOutcome, Verdict
from .process import run_tool

# The suite's runtime uses the same: the quota must not be what either tool runs into.
SANDBOX_RATE_LIMIT = 1_000_000
LAST_LINES = 3


def schemathesis_executable() -> str:
    """The `schemathesis` command of this environment (next to this Python, else on PATH)."""
    beside = Path(sys.executable).parent / "schemathesis"
    if beside.exists():
        return str(beside)
    found = shutil.which("schemathesis")
    if found is None:
        raise FileNotFoundError("schemathesis: the CLI is not installed in this environment")
    return found


@dataclass(frozen=True)
class PeerRunner:
    """`schemathesis run` against a sandbox this process starts, one fault at a time."""

    project_root: Path
    baseline: Path
    api_version: str = "2024-07-30"
    max_examples: int = 5
    stop_at_first: bool = True
    timeout_seconds: float = 900.0

    @property
    def openapi(self) -> Path:
        return self.project_root / "schemas" / self.api_version / "openapi.json"

    def command(self, base_url: str, config: SandboxConfig, workdir: Path) -> list[str]:
        command = [
            schemathesis_executable(),
            "run",
            str(self.openapi),
            "--url",
            base_url,
            # The sandbox's documented default credentials: public, so safe on a command line.
            "--auth",
            f"{config.client_id}:{config.client_secret}",
            "--checks",
            "all",
            "--max-examples",
            str(self.max_examples),
            "--generation-deterministic",
            "--workers",
            "1",
            "--no-color",
            "--report",
            "ndjson",
            "--report-ndjson-path",
            str(workdir / "events.ndjson"),
            "--baseline",
            str(self.baseline),
        ]
        if self.stop_at_first:
            command += ["--max-failures", "1"]
        return command

    def record_baseline(self, workdir: Path) -> RunOutcome:
        """Run against the clean sandbox, every phase to the end, and accept what it reports."""
        self.baseline.unlink(missing_ok=True)
        return self._run(None, workdir, ["--baseline-update"], stop_at_first=False)

    def run(self, fault: str | None, workdir: Path) -> RunOutcome:
        return self._run(fault, workdir, [], stop_at_first=self.stop_at_first)

    def _run(
        self, fault: str | None, workdir: Path, extra: list[str], *, stop_at_first: bool
    ) -> RunOutcome:
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "events.ndjson").unlink(missing_ok=True)
        config = SandboxConfig(
            faults=(fault,) if fault else (), rate_limit_per_minute=SANDBOX_RATE_LIMIT
        )
        variant = fault or "clean"
        with EmbeddedSandbox(config) as sandbox:
            command = self.command(sandbox.base_url, config, workdir) + extra
            if not stop_at_first and "--max-failures" in command:
                at = command.index("--max-failures")
                del command[at : at + 2]
            result = run_tool("peer", variant, command, workdir, self.timeout_seconds)
        if isinstance(result, RunOutcome):
            return result
        events = _read_events(workdir / "events.ndjson")
        outcome = parse_peer_run(variant, result.exit_code, result.seconds, events, result.output)
        return replace(outcome, workdir=workdir)


def _read_events(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            event = json.loads(line)
            if isinstance(event, dict):
                events.append(event)
    return events


def _scenarios(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event["ScenarioFinished"] for event in events if "ScenarioFinished" in event]


def requests_recorded(events: Iterable[dict[str, Any]]) -> int:
    """The requests the peer recorded (one per generated case, plus its checks' own)."""
    return sum(
        len((scenario.get("recorder") or {}).get("interactions") or {})
        for scenario in _scenarios(events)
    )


def requests_to_first_failure(events: Iterable[dict[str, Any]]) -> int | None:
    """The requests recorded up to the end of the first failed scenario (the peer runs one
    scenario at a time), or None when none failed."""
    sent = 0
    for scenario in _scenarios(events):
        sent += len((scenario.get("recorder") or {}).get("interactions") or {})
        if scenario.get("status") == "failure":
            return sent
    return None


def first_failure(events: Iterable[dict[str, Any]]) -> str | None:
    """`check @ METHOD /path` of the first failed check of the first failed scenario."""
    for scenario in _scenarios(events):
        if scenario.get("status") != "failure":
            continue
        recorder = scenario.get("recorder") or {}
        for checks in (recorder.get("checks") or {}).values():
            for check in checks:
                if check.get("status") == "failure":
                    failure = (check.get("failure_info") or {}).get("failure") or {}
                    where = failure.get("operation") or recorder.get("label", "?")
                    return f"{check.get('name', '?')} @ {where}"
        return f"(unnamed check) @ {recorder.get('label', '?')}"
    return None


def parse_peer_run(
    variant: str, exit_code: int, seconds: float, events: list[dict[str, Any]], output: str
) -> RunOutcome:
    """The outcome a peer run's exit status and NDJSON events describe."""
    found = first_failure(events)
    if exit_code == 0:
        verdict = Verdict.PASSED
    elif exit_code == 1 and found is not None:
        verdict = Verdict.DETECTED
    else:
        verdict = Verdict.ERROR
    detail = ""
    if verdict is Verdict.ERROR:
        lines = [line for line in output.strip().splitlines() if line.strip()]
        detail = " | ".join(lines[-LAST_LINES:])[:300]
    return RunOutcome(
        "peer",
        variant,
        exit_code,
        verdict,
        seconds,
        requests=requests_recorded(events),
        requests_to_first=requests_to_first_failure(events) if found else None,
        first_failure=found,
        detail=detail,
    )


def baseline_entries(path: Path) -> list[str]:
    """The failures a baseline file accepts, as `check @ METHOD /path`."""
    if not path.exists():
        return []
    document = json.loads(path.read_text(encoding="utf-8"))
    return [
        f"{entry.get('check', '?')} @ {entry.get('operation', '?')}"
        for entry in document.get("entries", [])
        if isinstance(entry, dict)
    ]

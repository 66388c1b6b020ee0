"""The outcome of one tool run against one sandbox variant."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path


class Verdict(enum.Enum):
    """What a run's exit status says about the API it tested."""

    PASSED = "passed"  # exit 0: the tool found nothing
    DETECTED = "detected"  # the tool reported a contract failure
    ENVIRONMENT = "environment"  # the tool could not test (unreachable, bad credentials, ...)
    ERROR = "error"  # the tool itself failed (usage error, crash, timeout)


@dataclass(frozen=True)
class RunOutcome:
    """One run: `first_failure` names what reported the fault (a test id, or a check and the
    operation it ran on); `seconds` is the process's wall time, and the run stops at its
    first failure, so for a detected fault it is the time to detection."""

    tool: str
    variant: str  # a fault name, or "clean"
    exit_code: int
    verdict: Verdict
    seconds: float
    requests: int | None = None  # in all, until the run ended
    requests_to_first: int | None = None  # until (and with) the first failure's request
    first_failure: str | None = None
    detail: str = ""  # for ENVIRONMENT and ERROR: the reason, one line
    workdir: Path | None = None  # where the run's output.txt and reports are

    @property
    def detected(self) -> bool:
        return self.verdict is Verdict.DETECTED

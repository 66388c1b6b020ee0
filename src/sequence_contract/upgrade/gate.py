"""The verdict: which changes block the upgrade, and everything a report needs to say why."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sequence_contract.upgrade.consumers.judge import ConsumerUsage
from sequence_contract.upgrade.model import Change
from sequence_contract.upgrade.replay import Replay
from sequence_contract.upgrade.waivers import Waiver, WaiverOutcome


@dataclass(frozen=True)
class UpgradeCheck:
    from_version: str
    to_version: str
    target: str  # e.g. "embedded sandbox" or the base URL; "" when nothing was replayed
    documented: tuple[Change, ...]
    observed: tuple[Change, ...]
    waivers: WaiverOutcome
    waiver_file: Path | None = None
    replays: tuple[Replay, ...] = ()
    notes: tuple[str, ...] = field(default=())
    # --consumer files: only the changes that touch the team's calls can block.
    consumers: ConsumerUsage | None = None

    @property
    def changes(self) -> tuple[Change, ...]:
        found = self.consumers.found if self.consumers else ()
        return self.documented + self.observed + found

    def waiver_for(self, change: Change) -> Waiver | None:
        return self.waivers.waived.get(change.id)

    @property
    def blocking(self) -> tuple[Change, ...]:
        """Breaking, not waived, (if observed) not predicted by a documented change, and
        (with consumer files) affecting one of the consumer's calls."""
        return tuple(
            c
            for c in self.changes
            if c.breaking
            and not c.expected
            and c.id not in self.waivers.waived
            and (self.consumers is None or self.consumers.affects(c))
        )

    @property
    def passed(self) -> bool:
        return not self.blocking

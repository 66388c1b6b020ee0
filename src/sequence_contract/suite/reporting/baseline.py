"""Baselines: a run's failure groups compared with an earlier run's (a JSON file of the groups
by `FailureRecord.key`), marked new, known, fixed or flaky."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from hypothesis.errors import FlakyFailure

from sequence_contract.errors import SequenceContractError, error_behind

FORMAT = "sequence-contract-baseline"
VERSION = 1

Key = tuple[str, str, str]  # check, operation, normalised "where: what"


class BaselineError(SequenceContractError):
    """A baseline file that cannot be read; the message says which and why."""


class Mark(StrEnum):
    NEW = "new"
    KNOWN = "known"
    FIXED = "fixed"
    FLAKY = "flaky"


@dataclass(frozen=True)
class Entry:
    key: Key
    count: int = 1
    tests: tuple[str, ...] = ()
    flaky: bool = False

    @property
    def line(self) -> str:
        check, operation, what = self.key
        return f"[{check}] {operation or '-'}: {what}"


@dataclass(frozen=True)
class Baseline:
    entries: tuple[Entry, ...]
    run_id: str = ""


@dataclass(frozen=True)
class Comparison:
    """Each current entry with its mark, and the earlier entries that no longer fail."""

    marked: tuple[tuple[Entry, Mark], ...]
    fixed: tuple[Entry, ...]

    def mark_of(self, key: Key) -> Mark | None:
        return next((m for entry, m in self.marked if entry.key == key), None)

    def summary(self) -> str:
        counts = Counter(mark for _, mark in self.marked) + Counter({Mark.FIXED: len(self.fixed)})
        order = (Mark.NEW, Mark.KNOWN, Mark.FLAKY, Mark.FIXED)
        return ", ".join(f"{counts[mark]} {mark.value}" for mark in order)

    def lines(self) -> list[str]:
        """One line a group: "NEW [check] operation: what", then the fixed ones."""
        shown = [f"{mark.value.upper()} {entry.line}" for entry, mark in self.marked]
        return shown + [f"FIXED {entry.line}" for entry in self.fixed]


def compare(previous: Baseline | None, current: Sequence[Entry]) -> Comparison:
    """Mark the current entries against `previous` (None: no earlier run, everything is new)."""
    before = {entry.key for entry in previous.entries} if previous is not None else set()
    now = {entry.key for entry in current}
    marked = tuple(
        (entry, Mark.FLAKY if entry.flaky else Mark.KNOWN if entry.key in before else Mark.NEW)
        for entry in current
    )
    fixed = () if previous is None else tuple(e for e in previous.entries if e.key not in now)
    return Comparison(marked, fixed)


def flaky_replay(error: BaseException | None) -> bool:
    """True when hypothesis' replay of the shrunk failing example passed (its FlakyFailure)."""
    return error_behind(error, FlakyFailure) is not None


def has_new(comparison: Comparison) -> bool:
    """Does a `--fail-on new` run fail? Only a failure not in the baseline fails it (`any`
    keeps pytest's own verdict, flaky failures included)."""
    return any(mark is Mark.NEW for _, mark in comparison.marked)


def load(path: Path) -> Baseline | None:
    """The baseline in `path`; None when there is none yet (the first nightly run)."""
    if not path.exists():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"--baseline {path}: not a readable JSON file ({exc})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BaselineError(f"--baseline {path}: not a sequence-contract baseline file")
    if document.get("version") != VERSION:
        raise BaselineError(
            f"--baseline {path}: format version {document.get('version')!r}; this suite "
            f"reads version {VERSION} (start a new baseline: delete the file)"
        )
    try:
        entries = tuple(
            Entry(
                (str(item["check"]), str(item["operation"]), str(item["what"])),
                int(item.get("count", 1)),
                tuple(item.get("tests", ())),
                bool(item.get("flaky")),
            )
            for item in document["failures"]
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BaselineError(f"--baseline {path}: malformed failure entry ({exc})") from None
    return Baseline(entries, str(document.get("run_id", "")))


def dump(entries: Iterable[Entry], run_id: str) -> str:
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "run_id": run_id,
        "failures": [
            {
                "check": e.key[0],
                "operation": e.key[1],
                "what": e.key[2],
                "count": e.count,
                "tests": list(e.tests),
                "flaky": e.flaky,
            }
            for e in sorted(entries, key=lambda entry: entry.key)
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_baseline(path: Path, entries: Iterable[Entry], run_id: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(entries, run_id), encoding="utf-8")

"""The console summary: what blocks the upgrade first, everything else one line each."""

from __future__ import annotations

from collections.abc import Sequence

from sequence_contract.upgrade.consumers import outcome as consumer_outcome
from sequence_contract.upgrade.gate import UpgradeCheck
from sequence_contract.upgrade.model import Change


def summary(check: UpgradeCheck, written: Sequence[str] = ()) -> str:
    lines = [f"Upgrade check: Sequence-Version {check.from_version} -> {check.to_version}"]
    if check.target:
        lines.append(f"Replayed on: {check.target}")
    lines += [f"Note: {note}" for note in check.notes]
    lines.append("")
    lines += _documented(check)
    lines.append("")
    lines += _observed(check)
    lines += _waivers(check)
    if check.consumers is not None:
        lines += ["", *consumer_outcome.console_lines(check)]
    if written:
        lines += ["", "Reports: " + ", ".join(written)]
    lines.append("")
    blocking = check.blocking
    yours = " that affects your calls" if check.consumers is not None else ""
    if blocking:
        count = f"{len(blocking)} breaking change" + ("s" if len(blocking) != 1 else "")
        affecting = " affecting your calls" if yours else ""
        lines.append(f"Result: FAIL: {count}{affecting} neither expected nor waived")
    else:
        lines.append(f"Result: PASS: no breaking change{yours} left unwaived")
    if check.consumers is not None:
        lines.append(consumer_outcome.summary_line(check))
    return "\n".join(lines)


def _documented(check: UpgradeCheck) -> list[str]:
    changes = check.documented
    breaking = [c for c in changes if c.breaking]
    waived = [c for c in breaking if check.waiver_for(c)]
    lines = [
        f"Documented changes: {len(changes)} ({len(breaking)} breaking, {len(waived)} of them "
        "waived)"
    ]
    for change in breaking:
        if check.consumers is not None and not check.consumers.affects(change):
            lines.append(f"  info      {change.id}  (breaking; does not affect your calls)")
            continue
        lines += _entry(check, change)
    for change in changes:
        if not change.breaking:
            lines.append(f"  ok        {change.id}")
    return lines


def _observed(check: UpgradeCheck) -> list[str]:
    if not check.replays:
        return ["Observed changes: not replayed"]
    changes = check.observed
    expected = [c for c in changes if c.expected]
    lines = [
        f"Observed changes: {len(changes)} ({len(expected)} predicted by the documents, "
        f"{len(changes) - len(expected)} not)"
    ]
    for change in changes:
        if change.expected:
            lines.append(f"  expected  {change.id}  <- {', '.join(change.explained_by)}")
        elif (
            change.breaking and check.consumers is not None and not check.consumers.affects(change)
        ):
            lines.append(
                f"  info      {change.id}  (not in the documents; does not affect your calls)"
            )
        elif change.breaking:
            lines += _entry(check, change, undocumented=True)
        else:
            lines.append(f"  ok        {change.id}  (not in the documents)")
    return lines


def _waivers(check: UpgradeCheck) -> list[str]:
    if check.waiver_file is None:
        return []
    used = len({w.where for w in check.waivers.waived.values()})
    lines = ["", f"Waivers: {check.waiver_file}: {used} used, {len(check.waivers.unused)} unused"]
    lines += [f"  unused    {w.id}  ({w.where})" for w in check.waivers.unused]
    return lines


def _entry(check: UpgradeCheck, change: Change, *, undocumented: bool = False) -> list[str]:
    waiver = check.waiver_for(change)
    tag = "waived  " if waiver else "BREAKING"
    extra = "  (not in the documents)" if undocumented else ""
    lines = [f"  {tag}  {change.id}{extra}", f"            {change.description}"]
    if waiver:
        lines.append(f"            waived: {waiver.reason}")
    return lines

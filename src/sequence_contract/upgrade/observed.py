"""Differences between two replays, each traced to the documented change that predicts it
("expected": that change carries the verdict); one nothing documents is what they missed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from sequence_contract.upgrade.model import OBSERVED, Change
from sequence_contract.upgrade.replay import Observation, Replay
from sequence_contract.upgrade.shape import ancestors, base_type, without_value

# Which documented changes can explain an observed body difference at the same place.
_EXPLAINED_BY = {
    "field-removed": ("response-field-removed", "response-field-made-optional"),
    "field-added": ("response-field-added", "response-field-made-required"),
    "type-changed": ("response-type-changed",),
    "value-changed": (
        "response-enum-value-added",
        "response-enum-value-removed",
        "response-type-changed",
    ),
}
_TEXTS = {
    "status-changed": "{step}: status {before} in {old}, {after} in {new}",
    "field-removed": "{subject}: in {old} responses ({before}), absent in {new}",
    "field-added": "{subject}: new in {new} responses ({after})",
    "type-changed": "{subject}: {before} in {old}, {after} in {new}",
    "value-changed": "{subject}: {before} in {old}, {after} in {new}",
    "header-removed": "header {subject}: sent in {old} ({before}), not in {new}",
    "header-added": "header {subject}: new in {new} ({after})",
    "header-changed": "header {subject}: {before} in {old}, {after} in {new}",
}


class _Seen(NamedTuple):
    kind: str
    subject: str
    breaking: bool
    step: str
    before: object
    after: object
    explained_by: tuple[str, ...]


def compare_replays(old: Replay, new: Replay, documented: Iterable[Change]) -> list[Change]:
    """Every observed difference from `old`'s run to `new`'s, merged by id."""
    documented = list(documented)
    by_pointer: dict[str, list[Change]] = {}
    for change in documented:
        for pointer in change.pointers:
            by_pointer.setdefault(pointer, []).append(change)
    ids = {change.id for change in documented}
    new_steps = {o.step: o for o in new.observations}
    grouped: dict[str, list[_Seen]] = {}
    for before in old.observations:
        after = new_steps.get(before.step)
        for seen in _step(before, after, by_pointer, ids) if after is not None else ():
            grouped.setdefault(f"observed-{seen.kind}:{seen.subject}", []).append(seen)
    changes = []
    for change_id, group in grouped.items():
        first = group[0]
        # Expected only if every step where it shows is predicted by the documents.
        explained: tuple[str, ...] = ()
        if all(s.explained_by for s in group):
            explained = tuple(dict.fromkeys(e for s in group for e in s.explained_by))
        steps = tuple(dict.fromkeys(s.step for s in group))
        text = _TEXTS[first.kind].format(**first._asdict(), old=old.version, new=new.version)
        if first.kind != "status-changed":
            text += f" [{first.step if len(steps) == 1 else f'{len(steps)} steps'}]"
        changes.append(
            Change(
                id=change_id,
                kind=f"observed-{first.kind}",
                subject=first.subject,
                origin=OBSERVED,
                breaking=any(s.breaking for s in group),
                description=text,
                location=steps[0],
                before=first.before,
                after=first.after,
                seen_in=steps,
                explained_by=explained,
            )
        )
    return sorted(changes, key=lambda c: (not c.breaking, c.id))


def _step(
    old: Observation, new: Observation, by_pointer: dict[str, list[Change]], ids: set[str]
) -> list[_Seen]:
    step = f"{new.step} ({new.operation})"
    if old.status != new.status:
        method, _, path = new.operation.partition(" ")
        candidates = (
            f"status-code-changed:{new.operation}",
            f"operation-method-changed:{path}",
            f"operation-removed:{old.operation}",
            f"operation-path-changed:{old.operation}",
        )
        explained = tuple(c for c in candidates if c in ids) if method else ()
        return [_Seen("status-changed", new.step, True, step, old.status, new.status, explained)]
    found: list[_Seen] = []

    def add(kind: str, subject: str, breaking: bool, before: object, after: object) -> None:
        wanted = _EXPLAINED_BY.get(kind, ())
        pointed = by_pointer.get(f"{new.operation} {new.status} {subject}", ())
        explained = tuple(c.id for c in pointed if c.kind in wanted)
        found.append(_Seen(kind, subject, breaking, step, before, after, explained))

    for path in _outermost(set(old.shape) - set(new.shape)):
        add("field-removed", path, True, old.shape[path], None)
    for path in _outermost(set(new.shape) - set(old.shape)):
        add("field-added", path, False, None, new.shape[path])
    for path in sorted(set(old.shape) & set(new.shape)):
        before, after = old.shape[path], new.shape[path]
        if before != after:
            same_form = without_value(before) == without_value(after)
            same = same_form and base_type(before) == base_type(after)
            add("value-changed" if same else "type-changed", path, True, before, after)
    for name in sorted(set(old.headers) | set(new.headers)):
        sent, now = old.headers.get(name), new.headers.get(name)
        if now is None:
            add("header-removed", name, True, sent, None)
        elif sent is None:
            add("header-added", name, False, None, now)
        elif sent != now:
            add("header-changed", name, True, sent, now)
    return found


def _outermost(paths: set[str]) -> list[str]:
    """Paths whose parent is not in the set: a new object is one change, not one per leaf."""
    return sorted(p for p in paths if not any(a in paths for a in ancestors(p)))

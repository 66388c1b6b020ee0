"""Differences between two replays, each traced to the documented change that predicts it.

An observation the documents predict ("expected") leaves the verdict to that documented
change, so one change is waived once. An observation nothing documents is reported on its
own: that is what the documents alone would have missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sequence_contract.upgrade.model import OBSERVED, Change
from sequence_contract.upgrade.replay import Observation, Replay
from sequence_contract.upgrade.shape import base_type, without_value

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


@dataclass(frozen=True)
class _Instance:
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
    instances: list[_Instance] = []
    for before in old.observations:
        after = new_steps.get(before.step)
        if after is not None:
            instances += _step(before, after, by_pointer, ids)
    return _merge(instances, old.version, new.version)


def _step(
    old: Observation, new: Observation, by_pointer: dict[str, list[Change]], ids: set[str]
) -> list[_Instance]:
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
        return [
            _Instance("status-changed", new.step, True, step, old.status, new.status, explained)
        ]
    found: list[_Instance] = []
    prefix = f"{new.operation} {new.status} "

    def explain(kind: str, path: str) -> tuple[str, ...]:
        wanted = _EXPLAINED_BY.get(kind, ())
        return tuple(c.id for c in by_pointer.get(prefix + path, ()) if c.kind in wanted)

    for path in _outermost(set(old.shape) - set(new.shape)):
        found.append(
            _Instance(
                "field-removed",
                path,
                True,
                step,
                old.shape[path],
                None,
                explain("field-removed", path),
            )
        )
    for path in _outermost(set(new.shape) - set(old.shape)):
        found.append(
            _Instance(
                "field-added",
                path,
                False,
                step,
                None,
                new.shape[path],
                explain("field-added", path),
            )
        )
    for path in sorted(set(old.shape) & set(new.shape)):
        before, after = old.shape[path], new.shape[path]
        if before == after:
            continue
        same_form = without_value(before) == without_value(after)
        kind = (
            "value-changed"
            if same_form and base_type(before) == base_type(after)
            else ("type-changed")
        )
        found.append(_Instance(kind, path, True, step, before, after, explain(kind, path)))
    found += _headers(old, new, step)
    return found


def _headers(old: Observation, new: Observation, step: str) -> list[_Instance]:
    found: list[_Instance] = []
    for name in sorted(set(old.headers) | set(new.headers)):
        before, after = old.headers.get(name), new.headers.get(name)
        if before == after:
            continue
        if after is None:
            found.append(_Instance("header-removed", name, True, step, before, None, ()))
        elif before is None:
            found.append(_Instance("header-added", name, False, step, None, after, ()))
        else:
            found.append(_Instance("header-changed", name, True, step, before, after, ()))
    return found


def _outermost(paths: set[str]) -> list[str]:
    """Paths whose parent is not in the set: a new object is one change, not one per leaf."""
    return sorted(p for p in paths if not any(a in paths for a in _ancestors(p)))


def _ancestors(path: str) -> list[str]:
    found: list[str] = []
    while True:
        if path.endswith("[]"):
            path = path[:-2]
        elif "." in path:
            path = path.rsplit(".", 1)[0]
        else:
            return found
        found.append(path)


def _merge(instances: list[_Instance], old_version: str, new_version: str) -> list[Change]:
    grouped: dict[str, list[_Instance]] = {}
    for instance in instances:
        grouped.setdefault(f"observed-{instance.kind}:{instance.subject}", []).append(instance)
    changes = []
    for change_id, group in grouped.items():
        first = group[0]
        # Expected only if every step where it shows is predicted by the documents.
        explained: tuple[str, ...] = ()
        if all(i.explained_by for i in group):
            explained = tuple(dict.fromkeys(e for i in group for e in i.explained_by))
        steps = tuple(dict.fromkeys(i.step for i in group))
        changes.append(
            Change(
                id=change_id,
                kind=f"observed-{first.kind}",
                subject=first.subject,
                origin=OBSERVED,
                breaking=any(i.breaking for i in group),
                description=_describe(first, old_version, new_version, len(steps)),
                location=steps[0],
                before=first.before,
                after=first.after,
                seen_in=steps,
                explained_by=explained,
            )
        )
    return sorted(changes, key=lambda c: (not c.breaking, c.id))


def _describe(instance: _Instance, old: str, new: str, steps: int) -> str:
    where = instance.step if steps == 1 else f"{steps} steps"
    subject, before, after = instance.subject, instance.before, instance.after
    text = {
        "status-changed": f"{instance.step}: status {before} in {old}, {after} in {new}",
        "field-removed": f"{subject}: in {old} responses ({before}), absent in {new}",
        "field-added": f"{subject}: new in {new} responses ({after})",
        "type-changed": f"{subject}: {before} in {old}, {after} in {new}",
        "value-changed": f"{subject}: {before} in {old}, {after} in {new}",
        "header-removed": f"header {subject}: sent in {old} ({before}), not in {new}",
        "header-added": f"header {subject}: new in {new} ({after})",
        "header-changed": f"header {subject}: {before} in {old}, {after} in {new}",
    }[instance.kind]
    return text if instance.kind == "status-changed" else f"{text} [{where}]"

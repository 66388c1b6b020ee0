"""Which documented (and observed) changes touch a team's calls: a response field it relies
on, a request field or parameter it sends (or, newly required, does not send), a response
header it relies on (Pact), or else the operation itself. See the README for the rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sequence_contract.upgrade.consumers.matching import Mismatch, Verification
from sequence_contract.upgrade.consumers.model import ConsumerFile
from sequence_contract.upgrade.consumers.usage import Call
from sequence_contract.upgrade.consumers.verify import Verified
from sequence_contract.upgrade.diff import template_key
from sequence_contract.upgrade.model import DOCUMENTED, OBSERVED, Change, ChangeSet
from sequence_contract.upgrade.shape import ancestors, related

_REQUIRED_FIELD_KINDS = frozenset({"request-field-added-required", "request-field-made-required"})
_REQUIRED_PARAMETER_KINDS = frozenset(
    {"request-parameter-added-required", "request-parameter-made-required"}
)
_PARAMETER = re.compile(r"^[A-Z]+ \S+ ((?:query|header|path|cookie)\.[^#\s]+)")
_STEP_OPERATION = re.compile(r"\(([A-Z]+ [^)]+)\)$")


@dataclass(frozen=True)
class Impact:
    """A change that affects a call, and where: `path` is "" when it is the whole operation."""

    change_id: str
    why: str
    path: str = ""


@dataclass(frozen=True)
class CallVerdict:
    call: Call
    impacts: tuple[Impact, ...] = ()
    live: Verification | None = None
    live_ids: tuple[str, ...] = ()  # ids of the changes its live mismatches became

    @property
    def change_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*(i.change_id for i in self.impacts), *self.live_ids]))


@dataclass(frozen=True)
class ConsumerUsage:
    """Every consumer call with the changes that touch it and its live result."""

    files: tuple[ConsumerFile, ...]
    verdicts: tuple[CallVerdict, ...]
    found: tuple[Change, ...] = ()  # what the live verification found, as changes
    created: tuple[str, ...] = ()  # customers the live verification made
    requests: int = 0
    replayed: bool = False

    def affects(self, change: Change) -> bool:
        return any(change.id in v.change_ids for v in self.verdicts)


def impact(call: Call, change: Change) -> Impact | None:
    """How `change` affects `call` (a documented operation), or None."""
    assert call.operation is not None
    operation = template_key(call.operation)
    if change.origin == OBSERVED:
        return _observed(call, change, operation)
    if change.origin != DOCUMENTED or operation not in {template_key(s) for s in change.seen_in}:
        return None
    responses, requests = _pointers(change, operation)
    if responses:
        for status, path in responses:
            if not _status_fits(status, call.interaction.status):
                continue
            if hit := _first_related(call.relied, path):
                return Impact(change.id, f"{hit}: you rely on it", path)
        return None
    if requests:
        return _request(call, change, requests)
    parameter = _PARAMETER.match(change.subject)
    if parameter and change.kind.startswith("request-"):
        name = parameter.group(1)
        sends = name in call.params or name.startswith("path.")
        if change.kind in _REQUIRED_PARAMETER_KINDS:
            return None if sends else Impact(change.id, f"{name}: required now; you do not send it")
        if not sends or _within_new_bound(call, change, name):
            return None
        return Impact(change.id, f"{name}: you send it")
    if change.kind.startswith("response-header-"):
        return _header(call, change, change.subject.rsplit(" ", 1)[-1])
    if change.kind == "request-body-removed" and call.interaction.body is None:
        return None
    return Impact(change.id, f"{call.operation}: you call it")


def _header(call: Call, change: Change, name: str) -> Impact | None:
    name = name.lower()
    return (
        Impact(change.id, f"header {name}: you rely on it") if name in call.relied_headers else None
    )


def _within_new_bound(call: Call, change: Change, name: str) -> bool:
    """A new minimum or maximum on a query parameter that every value sent already meets."""
    keyword = change.subject.rsplit("#", 1)[-1] if "#" in change.subject else ""
    bound = change.after
    if keyword not in ("minimum", "maximum") or not name.startswith("query."):
        return False
    if not isinstance(bound, int | float) or isinstance(bound, bool):
        return False
    try:
        numbers = [float(v) for k, v in call.interaction.query if f"query.{k}" == name]
    except ValueError:
        return False
    return all(n >= bound if keyword == "minimum" else n <= bound for n in numbers)


def _request(call: Call, change: Change, paths: list[str]) -> Impact | None:
    for path in paths:
        if change.kind in _REQUIRED_FIELD_KINDS:
            parent = ancestors(path)[0]
            parent_sent = parent == "$" or any(related(s, parent) for s in call.sent)
            if parent_sent and not any(related(s, path) for s in call.sent):
                return Impact(change.id, f"{path}: required now; you do not send it", path)
        else:
            if hit := _first_related(call.sent, path):
                return Impact(change.id, f"{hit}: you send it", path)
    return None


def _observed(call: Call, change: Change, operation: str) -> Impact | None:
    """A difference the generic replay saw: does it touch what this call uses?"""
    steps = {template_key(m[1]) for s in change.seen_in if (m := _STEP_OPERATION.search(s))}
    if operation not in steps:
        return None
    kind = change.kind
    if kind == "observed-status-changed":
        return Impact(change.id, f"{call.operation}: you call it")
    if kind.startswith("observed-header-"):
        return _header(call, change, change.subject)
    hit = _first_related(call.relied, change.subject)
    return Impact(change.id, f"{hit}: you rely on it", change.subject) if hit else None


def _first_related(paths: frozenset[str], path: str) -> str | None:
    return next((p for p in sorted(paths) if related(p, path)), None)


def _pointers(change: Change, operation: str) -> tuple[list[tuple[str, str]], list[str]]:
    """This operation's (status, path) response pointers and request body paths."""
    responses, requests = [], []
    for pointer in change.pointers:
        method, template, part, path = [*pointer.split(" ", 3), "", "", ""][:4]
        if template_key(f"{method} {template}") != operation or not path:
            continue
        if part == "request":
            requests.append(path)
        else:
            responses.append((part, path))
    return responses, requests


def _status_fits(documented: str, expected: int | None) -> bool:
    if expected is None or (documented.startswith("2") and 200 <= expected < 300):
        return True
    return documented == str(expected)


def judge(
    files: tuple[ConsumerFile, ...],
    calls: tuple[Call, ...],
    changes: Iterable[Change],
    to_version: str,
    verified: Verified | None = None,
) -> ConsumerUsage:
    """Every call with its impacts and its live result (None: not replayed)."""
    changes = list(changes)
    breaking = {c.id for c in changes if c.breaking and c.origin == DOCUMENTED}
    found = ChangeSet()
    verdicts = []
    for index, call in enumerate(calls):
        impacts: tuple[Impact, ...] = ()
        if call.operation is not None and call.version != to_version:
            found_impacts = (impact(call, change) for change in changes)
            impacts = tuple(i for i in found_impacts if i is not None)
        result = verified.results.get(index) if verified else None
        ids: list[str] = []
        for mismatch in result.mismatches if result is not None else ():
            change = _mismatch_change(
                call, mismatch, [i for i in impacts if i.change_id in breaking]
            )
            found.add(change)
            ids.append(change.id)
        verdicts.append(CallVerdict(call, impacts, result, tuple(dict.fromkeys(ids))))
    return ConsumerUsage(
        files,
        tuple(verdicts),
        tuple(found.items()),
        tuple(verified.created) if verified else (),
        verified.requests if verified else 0,
        verified is not None,
    )


def _mismatch_change(call: Call, mismatch: Mismatch, impacts: list[Impact]) -> Change:
    """A live mismatch as a change; the documented changes that predict it explain it."""
    operation = call.shown
    where = mismatch.where
    if where == "status":
        kind, subject, explained = "consumer-status-mismatch", operation, impacts
    elif where.startswith("header "):
        kind, subject = "consumer-header-mismatch", f"{operation} {where[len('header ') :]}"
        explained = [i for i in impacts if not i.path]
    else:
        kind, subject = "consumer-response-mismatch", f"{operation} {where}"
        explained = [i for i in impacts if not i.path or related(i.path, where)]
    return Change(
        id=f"{kind}:{subject}",
        kind=kind,
        subject=subject,
        origin=OBSERVED,
        breaking=True,
        description=f"{where}: {mismatch.what}",
        location=operation,
        seen_in=(call.label,),
        explained_by=tuple(dict.fromkeys(i.change_id for i in explained)),
    )

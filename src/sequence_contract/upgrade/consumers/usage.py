"""What each consumer call uses (operation, version, fields as JSON paths such as
`$.items[].email`, the form of `Change.pointers`), and which changes touch it (README rules)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from sequence_contract.documents import documents
from sequence_contract.upgrade.consumers.matching import Mismatch, Verification
from sequence_contract.upgrade.consumers.model import PACT, ConsumerFile, Interaction
from sequence_contract.upgrade.diff import template_key
from sequence_contract.upgrade.model import DOCUMENTED, OBSERVED, Change, merged
from sequence_contract.upgrade.replay import Client
from sequence_contract.upgrade.shape import ancestors, related

BASE_PATH = "/api"
_REQUIRED_FIELD_KINDS = frozenset({"request-field-added-required", "request-field-made-required"})
_REQUIRED_PARAMETER_KINDS = frozenset(
    {"request-parameter-added-required", "request-parameter-made-required"}
)
_PARAMETER = re.compile(r"^[A-Z]+ \S+ ((?:query|header|path|cookie)\.[^#\s]+)")
_STEP_OPERATION = re.compile(r"\(([A-Z]+ [^)]+)\)$")
# The live verification: each call's result, and the client that counted requests and customers.
Verified = tuple[list[Verification], Client]


@dataclass(frozen=True)
class Impact:
    """A change that affects a call, and where: `path` is "" when it is the whole operation."""

    change_id: str
    why: str
    path: str = ""


@dataclass(frozen=True)
class Call:
    """An interaction with what it uses, in the terms of its version's documents."""

    interaction: Interaction
    version: str
    operation: str | None = None  # "GET /customers/{id}"; None when not a documented one
    sent: frozenset[str] = frozenset()  # request body paths, e.g. "$.address.line1"
    params: frozenset[str] = frozenset()  # "query.limit", "header.sequence-version"
    relied: frozenset[str] = frozenset()  # response body paths the code relies on
    relied_headers: frozenset[str] = frozenset()  # lower-case response header names
    problem: str = ""  # why it cannot be judged (unknown operation, other version, ...)
    # Filled in by `judge`: the changes that touch it, and its live result.
    impacts: tuple[Impact, ...] = ()
    live: Verification | None = None
    live_ids: tuple[str, ...] = ()  # ids of the changes its live mismatches became

    @property
    def change_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*(i.change_id for i in self.impacts), *self.live_ids]))

    @property
    def shown(self) -> str:
        """The documented operation, else the call as recorded."""
        return self.operation or f"{self.interaction.method} {self.interaction.path}"


@dataclass(frozen=True)
class ConsumerUsage:
    """Every consumer call with the changes that touch it and its live result."""

    files: tuple[ConsumerFile, ...]
    calls: tuple[Call, ...]
    found: tuple[Change, ...] = ()  # what the live verification found, as changes
    client: Client | None = None  # the live verification's; None when not replayed

    def affects(self, change: Change) -> bool:
        return any(change.id in c.change_ids for c in self.calls)


def calls_of(files: Iterable[ConsumerFile], from_version: str, to_version: str) -> tuple[Call, ...]:
    return tuple(call_of(i, from_version, to_version) for file in files for i in file.interactions)


def call_of(interaction: Interaction, from_version: str, to_version: str) -> Call:
    version = interaction.headers.get("sequence-version", "").strip() or from_version
    if interaction.skip:
        return Call(interaction, version, problem=f"not an HTTP call: {interaction.skip}")
    if version not in (from_version, to_version):
        problem = f"sends Sequence-Version {version}; this check compares "
        return Call(interaction, version, problem=f"{problem}{from_version} -> {to_version}")
    operation, problem = find_operation(interaction.method, interaction.path, version)
    if operation is None:
        return Call(interaction, version, problem=problem)
    params = {f"query.{name}" for name, _ in interaction.query}
    return Call(
        interaction,
        version,
        operation,
        sent=frozenset(leaf_paths(interaction.body) if interaction.body is not None else ()),
        params=frozenset(params | {f"header.{name}" for name in interaction.headers}),
        relied=frozenset(
            leaf_paths(interaction.response_body) if interaction.response_body is not None else ()
        ),
        # A recording holds every header the server sent; only a Pact says which matter.
        relied_headers=frozenset(interaction.response_headers if interaction.kind == PACT else ()),
    )


def find_operation(method: str, path: str, version: str) -> tuple[str | None, str]:
    """("GET /customers/{id}", "") or (None, why not)."""
    wanted, method = api_path(path), method.upper()
    matches = [(m, t) for m, t, pattern in _templates(version) if pattern.fullmatch(wanted)]
    # The most literal template wins: `/customers/{id}/archive` before `/customers/{id}/{x}`.
    matches.sort(key=lambda t: -sum(not s.startswith("{") for s in t[1].split("/")))
    for op_method, template in matches:
        if op_method == method:
            return f"{op_method} {template}", ""
    if not matches:
        return None, f"{method} {wanted}: not an operation of the {version} documents"
    others = ", ".join(sorted({m for m, t in matches if t == matches[0][1]}))
    return None, (
        f"{method} {wanted}: the {version} documents have no {method} on "
        f"{matches[0][1]} (only {others})"
    )


def api_path(path: str) -> str:
    """`https://host/api/customers/1?x` or `/api/customers/1` -> `/customers/1`."""
    path = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*", "", path).split("?", 1)[0]
    index = path.find(BASE_PATH + "/")
    if index >= 0:
        path = path[index + len(BASE_PATH) :]
    return "/" + path.strip("/")


def leaf_paths(value: Any, path: str = "$") -> list[str]:
    """Paths of the values a body holds; `[]` stands for every element of an array."""
    if isinstance(value, dict) and value:
        return [p for key, child in value.items() for p in leaf_paths(child, f"{path}.{key}")]
    if isinstance(value, list) and value:
        return list(dict.fromkeys(p for child in value for p in leaf_paths(child, f"{path}[]")))
    return [path]


@cache
def _templates(version: str) -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """Each operation's method, path template and a pattern of the paths it stands for."""
    return tuple(
        (method, str(path), re.compile(re.sub(r"\{[^}]*\}", "[^/]+", str(path))))
        for method, path, _ in documents(version).operations()
    )


def impact(call: Call, change: Change) -> Impact | None:
    """How `change` affects `call` (a documented operation), or None."""
    assert call.operation is not None
    operation = template_key(call.operation)
    you_call = Impact(change.id, f"{call.operation}: you call it")
    if change.origin == OBSERVED:
        # A difference the generic replay saw: does it touch what this call uses?
        steps = {template_key(m[1]) for s in change.seen_in if (m := _STEP_OPERATION.search(s))}
        if operation not in steps:
            return None
        if change.kind == "observed-status-changed":
            return you_call
        if change.kind.startswith("observed-header-"):
            return _header_impact(call, change, change.subject)
        hit = _first_related(call.relied, change.subject)
        return Impact(change.id, f"{hit}: you rely on it", change.subject) if hit else None
    if change.origin != DOCUMENTED or operation not in {template_key(s) for s in change.seen_in}:
        return None
    responses, requests = [], []  # this operation's (status, path) and request body paths
    for pointer in change.pointers:
        method, template, part, path = [*pointer.split(" ", 3), "", "", ""][:4]
        if template_key(f"{method} {template}") == operation and path:
            if part == "request":
                requests.append(path)
            else:
                responses.append((part, path))
    if responses:
        status = call.interaction.status
        for documented, path in responses:
            ok = documented.startswith("2") and (status is None or 200 <= status < 300)
            fits = ok or status is None or documented == str(status)
            if fits and (hit := _first_related(call.relied, path)):
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
        return _header_impact(call, change, change.subject.rsplit(" ", 1)[-1])
    if change.kind == "request-body-removed" and call.interaction.body is None:
        return None
    return you_call


def _header_impact(call: Call, change: Change, name: str) -> Impact | None:
    name = name.lower()
    return (
        Impact(change.id, f"header {name}: you rely on it") if name in call.relied_headers else None
    )


def _within_new_bound(call: Call, change: Change, name: str) -> bool:
    """A new minimum or maximum on a query parameter that every value sent already meets."""
    keyword, bound = change.subject.rpartition("#")[2], change.after
    if "#" not in change.subject or keyword not in ("minimum", "maximum"):
        return False
    if not name.startswith("query.") or type(bound) not in (int, float):
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
        elif hit := _first_related(call.sent, path):
            return Impact(change.id, f"{hit}: you send it", path)
    return None


def _first_related(paths: frozenset[str], path: str) -> str | None:
    return next((p for p in sorted(paths) if related(p, path)), None)


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
    found: list[Change] = []
    judged = []
    results: list[Verification | None] = [*verified[0]] if verified else [None] * len(calls)
    for call, result in zip(calls, results, strict=True):
        impacts: tuple[Impact, ...] = ()
        if call.operation is not None and call.version != to_version:
            impacts = tuple(i for c in changes if (i := impact(call, c)) is not None)
        predicting = [i for i in impacts if i.change_id in breaking]
        live = [
            _mismatch_change(call, m, predicting) for m in (result.mismatches if result else [])
        ]
        found += live
        live_ids = tuple(dict.fromkeys(c.id for c in live))
        judged.append(replace(call, impacts=impacts, live=result, live_ids=live_ids))
    client = verified[1] if verified else None
    return ConsumerUsage(files, tuple(judged), tuple(merged(found)), client)


def _mismatch_change(call: Call, mismatch: Mismatch, impacts: list[Impact]) -> Change:
    """A live mismatch as a change; the documented changes that predict it explain it."""
    operation, where = call.shown, mismatch.where
    if where == "status":
        kind, subject, explained = "consumer-status-mismatch", operation, impacts
    elif where.startswith("header "):
        kind, subject = "consumer-header-mismatch", f"{operation} {where[len('header ') :]}"
        explained = [i for i in impacts if not i.path]
    else:
        kind, subject = "consumer-response-mismatch", f"{operation} {where}"
        explained = [i for i in impacts if not i.path or related(i.path, where)]
    return Change(
        f"{kind}:{subject}",
        kind,
        subject,
        OBSERVED,
        True,
        f"{where}: {mismatch.what}",
        operation,
        seen_in=(call.interaction.label,),
        explained_by=tuple(dict.fromkeys(i.change_id for i in explained)),
    )

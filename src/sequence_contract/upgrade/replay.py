"""Observed changes: the same steps replayed once per version on customers the run creates,
and the two runs' differences traced to the documented changes that predict them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import requests

from sequence_contract import schemas
from sequence_contract.http import ContractSession, RateLimiter, RetryPolicy
from sequence_contract.target import (
    SAFE_METHODS,
    VERSION_HEADER,
    Target,
    archive_method,
    customer_body,
    run_label,
)
from sequence_contract.upgrade.model import OBSERVED, Change
from sequence_contract.upgrade.shape import Shape, ancestors, base_type, shape_of, without_value

UNKNOWN_VERSION = "1999-12-31"  # well-formed, never published
REMOTE_RATE_LIMIT = 600  # requests a minute; far under the documented 1,500
# Headers a client may act on; the rest (Date, Server, tracing ids) differ on every reply.
_HEADER_NAMES = """
    content-type sequence-version allow location retry-after www-authenticate deprecation
    sunset warning
"""
COMPARED_HEADERS = tuple(_HEADER_NAMES.split())
_VALUE_HEADERS = frozenset({"content-type", "sequence-version", "allow"})
AS_SENT = "<as sent>"
REQUEST_SCHEMA = "create-or-update-customer-request"
OPTIONAL_FIELDS = {"telephone": "+44 20 7946 0000", "url": "https://example.com/upgrade-check"}
ARCHIVE = "/customers/{id}/archive"
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
# kind: (breaking, description)
_KINDS = {
    "status-changed": (True, "{step}: status {before} in {old}, {after} in {new}"),
    "field-removed": (True, "{subject}: in {old} responses ({before}), absent in {new}"),
    "field-added": (False, "{subject}: new in {new} responses ({after})"),
    "type-changed": (True, "{subject}: {before} in {old}, {after} in {new}"),
    "value-changed": (True, "{subject}: {before} in {old}, {after} in {new}"),
    "header-removed": (True, "header {subject}: sent in {old} ({before}), not in {new}"),
    "header-added": (False, "header {subject}: new in {new} ({after})"),
    "header-changed": (True, "header {subject}: {before} in {old}, {after} in {new}"),
}


@dataclass(frozen=True)
class Observation:
    step: str
    operation: str  # "<METHOD> <path template>", as the version's document names it
    status: int | None  # None: not run (`note` says why)
    headers: dict[str, str] = field(default_factory=dict)
    shape: Shape = field(default_factory=dict)
    note: str | None = None


@dataclass(frozen=True)
class Replay:
    version: str
    observations: tuple[Observation, ...]
    created: tuple[str, ...]  # ids of the customers this run created
    label: str


class Client:
    """Requests under one Sequence-Version, counted; remembers the customers it created."""

    def __init__(
        self, session: ContractSession, target: Target, version: str, *, writes: bool = True
    ) -> None:
        self.session, self.base_url, self.version = session, target.base_url, version
        self.writes = writes
        self.created: list[str] = []
        self.requests = 0

    def call(
        self, method: str, path: str, *, version: str | None = None, **kwargs: Any
    ) -> tuple[requests.Response, Any]:
        """The response and its JSON body (None when empty or not JSON)."""
        if method not in SAFE_METHODS and not self.writes:
            raise AssertionError(f"{method} {path}: refusing to write on a read-only host")
        self.requests += 1
        headers = {VERSION_HEADER: version or self.version, **(kwargs.pop("headers", None) or {})}
        response = self.session.request(method, f"{self.base_url}{path}", headers=headers, **kwargs)
        try:
            return response, response.json() if response.content else None
        except ValueError:
            return response, None

    def keep_created(self, response: requests.Response, data: Any) -> str | None:
        """The id of the customer a create answered with, remembered as ours."""
        if 200 <= response.status_code < 300 and isinstance(data, dict) and data.get("id"):
            self.created.append(str(data["id"]))
            return str(data["id"])
        return None


def open_session(target: Target, timeout_seconds: float = 30.0) -> ContractSession:
    session = ContractSession(
        timeout_seconds=timeout_seconds,
        rate_limiter=RateLimiter(per_minute=0 if target.embedded else REMOTE_RATE_LIMIT),
        # Few, short retries: an unreachable server should be reported in seconds, while a
        # 429's Retry-After is still honoured.
        retry_policy=RetryPolicy(attempts=3, backoff_seconds=0.25),
    )
    session.auth = (target.credentials.client_id, target.credentials.client_secret)
    return session


def replay(session: ContractSession, target: Target, version: str, run_id: str) -> Replay:
    """Run every step once with `Sequence-Version: version`."""
    # One token per version run: names stay unique on the account, and the shape comparison
    # replaces the token, so the two runs' names compare equal.
    run_id = f"{run_id}-{version}"
    client = Client(session, target, version)
    observations: list[Observation] = []
    archive = archive_method(version)

    def step(
        name: str,
        method: str,
        template: str,
        customer: str | None,
        *,
        version: str = version,
        mutates: bool = False,
        skip: str = "",  # why the step is not run
        **kwargs: Any,
    ) -> tuple[requests.Response, Any] | None:
        operation = f"{method} {template}"
        if "{id}" in template and customer is None:
            skip = "no customer: the create step failed"
        if skip:
            observations.append(Observation(name, operation, None, note=skip))
            return None
        if mutates and customer not in client.created:
            raise AssertionError(f"{name}: refusing to change customer {customer} (not ours)")
        path = template.replace("{id}", customer or "")
        response, data = client.call(method, path, version=version, **kwargs)
        shown = data
        if name == "list" and isinstance(data, dict) and isinstance(data.get("items"), list):
            # Other customers of the account say nothing about the version: keep ours only.
            items = [i for i in data["items"] if isinstance(i, dict) and i.get("id") == customer]
            shown = {**data, "items": items}
        shape = shape_of(shown, [run_id]) if shown is not None else {}
        headers = _headers(response, version)
        observations.append(Observation(name, operation, response.status_code, headers, shape))
        return response, data

    body = _create_body(version, run_id)
    created = step("create", "POST", "/customers", None, json=body)
    customer = client.keep_created(*created) if created else None
    step("get", "GET", "/customers/{id}", customer)
    step(
        "list", "GET", "/customers", customer, params={"limit": 100, "legalName": body["legalName"]}
    )
    update = {**body, "legalName": f"{body['legalName']} (updated)"}
    step("update", "PUT", "/customers/{id}", customer, json=update, mutates=True)
    step("archive", archive, ARCHIVE, customer, mutates=True)
    step("archive-again", archive, ARCHIVE, customer, mutates=True)
    unknown = str(uuid.uuid4())
    answer = step("get-unknown-id", "GET", "/customers/{id}", unknown)
    status = answer[0].status_code if answer is not None else None
    # Archived only once the server has said no such customer exists.
    found = status is None or status < 300
    why = f"GET of the random id {unknown} answered {status}" if found else ""
    step("archive-unknown-id", archive, ARCHIVE, unknown, skip=why)
    step("unknown-version", "GET", "/customers/{id}", customer or unknown, version=UNKNOWN_VERSION)
    return Replay(version, tuple(observations), tuple(client.created), run_label(run_id))


def _create_body(version: str, run_id: str) -> dict[str, Any]:
    """The suite's create body plus the optional fields the version documents."""
    body = customer_body(version, run_id, 1)
    request = schemas.validator_for(version, REQUEST_SCHEMA).schema
    documented = request.get("properties", {}) if isinstance(request, Mapping) else {}
    for name, value in OPTIONAL_FIELDS.items():
        if name in documented and name not in body:
            body[name] = value
    return body


def _headers(response: requests.Response, sent_version: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in COMPARED_HEADERS:
        value = response.headers.get(name)
        if value is None:
            continue
        if name not in _VALUE_HEADERS:
            found[name] = "<present>"
        elif name == "sequence-version":
            found[name] = AS_SENT if value.strip() == sent_version else value.strip()
        elif name == "allow":
            found[name] = ", ".join(sorted(m.strip().upper() for m in value.split(",")))
        else:
            found[name] = value.replace(" ", "").lower()
    return found


def compare_replays(old: Replay, new: Replay, documented: Iterable[Change]) -> list[Change]:
    """Every observed difference from `old`'s run to `new`'s, merged by id."""
    documented = list(documented)
    new_steps = {o.step: o for o in new.observations}
    grouped: dict[str, list[Change]] = {}
    for before in old.observations:
        after = new_steps.get(before.step)
        versions = {"old": old.version, "new": new.version}
        for seen in _step(before, after, documented, versions) if after is not None else ():
            grouped.setdefault(seen.id, []).append(seen)
    changes = []
    for group in grouped.values():
        first = group[0]
        # Expected only if every step where it shows is predicted by the documents.
        explained: tuple[str, ...] = ()
        if all(c.explained_by for c in group):
            explained = tuple(dict.fromkeys(e for c in group for e in c.explained_by))
        steps = tuple(dict.fromkeys(c.location for c in group))
        text = first.description
        if first.kind != "observed-status-changed":
            text += f" [{first.location if len(steps) == 1 else f'{len(steps)} steps'}]"
        changes.append(replace(first, description=text, seen_in=steps, explained_by=explained))
    return sorted(changes, key=lambda c: (not c.breaking, c.id))


def _step(
    old: Observation, new: Observation, documented: list[Change], versions: dict[str, str]
) -> list[Change]:
    """What one step shows differently in the two runs, with the changes that predict it."""
    step = f"{new.step} ({new.operation})"
    if old.status != new.status:
        method, _, path = new.operation.partition(" ")
        candidates = (
            f"status-code-changed:{new.operation}",
            f"operation-method-changed:{path}",
            f"operation-removed:{old.operation}",
            f"operation-path-changed:{old.operation}",
        )
        ids = {c.id for c in documented}
        explained = tuple(c for c in candidates if c in ids) if method else ()
        found = [("status-changed", new.step, old.status, new.status)]
    else:
        found = _differences(old, new)
    changes = []
    for kind, subject, before, after in found:
        if kind != "status-changed":
            pointer, wanted = f"{new.operation} {new.status} {subject}", _EXPLAINED_BY.get(kind, ())
            explained = tuple(
                c.id for c in documented if pointer in c.pointers and c.kind in wanted
            )
        breaking, text = _KINDS[kind]
        text = text.format(subject=subject, step=step, before=before, after=after, **versions)
        changes.append(
            Change(
                f"observed-{kind}:{subject}",
                f"observed-{kind}",
                subject,
                OBSERVED,
                breaking,
                text,
                step,
                before,
                after,
                (step,),
                explained_by=explained,
            )
        )
    return changes


def _differences(old: Observation, new: Observation) -> list[tuple[str, str, Any, Any]]:
    """(kind, subject, before, after) of each body and header difference of a step."""
    found: list[tuple[str, str, Any, Any]] = []
    found += [("field-removed", p, old.shape[p], None) for p in _outermost(old.shape, new.shape)]
    found += [("field-added", p, None, new.shape[p]) for p in _outermost(new.shape, old.shape)]
    for path in sorted(set(old.shape) & set(new.shape)):
        before, after = old.shape[path], new.shape[path]
        if before != after:
            same_form = without_value(before) == without_value(after)
            same = same_form and base_type(before) == base_type(after)
            found.append(("value-changed" if same else "type-changed", path, before, after))
    for name in sorted(set(old.headers) | set(new.headers)):
        sent, now = old.headers.get(name), new.headers.get(name)
        if sent != now:
            kind = "removed" if now is None else "added" if sent is None else "changed"
            found.append((f"header-{kind}", name, sent, now))
    return found


def _outermost(shape: Shape, other: Shape) -> list[str]:
    """Paths only in `shape`, not their children: a new object is one change, not one per leaf."""
    paths = set(shape) - set(other)
    return sorted(p for p in paths if not any(a in paths for a in ancestors(p)))

"""Live verification: each consumer call replayed once under the target version.

Calls on one customer (`/customers/{id}`) are pointed at customers this run makes: reads
share one, every call that changes data (update, archive, delete) gets its own. A call that
expects 404, or whose provider state says no such customer exists, gets a random id. Creates
carry the run's label. On a host where writes are not allowed only GET, HEAD and OPTIONS
are replayed, on a customer the list returns; nothing is created there.

Provider states the gate can set up: none, "a customer exists" (any state naming a customer
that exists) and "no such customer" (a customer that does not exist). Others are named and
their calls are not verified.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import requests

from sequence_contract.http import ContractSession
from sequence_contract.target import SAFE_METHODS, VERSION_HEADER, Target, customer_body, run_label
from sequence_contract.upgrade.consumers.matching import Mismatch, check_response
from sequence_contract.upgrade.consumers.usage import Call
from sequence_contract.upgrade.replay import json_or_none

# The only request headers replayed: the rest (cookies, auth, user agents) belong to the
# recording, and credentials come from the gate's own.
FORWARDED_HEADERS = ("content-type", "accept")
CREATE = "POST /customers"
_ABSENT = re.compile(r"\b(no|not|none|unknown|missing|does ?n[o']t|without)\b", re.IGNORECASE)
_CUSTOMER = re.compile(r"\bcustomers?\b", re.IGNORECASE)
_EXISTS = re.compile(r"\bexists?\b|\bthere (is|are)\b", re.IGNORECASE)
PASSES = "passes"
BREAKS = "breaks"
NOT_VERIFIABLE = "not verifiable"


@dataclass(frozen=True)
class Live:
    """The replay of one call under the target version."""

    outcome: str  # PASSES, BREAKS or NOT_VERIFIABLE
    reason: str = ""  # NOT_VERIFIABLE: why
    mismatches: tuple[Mismatch, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass
class Verified:
    results: dict[int, Live] = field(default_factory=dict)  # by index of the call
    created: list[str] = field(default_factory=list)
    requests: int = 0


def verify_calls(
    session: ContractSession,
    target: Target,
    calls: Sequence[Call],
    to_version: str,
    run_id: str,
    *,
    writes_allowed: bool = True,
) -> Verified:
    return _Verifier(session, target, to_version, run_id, writes_allowed).run(calls)


def provider_state(state: str) -> str | None:
    """ "exists", "absent", or None when the gate cannot set the state up."""
    if not _CUSTOMER.search(state):
        return None
    if _ABSENT.search(state):
        return "absent"
    return "exists" if _EXISTS.search(state) else None


class _Verifier:
    def __init__(
        self,
        session: ContractSession,
        target: Target,
        to_version: str,
        run_id: str,
        writes_allowed: bool,
    ) -> None:
        self.session = session
        self.base_url = target.base_url
        self.version = to_version
        self.run_id = run_id
        self.writes_allowed = writes_allowed
        self.out = Verified()
        self.shared: str | None = None
        self.shared_problem = ""

    def run(self, calls: Sequence[Call]) -> Verified:
        for index, call in enumerate(calls):
            self.out.results[index] = self._call(call)
        return self.out

    def _call(self, call: Call) -> Live:
        if call.problem or call.operation is None:
            return Live(NOT_VERIFIABLE, call.problem or "no documented operation")
        interaction = call.interaction
        states = [provider_state(s) for s in interaction.states]
        unknown = [s for s, kind in zip(interaction.states, states, strict=True) if kind is None]
        if unknown:
            return Live(
                NOT_VERIFIABLE,
                "provider state " + ", ".join(repr(s) for s in unknown) + " cannot be set up "
                "by the gate (it sets up: a customer exists; no such customer)",
            )
        method = interaction.method
        if method not in SAFE_METHODS and not self.writes_allowed:
            return Live(NOT_VERIFIABLE, "read-only host: only GET, HEAD and OPTIONS are replayed")
        template = call.operation.split(" ", 1)[1]
        path = template
        if "{" in template:
            absent = "absent" in states or interaction.status == 404
            customer, problem = self._customer(method, absent)
            if customer is None:
                return Live(NOT_VERIFIABLE, problem)
            path = re.sub(r"\{[^}]*\}", customer, template)
        body = interaction.body
        if call.operation == CREATE and isinstance(body, dict):
            body = {**body, "label": run_label(self.run_id)}
        headers = {VERSION_HEADER: self.version}
        for name in FORWARDED_HEADERS:
            if name in interaction.headers:
                headers[name] = interaction.headers[name]
        response = self._send(method, path, list(interaction.query), body, headers)
        data = json_or_none(response)
        if call.operation == CREATE:
            self._created(response, data)
        if response.status_code == 429:
            return Live(NOT_VERIFIABLE, "rate limited (429) after retries: not a contract result")
        result = check_response(
            interaction, response.status_code, response.headers, data, self.version
        )
        notes = list(result.notes)
        if result.by_type:
            notes.append(
                f"{result.by_type} value(s) without a matching rule compared by type only "
                "(the run's customers carry their own data)"
            )
        if result.mismatches:
            return Live(BREAKS, mismatches=tuple(result.mismatches), notes=tuple(notes))
        if result.unchecked:
            return Live(NOT_VERIFIABLE, "; ".join(result.unchecked), notes=tuple(notes))
        return Live(PASSES, notes=tuple(notes))

    def _customer(self, method: str, absent: bool) -> tuple[str | None, str]:
        if absent:
            return str(uuid.uuid4()), ""
        if method not in SAFE_METHODS:
            return self._create()  # each call that changes data gets its own customer
        if self.shared is None and not self.shared_problem:
            if self.writes_allowed:
                self.shared, self.shared_problem = self._create()
            else:
                self.shared, self.shared_problem = self._listed()
        return self.shared, self.shared_problem

    def _create(self) -> tuple[str | None, str]:
        body = customer_body(self.version, self.run_id, len(self.out.created) + 1)
        response = self._send("POST", "/customers", [], body, {VERSION_HEADER: self.version})
        customer = self._created(response, json_or_none(response))
        if customer is None:
            return (
                None,
                "could not create a customer for it: POST /customers answered "
                f"{response.status_code}",
            )
        return customer, ""

    def _listed(self) -> tuple[str | None, str]:
        response = self._send(
            "GET", "/customers", [("limit", "1")], None, {VERSION_HEADER: self.version}
        )
        data = json_or_none(response)
        items = data.get("items") if isinstance(data, dict) else None
        if response.status_code == 200 and isinstance(items, list) and items:
            first = items[0]
            if isinstance(first, dict) and first.get("id"):
                return str(first["id"]), ""
        return None, "read-only host and no customer to read (GET /customers?limit=1 listed none)"

    def _created(self, response: requests.Response, data: Any) -> str | None:
        if 200 <= response.status_code < 300 and isinstance(data, dict) and data.get("id"):
            self.out.created.append(str(data["id"]))
            return str(data["id"])
        return None

    def _send(
        self,
        method: str,
        path: str,
        query: list[tuple[str, str]],
        body: Any,
        headers: dict[str, str],
    ) -> requests.Response:
        if method not in SAFE_METHODS and not self.writes_allowed:
            raise AssertionError(f"{method} {path}: refusing to write on a read-only host")
        self.out.requests += 1
        return self.session.request(
            method,
            f"{self.base_url}{path}",
            params=query or None,
            json=body,
            headers=headers,
        )

"""Live verification: each consumer call replayed once under the target version, on
customers this run makes (reads share one; each call that changes data gets its own) or a
random id where the call expects none. Provider states the gate can set up: none, "a
customer exists" and "no such customer". The README tells the rules.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sequence_contract.http import ContractSession
from sequence_contract.target import SAFE_METHODS, Target, customer_body, run_label
from sequence_contract.upgrade.consumers.matching import Verification, check_response
from sequence_contract.upgrade.consumers.usage import Call
from sequence_contract.upgrade.replay import Client, json_or_none

# The only request headers replayed: the rest (cookies, auth, user agents) belong to the
# recording, and credentials come from the gate's own.
FORWARDED_HEADERS = ("content-type", "accept")
CREATE = "POST /customers"
_ABSENT = re.compile(r"\b(no|not|none|unknown|missing|does ?n[o']t|without)\b", re.IGNORECASE)
_CUSTOMER = re.compile(r"\bcustomers?\b", re.IGNORECASE)
_EXISTS = re.compile(r"\bexists?\b|\bthere (is|are)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Verified:
    results: dict[int, Verification]  # by index of the call
    created: list[str]
    requests: int


def verify_calls(
    session: ContractSession,
    target: Target,
    calls: Sequence[Call],
    to_version: str,
    run_id: str,
    *,
    writes_allowed: bool = True,
) -> Verified:
    client = Client(session, target, to_version, writes=writes_allowed)
    verifier = _Verifier(client, run_id)
    results = {index: verifier.call(call) for index, call in enumerate(calls)}
    return Verified(results, client.created, client.requests)


def provider_state(state: str) -> str | None:
    """ "exists", "absent", or None when the gate cannot set the state up."""
    if not _CUSTOMER.search(state):
        return None
    if _ABSENT.search(state):
        return "absent"
    return "exists" if _EXISTS.search(state) else None


class _Verifier:
    def __init__(self, client: Client, run_id: str) -> None:
        self.client = client
        self.run_id = run_id
        self.shared: tuple[str | None, str] | None = None  # the customer reads share

    def call(self, call: Call) -> Verification:
        if call.problem or call.operation is None:
            return _not_verifiable(call.problem or "no documented operation")
        interaction = call.interaction
        states = [provider_state(s) for s in interaction.states]
        unknown = [s for s, kind in zip(interaction.states, states, strict=True) if kind is None]
        if unknown:
            return _not_verifiable(
                "provider state " + ", ".join(repr(s) for s in unknown) + " cannot be set up "
                "by the gate (it sets up: a customer exists; no such customer)",
            )
        method = interaction.method
        if method not in SAFE_METHODS and not self.client.writes:
            return _not_verifiable("read-only host: only GET, HEAD and OPTIONS are replayed")
        path = call.operation.split(" ", 1)[1]
        if "{" in path:
            absent = "absent" in states or interaction.status == 404
            customer, problem = self._customer(method, absent)
            if customer is None:
                return _not_verifiable(problem)
            path = re.sub(r"\{[^}]*\}", customer, path)
        body = interaction.body
        if call.operation == CREATE and isinstance(body, dict):
            body = {**body, "label": run_label(self.run_id)}
        headers = {k: v for k, v in interaction.headers.items() if k in FORWARDED_HEADERS}
        query = list(interaction.query) or None
        response = self.client.send(method, path, params=query, json=body, headers=headers)
        data = json_or_none(response)
        if call.operation == CREATE:
            self.client.keep_created(response, data)
        if response.status_code == 429:
            return _not_verifiable("rate limited (429) after retries: not a contract result")
        version = self.client.version
        return check_response(interaction, response.status_code, response.headers, data, version)

    def _customer(self, method: str, absent: bool) -> tuple[str | None, str]:
        if absent:
            return str(uuid.uuid4()), ""
        if method not in SAFE_METHODS:
            return self._create()  # each call that changes data gets its own customer
        if self.shared is None:
            self.shared = self._create() if self.client.writes else self._listed()
        return self.shared

    def _create(self) -> tuple[str | None, str]:
        body = customer_body(self.client.version, self.run_id, len(self.client.created) + 1)
        response = self.client.send("POST", "/customers", json=body)
        if customer := self.client.keep_created(response, json_or_none(response)):
            return customer, ""
        status = response.status_code
        return None, f"could not create a customer for it: POST /customers answered {status}"

    def _listed(self) -> tuple[str | None, str]:
        response = self.client.send("GET", "/customers", params=[("limit", "1")])
        data = json_or_none(response)
        items = data.get("items") if isinstance(data, dict) else None
        if response.status_code == 200 and isinstance(items, list) and items:
            first = items[0]
            if isinstance(first, dict) and first.get("id"):
                return str(first["id"]), ""
        return None, "read-only host and no customer to read (GET /customers?limit=1 listed none)"


def _not_verifiable(reason: str) -> Verification:
    return Verification(unchecked=[reason])

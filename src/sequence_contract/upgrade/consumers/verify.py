"""Live verification: each consumer call replayed once under the target version, on customers
this run makes or a random id where the call expects none (README: provider states)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from functools import cache

from sequence_contract.http import ContractSession
from sequence_contract.target import SAFE_METHODS, Target, customer_body, run_label
from sequence_contract.upgrade.consumers.matching import Verification, check_response
from sequence_contract.upgrade.consumers.usage import Call, Verified
from sequence_contract.upgrade.replay import Client

# The only request headers replayed: the rest (cookies, auth, user agents) belong to the
# recording, and credentials come from the gate's own.
FORWARDED_HEADERS = ("content-type", "accept")
CREATE = "POST /customers"
_ABSENT = re.compile(r"\b(no|not|none|unknown|missing|does ?n[o']t|without)\b", re.IGNORECASE)
_CUSTOMER = re.compile(r"\bcustomers?\b", re.IGNORECASE)
_EXISTS = re.compile(r"\bexists?\b|\bthere (is|are)\b", re.IGNORECASE)


def verify_calls(
    session: ContractSession,
    target: Target,
    calls: Sequence[Call],
    to_version: str,
    run_id: str,
    *,
    writes_allowed: bool = True,
) -> Verified:
    """Each call's verification, and the client that counted the requests and customers."""
    client = Client(session, target, to_version, writes=writes_allowed)

    @cache
    def shared() -> tuple[str | None, str]:
        """The customer the reads share."""
        return create() if client.writes else listed()

    def create() -> tuple[str | None, str]:
        body = customer_body(to_version, run_id, len(client.created) + 1)
        response, data = client.call("POST", "/customers", json=body)
        if found := client.keep_created(response, data):
            return found, ""
        status = response.status_code
        return None, f"could not create a customer for it: POST /customers answered {status}"

    def listed() -> tuple[str | None, str]:
        response, data = client.call("GET", "/customers", params=[("limit", "1")])
        ok = response.status_code == 200 and isinstance(data, dict)
        items = data.get("items") if ok else None
        first = items[0] if isinstance(items, list) and items else None
        if isinstance(first, dict) and first.get("id"):
            return str(first["id"]), ""
        return None, "read-only host and no customer to read (GET /customers?limit=1 listed none)"

    def verify(call: Call) -> Verification | str:
        """The call's verification, or why it cannot be verified."""
        problem = _unverifiable(call, client.writes)
        if problem or call.operation is None:
            return problem
        interaction, method = call.interaction, call.interaction.method
        path = call.operation.split(" ", 1)[1]
        if "{" in path:
            customer: tuple[str | None, str] = (str(uuid.uuid4()), "")  # expected absent
            states = {provider_state(s) for s in interaction.states}
            if "absent" not in states and interaction.status != 404:
                # Reads share one customer; each call that changes data gets its own.
                customer = shared() if method in SAFE_METHODS else create()
            found, problem = customer
            if found is None:
                return problem
            path = re.sub(r"\{[^}]*\}", found, path)
        body = interaction.body
        if call.operation == CREATE and isinstance(body, dict):
            body = {**body, "label": run_label(run_id)}
        headers = {k: v for k, v in interaction.headers.items() if k in FORWARDED_HEADERS}
        params = list(interaction.query) or None
        response, data = client.call(method, path, params=params, json=body, headers=headers)
        if call.operation == CREATE:
            client.keep_created(response, data)
        if response.status_code == 429:
            return "rate limited (429) after retries: not a contract result"
        return check_response(interaction, response.status_code, response.headers, data, to_version)

    results = [verify(call) for call in calls]
    return [Verification(unchecked=[r]) if isinstance(r, str) else r for r in results], client


def _unverifiable(call: Call, writes: bool) -> str:
    """Why the call cannot be replayed here, or ""."""
    if call.problem or call.operation is None:
        return call.problem or "no documented operation"
    unknown = [s for s in call.interaction.states if provider_state(s) is None]
    if unknown:
        return (
            "provider state " + ", ".join(repr(s) for s in unknown) + " cannot be set up "
            "by the gate (it sets up: a customer exists; no such customer)"
        )
    if call.interaction.method not in SAFE_METHODS and not writes:
        return "read-only host: only GET, HEAD and OPTIONS are replayed"
    return ""


def provider_state(state: str) -> str | None:
    """ "exists", "absent", or None when the gate cannot set the state up."""
    if not _CUSTOMER.search(state):
        return None
    if _ABSENT.search(state):
        return "absent"
    return "exists" if _EXISTS.search(state) else None

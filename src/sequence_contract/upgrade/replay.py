"""Observed changes: the same operations replayed once per version against one server.

Each version's run creates its own customer (labelled with the run), reads, lists, updates
and archives it (by that version's archive method), archives it again, asks for an unknown
id and sends an unknown version. Only customers this run created are ever updated or
archived. The two runs' responses are reduced to shapes (see `shape.py`) and compared by
`observed.py`.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from sequence_contract import schemas
from sequence_contract.http import ContractSession, RateLimiter, RetryPolicy
from sequence_contract.target import (
    VERSION_HEADER,
    Target,
    archive_method,
    customer_body,
    run_label,
)
from sequence_contract.upgrade.shape import Shape, shape_of

UNKNOWN_VERSION = "1999-12-31"  # well-formed, never published
REMOTE_RATE_LIMIT = 600  # requests a minute; far under the documented 1,500
# Headers a client may act on; the rest (Date, Server, tracing ids) differ on every reply.
COMPARED_HEADERS = (
    "content-type",
    "sequence-version",
    "allow",
    "location",
    "retry-after",
    "www-authenticate",
    "deprecation",
    "sunset",
    "warning",
)
_VALUE_HEADERS = frozenset({"content-type", "sequence-version", "allow"})
AS_SENT = "<as sent>"
REQUEST_SCHEMA = "create-or-update-customer-request"
OPTIONAL_FIELDS = {"telephone": "+44 20 7946 0000", "url": "https://example.com/upgrade-check"}


@dataclass(frozen=True)
class Observation:
    """One step of one run: what came back, reduced to what can be compared."""

    step: str
    operation: str  # "<METHOD> <path template>", as the version's document names it
    status: int | None  # None: not run (`note` says why)
    shape: Shape = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class Replay:
    version: str
    observations: tuple[Observation, ...]
    created: tuple[str, ...]  # ids of the customers this run created
    label: str


def open_session(target: Target, timeout_seconds: float = 30.0) -> ContractSession:
    per_minute = 0 if target.embedded else REMOTE_RATE_LIMIT
    session = ContractSession(
        timeout_seconds=timeout_seconds,
        rate_limiter=RateLimiter(per_minute=per_minute),
        # Few, short retries: an unreachable server should be reported in seconds, while a
        # 429's Retry-After is still honoured.
        retry_policy=RetryPolicy(attempts=3, backoff_seconds=0.25),
    )
    session.auth = (target.credentials.client_id, target.credentials.client_secret)
    return session


def replay(session: ContractSession, target: Target, version: str, run_id: str) -> Replay:
    """Run every step once with `Sequence-Version: version`."""
    return _Run(session, target, version, run_id).run()


def new_run_id() -> str:
    return "upgrade-" + secrets.token_hex(4)


class _Run:
    def __init__(self, session: ContractSession, target: Target, version: str, run_id: str):
        self.session = session
        self.base_url = target.base_url
        self.version = version
        # One token per version run: names stay unique on the account, and the shape
        # comparison replaces the token, so the two runs' names compare equal.
        self.run_id = f"{run_id}-{version}"
        self.archive_method = archive_method(version)
        self.created: list[str] = []
        self.observations: list[Observation] = []

    def run(self) -> Replay:
        body = _create_body(self.version, self.run_id)
        customer = self._create(body)
        self._step("get", "GET", "/customers/{id}", customer)
        self._list(customer, body)
        update = {**body, "legalName": f"{body['legalName']} (updated)"}
        self._step("update", "PUT", "/customers/{id}", customer, json=update, mutates=True)
        archive = "/customers/{id}/archive"
        self._step("archive", self.archive_method, archive, customer, mutates=True)
        self._step("archive-again", self.archive_method, archive, customer, mutates=True)
        unknown = str(uuid.uuid4())
        status = self._step("get-unknown-id", "GET", "/customers/{id}", unknown)
        if status is not None and status >= 300:
            # Archived only once the server has said no such customer exists.
            self._step("archive-unknown-id", self.archive_method, archive, unknown)
        else:
            self._skip(
                "archive-unknown-id",
                self.archive_method,
                archive,
                f"GET of the random id {unknown} answered {status}",
            )
        self._step(
            "unknown-version",
            "GET",
            "/customers/{id}",
            customer or unknown,
            version=UNKNOWN_VERSION,
        )
        return Replay(
            self.version, tuple(self.observations), tuple(self.created), run_label(self.run_id)
        )

    def _create(self, body: dict[str, Any]) -> str | None:
        response = self._send("POST", "/customers", None, json=body)
        self._observe("create", "POST", "/customers", response, self.version)
        data = json_or_none(response)
        if 200 <= response.status_code < 300 and isinstance(data, dict) and data.get("id"):
            customer_id = str(data["id"])
            self.created.append(customer_id)
            return customer_id
        return None

    def _list(self, customer: str | None, body: dict[str, Any]) -> None:
        params = {"limit": 100, "legalName": body["legalName"]}
        response = self._send("GET", "/customers", None, params=params)
        data = json_or_none(response)
        if isinstance(data, dict) and isinstance(data.get("items"), list):
            # Other customers of the account say nothing about the version: keep ours only.
            data = {
                **data,
                "items": [
                    i for i in data["items"] if isinstance(i, dict) and i.get("id") == customer
                ],
            }
        self._observe("list", "GET", "/customers", response, self.version, data)

    def _step(
        self,
        step: str,
        method: str,
        template: str,
        customer: str | None,
        *,
        json: Any = None,
        mutates: bool = False,
        version: str | None = None,
    ) -> int | None:
        if customer is None:
            self._skip(step, method, template, "no customer: the create step failed")
            return None
        if mutates and customer not in self.created:
            raise AssertionError(f"{step}: refusing to change customer {customer} (not ours)")
        sent_version = version or self.version
        response = self._send(method, template, customer, json=json, version=sent_version)
        self._observe(step, method, template, response, sent_version)
        return response.status_code

    def _send(
        self,
        method: str,
        template: str,
        customer: str | None,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        version: str | None = None,
    ) -> requests.Response:
        path = template.replace("{id}", customer or "")
        headers = {VERSION_HEADER: version or self.version}
        return self.session.request(
            method, f"{self.base_url}{path}", json=json, params=params, headers=headers
        )

    def _observe(
        self,
        step: str,
        method: str,
        template: str,
        response: requests.Response,
        sent_version: str,
        data: Any = None,
    ) -> None:
        body = data if data is not None else json_or_none(response)
        self.observations.append(
            Observation(
                step=step,
                operation=f"{method} {template}",
                status=response.status_code,
                shape=shape_of(body, [self.run_id]) if body is not None else {},
                headers=_headers(response, sent_version),
            )
        )

    def _skip(self, step: str, method: str, template: str, why: str) -> None:
        self.observations.append(Observation(step, f"{method} {template}", None, note=why))


def _create_body(version: str, run_id: str) -> dict[str, Any]:
    """The suite's create body, plus the optional fields the version documents: a field
    shows as removed (or added) only if the replay filled it in."""
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


def json_or_none(response: requests.Response) -> Any:
    """The body as JSON, or None for an empty or non-JSON body."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None

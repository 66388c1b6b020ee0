"""Every operation's answers, errors included, match the project's JSON Schemas."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from sequence_contract import schemas
from sequence_contract.sandbox import EmbeddedSandbox
from tests.sandbox.client import SEEDED_CUSTOMER_ID, VERSION, ApiClient, customer_body, describe

UNKNOWN_ID = str(uuid.uuid4())


@dataclass(frozen=True)
class Step:
    method: str
    path: str  # may name {customer}, {parent} or {archived}
    status: int
    schema: str
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    authenticated: bool = True
    version: str = VERSION


STEPS = {
    "create": Step("POST", "/customers", 201, "customer", customer_body(url="https://a.example/")),
    "create-child": Step("POST", "/customers", 201, "customer", customer_body(parentId="{parent}")),
    "create-draft": Step("POST", "/customers", 201, "customer", customer_body(status="DRAFT")),
    "get": Step("GET", "/customers/{customer}", 200, "customer"),
    "get-parent": Step("GET", "/customers/{parent}", 200, "customer"),
    "get-seeded": Step("GET", f"/customers/{SEEDED_CUSTOMER_ID}", 200, "customer"),
    "update": Step("PUT", "/customers/{customer}", 200, "customer", customer_body(label="x")),
    "archive": Step("POST", "/customers/{customer}/archive", 200, "customer"),
    "archive-again": Step("POST", "/customers/{archived}/archive", 200, "customer"),
    "list": Step("GET", "/customers", 200, "list-customers-response", params={"limit": "3"}),
    "list-everything": Step(
        "GET",
        "/customers",
        200,
        "list-customers-response",
        params={"includeArchived": "true", "sortBy": "legalName", "sortOrder": "ASC"},
    ),
    "list-empty": Step(
        "GET", "/customers", 200, "list-customers-response", params={"label": UNKNOWN_ID}
    ),
    "create-invalid": Step("POST", "/customers", 400, "error", {"legalName": 1}),
    "create-malformed": Step(
        "POST", "/customers", 400, "error", "{", {"Content-Type": "application/json"}
    ),
    "create-wrong-type": Step(
        "POST", "/customers", 415, "error", "{}", {"Content-Type": "text/plain"}
    ),
    "list-bad-limit": Step("GET", "/customers", 400, "error", params={"limit": "0"}),
    "get-unknown": Step("GET", f"/customers/{UNKNOWN_ID}", 404, "error"),
    "update-unknown": Step("PUT", f"/customers/{UNKNOWN_ID}", 404, "error", customer_body()),
    "archive-unknown": Step("POST", f"/customers/{UNKNOWN_ID}/archive", 404, "error"),
    "archive-unauthenticated": Step(
        "POST", "/customers/{customer}/archive", 401, "error", authenticated=False
    ),
    "archive-old-version": Step(
        "POST", "/customers/{customer}/archive", 400, "error", version="2024-01-01"
    ),
    "delete": Step("DELETE", "/customers/{customer}", 405, "error"),
    "unknown-path": Step("GET", "/customer", 404, "error"),
}


@pytest.fixture(scope="module")
def placeholders(sandbox: EmbeddedSandbox) -> dict[str, str]:
    client = ApiClient(sandbox.base_url)
    try:
        parent = client.create_customer()["id"]
        archived = client.archive(client.create_customer()["id"])["id"]
        return {"customer": client.create_customer()["id"], "parent": parent, "archived": archived}
    finally:
        client.close()


def _fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        for name, replacement in names.items():
            value = value.replace("{" + name + "}", replacement)
        return value
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    return value


@pytest.mark.parametrize("step", STEPS.values(), ids=STEPS)
def test_the_answer_matches_its_schema(
    api: ApiClient, placeholders: dict[str, str], step: Step
) -> None:
    body = _fill(step.body, placeholders)
    send: dict[str, Any] = {"data": body} if isinstance(body, str) else {"json": body}
    response = api.call(
        step.method,
        _fill(step.path, placeholders),
        authenticated=step.authenticated,
        version=step.version,
        headers=step.headers,
        params=step.params,
        **send,
    )
    assert response.status_code == step.status, describe(response)
    found = schemas.violations(VERSION, step.schema, response.json())
    assert found == [], f"{step.schema}: " + "; ".join(found) + describe(response)


def test_a_429_matches_the_error_schema(start_sandbox: Callable[..., EmbeddedSandbox]) -> None:
    client = ApiClient(start_sandbox(rate_limit_per_minute=1).base_url)
    try:
        client.call("GET", "/customers")
        response = client.call("GET", "/customers")
        assert response.status_code == 429, describe(response)
        assert schemas.violations(VERSION, "error", response.json()) == [], describe(response)
    finally:
        client.close()


@pytest.mark.parametrize(
    "body",
    [customer_body(), customer_body(url="https://a.example/", status="DRAFT", label="x")],
    ids=["minimal", "with-options"],
)
def test_the_bodies_these_tests_send_are_valid_requests(body: dict[str, Any]) -> None:
    assert schemas.violations(VERSION, "create-or-update-customer-request", body) == []

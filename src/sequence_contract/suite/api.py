"""Small request helpers the contract tests share (reads that follow pagination, polling)."""

from __future__ import annotations

import time
from typing import Any

from sequence_contract.suite import checks
from sequence_contract.suite.runtime import SuiteRuntime

MAX_PAGES = 20
EVENTUAL_SECONDS = 10.0


def list_customer_ids(runtime: SuiteRuntime, **params: Any) -> set[str]:
    """Ids of every customer the list returns for `params`, following `after` cursors."""
    ids: set[str] = set()
    query: dict[str, Any] = {"limit": 100, **params}
    for _ in range(MAX_PAGES):
        response = runtime.request("GET", "/customers", params=query)
        checks.status_in(runtime, response, {200}, "listing customers")
        page = checks.conforms(runtime, response, "list-customers-response")
        ids |= {item["id"] for item in page["items"]}
        after = page.get("pagination", {}).get("after")
        if not after or not page["items"]:
            return ids
        query = {**query, "after": after}
    return ids


def get_customer(runtime: SuiteRuntime, customer_id: str) -> dict[str, Any]:
    response = runtime.request("GET", f"/customers/{customer_id}")
    checks.status_in(runtime, response, {200}, "reading a customer this run created")
    body: dict[str, Any] = checks.conforms(runtime, response, "customer")
    return body


def read_until(runtime: SuiteRuntime, customer_id: str, field: str) -> dict[str, Any]:
    """GET the customer; with read-after-write=eventual, poll until `field` shows (10 s)."""
    body = get_customer(runtime, customer_id)
    if runtime.settings.expectations["read-after-write"] == "eventual":
        deadline = time.monotonic() + EVENTUAL_SECONDS
        while field not in body and time.monotonic() < deadline:
            time.sleep(0.5)
            body = get_customer(runtime, customer_id)
    return body

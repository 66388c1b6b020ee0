"""Stored as sent, by category of input: a create that answers 2xx returns every field it was
sent, as it was sent, and so does the GET that follows (`suite/stored.py` names the documented
exceptions). Each case changes one field of a valid body to one category of input the docs
allow, before random generation has a chance to draw it.

Values in the grey zone (beyond the Basic Multilingual Plane, over 100 characters) may also be
refused with the documented 400 envelope, as the `grey-zone` expectation says; never a 5xx.
"""

from __future__ import annotations

from typing import Any

import pytest

from sequence_contract.suite import checks
from sequence_contract.suite.runtime import SuiteRuntime
from sequence_contract.suite.stored import require_kept
from sequence_contract.target import customer_body, run_label

# category -> (field, value given the run's label, grey zone?)
CATEGORIES: dict[str, tuple[str, Any, bool]] = {
    "non-ascii-text": ("label", lambda label: f"{label} Zoë Ørsted - 東京", False),
    "beyond-the-bmp": ("legalName", lambda label: "Acme \U0001f680 Ltd", True),
    "long-text": ("legalName", lambda label: "L" * 255, True),
}


@pytest.mark.destructive
@pytest.mark.creates_customers(1)
@pytest.mark.parametrize("category", CATEGORIES)
def test_a_create_is_stored_as_sent(runtime: SuiteRuntime, category: str) -> None:
    field, value, grey = CATEGORIES[category]
    body = customer_body(runtime.api_version, runtime.run_id, 0)
    body[field] = value(run_label(runtime.run_id))

    created = runtime.request("POST", "/customers", json=body)
    runtime.budget.release_earmark()  # the customer this test was allowed (creates_customers)

    refusable = grey and runtime.settings.expectations["grey-zone"] == "accept-or-400"
    if refusable and created.status_code == 400:
        checks.error_envelope(runtime, created)  # a careful server may refuse it
        return
    checks.status_in(runtime, created, {201}, f"a valid create with {category} in {field}")
    answer = checks.conforms(runtime, created, "customer")
    require_kept(runtime, created, body, answer)
    read = runtime.request("GET", f"/customers/{answer['id']}")
    checks.status_in(runtime, read, {200}, "the customer just created")
    require_kept(runtime, read, body, checks.conforms(runtime, read, "customer"))


@pytest.mark.destructive
def test_an_update_is_stored_and_read_back(runtime: SuiteRuntime, customer: dict[str, Any]) -> None:
    body = customer_body(runtime.api_version, runtime.run_id, 0)
    body["legalName"] = f"Updated {customer['id']}"
    body["address"] = {**body["address"], "line2": "Second floor"}

    updated = runtime.request("PUT", f"/customers/{customer['id']}", json=body)

    checks.status_in(runtime, updated, {200}, "a valid full replace of this run's customer")
    answer = checks.conforms(runtime, updated, "customer")
    require_kept(runtime, updated, body, answer)
    read = runtime.read_until(customer["id"], lambda now: now.get("legalName") == body["legalName"])
    require_kept(runtime, updated, body, read, check="an update is visible to a following read")
    read_at = f"GET /customers/{customer['id']} $.createdAt"
    for where, shown in (("$.createdAt", answer), (read_at, read)):
        # The same moment, however the server writes it (a string it cannot be read as).
        was, now = customer.get("createdAt"), shown.get("createdAt")
        if (checks.instant(now) or now) != (checks.instant(was) or was):
            checks.fail(
                runtime,
                updated,
                where,
                f"{now!r} after an update, expected it unchanged ({was!r})",
                check="an update keeps createdAt",
            )

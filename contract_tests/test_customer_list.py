"""GET /customers: page by page, the `after` cursor leads on to customers not yet listed; the
label and email filters list the customers they name, and no others."""

from __future__ import annotations

from typing import Any

import pytest

from sequence_contract.suite import checks
from sequence_contract.suite.runtime import SuiteRuntime
from sequence_contract.target import run_label

PAGES = 3  # pages of one customer each: enough to see a cursor lead on, or back


def test_the_after_cursor_leads_to_customers_not_yet_listed(runtime: SuiteRuntime) -> None:
    # Only reads (read-only runs too); archived customers count, to make a second page likelier.
    query: dict[str, Any] = {"limit": 1, "includeArchived": "true"}
    listed: dict[str, int] = {}  # customer id -> the page it was on
    for number in range(1, PAGES + 1):
        response = runtime.request("GET", "/customers", params=query)
        checks.status_in(runtime, response, {200}, "listing customers one a page")
        page = checks.conforms(runtime, response, "list-customers-response")
        for item in page["items"]:
            if item["id"] in listed:
                checks.fail(
                    runtime,
                    response,
                    "$.items[0].id",
                    f"{item['id']!r}, already listed on page {listed[item['id']]}: "
                    f"after={query['after']!r} leads back instead of on",
                    check="pagination",
                )
            listed[item["id"]] = number
        cursor = page.get("pagination", {}).get("after")
        if not cursor or not page["items"]:
            break
        query = {**query, "after": cursor}
    total = page.get("pagination", {}).get("totalResultSize")
    if len(listed) == 1 and isinstance(total, int) and total > 1:
        checks.fail(
            runtime,
            response,
            "$.pagination.after",
            f"missing after page 1 of limit=1, although totalResultSize is {total}",
            check="pagination",
        )
    if len(listed) < 2:
        pytest.skip("fewer than two customers listed: no second page to follow")


def test_a_label_filter_lists_only_customers_with_that_label(runtime: SuiteRuntime) -> None:
    # The run's label: the customers this run made carry it, others (of other runs, or the
    # account's own) do not, so a filter that is ignored shows. The rule `list filter` judges.
    if "label" not in checks.list_parameters(runtime.api_version):
        pytest.skip(f"{runtime.api_version} documents no label filter")
    label = run_label(runtime.run_id)
    query = {"label": label, "includeArchived": "true", "limit": 100}
    response = runtime.request("GET", "/customers", params=query)

    checks.status_in(runtime, response, {200}, f"listing the customers labelled {label}")
    checks.conforms(runtime, response, "list-customers-response")


@pytest.mark.destructive
def test_an_email_filter_finds_its_customer_and_not_another(
    runtime: SuiteRuntime, shared_customer: dict[str, Any], path_id: str
) -> None:
    # List items show no contacts, so no rule can judge this filter; two customers this run
    # made can. The generated cases' customer (`path_id`) never has the shared one's email.
    email = _email_of(shared_customer)
    if email is None:
        pytest.fail("POST /customers: the shared customer shows no contact email to filter by")

    listed = runtime.list_customer_ids(email=email, includeArchived="true")

    if shared_customer["id"] not in listed:
        pytest.fail(f"GET /customers?email={email}: customer {shared_customer['id']} is missing")
    if path_id in listed:
        pytest.fail(
            f"GET /customers?email={email}: lists customer {path_id}, which was created with "
            "another email (the filter was not applied)"
        )


def _email_of(customer: dict[str, Any]) -> str | None:
    """The email of the customer's first contact (2024-07-30), or its `email` (2024-05-09)."""
    contacts = customer.get("contacts")
    if isinstance(contacts, list) and contacts and isinstance(contacts[0], dict):
        found = contacts[0].get("email")
    else:
        found = customer.get("email")
    return found if isinstance(found, str) else None

"""POST /customers/{id}/archive on customers this run created: what archiving means."""

from __future__ import annotations

from typing import Any

import pytest

from sequence_contract.suite import checks
from sequence_contract.suite.runtime import SuiteRuntime
from sequence_contract.suite.stored import require_kept

pytestmark = pytest.mark.destructive


def test_archive_answers_the_archived_customer(
    runtime: SuiteRuntime, customer: dict[str, Any]
) -> None:
    response = runtime.archive(customer["id"])

    checks.status_in(runtime, response, {200}, "archive is documented as 200 with the Customer")
    body = checks.conforms(runtime, response, "customer")
    checks.version_echo(runtime, response, runtime.api_version)  # the id is a suite rule
    if "archivedAt" not in body:
        checks.fail(runtime, response, "$.archivedAt", "missing; archiving must set it")
    if body.get("status") != customer.get("status"):
        checks.fail(
            runtime,
            response,
            "$.status",
            f"{body.get('status')!r}, expected it unchanged ({customer.get('status')!r}): "
            "archiving sets archivedAt, there is no ARCHIVED status",
        )
    # Archiving sets archivedAt: every field a client writes stays as the customer had it.
    require_kept(runtime, response, customer, body, check="archive keeps the customer")


def test_archive_is_visible_to_a_following_read(
    runtime: SuiteRuntime, customer: dict[str, Any]
) -> None:
    archived = runtime.archive(customer["id"])
    checks.status_in(runtime, archived, {200}, "archive is documented as 200")
    archived_at = checks.conforms(runtime, archived, "customer").get("archivedAt")

    body = runtime.read_until(customer["id"], lambda body: "archivedAt" in body)

    if body.get("archivedAt") != archived_at:
        checks.fail(
            runtime,
            archived,
            f"GET /customers/{customer['id']} $.archivedAt",
            f"{body.get('archivedAt')!r} after archive answered {archived_at!r} "
            "(the archive was not persisted)",
        )


def test_archived_customer_leaves_the_default_list(
    runtime: SuiteRuntime, customer: dict[str, Any]
) -> None:
    name = customer.get("legalName")
    if not isinstance(name, str):
        pytest.fail(
            f"POST /customers: the created customer {customer['id']} has no legalName to "
            "filter the list by (see the schema failures of create)"
        )
    if customer["id"] not in runtime.list_customer_ids(legalName=name):
        pytest.fail(
            f"GET /customers?legalName={name}: the new customer {customer['id']} is not "
            "listed before archiving, so the list cannot show what archiving changes"
        )
    checks.status_in(
        runtime, runtime.archive(customer["id"]), {200}, "archive is documented as 200"
    )

    default_ids = runtime.list_customer_ids(legalName=name)
    with_archived = runtime.list_customer_ids(legalName=name, includeArchived="true")

    if customer["id"] in default_ids:
        pytest.fail(
            f"GET /customers?legalName={name}: archived customer {customer['id']} is still "
            "in the default list (archived customers are documented as left out)"
        )
    if customer["id"] not in with_archived:
        pytest.fail(
            f"GET /customers?legalName={name}&includeArchived=true: archived customer "
            f"{customer['id']} is missing"
        )


def test_archiving_again_keeps_the_first_archived_at(
    runtime: SuiteRuntime, customer: dict[str, Any]
) -> None:
    first = runtime.archive(customer["id"])
    checks.status_in(runtime, first, {200}, "archive is documented as 200")
    archived_at = checks.conforms(runtime, first, "customer")["archivedAt"]

    again = runtime.archive(customer["id"])

    if (
        runtime.settings.expectations["repeat-archive"] == "client-error"
        and 400 <= again.status_code < 500
    ):
        checks.error_envelope(runtime, again)
    else:
        checks.status_in(
            runtime, again, {200}, "a second archive is idempotent (expectation repeat-archive)"
        )
        body = checks.conforms(runtime, again, "customer")
        if body.get("archivedAt") != archived_at:
            checks.fail(
                runtime,
                again,
                "$.archivedAt",
                f"{body.get('archivedAt')!r}, expected the first archive's {archived_at!r}",
            )
    stored = runtime.read_until(customer["id"], lambda body: "archivedAt" in body)
    if stored.get("archivedAt") != archived_at:
        checks.fail(
            runtime,
            again,
            f"GET /customers/{customer['id']} $.archivedAt",
            f"{stored.get('archivedAt')!r} after a second archive, expected {archived_at!r}",
        )

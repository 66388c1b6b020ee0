"""What the archive path must refuse: unknown and malformed ids, other methods, bad auth.

Every refusal is a 4xx with the error envelope (never 2xx, never 5xx), and leaves the customer
as it was: so the run's shared customer serves (a created customer is a cost).
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

import pytest

from sequence_contract.suite import checks
from sequence_contract.suite.runtime import SuiteRuntime
from sequence_contract.target import archive_method

pytestmark = pytest.mark.destructive

MALFORMED_IDS = {
    "not-a-uuid": "not-a-uuid",
    "very-long": "a" * 2048,
    "unicode": "kund\u00e9-\u5ba2\u6237-\U0001f9fe",
    "encoded-slash": "..%2F..%2Fcustomers",
    "encoded-null": "abc%00def",
    "sql-like": "1' OR '1'='1",
}


def _assert_not_archived(runtime: SuiteRuntime, customer_id: str, after: str) -> None:
    body = runtime.get_customer(customer_id)
    if "archivedAt" in body:
        pytest.fail(
            f"GET /customers/{customer_id}: archivedAt is set after {after}, "
            "which must not archive anything"
        )


def test_unknown_id_is_a_client_error(runtime: SuiteRuntime) -> None:
    response = runtime.archive(str(uuid.uuid4()))

    allowed = runtime.settings.expectations.statuses("unknown-id-status")
    checks.client_error(runtime, response, allowed, "an unknown id (expectation unknown-id-status)")


@pytest.mark.parametrize("bad_id", MALFORMED_IDS.values(), ids=MALFORMED_IDS.keys())
def test_malformed_id_is_a_client_error(runtime: SuiteRuntime, bad_id: str) -> None:
    response = runtime.archive(bad_id)

    if not 400 <= response.status_code < 500:
        checks.fail(
            runtime,
            response,
            "status",
            f"{response.status_code} for a malformed id, expected a 4xx (never a 2xx or a 5xx)",
        )
    checks.error_envelope(runtime, response)


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_other_methods_are_refused(
    runtime: SuiteRuntime, shared_customer: dict[str, Any], method: str
) -> None:
    customer = shared_customer  # refused requests leave it as it was (checked below)
    if method == archive_method(runtime.api_version):
        pytest.skip(f"{method} is the archive method of {runtime.api_version}")
    response = runtime.request(method, f"/customers/{customer['id']}/archive")

    allowed = runtime.settings.expectations.statuses("method-not-allowed-status")
    checks.client_error(
        runtime,
        response,
        allowed,
        f"{method} is not an archive method (expectation method-not-allowed-status)",
    )
    _assert_not_archived(runtime, customer["id"], f"{method} on the archive path")


def _basic(raw: str) -> str:
    return "Basic " + base64.b64encode(raw.encode()).decode()


AUTH_CASES: dict[str, Any] = {
    "missing": None,
    "wrong-secret": lambda runtime: _basic(f"{runtime.credentials.client_id}:not-the-secret"),
    "unknown-client": lambda runtime: _basic("someone-else:" + runtime.credentials.client_secret),
    "bearer-scheme": lambda runtime: "Bearer " + runtime.credentials.client_secret,
    "malformed-base64": lambda runtime: "Basic %%%not-base64%%%",
    "no-colon": lambda runtime: _basic(runtime.credentials.client_id),
    "empty-basic": lambda runtime: "Basic ",
}


@pytest.mark.parametrize("case", AUTH_CASES, ids=AUTH_CASES.keys())
def test_bad_credentials_are_refused(
    runtime: SuiteRuntime, shared_customer: dict[str, Any], case: str
) -> None:
    customer = shared_customer  # refused requests leave it as it was (checked below)
    make = AUTH_CASES[case]
    authorization = None if make is None else make(runtime)

    response = runtime.archive(customer["id"], auth=authorization)

    checks.client_error(runtime, response, frozenset({401}), f"credentials {case} (documented)")
    _assert_not_archived(runtime, customer["id"], f"an archive with credentials {case}")

"""Error answers the docs describe: the status, the error envelope, the Sequence-Version echo.

Generated cases reach these answers too, when the generator happens to draw them; these
examples make every run check them. Reads run everywhere; the invalid create is destructive
(should the API accept it, it creates a customer, which the run archives at the end).
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from sequence_contract.documents import documents
from sequence_contract.suite import checks
from sequence_contract.suite.config import collection_version
from sequence_contract.suite.runtime import SuiteRuntime
from sequence_contract.target import customer_body

UNRECOGNISED_VERSION = "2099-01-01"


def _documented_limit_range(version: str) -> tuple[int | None, int | None]:
    """The minimum and maximum the version's OpenAPI document gives `limit` of the list."""
    for parameter in documents(version).parameters("GET", "/customers"):
        if parameter.get("in") == "query" and parameter.get("name") == "limit":
            schema = parameter.get("schema", {})
            return schema.get("minimum"), schema.get("maximum")
    return None, None


LOWEST, HIGHEST = _documented_limit_range(collection_version())
OUT_OF_RANGE = {
    "below-minimum": None if LOWEST is None else LOWEST - 1,
    "above-maximum": None if HIGHEST is None else HIGHEST + 1,
}


@pytest.mark.destructive
def test_an_invalid_create_is_a_validation_error(runtime: SuiteRuntime) -> None:
    body: dict[str, Any] = customer_body(runtime.api_version, runtime.run_id, 0)
    del body["legalName"]  # required in every version

    response = runtime.request("POST", "/customers", json=body)

    checks.status_in(runtime, response, {400}, "legalName is required (documented: 400)")
    checks.error_envelope(runtime, response)
    checks.version_echo(runtime, response, runtime.api_version)


@pytest.mark.parametrize("case", OUT_OF_RANGE, ids=OUT_OF_RANGE.keys())
def test_a_limit_out_of_the_documented_range_is_refused(runtime: SuiteRuntime, case: str) -> None:
    limit = OUT_OF_RANGE[case]
    if limit is None:
        pytest.skip(f"{runtime.api_version} documents no such bound for limit")

    response = runtime.request("GET", "/customers", params={"limit": limit})

    checks.status_in(
        runtime, response, {400}, f"limit={limit} is outside {LOWEST}..{HIGHEST} (documented)"
    )
    checks.error_envelope(runtime, response)
    checks.version_echo(runtime, response, runtime.api_version)


def test_an_unknown_id_on_a_read(runtime: SuiteRuntime) -> None:
    response = runtime.request("GET", f"/customers/{uuid.uuid4()}")

    allowed = runtime.settings.expectations.statuses("unknown-id-status")
    checks.client_error(runtime, response, allowed, "an unknown id (expectation unknown-id-status)")
    checks.version_echo(runtime, response, runtime.api_version)


def test_an_unrecognised_version_is_refused_with_a_version_echoed(runtime: SuiteRuntime) -> None:
    response = runtime.request("GET", "/customers", version=UNRECOGNISED_VERSION)

    checks.status_in(runtime, response, {400}, f"Sequence-Version {UNRECOGNISED_VERSION}")
    checks.error_envelope(runtime, response, "UnrecognisedApiVersion")

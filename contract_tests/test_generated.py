"""Property-based tests: schemathesis generates requests for every Customers operation.

Read operations run everywhere; writes only where the run may write (see the run header).
Positive cases come from the strict view of the OpenAPI document (unambiguously valid values),
negative cases from the committed document. Every built-in check applies (status codes,
content type, headers, response schema, negative data rejection, ignored auth, ...), with the
suite's own positive acceptance (grey zone) and HTTP method semantics in place of the two
built-ins that assume a lenient server.
"""

from __future__ import annotations

from typing import Any

import pytest
from schemathesis import GenerationMode

from sequence_contract.suite.generated import (
    consumes_customer,
    excluded_for,
    is_positive,
    load_schema,
    prepare_case,
    suite_checks,
)
from sequence_contract.suite.runtime import active

RUNTIME = active()
SHARED_ID = (
    RUNTIME.create_customer()["id"]
    if RUNTIME.settings.destructive
    else RUNTIME.existing_customer_id()
)
positive = load_schema(RUNTIME, SHARED_ID, GenerationMode.POSITIVE)
negative = load_schema(RUNTIME, SHARED_ID, GenerationMode.NEGATIVE)
CHECKS = suite_checks(RUNTIME, SHARED_ID)


def _read(case: Any) -> None:
    prepare_case(case, RUNTIME)
    case.call_and_validate(
        session=RUNTIME.session,
        additional_checks=CHECKS,
        excluded_checks=excluded_for(case, RUNTIME.api_version),
    )


def _write(case: Any) -> None:
    prepare_case(case, RUNTIME)
    if consumes_customer(case) and is_positive(case):
        # Archive (or delete) a fresh customer each time, so every case sees a real first one
        # and the shared customer stays usable for the other operations.
        case.path_parameters = {
            **(case.path_parameters or {}),
            "id": RUNTIME.create_customer()["id"],
        }
    _read(case)


@positive.include(method="GET").parametrize()
def test_read_operation(case: Any) -> None:
    _read(case)


@negative.include(method="GET").parametrize()
def test_read_operation_negative(case: Any) -> None:
    _read(case)


@pytest.mark.destructive
@positive.exclude(method="GET").parametrize()
def test_write_operation(case: Any) -> None:
    _write(case)


@pytest.mark.destructive
@negative.exclude(method="GET").parametrize()
def test_write_operation_negative(case: Any) -> None:
    _write(case)

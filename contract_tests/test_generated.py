"""Property-based tests: schemathesis generates requests for every Customers operation.

Read operations run everywhere; writes only where the run may write (see the run header).
Every built-in check applies: status codes, content type, headers, response schema, negative
data rejection, positive data acceptance, unsupported methods, ignored auth, ...
"""

from __future__ import annotations

from typing import Any

import pytest

from sequence_contract.suite.generated import (
    consumes_customer,
    excluded_checks,
    is_positive,
    load_schema,
    prepare_case,
)
from sequence_contract.suite.runtime import active

RUNTIME = active()
SHARED_ID = (
    RUNTIME.create_customer()["id"]
    if RUNTIME.settings.destructive
    else RUNTIME.existing_customer_id()
)
schema = load_schema(RUNTIME, SHARED_ID)
EXCLUDED = excluded_checks(RUNTIME.api_version)
reads = schema.include(method="GET")
writes = schema.exclude(method="GET")


@reads.parametrize()
def test_read_operation(case: Any) -> None:
    prepare_case(case, RUNTIME)
    case.call_and_validate(session=RUNTIME.session, excluded_checks=EXCLUDED)


@pytest.mark.destructive
@writes.parametrize()
def test_write_operation(case: Any) -> None:
    prepare_case(case, RUNTIME)
    if consumes_customer(case) and is_positive(case):
        # Archive (or delete) a fresh customer each time, so every case sees a real first one
        # and the shared customer stays usable for the other operations.
        case.path_parameters = {
            **(case.path_parameters or {}),
            "id": RUNTIME.create_customer()["id"],
        }
    case.call_and_validate(session=RUNTIME.session, excluded_checks=EXCLUDED)

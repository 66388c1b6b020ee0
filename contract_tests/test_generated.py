"""Property-based tests: schemathesis generates requests for every Customers operation.

Read operations run everywhere; writes only where the run may write (see the run header).
Every built-in check applies (status codes, content type, headers, response schema, negative
data rejection, positive data acceptance, unsupported methods, ...) except ignored_auth (auth is
asked once per operation in test_auth.py), and so do the suite's own rules (`suite/checks.py`).
How many cases each operation gets comes from the run's request budget (suite/allotment.py).
Importing this module sends nothing: the target, the session and the customer ids come from
session fixtures, on each call.
"""

from __future__ import annotations

from typing import Any

import pytest

from sequence_contract.suite.generated import (
    admit,
    call_kwargs,
    consumes_customer,
    contract_schema,
    excluded_checks,
    is_positive,
    prepare_case,
    send,
)
from sequence_contract.suite.runtime import SuiteRuntime

pytestmark = pytest.mark.generated  # after the example-based tests, sized by the budget

schema = contract_schema(shared_id=True)
reads = schema.include(method="GET")
writes = schema.exclude(method="GET")


@reads.parametrize()
def test_read_operation(case: Any, runtime: SuiteRuntime, path_id: str | None) -> None:
    send(case, runtime, path_id)


@pytest.mark.destructive
@writes.parametrize()
def test_write_operation(case: Any, runtime: SuiteRuntime, path_id: str | None) -> None:
    admit(case, runtime)
    if consumes_customer(case) and is_positive(case):
        # Archive (or delete) a fresh customer each time, so every case sees a real first one
        # and the shared customer stays usable for the other operations.
        path_id = runtime.create_customer()["id"]
    prepare_case(case, runtime, path_id)
    case.call_and_validate(**call_kwargs(runtime), excluded_checks=excluded_checks(runtime))

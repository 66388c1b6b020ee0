"""Property-based tests: schemathesis generates requests for every Customers operation.

Read operations run everywhere; writes only where the run may write (see the run header).
Positive cases come from the strict view of the document, negative ones from the committed
document (see `suite/generated.py`). The built-in checks apply (status codes, content type,
headers, response schema, negative data rejection, ...) except ignored_auth (auth is asked
once per operation in test_auth.py), and so do the suite's own rules (`suite/checks.py`,
`suite/stored.py`, RFC 9110 method semantics, positive acceptance with a named grey zone).
How many cases each test gets comes from the run's request budget (suite/allotment.py).
Importing this module sends nothing: the target, the session and the customer ids come from
session fixtures, on each call.
"""

from __future__ import annotations

from typing import Any

import pytest
from schemathesis import GenerationMode

from sequence_contract.suite.generated import (
    admit,
    consumes_customer,
    contract_schema,
    is_positive,
    send,
)
from sequence_contract.suite.runtime import SuiteRuntime

pytestmark = pytest.mark.generated  # after the example-based tests, sized by the budget

positive = contract_schema(GenerationMode.POSITIVE, shared_id=True)
negative = contract_schema(GenerationMode.NEGATIVE, shared_id=True)


def _write(case: Any, runtime: SuiteRuntime, path_id: str | None) -> None:
    admit(case, runtime)  # before a customer is created for it
    if consumes_customer(case) and is_positive(case):
        # Archive (or delete) a fresh customer each time, so every case sees a real first one
        # and the shared customer stays usable for the other operations.
        path_id = runtime.create_customer()["id"]
    send(case, runtime, path_id)


@positive.include(method="GET").parametrize()
def test_read_operation(case: Any, runtime: SuiteRuntime, path_id: str | None) -> None:
    admit(case, runtime)
    send(case, runtime, path_id)


@negative.include(method="GET").parametrize()
def test_read_operation_negative(case: Any, runtime: SuiteRuntime, path_id: str | None) -> None:
    admit(case, runtime)
    send(case, runtime, path_id)


@pytest.mark.destructive
@positive.exclude(method="GET").parametrize()
def test_write_operation(case: Any, runtime: SuiteRuntime, path_id: str | None) -> None:
    _write(case, runtime, path_id)


@pytest.mark.destructive
@negative.exclude(method="GET").parametrize()
def test_write_operation_negative(case: Any, runtime: SuiteRuntime, path_id: str | None) -> None:
    _write(case, runtime, path_id)

"""Property-based tests: schemathesis generates requests for every Customers operation.

Read operations run everywhere; writes only where the run may write (see the run header).
Every built-in check applies (status codes, content type, headers, response schema, negative
data rejection, positive data acceptance, unsupported methods, ignored auth, ...), and so do the
suite's own rules (`suite/checks.py`). Importing this module sends nothing: the target, the
session and the customer ids come from session fixtures, on each call.
"""

from __future__ import annotations

from typing import Any

import pytest

from sequence_contract.suite.generated import consumes_customer, contract_schema, is_positive, send
from sequence_contract.suite.runtime import SuiteRuntime

schema = contract_schema(shared_id=True)
reads = schema.include(method="GET")
writes = schema.exclude(method="GET")


@reads.parametrize()
def test_read_operation(case: Any, runtime: SuiteRuntime, path_id: str | None) -> None:
    send(case, runtime, path_id)


@pytest.mark.destructive
@writes.parametrize()
def test_write_operation(case: Any, runtime: SuiteRuntime, path_id: str | None) -> None:
    if consumes_customer(case) and is_positive(case):
        # Archive (or delete) a fresh customer each time, so every case sees a real first one
        # and the shared customer stays usable for the other operations.
        path_id = runtime.create_customer()["id"]
    send(case, runtime, path_id)

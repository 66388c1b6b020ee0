"""Contract checks on one response: small named functions that raise `ContractViolation`.

The message is "where: what", then the exchange that shows it (request, response, curl).
"""

from __future__ import annotations

from typing import Any

import requests

from sequence_contract.http import Exchange
from sequence_contract.schemas import violations
from sequence_contract.suite.render import exchange_from_response, render_exchange
from sequence_contract.suite.runtime import SuiteRuntime
from sequence_contract.suite.schema_detail import first_violation


class ContractViolation(AssertionError):
    """The API answered in a way its documented contract (or a named expectation) rules out.

    Reports read its parts: `check` (the check's name; "" when a test called `fail` itself),
    `where`, `what`, `details` (e.g. a schema violation's keyword and value) and `exchange`.
    """

    def __init__(
        self,
        message: str,
        *,
        where: str = "",
        what: str = "",
        check: str = "",
        details: tuple[tuple[str, str], ...] = (),
        exchange: Exchange | None = None,
    ) -> None:
        super().__init__(message)
        self.where = where
        self.what = what
        self.check = check
        self.details = details
        self.exchange = exchange


def fail(
    runtime: SuiteRuntime,
    response: requests.Response | None,
    where: str,
    what: str,
    *,
    check: str = "",
    details: tuple[tuple[str, str], ...] = (),
) -> None:
    redact = runtime.redactor.text
    message = f"{where}: {what}"
    exchange = exchange_from_response(response) if response is not None else None
    if exchange is not None:
        message += "\n" + render_exchange(exchange, runtime.redactor, runtime.authorization())
    raise ContractViolation(
        redact(message),
        where=redact(where),
        what=redact(what),
        check=check,
        details=tuple((name, redact(value)) for name, value in details),
        exchange=exchange,
    )


def _operation(response: requests.Response) -> str:
    request = response.request
    return f"{request.method} {(request.path_url or '').split('?')[0]}"


def status_in(
    runtime: SuiteRuntime,
    response: requests.Response,
    expected: set[int] | frozenset[int],
    why: str,
) -> None:
    if response.status_code not in expected:
        wanted = " or ".join(str(code) for code in sorted(expected))
        fail(
            runtime,
            response,
            f"{_operation(response)} status",
            f"{response.status_code}, expected {wanted} ({why})",
            check="status code",
        )


def json_body(runtime: SuiteRuntime, response: requests.Response) -> Any:
    content_type = response.headers.get("Content-Type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        fail(
            runtime,
            response,
            f"{_operation(response)} Content-Type",
            f"{content_type or '(missing)'!r}, expected application/json",
            check="content type",
        )
    try:
        return response.json()
    except ValueError as exc:
        fail(
            runtime,
            response,
            f"{_operation(response)} body",
            f"not valid JSON ({exc})",
            check="JSON body",
        )


def conforms(runtime: SuiteRuntime, response: requests.Response, schema: str) -> Any:
    body = json_body(runtime, response)
    found = violations(runtime.api_version, schema, body)
    if found:
        more = f" (+{len(found) - 1} more)" if len(found) > 1 else ""
        detail = first_violation(runtime.api_version, schema, body)
        fail(
            runtime,
            response,
            f"{_operation(response)} body vs {schema} schema",
            found[0]
            + more
            + f"\n  schema keyword: {detail.keyword}; offending value: {detail.value}"
            + "".join(f"\n  - {line}" for line in found[1:6]),
            check=f"schema {schema}",
            details=detail.rows(),
        )
    return body


def error_envelope(
    runtime: SuiteRuntime, response: requests.Response, error_type: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = conforms(runtime, response, "error")
    if error_type is not None and body["error"].get("type") != error_type:
        fail(
            runtime,
            response,
            "$.error.type",
            f"{body['error'].get('type')!r}, expected {error_type!r}",
            check="error type",
        )
    return body


def client_error(
    runtime: SuiteRuntime, response: requests.Response, allowed: frozenset[int], why: str
) -> None:
    """A 4xx from `allowed`, with the documented error envelope as body."""
    status_in(runtime, response, allowed, why)
    error_envelope(runtime, response)


def version_echo(runtime: SuiteRuntime, response: requests.Response, expected: str) -> None:
    echoed = response.headers.get("Sequence-Version")
    if echoed != expected:
        fail(
            runtime,
            response,
            "response header Sequence-Version",
            f"{echoed!r}, expected the version in effect {expected!r}",
            check="Sequence-Version echo",
        )

"""Contract checks on one response: small named functions that raise `ContractViolation`.

The message is "where: what", then the exchange that shows it (request, response, curl).
"""

from __future__ import annotations

from typing import Any

import requests

from sequence_contract.schemas import violations
from sequence_contract.suite.render import exchange_from_response, render_exchange
from sequence_contract.suite.runtime import SuiteRuntime


class ContractViolation(AssertionError):
    """The API answered in a way its documented contract (or a named expectation) rules out."""


def fail(runtime: SuiteRuntime, response: requests.Response | None, where: str, what: str) -> None:
    message = f"{where}: {what}"
    if response is not None:
        exchange = render_exchange(
            exchange_from_response(response), runtime.redactor, runtime.authorization()
        )
        message += "\n" + exchange
    raise ContractViolation(runtime.redactor.text(message))


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
        )


def json_body(runtime: SuiteRuntime, response: requests.Response) -> Any:
    content_type = response.headers.get("Content-Type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        fail(
            runtime,
            response,
            f"{_operation(response)} Content-Type",
            f"{content_type or '(missing)'!r}, expected application/json",
        )
    try:
        return response.json()
    except ValueError as exc:
        fail(runtime, response, f"{_operation(response)} body", f"not valid JSON ({exc})")


def conforms(runtime: SuiteRuntime, response: requests.Response, schema: str) -> Any:
    body = json_body(runtime, response)
    found = violations(runtime.api_version, schema, body)
    if found:
        more = f" (+{len(found) - 1} more)" if len(found) > 1 else ""
        fail(
            runtime,
            response,
            f"{_operation(response)} body vs {schema} schema",
            found[0] + more + "\n" + "\n".join(f"  - {line}" for line in found[1:6]),
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
        )
    return body


def client_error(
    runtime: SuiteRuntime, response: requests.Response, allowed: frozenset[int], why: str
) -> None:
    """A 4xx from `allowed`, with the error envelope when the expectation asks for it."""
    status_in(runtime, response, allowed, why)
    if runtime.settings.expectations["error-envelope"] == "required":
        error_envelope(runtime, response)


def version_echo(runtime: SuiteRuntime, response: requests.Response, expected: str) -> None:
    echoed = response.headers.get("Sequence-Version")
    if echoed != expected:
        fail(
            runtime,
            response,
            "response header Sequence-Version",
            f"{echoed!r}, expected the version in effect {expected!r}",
        )

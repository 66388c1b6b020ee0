"""The error envelope malformed: a field missing, no envelope, wrong detail shapes, a
renamed documented error type."""

from dataclasses import replace
from typing import Any

from sequence_contract.sandbox.errors import UNRECOGNISED_API_VERSION, VALIDATION_ERROR
from sequence_contract.sandbox.faults.model import error_of, fault, with_error
from sequence_contract.sandbox.messages import ApiResponse, SandboxExchange


@fault("error-without-message", "envelope")
def _without_message(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Error answers lack the required error.message."""
    error = error_of(response)
    if error is None:
        return response
    return replace(response, body={"error": {k: v for k, v in error.items() if k != "message"}})


@fault("error-not-enveloped", "envelope")
def _flat(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Error answers are a flat {type, message} object, without the error envelope."""
    error = error_of(response)
    return response if error is None else replace(response, body=dict(error))


def _detail_line(detail: Any) -> str:
    if not isinstance(detail, dict):
        return str(detail)
    key = detail.get("key")
    return f"{key}: {detail.get('message', '')}" if key else str(detail.get("message", ""))


@fault("error-details-as-strings", "envelope")
def _details_as_strings(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Validation errors list their details as plain strings, not {code, message, key}."""
    error = error_of(response)
    if error is None or error.get("type") != VALIDATION_ERROR or "errors" not in error:
        return response
    return with_error(response, errors=[_detail_line(detail) for detail in error["errors"]])


@fault("version-error-renamed", "envelope")
def _renamed_version_error(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """An unknown Sequence-Version is refused with type InvalidVersion, not the documented
    UnrecognisedApiVersion."""
    error = error_of(response)
    if error is None or error.get("type") != UNRECOGNISED_API_VERSION:
        return response
    return with_error(response, type="InvalidVersion")

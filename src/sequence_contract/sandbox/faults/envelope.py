"""The error envelope malformed: a field missing, no envelope, wrong detail shapes, a
renamed documented error type."""

from dataclasses import replace
from typing import Any

from sequence_contract.sandbox.errors import UNRECOGNISED_API_VERSION, VALIDATION_ERROR
from sequence_contract.sandbox.exchange import SandboxExchange
from sequence_contract.sandbox.faults.model import Fault, error_of
from sequence_contract.sandbox.responses import ApiResponse


def _without_message(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    error = error_of(response)
    if error is None:
        return response
    return replace(response, body={"error": {k: v for k, v in error.items() if k != "message"}})


def _flat(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    error = error_of(response)
    return response if error is None else replace(response, body=dict(error))


def _detail_line(detail: Any) -> str:
    if not isinstance(detail, dict):
        return str(detail)
    key = detail.get("key")
    return f"{key}: {detail.get('message', '')}" if key else str(detail.get("message", ""))


def _details_as_strings(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    error = error_of(response)
    if error is None or error.get("type") != VALIDATION_ERROR or "errors" not in error:
        return response
    lines = [_detail_line(detail) for detail in error["errors"]]
    return replace(response, body={"error": {**error, "errors": lines}})


def _renamed_version_error(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    error = error_of(response)
    if error is None or error.get("type") != UNRECOGNISED_API_VERSION:
        return response
    return replace(response, body={"error": {**error, "type": "InvalidVersion"}})


FAULTS = (
    Fault(
        "error-without-message",
        "envelope",
        "Error answers lack the required error.message.",
        transform_response=_without_message,
    ),
    Fault(
        "error-not-enveloped",
        "envelope",
        "Error answers are a flat {type, message} object, without the error envelope.",
        transform_response=_flat,
    ),
    Fault(
        "error-details-as-strings",
        "envelope",
        "Validation errors list their details as plain strings, not {code, message, key}.",
        transform_response=_details_as_strings,
    ),
    Fault(
        "version-error-renamed",
        "envelope",
        "An unknown Sequence-Version is refused with type InvalidVersion, not the documented "
        "UnrecognisedApiVersion.",
        transform_response=_renamed_version_error,
    ),
)

"""Sequence-Version: unknown values accepted or 5xx, a documented value rejected, the absent
header rejected, no or a wrong echo."""

from dataclasses import replace

from sequence_contract.sandbox.errors import UNRECOGNISED_API_VERSION, ApiError
from sequence_contract.sandbox.faults.model import (
    FaultServices,
    crashed,
    error_of,
    fault,
    without_header,
)
from sequence_contract.sandbox.messages import VERSION_HEADER, ApiResponse, SandboxExchange
from sequence_contract.sandbox.versions import DEFAULT_VERSION, SERVED_VERSIONS

STALE_VERSION = "2024-01-01"


@fault("500-on-unknown-version", "version")
def _version_error_as_500(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """An unrecognised Sequence-Version gets a 500 instead of a 400."""
    error = error_of(response)
    if response.status == 400 and error and error.get("type") == UNRECOGNISED_API_VERSION:
        return crashed(response)
    return response


@fault("accept-unknown-version", "version", "before_request")
def _unknown_as_latest(exchange: SandboxExchange, services: FaultServices) -> None:
    """An unrecognised Sequence-Version is served as the latest version instead of a 400."""
    if exchange.headers.get("sequence-version", DEFAULT_VERSION) not in SERVED_VERSIONS:
        del exchange.headers["sequence-version"]


@fault(
    "reject-documented-version",
    "version",
    "replace_response",
    f"Archive refuses Sequence-Version {DEFAULT_VERSION} (400) although it documents it.",
)
async def _latest_rejected_on_archive(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    if exchange.operation != "archiveCustomer":
        return None
    if exchange.headers.get("sequence-version") != DEFAULT_VERSION:
        return None
    # The bug: the new POST archive route was not registered for the version it belongs to.
    message = f"Unrecognised Sequence-Version {DEFAULT_VERSION!r} for this operation"
    return ApiError(400, UNRECOGNISED_API_VERSION, message).to_response()


@fault("require-version-header", "version", "replace_response")
async def _header_required(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    """A request without Sequence-Version gets a 400 instead of the latest version."""
    if "sequence-version" in exchange.headers:
        return None
    missing = ApiError(400, "MissingApiVersion", "The Sequence-Version header is required")
    return missing.to_response()


@fault("no-version-echo", "version")
def _without_echo(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """No answer carries the Sequence-Version header."""
    return without_header(response, VERSION_HEADER.lower())


@fault("no-version-echo-on-errors", "version")
def _without_echo_on_errors(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Error answers (4xx, 5xx) carry no Sequence-Version header; successes do."""
    return _without_echo(exchange, response) if response.status >= 400 else response


@fault(
    "stale-version-echo",
    "version",
    description=f"Every answer echoes Sequence-Version {STALE_VERSION}, whatever version "
    "served it.",
)
def _stale_echo(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    return replace(response, headers={**response.headers, VERSION_HEADER: STALE_VERSION})

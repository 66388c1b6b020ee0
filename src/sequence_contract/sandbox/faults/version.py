"""Sequence-Version: unknown values accepted or 5xx, a documented value rejected, the absent
header rejected, no or a wrong echo."""

from dataclasses import replace

from sequence_contract.sandbox.errors import UNRECOGNISED_API_VERSION, ApiError
from sequence_contract.sandbox.exchange import SandboxExchange
from sequence_contract.sandbox.faults.model import (
    Fault,
    FaultServices,
    crashed,
    error_of,
)
from sequence_contract.sandbox.responses import VERSION_HEADER, ApiResponse
from sequence_contract.sandbox.versions import DEFAULT_VERSION, SERVED_VERSIONS

STALE_VERSION = "2024-01-01"


def _is_version_error(response: ApiResponse) -> bool:
    error = error_of(response)
    return (
        response.status == 400
        and error is not None
        and error.get("type") == (UNRECOGNISED_API_VERSION)
    )


def _version_error_as_500(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    return crashed(response) if _is_version_error(response) else response


def _unknown_as_latest(exchange: SandboxExchange, services: FaultServices) -> None:
    requested = exchange.headers.get("sequence-version")
    if requested is not None and requested not in SERVED_VERSIONS:
        del exchange.headers["sequence-version"]


async def _latest_rejected_on_archive(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    if exchange.operation == "archiveCustomer" and (
        exchange.headers.get("sequence-version") == DEFAULT_VERSION
    ):
        # The bug: the new POST archive route was not registered for the version it belongs to.
        message = f"Unrecognised Sequence-Version {DEFAULT_VERSION!r} for this operation"
        return ApiError(400, UNRECOGNISED_API_VERSION, message).to_response()
    return None


async def _header_required(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    if "sequence-version" in exchange.headers:
        return None
    missing = ApiError(400, "MissingApiVersion", "The Sequence-Version header is required")
    return missing.to_response()


def _without_echo(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    headers = {k: v for k, v in response.headers.items() if k.lower() != VERSION_HEADER.lower()}
    return replace(response, headers=headers)


def _without_echo_on_errors(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    return _without_echo(exchange, response) if response.status >= 400 else response


def _stale_echo(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    return replace(response, headers={**response.headers, VERSION_HEADER: STALE_VERSION})


FAULTS = (
    Fault(
        "500-on-unknown-version",
        "version",
        "An unrecognised Sequence-Version gets a 500 instead of a 400.",
        transform_response=_version_error_as_500,
    ),
    Fault(
        "accept-unknown-version",
        "version",
        "An unrecognised Sequence-Version is served as the latest version instead of a 400.",
        before_request=_unknown_as_latest,
    ),
    Fault(
        "reject-documented-version",
        "version",
        f"Archive refuses Sequence-Version {DEFAULT_VERSION} (400) although it documents it.",
        replace_response=_latest_rejected_on_archive,
    ),
    Fault(
        "require-version-header",
        "version",
        "A request without Sequence-Version gets a 400 instead of the latest version.",
        replace_response=_header_required,
    ),
    Fault(
        "no-version-echo",
        "version",
        "No answer carries the Sequence-Version header.",
        transform_response=_without_echo,
    ),
    Fault(
        "no-version-echo-on-errors",
        "version",
        "Error answers (4xx, 5xx) carry no Sequence-Version header; successes do.",
        transform_response=_without_echo_on_errors,
    ),
    Fault(
        "stale-version-echo",
        "version",
        f"Every answer echoes Sequence-Version {STALE_VERSION}, whatever version served it.",
        transform_response=_stale_echo,
    ),
)

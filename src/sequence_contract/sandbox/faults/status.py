"""Status codes: an undocumented success code, a 5xx for a client error, a 2xx where a 4xx
is due."""

from dataclasses import replace

from sequence_contract.sandbox.errors import VALIDATION_ERROR
from sequence_contract.sandbox.faults.model import (
    FaultServices,
    archive_method,
    crashed,
    edits_list_query,
    error_of,
    fault,
)
from sequence_contract.sandbox.messages import ApiResponse, SandboxExchange, raw_response

LIMIT_RANGE = (1, 100)
OTHER_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


@fault("create-answers-200", "status")
def _create_answers_200(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """POST /customers answers 200 instead of the documented 201."""
    if exchange.operation == "createCustomer" and response.status == 201:
        return replace(response, status=200)
    return response


@fault("archive-answers-204", "status")
def _archive_answers_204(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Archive answers 204 No Content (undocumented) instead of 200 with the customer."""
    if exchange.operation == "archiveCustomer" and response.status == 200:
        return raw_response(replace(response, status=204), b"", None)
    return response


@fault("500-on-validation-error", "status")
def _validation_error_as_500(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """A request that fails validation gets a 500 instead of a 400."""
    error = error_of(response)
    if response.status == 400 and error is not None and error.get("type") == VALIDATION_ERROR:
        return crashed(response)
    return response


@edits_list_query("limit-clamped", "status")
def _clamp_limit(query: dict[str, str]) -> None:
    """GET /customers clamps an out-of-range limit into 1..100 and answers 200, not 400."""
    try:
        limit = int(query["limit"])
    except (KeyError, ValueError):
        return
    low, high = LIMIT_RANGE
    query["limit"] = str(min(max(limit, low), high))


@fault("archive-any-method", "status", "before_request")
def _any_method_archives(exchange: SandboxExchange, services: FaultServices) -> None:
    """GET, PUT, PATCH or DELETE on /customers/{id}/archive archive the customer (200), not
    405."""
    method = archive_method(exchange)
    if method is not None and exchange.method in OTHER_METHODS - {method}:
        exchange.method = method  # the router matched the path only

"""Status codes: an undocumented success code, a 5xx for a client error, a 2xx where a 4xx
is due."""

from dataclasses import replace

from sequence_contract.sandbox import routing
from sequence_contract.sandbox.errors import VALIDATION_ERROR
from sequence_contract.sandbox.exchange import SandboxExchange
from sequence_contract.sandbox.faults.model import (
    Fault,
    FaultServices,
    archive_method,
    crashed,
    error_of,
    raw_response,
)
from sequence_contract.sandbox.responses import ApiResponse

LIMIT_RANGE = (1, 100)
OTHER_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


def _create_answers_200(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    if exchange.operation == "createCustomer" and response.status == 201:
        return replace(response, status=200)
    return response


def _archive_answers_204(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    if exchange.operation == "archiveCustomer" and response.status == 200:
        return raw_response(replace(response, status=204), b"", None)
    return response


def _validation_error_as_500(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    error = error_of(response)
    if response.status == 400 and error is not None and error.get("type") == VALIDATION_ERROR:
        return crashed(response)
    return response


def _clamp_limit(exchange: SandboxExchange, services: FaultServices) -> None:
    if exchange.method != "GET" or routing.match_route(exchange.path) != (routing.CUSTOMERS, {}):
        return
    raw = exchange.query.get("limit")
    try:
        limit = int(raw) if raw is not None else None
    except ValueError:
        return
    if limit is not None:
        low, high = LIMIT_RANGE
        exchange.query = {**exchange.query, "limit": str(min(max(limit, low), high))}


def _any_method_archives(exchange: SandboxExchange, services: FaultServices) -> None:
    method = archive_method(exchange)
    if method is not None and exchange.method in OTHER_METHODS - {method}:
        exchange.method = method  # the router matched the path only


FAULTS = (
    Fault(
        "create-answers-200",
        "status",
        "POST /customers answers 200 instead of the documented 201.",
        transform_response=_create_answers_200,
    ),
    Fault(
        "archive-answers-204",
        "status",
        "Archive answers 204 No Content (undocumented) instead of 200 with the customer.",
        transform_response=_archive_answers_204,
    ),
    Fault(
        "500-on-validation-error",
        "status",
        "A request that fails validation gets a 500 instead of a 400.",
        transform_response=_validation_error_as_500,
    ),
    Fault(
        "limit-clamped",
        "status",
        "GET /customers clamps an out-of-range limit into 1..100 and answers 200, not 400.",
        before_request=_clamp_limit,
    ),
    Fault(
        "archive-any-method",
        "status",
        "GET, PUT, PATCH or DELETE on /customers/{id}/archive archive the customer (200), not 405.",
        before_request=_any_method_archives,
    ),
)

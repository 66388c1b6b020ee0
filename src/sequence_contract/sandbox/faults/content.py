"""Content type and body: a wrong or missing content type, an empty or truncated body."""

from html import escape

from sequence_contract.sandbox.exchange import SandboxExchange
from sequence_contract.sandbox.faults.model import (
    CUSTOMER_OPERATIONS,
    Fault,
    error_of,
    is_success,
    json_bytes,
    raw_response,
)
from sequence_contract.sandbox.responses import JSON_CONTENT_TYPE, ApiResponse


def _text_plain(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    if exchange.operation in CUSTOMER_OPERATIONS and is_success(response):
        return raw_response(response, json_bytes(response.body), "text/plain; charset=utf-8")
    return response


def _no_content_type(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    if exchange.operation == "archiveCustomer" and response.body is not None:
        return raw_response(response, json_bytes(response.body), None)
    return response


def _empty_archive_body(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    if exchange.operation == "archiveCustomer" and is_success(response):
        return raw_response(response, b"", JSON_CONTENT_TYPE)
    return response


def _truncated(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    if exchange.operation == "getCustomer" and is_success(response):
        whole = json_bytes(response.body)
        return raw_response(response, whole[: len(whole) // 2], JSON_CONTENT_TYPE)
    return response


def _html_error_page(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    error = error_of(response)
    if response.status not in (404, 405) or error is None:
        return response
    title = f"{response.status} {escape(str(error.get('type', 'Error')))}"
    page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
    return raw_response(response, page.encode(), "text/html; charset=utf-8")


FAULTS = (
    Fault(
        "text-plain-content-type",
        "content",
        "Successful customer answers (create, get, update, archive) say text/plain.",
        transform_response=_text_plain,
    ),
    Fault(
        "archive-missing-content-type",
        "content",
        "Archive answers (errors included) carry no Content-Type header.",
        transform_response=_no_content_type,
    ),
    Fault(
        "archive-empty-body",
        "content",
        "Archive answers 200 with an empty body (Content-Type still JSON).",
        transform_response=_empty_archive_body,
    ),
    Fault(
        "truncated-customer-body",
        "content",
        "GET /customers/{id} sends only the first half of the customer's JSON.",
        transform_response=_truncated,
    ),
    Fault(
        "html-error-pages",
        "content",
        "404 and 405 answers are an HTML page (as from a gateway), not the JSON envelope.",
        transform_response=_html_error_page,
    ),
)

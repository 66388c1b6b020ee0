"""Content type and body: a wrong or missing content type, an empty or truncated body, HTML
error pages."""

from html import escape

from sequence_contract.sandbox.faults.model import (
    CUSTOMER_OPERATIONS,
    error_of,
    fault,
    is_success,
)
from sequence_contract.sandbox.messages import (
    JSON_CONTENT_TYPE,
    ApiResponse,
    SandboxExchange,
    json_bytes,
    raw_response,
)


@fault("text-plain-content-type", "content")
def _text_plain(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Successful customer answers (create, get, update, archive) say text/plain."""
    if exchange.operation in CUSTOMER_OPERATIONS and is_success(response):
        return raw_response(response, None, "text/plain; charset=utf-8")
    return response


@fault("archive-missing-content-type", "content")
def _no_content_type(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Archive answers (errors included) carry no Content-Type header."""
    if exchange.operation == "archiveCustomer" and response.body is not None:
        return raw_response(response, None, None)
    return response


@fault("archive-empty-body", "content")
def _empty_archive_body(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Archive answers 200 with an empty body (Content-Type still JSON)."""
    if exchange.operation == "archiveCustomer" and is_success(response):
        return raw_response(response, b"", JSON_CONTENT_TYPE)
    return response


@fault("truncated-customer-body", "content")
def _truncated(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """GET /customers/{id} sends only the first half of the customer's JSON."""
    if exchange.operation == "getCustomer" and is_success(response):
        whole = json_bytes(response.body)
        return raw_response(response, whole[: len(whole) // 2], JSON_CONTENT_TYPE)
    return response


@fault("html-error-pages", "content")
def _html_error_page(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """404 and 405 answers are an HTML page (as from a gateway), not the JSON envelope."""
    error = error_of(response)
    if response.status not in (404, 405) or error is None:
        return response
    title = f"{response.status} {escape(str(error.get('type', 'Error')))}"
    page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
    return raw_response(response, page.encode(), "text/html; charset=utf-8")

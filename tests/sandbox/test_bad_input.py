"""Malformed requests get a 4xx in the envelope, never a 500; the last resort is a 500 envelope."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from sequence_contract.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmbeddedSandbox
from sequence_contract.sandbox.store import Store
from tests.sandbox.client import SEEDED_CUSTOMER_ID, VERSION, ApiClient, assert_error, describe

JSON = "application/json"
ONE_MIB = 1_048_576


@dataclass(frozen=True)
class BadInput:
    method: str
    path: str
    status: int
    error_type: str
    body: bytes | None = None
    content_type: str | None = JSON


CUSTOMERS = "/customers"
CUSTOMER = f"/customers/{SEEDED_CUSTOMER_ID}"
ARCHIVE = f"/customers/{SEEDED_CUSTOMER_ID}/archive"

BAD_INPUTS = {
    "unknown-path": BadInput("GET", "/invoices", 404, "NotFound"),
    "trailing-slash": BadInput("GET", "/customers/", 404, "NotFound"),
    "too-many-segments": BadInput("GET", f"{ARCHIVE}/again", 404, "NotFound"),
    "delete-customer": BadInput("DELETE", CUSTOMER, 405, "MethodNotAllowed"),
    "patch-customers": BadInput("PATCH", CUSTOMERS, 405, "MethodNotAllowed"),
    "get-archive": BadInput("GET", ARCHIVE, 405, "MethodNotAllowed"),
    "put-archive-2024-05-09-style": BadInput("PUT", ARCHIVE, 405, "MethodNotAllowed"),
    "head": BadInput("HEAD", CUSTOMERS, 405, "MethodNotAllowed"),
    "options": BadInput("OPTIONS", CUSTOMER, 405, "MethodNotAllowed"),
    "text-plain": BadInput("POST", CUSTOMERS, 415, "UnsupportedMediaType", b"{}", "text/plain"),
    "no-content-type": BadInput("POST", CUSTOMERS, 415, "UnsupportedMediaType", b"{}", None),
    "no-body-no-content-type": BadInput("POST", CUSTOMERS, 400, "InvalidJson", None, None),
    "put-without-body": BadInput("PUT", CUSTOMER, 400, "InvalidJson", None, None),
    "latin-1-charset": BadInput(
        "PUT", CUSTOMER, 415, "UnsupportedMediaType", b"{}", JSON + "; charset=latin-1"
    ),
    "form-encoded": BadInput(
        "POST", CUSTOMERS, 415, "UnsupportedMediaType", b"a=b", "application/x-www-form-urlencoded"
    ),
    "empty-body": BadInput("POST", CUSTOMERS, 400, "InvalidJson", b""),
    "malformed-json": BadInput("POST", CUSTOMERS, 400, "InvalidJson", b'{"legalName": '),
    "trailing-garbage": BadInput("PUT", CUSTOMER, 400, "InvalidJson", b"{} {}"),
    "invalid-utf8": BadInput("POST", CUSTOMERS, 400, "InvalidJson", b'{"legalName": "\xff\xfe"}'),
    "utf8-bom": BadInput("POST", CUSTOMERS, 400, "InvalidJson", b"\xef\xbb\xbf{}"),
    "nan": BadInput("POST", CUSTOMERS, 400, "InvalidJson", b'{"legalName": NaN}'),
    "huge-integer": BadInput("POST", CUSTOMERS, 400, "InvalidJson", b'{"a": ' + b"9" * 5000 + b"}"),
    "nested-64-deep": BadInput(
        "POST", CUSTOMERS, 400, "InvalidJson", b'{"a":' * 64 + b"1" + b"}" * 64
    ),
    "nested-100000-deep": BadInput("POST", CUSTOMERS, 400, "InvalidJson", b"[" * 100_000),
    "array-body": BadInput("POST", CUSTOMERS, 400, "validationError", b"[]"),
    "string-body": BadInput("PUT", CUSTOMER, 400, "validationError", b'"customer"'),
    "null-body": BadInput("POST", CUSTOMERS, 400, "validationError", b"null"),
    "lone-surrogate": BadInput(
        "POST", CUSTOMERS, 400, "validationError", b'{"legalName": "\\ud800"}'
    ),
    "one-byte-over-1-mib": BadInput(
        "POST", CUSTOMERS, 413, "PayloadTooLarge", b'"' + b"x" * (ONE_MIB - 1) + b'"'
    ),
    "huge-limit-query": BadInput("GET", CUSTOMERS + "?limit=" + "9" * 5000, 400, "validationError"),
    "non-ascii-limit": BadInput("GET", CUSTOMERS + "?limit=%D9%A3", 400, "validationError"),
    "invalid-utf8-query": BadInput("GET", CUSTOMERS + "?sortOrder=%FF", 400, "validationError"),
    "invalid-utf8-id": BadInput("GET", "/customers/%FF%FE", 404, "NotFound"),
    "encoded-slash-id": BadInput("GET", "/customers/a%2Fb", 404, "NotFound"),
}


@pytest.fixture
def sandbox_errors(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    """Errors logged (by the sandbox or uvicorn, in the server thread) during the test."""
    caplog.set_level(logging.ERROR)
    return lambda: [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("case", BAD_INPUTS.values(), ids=BAD_INPUTS)
def test_bad_input_is_a_4xx_envelope_never_a_500(
    api: ApiClient, sandbox_errors: Callable[[], list[str]], case: BadInput
) -> None:
    headers = {} if case.content_type is None else {"Content-Type": case.content_type}
    response = api.call(case.method, case.path, data=case.body, headers=headers)
    if case.method == "HEAD":  # no body to read: status and headers only
        assert response.status_code == case.status, describe(response)
    else:
        assert_error(response, case.status, case.error_type)
    assert response.headers.get("Sequence-Version") == VERSION, describe(response)
    assert sandbox_errors() == [], "a bad input reached the last-resort handler"


@pytest.mark.parametrize(
    ("path", "allow"),
    [(CUSTOMERS, "GET, POST"), (CUSTOMER, "GET, PUT"), (ARCHIVE, "POST")],
)
def test_405_names_the_allowed_methods(api: ApiClient, path: str, allow: str) -> None:
    response = api.call("DELETE", path)
    assert_error(response, 405, "MethodNotAllowed")
    assert response.headers.get("Allow") == allow, describe(response)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"{}", JSON), (b"not json at all", "text/plain"), (b"", None)],
    ids=["json", "text", "empty"],
)
def test_a_body_on_archive_is_ignored(
    api: ApiClient, body: bytes, content_type: str | None
) -> None:
    customer = api.create_customer()
    headers = {} if content_type is None else {"Content-Type": content_type}
    response = api.call("POST", f"/customers/{customer['id']}/archive", data=body, headers=headers)
    assert response.status_code == 200, describe(response)
    assert "archivedAt" in response.json(), describe(response)


@pytest.mark.parametrize("size", [65, 64 * 8 + 1, 10_000], ids=["drained", "at-drain", "refused"])
def test_the_body_limit_is_configurable(
    start_sandbox: Callable[..., EmbeddedSandbox], size: int
) -> None:
    client = ApiClient(start_sandbox(max_body_bytes=64).base_url)
    try:
        body = b'"' + b"x" * (size - 2) + b'"'
        response = client.call("POST", CUSTOMERS, data=body, headers={"Content-Type": JSON})
        assert_error(response, 413, "PayloadTooLarge")
        small = client.call("POST", CUSTOMERS, data=b'"x"', headers={"Content-Type": JSON})
        assert_error(small, 400, "validationError")
    finally:
        client.close()


def test_an_unexpected_exception_is_a_500_envelope_logged_without_secrets(
    api: ApiClient,
    sandbox_errors: Callable[[], list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = base64.b64encode(f"{DEFAULT_CLIENT_ID}:{DEFAULT_CLIENT_SECRET}".encode()).decode()

    def explode(self: Store, customer_id: str) -> None:
        # An exception whose text carries credentials, as a careless library's might.
        raise RuntimeError(f"store exploded; secret {DEFAULT_CLIENT_SECRET}; header Basic {token}")

    monkeypatch.setattr(Store, "get", explode)
    response = api.call("GET", CUSTOMER)
    assert_error(response, 500, "InternalServerError")
    assert response.headers.get("Sequence-Version") == VERSION, describe(response)
    assert DEFAULT_CLIENT_SECRET not in response.text, describe(response)
    [logged] = sandbox_errors()
    assert "RuntimeError: store exploded" in logged, logged
    assert DEFAULT_CLIENT_SECRET not in logged, logged
    assert token not in logged, logged

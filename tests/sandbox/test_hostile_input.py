"""Hostile input, class by class: always a 4xx envelope, never a 500, and the store untouched.

Aimed at customers that exist (an active one, an archived one, the seeded one), because that
is where a half-applied bad request would do harm. Sent as raw bytes, so that nothing is
refused or normalised on the way. test_bad_input.py has the everyday bad requests.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from sequence_contract.sandbox import EmbeddedSandbox, SandboxConfig
from tests.sandbox.client import (
    JSON_CONTENT_TYPE,
    SEEDED_CUSTOMER_ID,
    VERSION,
    ApiClient,
    customer_body,
)
from tests.sandbox.raw_http import RawResponse, build, send

MIB = 1_048_576
VALID = json.dumps(customer_body(legalName="Hijacked Ltd")).encode()


def with_field(**fields: Any) -> bytes:
    """A valid update body with some fields replaced (by values of the wrong type)."""
    return json.dumps(customer_body(**{"legalName": "Hijacked Ltd", **fields})).encode()


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth):
        value = {"a": value}
    return value


def chunked(body: bytes, size: int = 65536) -> bytes:
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


@dataclass(frozen=True)
class Hostile:
    """One raw request; `target` may name `{a}` (active), `{b}` (archived) or `{seeded}`."""

    method: str
    target: str
    status: int
    error_type: str
    body: bytes | None = None
    lines: tuple[bytes, ...] = ()
    json_body: bool = True
    absent_headers: tuple[str, ...] = ()  # response headers an injection would have added


A, B = "/api/customers/{a}", "/api/customers/{b}"
CHUNKED = (b"Transfer-Encoding: chunked",)

CLASSES: dict[str, dict[str, Hostile]] = {
    "malformed-json": {
        "truncated": Hostile("PUT", A, 400, "InvalidJson", b'{"legalName": "Hijacked", "ad'),
        "single-quotes": Hostile("PUT", A, 400, "InvalidJson", b"{'legalName': 'Hijacked'}"),
        "trailing-comma": Hostile("PUT", A, 400, "InvalidJson", VALID[:-1] + b",}"),
        "comment": Hostile("PUT", A, 400, "InvalidJson", VALID[:-1] + b"/* x */}"),
        "unquoted-key": Hostile("PUT", A, 400, "InvalidJson", b'{legalName: "Hijacked"}'),
        "valid-then-garbage": Hostile("PUT", A, 400, "InvalidJson", VALID + b"}{"),
        "two-documents": Hostile(
            "POST", "/api/customers", 400, "InvalidJson", VALID + b"\n" + VALID),
    },
    "wrong-types": {
        "legal-name-number": Hostile("PUT", A, 400, "validationError", with_field(legalName=7)),
        "address-list": Hostile("PUT", A, 400, "validationError", with_field(address=["GB"])),
        "contacts-object": Hostile("PUT", A, 400, "validationError", with_field(contacts={})),
        "tax-status-bool": Hostile("PUT", A, 400, "validationError", with_field(taxStatus=True)),
        "custom-property-number": Hostile(
            "PUT", B, 400, "validationError", with_field(customProperties={"tier": 1})),
        "body-in-a-list": Hostile("PUT", A, 400, "validationError", b"[" + VALID + b"]"),
        "limit-word": Hostile("GET", "/api/customers?limit=ten", 400, "validationError"),
        "limit-fraction": Hostile("GET", "/api/customers?limit=1.5", 400, "validationError"),
        "include-archived-maybe": Hostile(
            "GET", "/api/customers?includeArchived=maybe", 400, "validationError"),
        "version-without-dashes": Hostile(
            "GET", A, 400, "UnrecognisedApiVersion", lines=(b"Sequence-Version: 20240730",)),
    },
    "huge-bodies": {
        "two-mib-update": Hostile("PUT", A, 413, "PayloadTooLarge", b'"' + b"x" * 2 * MIB + b'"'),
        "fifty-mib-declared": Hostile(
            "POST", "/api/customers", 413, "PayloadTooLarge", b"{" * 1024,
            lines=(b"Content-Length: 52428800",)),
        "two-mib-chunked": Hostile(
            "PUT", A, 413, "PayloadTooLarge", chunked(b"[" + b"1," * MIB + b"1]"), lines=CHUNKED),
    },
    "deeply-nested-json": {
        "custom-properties-40-deep": Hostile(
            "PUT", A, 400, "InvalidJson", with_field(customProperties=nested(40))),
        "arrays-100k-deep": Hostile("PUT", A, 400, "InvalidJson", b"[" * 100_000 + b"]" * 100_000),
        "objects-200k-deep-unclosed": Hostile(
            "POST", "/api/customers", 400, "InvalidJson", b'{"a":' * 200_000),
    },
    "invalid-utf8": {
        "stray-continuation-byte": Hostile(
            "PUT", A, 400, "InvalidJson", VALID.replace(b"Hijacked", b"Hij\x80cked")),
        "overlong-slash": Hostile(
            "PUT", A, 400, "InvalidJson", VALID.replace(b"Hijacked", b"Hij\xc0\xafcked")),
        "encoded-surrogate": Hostile(
            "PUT", B, 400, "InvalidJson", VALID.replace(b"Hijacked", b"Hij\xed\xa0\x80cked")),
        "utf16-with-bom": Hostile("POST", "/api/customers", 400, "InvalidJson",
                                  VALID.decode().encode("utf-16")),
        "raw-bytes-in-path": Hostile(
            "GET", "/api/customers/\udcff\udcfe", 400, "InvalidHttpRequest"),
        "non-ascii-authorization": Hostile(
            "GET", A, 401, "Unauthorized", lines=("Authorization: Basic é".encode(),)),
        "latin1-version-header": Hostile(
            "GET", A, 400, "UnrecognisedApiVersion", lines=(b"Sequence-Version: 2024\xff07-30",)),
    },
    "header-injection": {
        "bare-cr-in-a-value": Hostile(
            "PUT", A, 400, "InvalidHttpRequest", VALID, lines=(b"X-Note: a\rSet-Cookie: x=1",)),
        "nul-in-a-value": Hostile("GET", A, 400, "InvalidHttpRequest", lines=(b"X-Note: a\x00b",)),
        "line-without-colon": Hostile(
            "PUT", A, 400, "InvalidHttpRequest", VALID, lines=(b"Set-Cookie x=1",)),
        "space-before-colon": Hostile(
            "GET", A, 400, "InvalidHttpRequest", lines=(b"Sequence-Version : 2024-07-30",)),
        "two-content-lengths": Hostile(
            "PUT", A, 400, "InvalidHttpRequest", VALID,
            lines=(f"Content-Length: {len(VALID)}".encode(), b"Content-Length: 2")),
        "two-hosts": Hostile("GET", A, 400, "InvalidHttpRequest", lines=(b"Host: evil.example",)),
        "folded-version-header": Hostile(
            "GET", A, 400, "UnrecognisedApiVersion",
            lines=(b"Sequence-Version: 2024-07-30\r\n X-Injected: 1",),
            absent_headers=("x-injected",)),
        "encoded-crlf-in-path": Hostile(
            "POST", "/api/customers/{a}%0d%0aSet-Cookie:%20x=1/archive", 404, "NotFound",
            absent_headers=("set-cookie",)),
        "encoded-crlf-in-query": Hostile(
            "GET", "/api/customers?after=%0d%0aX-Injected:%201", 400, "validationError",
            absent_headers=("x-injected",)),
    },
    "path-traversal-in-ids": {
        "dot-dot-before-a-customer": Hostile("PUT", "/api/customers/../customers/{a}", 404,
                                             "NotFound", VALID),
        "dot-dot-between-customers": Hostile(
            "POST", "/api/customers/{seeded}/../{a}/archive", 404, "NotFound"),
        "encoded-dot-dot-id": Hostile("POST", "/api/customers/%2e%2e/archive", 404, "NotFound"),
        "encoded-slash-dot-dot": Hostile(
            "POST", "/api/customers/..%2F{a}/archive", 404, "NotFound"),
        "encoded-slash-in-id": Hostile(
            "PUT", "/api/customers/{a}%2F..%2F{b}", 404, "NotFound", VALID),
        "nul-after-id": Hostile("POST", "/api/customers/{a}%00/archive", 404, "NotFound"),
        "sql-in-id": Hostile("POST", "/api/customers/'%20OR%20'1'='1/archive", 404, "NotFound"),
        "backslashes": Hostile("GET", "/api/customers/..\\..\\etc\\passwd", 404, "NotFound"),
        "above-the-api-root": Hostile("GET", "/api/../../../etc/passwd", 404, "NotFound"),
        "fullwidth-digit-lookalike": Hostile(
            "PUT", "/api/customers/{seeded_lookalike}", 404, "NotFound", VALID),
        "seven-thousand-character-id": Hostile("GET", "/api/customers/" + "a" * 7_000, 404,
                                               "NotFound"),
    },
    "very-long-query-strings": {
        # Up to the sandbox's 8 KiB target limit the API validates; beyond it, 414; a head
        # beyond uvicorn's buffer (arriving in pieces), 431.
        "sort-order-7k": Hostile("GET", "/api/customers?sortOrder=" + "A" * 7_000, 400,
                                 "validationError"),
        "cursor-7k": Hostile("GET", "/api/customers?after=" + "x" * 7_000, 400, "validationError"),
        "a-limit-repeated-700-times": Hostile(
            "GET", "/api/customers?" + "limit=ten&" * 700, 400, "validationError"),
        "query-9-kib": Hostile("GET", "/api/customers?legalName=" + "x" * 9_216, 414,
                               "RequestTooLarge"),
        "archive-path-9-kib": Hostile("POST", "/api/customers/{a}/archive?" + "x" * 9_216, 414,
                                      "RequestTooLarge"),
        "query-1-mib": Hostile("GET", "/api/customers?legalName=" + "x" * MIB, 431,
                               "RequestTooLarge"),
    },
}  # fmt: skip

CASES = [
    pytest.param(case, id=f"{kind}/{name}")
    for kind, cases in CLASSES.items()
    for name, case in cases.items()
]


@dataclass
class Target:
    """A sandbox of its own with three customers: the seeded one, an active, an archived."""

    sandbox: EmbeddedSandbox
    api: ApiClient
    ids: dict[str, str]

    def target(self, case: Hostile) -> bytes:
        # surrogateescape: lets a case name raw (non-UTF-8) bytes in its target
        return case.target.format(**self.ids).encode("utf-8", "surrogateescape")

    def snapshot(self) -> dict[str, Any]:
        """Every customer, archived ones included, as GET returns it; and the list's count."""
        listed = self.api.list_customers(includeArchived="true", limit=100)
        ids = sorted(item["id"] for item in listed["items"])
        return {
            "count": listed["pagination"]["totalResultSize"],
            "customers": {customer_id: self.api.get_customer(customer_id) for customer_id in ids},
        }


@pytest.fixture(scope="module")
def target() -> Iterator[Target]:
    with EmbeddedSandbox(SandboxConfig(rate_limit_per_minute=1_000_000)) as sandbox:
        api = ApiClient(sandbox.base_url)
        active = api.create_customer(customProperties={"tier": "gold"}, label="hostile")
        archived = api.create_customer()
        api.archive(archived["id"])
        ids = {
            "a": active["id"],
            "b": archived["id"],
            "seeded": SEEDED_CUSTOMER_ID,
            # The seeded id with its last digit in full width: must not match it.
            "seeded_lookalike": SEEDED_CUSTOMER_ID[:-1] + "%EF%BC%95",
        }
        yield Target(sandbox, api, ids)
        api.close()


@pytest.fixture
def sandbox_errors(caplog: pytest.LogCaptureFixture) -> Callable[[], list[str]]:
    caplog.set_level(logging.ERROR)
    return lambda: [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


def assert_envelope(response: RawResponse, case: Hostile) -> None:
    assert response.status == case.status, response.describe()
    assert response.headers.get("content-type") == JSON_CONTENT_TYPE, response.describe()
    assert response.headers.get("sequence-version") == VERSION, response.describe()
    error = response.json()["error"]
    assert error["type"] == case.error_type, response.describe()
    assert isinstance(error["message"], str), response.describe()
    assert error["message"], response.describe()


@pytest.mark.parametrize("case", CASES)
def test_hostile_input_is_a_4xx_envelope_and_leaves_the_store_intact(
    target: Target, sandbox_errors: Callable[[], list[str]], case: Hostile
) -> None:
    request = build(case.method, target.target(case), *case.lines, body=case.body,
                    json_body=case.json_body)  # fmt: skip
    before = target.snapshot()
    response = send(target.sandbox.port, request)

    assert_envelope(response, case)
    for name in case.absent_headers:
        assert name not in response.headers, f"injected header {name!r}: {response.describe()}"
    assert sandbox_errors() == [], "a hostile input reached the last-resort handler"
    assert target.snapshot() == before, "the store changed"


def test_ambiguous_framing_is_refused_and_what_follows_never_runs(
    target: Target, sandbox_errors: Callable[[], list[str]]
) -> None:
    # Content-Length says the body is an archive request; chunked framing says it is empty.
    # A server reading the chunked way and keeping the connection would run the archive.
    smuggled = build("POST", f"/api/customers/{target.ids['a']}/archive")
    request = build(
        "POST", "/api/customers", f"Content-Length: {len(smuggled) + 5}".encode(), *CHUNKED,
        body=b"0\r\n\r\n" + smuggled,
    )  # fmt: skip
    before = target.snapshot()
    response = send(target.sandbox.port, request, read_after=True)

    assert_envelope(response, Hostile("POST", "", 400, "InvalidHttpRequest"))
    assert response.headers.get("connection") == "close", response.describe()
    assert response.next_answer is None, f"the smuggled request ran: {response.next_answer}"
    assert sandbox_errors() == []
    assert target.snapshot() == before, "the store changed"

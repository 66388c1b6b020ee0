"""Benign variants: answers that differ from the sandbox's usual ones in ways the contract
allows. The contract suite must pass against every one of them."""

import asyncio
import gzip
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

from sequence_contract.sandbox.errors import too_many_requests
from sequence_contract.sandbox.exchange import SandboxExchange
from sequence_contract.sandbox.faults.model import (
    Fault,
    FaultServices,
    RawResponse,
    TransformHook,
    is_success,
    json_bytes,
    raw_response,
    with_body_copy,
)
from sequence_contract.sandbox.responses import ApiResponse

LATENCY_SECONDS = 0.02
RATE_LIMIT_EVERY = 150  # one routed request in this many is answered 429
RETRY_AFTER_SECONDS = 1
TIMESTAMP_FIELDS = frozenset({"createdAt", "updatedAt", "archivedAt", "lastSynced"})
OFFSET = timezone(timedelta(hours=1))
CHUNK_BYTES = 64


USER_DATA = frozenset({"customProperties"})  # the customer's own keys: not API structure


def _walk(value: Any, visit: Callable[[dict[str, Any]], None]) -> Any:
    """`visit(obj)` on every JSON object inside `value` (but not inside user data), depth
    first; returns `value`."""
    if isinstance(value, dict):
        for key, child in value.items():
            if key not in USER_DATA:
                _walk(child, visit)
        visit(value)
    elif isinstance(value, list):
        for child in value:
            _walk(child, visit)
    return value


def _add_fields(obj: dict[str, Any]) -> None:
    if "id" in obj:
        obj["object"] = "customer" if "legalName" in obj else "resource"
    if "line1" in obj:
        obj["formatted"] = obj["line1"]
    if "totalResultSize" in obj or "after" in obj:
        obj["hasMore"] = "after" in obj
    if "type" in obj and "message" in obj:
        obj["requestId"] = "req_0000000000000001"
        obj["docs"] = "https://docs.sequencehq.com/reference/errors"


def _extra_fields(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    if not isinstance(response.body, dict):
        return response
    copied = with_body_copy(response)
    _walk(copied.body, _add_fields)
    if is_success(copied):
        copied.body["_links"] = {"self": exchange.path}
    return copied


def _reversed(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _reversed(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed(item) for item in value]
    return value


def _reorder(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    return response if response.body is None else replace(response, body=_reversed(response.body))


def _with_content_type(content_type: str) -> TransformHook:
    def transform(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
        if response.body is None or isinstance(response, RawResponse):
            return response
        return raw_response(response, json_bytes(response.body), content_type)

    return transform


def _extra_headers(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    extra = {
        "X-Request-Id": "req_0000000000000001",
        "Cache-Control": "no-store",
        "Vary": "Accept-Encoding, Sequence-Version",
        "Server-Timing": "app;dur=1.2",
        "X-RateLimit-Limit": "1500",
        "Strict-Transport-Security": "max-age=31536000",
    }
    return replace(response, headers={**response.headers, **extra})


async def _delay(exchange: SandboxExchange, services: FaultServices) -> ApiResponse | None:
    await asyncio.sleep(LATENCY_SECONDS)
    return None


def _gzip(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    accepted = exchange.headers.get("accept-encoding", "").lower()
    if response.body is None or "gzip" not in accepted or isinstance(response, RawResponse):
        return response
    compressed = gzip.compress(json_bytes(response.body), mtime=0)
    return raw_response(
        response,
        compressed,
        "application/json; charset=utf-8",
        Content_Encoding="gzip",
        Vary="Accept-Encoding",
    )


def _chunked(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    if response.body is None or isinstance(response, RawResponse):
        return response
    streamed = raw_response(response, json_bytes(response.body), "application/json; charset=utf-8")
    return replace(streamed, chunk_size=CHUNK_BYTES)


def _shift(obj: dict[str, Any]) -> None:
    for name in TIMESTAMP_FIELDS & obj.keys():
        try:
            moment = datetime.fromisoformat(obj[name]).astimezone(OFFSET)
        except (TypeError, ValueError):
            continue  # not a timestamp the sandbox wrote: left as it is
        obj[name] = moment.isoformat(timespec="microseconds")


def _timestamp_variants(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    if not is_success(response):
        return response
    copied = with_body_copy(response)
    _walk(copied.body, _shift)
    return copied


async def _now_and_then_429(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    count = services.state.get("routed", 0) + 1
    services.state["routed"] = count
    if count % RATE_LIMIT_EVERY:
        return None
    return too_many_requests(RETRY_AFTER_SECONDS).to_response()


FAULTS = (
    Fault(
        "extra-response-fields",
        "benign",
        "Answers carry undocumented fields: in customers, addresses, pagination and errors.",
        transform_response=_extra_fields,
    ),
    Fault(
        "reordered-keys",
        "benign",
        "Every JSON object lists its keys in reverse order.",
        transform_response=_reorder,
    ),
    Fault(
        "content-type-charset-variant",
        "benign",
        "Content-Type is application/json;charset=UTF-8 (no space, upper-case charset).",
        transform_response=_with_content_type("application/json;charset=UTF-8"),
    ),
    Fault(
        "content-type-without-charset",
        "benign",
        "Content-Type is plain application/json (JSON is UTF-8 anyway).",
        transform_response=_with_content_type("application/json"),
    ),
    Fault(
        "extra-response-headers",
        "benign",
        "Answers carry undocumented headers (X-Request-Id, Cache-Control, Server-Timing, ...).",
        transform_response=_extra_headers,
    ),
    Fault(
        "added-latency",
        "benign",
        f"Every routed request is answered {LATENCY_SECONDS * 1000:.0f} ms later.",
        replace_response=_delay,
    ),
    Fault(
        "gzip-responses",
        "benign",
        "Bodies are gzip-compressed (Content-Encoding: gzip) when the client accepts gzip.",
        transform_response=_gzip,
    ),
    Fault(
        "chunked-responses",
        "benign",
        "Bodies are streamed with chunked transfer encoding, no Content-Length.",
        transform_response=_chunked,
    ),
    Fault(
        "timestamp-variants",
        "benign",
        "Timestamps carry microseconds and a +01:00 offset (the same instants).",
        transform_response=_timestamp_variants,
    ),
    Fault(
        "rate-limited-now-and-then",
        "benign",
        f"One routed request in {RATE_LIMIT_EVERY} is answered 429 with Retry-After: "
        f"{RETRY_AFTER_SECONDS}.",
        replace_response=_now_and_then_429,
    ),
)

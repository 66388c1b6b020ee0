"""Benign variants: answers that differ from the sandbox's usual ones in ways the contract
allows. The contract suite must pass against every one of them."""

import asyncio
import gzip
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

from sequence_contract.sandbox.errors import too_many_requests
from sequence_contract.sandbox.faults.model import (
    FaultServices,
    fault,
    is_success,
    with_body_copy,
)
from sequence_contract.sandbox.messages import (
    JSON_CONTENT_TYPE,
    ApiResponse,
    RawResponse,
    SandboxExchange,
    raw_response,
)

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


@fault("extra-response-fields", "benign")
def _extra_fields(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Answers carry undocumented fields: in customers, addresses, pagination and errors."""
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


@fault("reordered-keys", "benign")
def _reorder(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Every JSON object lists its keys in reverse order."""
    return response if response.body is None else replace(response, body=_reversed(response.body))


def _as_json_bytes(response: ApiResponse, content_type: str, **headers: str) -> RawResponse | None:
    """A JSON answer sent as bytes with this content type; None for other answers."""
    if response.body is None or isinstance(response, RawResponse):
        return None
    return raw_response(response, None, content_type, **headers)


@fault("content-type-charset-variant", "benign")
def _charset_variant(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Content-Type is application/json;charset=UTF-8 (no space, upper-case charset)."""
    return _as_json_bytes(response, "application/json;charset=UTF-8") or response


@fault("content-type-without-charset", "benign")
def _without_charset(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Content-Type is plain application/json (JSON is UTF-8 anyway)."""
    return _as_json_bytes(response, "application/json") or response


@fault("extra-response-headers", "benign")
def _extra_headers(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Answers carry undocumented headers (X-Request-Id, Cache-Control, Server-Timing, ...)."""
    extra = {
        "X-Request-Id": "req_0000000000000001",
        "Cache-Control": "no-store",
        "Vary": "Accept-Encoding, Sequence-Version",
        "Server-Timing": "app;dur=1.2",
        "X-RateLimit-Limit": "1500",
        "Strict-Transport-Security": "max-age=31536000",
    }
    return replace(response, headers={**response.headers, **extra})


@fault(
    "added-latency",
    "benign",
    "replace_response",
    f"Every routed request is answered {LATENCY_SECONDS * 1000:.0f} ms later.",
)
async def _delay(exchange: SandboxExchange, services: FaultServices) -> ApiResponse | None:
    await asyncio.sleep(LATENCY_SECONDS)
    return None


@fault("gzip-responses", "benign")
def _gzip(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Bodies are gzip-compressed (Content-Encoding: gzip) when the client accepts gzip."""
    headers = {"Content_Encoding": "gzip", "Vary": "Accept-Encoding"}
    sent = _as_json_bytes(response, JSON_CONTENT_TYPE, **headers)
    if sent is None or "gzip" not in exchange.headers.get("accept-encoding", "").lower():
        return response
    return replace(sent, raw=gzip.compress(sent.raw, mtime=0))


@fault("chunked-responses", "benign")
def _chunked(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Bodies are streamed with chunked transfer encoding, no Content-Length."""
    sent = _as_json_bytes(response, JSON_CONTENT_TYPE)
    return response if sent is None else replace(sent, chunk_size=CHUNK_BYTES)


def _shift(obj: dict[str, Any]) -> None:
    for name in TIMESTAMP_FIELDS & obj.keys():
        try:
            moment = datetime.fromisoformat(obj[name]).astimezone(OFFSET)
        except (TypeError, ValueError):
            continue  # not a timestamp the sandbox wrote: left as it is
        obj[name] = moment.isoformat(timespec="microseconds")


@fault("timestamp-variants", "benign")
def _timestamp_variants(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Timestamps carry microseconds and a +01:00 offset (the same instants)."""
    if not is_success(response):
        return response
    return replace(response, body=_walk(with_body_copy(response).body, _shift))


@fault(
    "rate-limited-now-and-then",
    "benign",
    "replace_response",
    f"One routed request in {RATE_LIMIT_EVERY} is answered 429 with Retry-After: "
    f"{RETRY_AFTER_SECONDS}.",
)
async def _now_and_then_429(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    count = services.state.get("routed", 0) + 1
    services.state["routed"] = count
    if count % RATE_LIMIT_EVERY:
        return None
    return too_many_requests(RETRY_AFTER_SECONDS).to_response()

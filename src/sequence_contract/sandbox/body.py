"""The request's framing and body, with the sandbox's limits.

Ambiguous framing and overlong targets are refused on the raw request, ahead of auth and
routing. Every way a body can be unreadable ends in a 4xx ApiError: a body that is not
declared as JSON (415), too large (413), missing or empty, not UTF-8, not JSON,
NaN/Infinity, or nested deeper than MAX_DEPTH (400).
"""

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any, NoReturn

from starlette.requests import ClientDisconnect
from starlette.types import Scope

from sequence_contract.sandbox.errors import (
    INVALID_HTTP_REQUEST,
    REQUEST_TOO_LARGE,
    ApiError,
)

# Path plus query. Sequence's own limit is not documented; 8 KiB is a common front-end limit
# (and below uvicorn's 16 KiB head limit, which only applies to heads that arrive in pieces,
# so without this the answer to a 20 KiB URL would depend on TCP segmentation).
MAX_TARGET_BYTES = 8192


def check_framing(headers: Mapping[str, str]) -> None:
    """Both Content-Length and Transfer-Encoding: the body's length is ambiguous, the classic
    request-smuggling set-up. Refused, and the connection closed after the answer (RFC 9112
    section 6.3), so that bytes after the body are never read as another request."""
    if "content-length" in headers and "transfer-encoding" in headers:
        raise ApiError(
            400,
            INVALID_HTTP_REQUEST,
            "Send either Content-Length or Transfer-Encoding, not both",
            headers={"Connection": "close"},
        )


def check_target_length(scope: Scope) -> None:
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    length = len(raw_path) + len(scope.get("query_string", b""))
    if length > MAX_TARGET_BYTES:
        raise ApiError(
            414,
            REQUEST_TOO_LARGE,
            f"The path and query are {length} bytes long; the limit is {MAX_TARGET_BYTES}",
        )


MAX_DEPTH = 32
# After a 413 the rest of the body is read and dropped, up to this many times the limit, so
# that the client finishes sending and can read the answer instead of a reset connection.
DRAIN_FACTOR = 8


def _invalid(message: str) -> ApiError:
    return ApiError(400, "InvalidJson", message)


def check_media_type(content_type: str | None) -> None:
    """Accept `application/json`, optionally with `charset=utf-8`."""
    if content_type is None:
        raise ApiError(415, "UnsupportedMediaType", "Missing Content-Type; send application/json")
    media_type, *params = (part.strip() for part in content_type.split(";"))
    if media_type.lower() != "application/json":
        raise ApiError(415, "UnsupportedMediaType", "The Content-Type must be application/json")
    for param in params:
        name, _, value = param.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
            raise ApiError(415, "UnsupportedMediaType", "The only accepted charset is utf-8")


async def read_limited(
    chunks: AsyncIterator[bytes], declared_length: str | None, max_bytes: int
) -> bytes:
    too_large = ApiError(
        413, "PayloadTooLarge", f"The request body is larger than {max_bytes} bytes"
    )
    drain_limit = max_bytes * DRAIN_FACTOR
    declared = int(declared_length) if declared_length and declared_length.isdigit() else 0
    if declared > drain_limit:
        raise too_large  # not worth draining: the connection gets closed instead
    received = bytearray()
    seen = 0
    try:
        async for chunk in chunks:
            seen += len(chunk)
            if seen > drain_limit:
                break
            if seen <= max_bytes:
                received.extend(chunk)
    except ClientDisconnect:
        raise _invalid("The client disconnected before sending the whole body") from None
    if seen > max_bytes:
        raise too_large
    return bytes(received)


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def _depth(document: Any) -> int:
    deepest = 0
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_json(raw: bytes) -> Any:
    if not raw.strip():
        raise _invalid("The request body is empty; send a JSON object")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _invalid(f"The request body is not valid UTF-8 (byte {exc.start})") from None
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise _invalid(f"The JSON is nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise _invalid(f"The request body is not valid JSON: {exc.msg} at {exc.pos}") from None
    except ValueError as exc:  # NaN/Infinity, integers too long to convert
        raise _invalid(f"The request body is not valid JSON: {exc}") from None
    if _depth(document) > MAX_DEPTH:
        raise _invalid(f"The JSON is nested deeper than {MAX_DEPTH} levels")
    return document


async def read_json_body(
    headers: Mapping[str, str], chunks: AsyncIterator[bytes], max_bytes: int
) -> Any:
    content_type = headers.get("content-type")
    if content_type is not None:
        check_media_type(content_type)
    raw = await read_limited(chunks, headers.get("content-length"), max_bytes)
    if content_type is None and raw:
        check_media_type(content_type)  # a body of unknown type: 415
    # No body at all is a bad request (400, as documented), not a media type problem.
    return parse_json(raw)

"""Requests refused before anything else: ambiguous body framing, and targets too long.

Both are checked on the raw request, ahead of auth and routing, and answered in the envelope.
"""

from collections.abc import Mapping

from starlette.types import Scope

from sequence_contract.sandbox.errors import INVALID_HTTP_REQUEST, REQUEST_TOO_LARGE, ApiError

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

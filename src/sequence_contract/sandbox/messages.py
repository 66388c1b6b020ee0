"""A request as it moves through the pipeline, and its answer as plain data (so that faults can
edit both) until `to_starlette`; errors in Sequence's envelope `{"error": {type, message,
errors?}}`, whose types other than `UnrecognisedApiVersion` and `validationError` are ours."""

import base64
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.responses import Response, StreamingResponse

if TYPE_CHECKING:
    from sequence_contract.sandbox.versions import ApiVersion

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
VERSION_HEADER = "Sequence-Version"
VALIDATION_ERROR = "validationError"
UNRECOGNISED_API_VERSION = "UnrecognisedApiVersion"
INVALID_HTTP_REQUEST = "InvalidHttpRequest"
REQUEST_TOO_LARGE = "RequestTooLarge"
REQUIRED, INVALID_TYPE, INVALID_VALUE = "required", "invalidType", "invalidValue"  # Problem codes


@dataclass
class SandboxExchange:
    method: str
    path: str
    query: Mapping[str, str]
    headers: dict[str, str]  # lower-case names; the first value of repeated headers
    version: "ApiVersion | None" = None  # set once the Sequence-Version header is resolved
    operation: str | None = None  # set once routed, e.g. "archiveCustomer"
    path_params: dict[str, str] = field(default_factory=dict)


def json_bytes(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass
class ApiResponse:
    """An answer: its JSON `body` (None: no body), or the bytes `raw` as they are (broken,
    compressed or streamed bodies; `body` then keeps its document, for information, so faults
    that set `raw` should run last)."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    media_type: str | None = None  # of `raw`
    chunk_size: int | None = None  # set: streamed with chunked transfer encoding

    def to_starlette(self) -> Response:
        raw, media_type = self.raw, self.media_type
        if raw is None and self.body is not None:
            # Starlette adds a charset only to text/* types, so the full value is given here.
            raw, media_type = json_bytes(self.body), JSON_CONTENT_TYPE
        if self.chunk_size is None:
            return Response(raw or b"", self.status, self.headers, media_type=media_type)
        size, whole = self.chunk_size, raw or b""

        async def stream() -> Any:
            for start in range(0, len(whole), size):
                yield whole[start : start + size]

        return StreamingResponse(stream(), self.status, self.headers, media_type=media_type)


def raw_response(response: ApiResponse, raw: bytes | None, media_type: str | None) -> ApiResponse:
    """`response` sent as these bytes (None: its JSON body's) of this media type."""
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-type"}
    raw = json_bytes(response.body) if raw is None else raw
    return ApiResponse(response.status, response.body, headers, raw, media_type)


@dataclass(frozen=True)
class Problem:
    """One bad input at `key`: a dotted path (`contacts.0.email`), a query parameter name, or
    None for the body as a whole."""

    code: str
    message: str
    key: str | None = None


def envelope(error_type: str, message: str, problems: Iterable[Problem] = ()) -> dict[str, Any]:
    error: dict[str, Any] = {"type": error_type, "message": message}
    if details := [{k: v for k, v in asdict(p).items() if v is not None} for p in problems]:
        error["errors"] = details
    return {"error": error}


@dataclass(eq=False)
class ApiError(Exception):
    """An error answer: raised anywhere in request handling, rendered by the pipeline."""

    status: int
    error_type: str
    message: str
    problems: tuple[Problem, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.status} {self.error_type}: {self.message}")

    def to_response(self) -> ApiResponse:
        body = envelope(self.error_type, self.message, self.problems)
        return ApiResponse(self.status, body, dict(self.headers))


def unauthorized(message: str) -> ApiError:
    # WWW-Authenticate: HTTP requires it on a 401; Sequence's value is not documented.
    return ApiError(401, "Unauthorized", message, headers={"WWW-Authenticate": 'Basic realm="api"'})


def validation_failed(problems: Iterable[Problem]) -> ApiError:
    found = tuple(problems)
    keys = ", ".join(p.key for p in found if p.key is not None)
    summary = f"{len(found)} invalid field(s)" + (f": {keys}" if keys else "")
    return ApiError(400, VALIDATION_ERROR, f"The request is invalid: {summary}", found)


def too_many_requests(retry_after_seconds: int, per_minute: int | None = None) -> ApiError:
    headers = {"Retry-After": str(retry_after_seconds)}
    if per_minute is not None:
        # The quota in the IETF RateLimit header fields (draft 08 and later), so that a client
        # can learn the rate it may send at (Sequence documents 1,500/min, no headers).
        headers["RateLimit-Policy"] = f'"minute";q={per_minute};w=60'
        headers["RateLimit"] = f'"minute";r=0;t={retry_after_seconds}'
    return ApiError(
        429,
        "TooManyRequests",
        f"Rate limit exceeded; retry after {retry_after_seconds} s",
        headers=headers,
    )


def internal_error() -> ApiError:
    return ApiError(500, "InternalServerError", "The sandbox failed unexpectedly; see its log")


def basic_header(client_id: str, client_secret: str) -> str:
    """The Basic Authorization header value for these credentials."""
    token = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode("ascii")
    return f"Basic {token}"


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(client id, secret) of a Basic Authorization header; None if it is not one."""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except ValueError:  # binascii.Error, UnicodeDecodeError, and non-ASCII text in the token
        return None
    client_id, colon, secret = decoded.partition(":")
    return (client_id, secret) if colon else None

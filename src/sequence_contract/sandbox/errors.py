"""The sandbox's errors: HTTP answers in Sequence's envelope, and exceptions for Python callers.

Handlers raise `ApiError`; the pipeline turns it into a response,
`{"error": {"type", "message", "errors"?}}`. The `type` values other than
`UnrecognisedApiVersion` and `validationError` are not documented: the sandbox's choice.
"""

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from sequence_contract.errors import SequenceContractError
from sequence_contract.sandbox.messages import ApiResponse


class SandboxError(SequenceContractError):
    """Base class of every error the embedded sandbox raises to its Python callers on purpose."""


class SandboxConfigError(SandboxError):
    """A SandboxConfig value is unusable (bad number, unknown fault, unusable database)."""


class UnknownFaultError(SandboxConfigError):
    """A fault name is not in the fault registry; the message lists the known ones."""


class SandboxStartError(SandboxError):
    """The server could not start: port in use, startup failure or readiness timeout."""


# Error types named in more than one module; others are named where they are raised.
VALIDATION_ERROR = "validationError"
UNRECOGNISED_API_VERSION = "UnrecognisedApiVersion"
INVALID_HTTP_REQUEST = "InvalidHttpRequest"
REQUEST_TOO_LARGE = "RequestTooLarge"


@dataclass(frozen=True)
class Problem:
    """One bad input. `key` is a dotted path (`address.country`, `contacts.0.email`) or a
    query parameter name; None when the problem is the body as a whole."""

    code: str
    message: str
    key: str | None = None


def envelope(error_type: str, message: str, problems: Iterable[Problem] = ()) -> dict[str, Any]:
    error: dict[str, Any] = {"type": error_type, "message": message}
    if details := [{k: v for k, v in asdict(p).items() if v is not None} for p in problems]:
        error["errors"] = details
    return {"error": error}


class ApiError(Exception):
    """An error answer: raised anywhere in request handling, rendered by the pipeline."""

    def __init__(
        self,
        status: int,
        error_type: str,
        message: str,
        problems: Iterable[Problem] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {error_type}: {message}")
        self.status = status
        self.error_type = error_type
        self.message = message
        self.problems = tuple(problems)
        self.headers = dict(headers or {})

    def to_response(self) -> ApiResponse:
        body = envelope(self.error_type, self.message, self.problems)
        return ApiResponse(self.status, body, dict(self.headers))


def unauthorized(message: str) -> ApiError:
    # WWW-Authenticate: HTTP requires it on a 401; Sequence's value is not documented.
    return ApiError(401, "Unauthorized", message, headers={"WWW-Authenticate": 'Basic realm="api"'})


def not_found(message: str) -> ApiError:
    return ApiError(404, "NotFound", message)


def method_not_allowed(method: str, allowed: Iterable[str]) -> ApiError:
    allow = ", ".join(allowed)
    return ApiError(
        405,
        "MethodNotAllowed",
        f"{method} is not allowed on this path; allowed: {allow}",
        headers={"Allow": allow},
    )


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

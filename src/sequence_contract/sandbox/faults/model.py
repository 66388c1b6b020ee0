"""What a fault is, what it may use, and helpers the fault modules share.

A fault is a small named function (or two) with a one-line description and a kind. It can
(a) change the request before the API sees it (`before_request`),
(b) answer instead of the API once the request is authenticated and routed
    (`replace_response`; returning None lets the API answer), or
(c) transform the API's answer, errors included (`transform_response`),
(d) refuse a parsed request body before the operation acts on it (`check_body`, which raises
    an `ApiError`), as a stricter server would.
"""

import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from starlette.responses import Response, StreamingResponse

from sequence_contract.sandbox import routing
from sequence_contract.sandbox.errors import ApiError, internal_error
from sequence_contract.sandbox.exchange import SandboxExchange
from sequence_contract.sandbox.responses import ApiResponse
from sequence_contract.sandbox.store import Store
from sequence_contract.sandbox.timestamps import Clock
from sequence_contract.sandbox.versions import resolve_version

FaultKind = Literal[
    "shape",
    "status",
    "content",
    "auth",
    "version",
    "ids",
    "archive",
    "envelope",
    "inputs",
    "benign",
    "reporting",
]

# The classes of contract breaks, in the order reports list them. "benign" variants must not
# fail the suite; "reporting" faults leak data for the report tests and break no contract.
CONTRACT_KINDS: tuple[FaultKind, ...] = (
    "shape",
    "status",
    "content",
    "auth",
    "version",
    "ids",
    "archive",
    "envelope",
    "inputs",  # h11: input-dependent faults
)

CUSTOMER_OPERATIONS = frozenset(
    {"createCustomer", "getCustomer", "updateCustomer", "archiveCustomer"}
)
OPERATIONS_WITH_ID = frozenset({"getCustomer", "updateCustomer", "archiveCustomer"})


@dataclass(frozen=True)
class FaultServices:
    """What a fault may use besides the exchange. `state` belongs to one sandbox instance
    (counters and the like), so two sandboxes never share a fault's memory."""

    store: Store
    clock: Clock
    client_id: str
    client_secret: str
    state: dict[str, Any] = field(default_factory=dict)


RequestHook = Callable[[SandboxExchange, FaultServices], None]
ReplaceHook = Callable[[SandboxExchange, FaultServices], Awaitable[ApiResponse | None]]
TransformHook = Callable[[SandboxExchange, ApiResponse], ApiResponse]
BodyHook = Callable[[SandboxExchange, Any], None]


@dataclass(frozen=True)
class Fault:
    name: str
    kind: FaultKind
    description: str
    before_request: RequestHook | None = None
    replace_response: ReplaceHook | None = None
    transform_response: TransformHook | None = None
    check_body: BodyHook | None = None


@dataclass
class RawResponse(ApiResponse):
    """An answer whose bytes are given as is (broken, compressed or streamed bodies).

    `body` keeps the JSON document it came from, for information; the bytes are `raw`.
    Faults that produce one should run last: a later transform edits `body`, not `raw`.
    """

    raw: bytes = b""
    media_type: str | None = None
    chunk_size: int | None = None  # set: streamed with chunked transfer encoding

    def to_starlette(self) -> Response:
        if self.chunk_size is None:
            return Response(
                self.raw, status_code=self.status, headers=self.headers, media_type=self.media_type
            )
        size = self.chunk_size
        chunks = [self.raw[i : i + size] for i in range(0, len(self.raw), size)]

        async def stream() -> Any:
            for chunk in chunks:
                yield chunk

        return StreamingResponse(
            stream(), status_code=self.status, headers=self.headers, media_type=self.media_type
        )


def json_bytes(document: Any) -> bytes:
    """The document encoded the way the sandbox encodes every answer."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def raw_response(
    response: ApiResponse, raw: bytes, media_type: str | None, **headers: str
) -> RawResponse:
    """`response` sent as these bytes, with its headers plus `headers`."""
    merged = {
        name: value for name, value in response.headers.items() if name.lower() != "content-type"
    }
    merged.update({name.replace("_", "-"): value for name, value in headers.items()})
    return RawResponse(response.status, response.body, merged, raw=raw, media_type=media_type)


def is_success(response: ApiResponse) -> bool:
    return 200 <= response.status < 300 and isinstance(response.body, dict)


def error_of(response: ApiResponse) -> dict[str, Any] | None:
    """The `error` object of an error answer in Sequence's envelope, else None."""
    body = response.body
    if response.status >= 400 and isinstance(body, dict) and isinstance(body.get("error"), dict):
        error: dict[str, Any] = body["error"]
        return error
    return None


def error_answer(response: ApiResponse, error: ApiError) -> ApiResponse:
    """`error` as the answer, keeping the original's headers (Sequence-Version among them)."""
    answer = error.to_response()
    return replace(answer, headers={**response.headers, **answer.headers})


def crashed(response: ApiResponse) -> ApiResponse:
    """A 500 in place of `response`."""
    return error_answer(response, internal_error())


def customers_in(exchange: SandboxExchange, response: ApiResponse) -> Iterator[dict[str, Any]]:
    """The customer objects of a successful answer: the body, or each list item (copies are
    not made: callers edit the body they got from `with_body_copy`)."""
    if not is_success(response):
        return
    body = response.body
    if exchange.operation in CUSTOMER_OPERATIONS:
        yield body
    elif exchange.operation == "listCustomers" and isinstance(body.get("items"), list):
        yield from (item for item in body["items"] if isinstance(item, dict))


def with_body_copy(response: ApiResponse) -> ApiResponse:
    """The same answer with a deep copy of its body, for transforms that edit in place."""
    return replace(response, body=json.loads(json.dumps(response.body)))


def edit_customers(
    exchange: SandboxExchange, response: ApiResponse, edit: Callable[[dict[str, Any]], None]
) -> ApiResponse:
    """Apply `edit` to every customer object of a successful answer (on a copy)."""
    if not is_success(response):
        return response
    copied = with_body_copy(response)
    for customer in customers_in(exchange, copied):
        edit(customer)
    return copied


def on_operations(operations: frozenset[str], transform: TransformHook) -> TransformHook:
    """`transform`, applied only to answers of these operations."""

    def targeted(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
        if exchange.operation not in operations:
            return response
        return transform(exchange, response)

    targeted.__name__ = getattr(transform, "__name__", "targeted")
    return targeted


def archive_method(exchange: SandboxExchange) -> str | None:
    """The archive method (POST in 2024-07-30, PUT in 2024-05-09) of the version a request to
    the archive path asks for; None for other paths and unknown versions. For request hooks,
    which run before the pipeline resolves the version."""
    matched = routing.match_route(exchange.path)
    if matched is None or matched[0] != routing.CUSTOMER_ARCHIVE:
        return None
    try:
        version = resolve_version(exchange.headers.get("sequence-version"))
    except ApiError:
        return None
    methods = version.methods_for(routing.CUSTOMER_ARCHIVE)
    return methods[0] if methods else None

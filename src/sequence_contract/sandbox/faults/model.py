"""What a fault is, how one is registered, and helpers the fault modules share.

A fault is a small named function registered with `@fault(name, kind, stage)`; its docstring
(or `description=`, for one that quotes a constant) is the fault's one-line description. By its
stage it
(a) changes the request before the API sees it (`before_request`),
(b) answers instead of the API once the request is authenticated and routed
    (`replace_response`; returning None lets the API answer),
(c) transforms the API's answer, errors included (`transform_response`), or
(d) refuses a parsed request body before the operation acts on it (`check_body`, which raises
    an `ApiError`), as a stricter server would.
`@edits_customers` and `@edits_list_query` register the commonest transforms from an edit of
one customer object or of the list's query.
"""

import json
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field, replace
from typing import Any, Literal, TypeVar, get_args

from sequence_contract.sandbox import routing
from sequence_contract.sandbox.errors import ApiError, internal_error
from sequence_contract.sandbox.messages import ApiResponse, SandboxExchange
from sequence_contract.sandbox.store import Store
from sequence_contract.sandbox.timestamps import Clock
from sequence_contract.sandbox.versions import resolve_version

# The classes of contract breaks, in the order reports list them. "benign" variants must not
# fail the suite; "reporting" faults leak data for the report tests and break no contract.
ContractKind = Literal[
    "shape", "status", "content", "auth", "version", "ids", "archive", "envelope", "inputs"
]
FaultKind = Literal[ContractKind, "benign", "reporting"]
CONTRACT_KINDS: tuple[ContractKind, ...] = get_args(ContractKind)

OPERATIONS_WITH_ID = frozenset({"getCustomer", "updateCustomer", "archiveCustomer"})
CUSTOMER_OPERATIONS = OPERATIONS_WITH_ID | {"createCustomer"}
SHOWING_CUSTOMERS = CUSTOMER_OPERATIONS | {"listCustomers"}


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
Stage = Literal["before_request", "replace_response", "transform_response", "check_body"]
Hook = TypeVar("Hook", bound=Callable[..., Any])


@dataclass(frozen=True)
class Fault:
    name: str
    kind: FaultKind
    description: str
    before_request: RequestHook | None = None
    replace_response: ReplaceHook | None = None
    transform_response: TransformHook | None = None
    check_body: BodyHook | None = None


REGISTRY: dict[str, Fault] = {}  # filled as the fault modules are imported


def fault(
    name: str,
    kind: FaultKind,
    stage: Stage = "transform_response",
    description: str | None = None,
) -> Callable[[Hook], Hook]:
    """Register the decorated function as fault `name`'s hook at `stage`; `description`
    (default: the function's docstring) says in one line what goes wrong."""

    def add(hook: Hook) -> Hook:
        register(name, kind, description or hook.__doc__, **{stage: hook})
        return hook

    return add


def register(name: str, kind: FaultKind, description: str | None, **hooks: Any) -> None:
    """Add fault `name` with these hooks; its description is folded onto one line."""
    if name in REGISTRY:
        raise RuntimeError(f"fault {name!r} is registered twice")
    REGISTRY[name] = Fault(name, kind, " ".join((description or "").split()), **hooks)


def is_success(response: ApiResponse) -> bool:
    return 200 <= response.status < 300 and isinstance(response.body, dict)


def error_of(response: ApiResponse) -> dict[str, Any] | None:
    """The `error` object of an error answer in Sequence's envelope, else None."""
    body = response.body
    if response.status >= 400 and isinstance(body, dict) and isinstance(body.get("error"), dict):
        error: dict[str, Any] = body["error"]
        return error
    return None


def with_error(response: ApiResponse, **changes: Any) -> ApiResponse:
    """An error answer with its `error` object changed; other answers as they are."""
    error = error_of(response)
    if error is None:
        return response
    return replace(response, body={**response.body, "error": {**error, **changes}})


def error_answer(response: ApiResponse, error: ApiError) -> ApiResponse:
    """`error` as the answer, keeping the original's headers (Sequence-Version among them)."""
    answer = error.to_response()
    return replace(answer, headers={**response.headers, **answer.headers})


def crashed(response: ApiResponse) -> ApiResponse:
    """A 500 in place of `response`."""
    return error_answer(response, internal_error())


def without_header(response: ApiResponse, name: str) -> ApiResponse:
    headers = {key: value for key, value in response.headers.items() if key.lower() != name}
    return replace(response, headers=headers)


def customers_in(exchange: SandboxExchange, response: ApiResponse) -> list[dict[str, Any]]:
    """The customer objects of a successful answer: the body, or each list item."""
    if not is_success(response):
        return []
    body = response.body
    if exchange.operation in CUSTOMER_OPERATIONS:
        return [body]
    if exchange.operation == "listCustomers" and isinstance(body.get("items"), list):
        return [item for item in body["items"] if isinstance(item, dict)]
    return []


def with_body_copy(response: ApiResponse) -> ApiResponse:
    """The same answer with a deep copy of its body, for transforms that edit in place."""
    return replace(response, body=json.loads(json.dumps(response.body)))


CustomerEdit = TypeVar("CustomerEdit", bound=Callable[[dict[str, Any]], None])
QueryEdit = TypeVar("QueryEdit", bound=Callable[[dict[str, str]], None])


def edits_customers(
    name: str,
    kind: FaultKind,
    operations: Collection[str] = (*CUSTOMER_OPERATIONS, "listCustomers"),
) -> Callable[[CustomerEdit], CustomerEdit]:
    """Register a fault that applies the decorated edit to every customer object of a
    successful answer of these operations (on a copy)."""

    def add(edit: CustomerEdit) -> CustomerEdit:
        def transform(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
            if exchange.operation not in operations or not is_success(response):
                return response
            copied = with_body_copy(response)
            for customer in customers_in(exchange, copied):
                edit(customer)
            return copied

        fault(name, kind, description=edit.__doc__)(transform)
        return edit

    return add


def edits_list_query(name: str, kind: FaultKind) -> Callable[[QueryEdit], QueryEdit]:
    """Register a fault that applies the decorated edit to the query of every list request."""

    def add(edit: QueryEdit) -> QueryEdit:
        def before(exchange: SandboxExchange, services: FaultServices) -> None:
            listing: tuple[str, dict[str, str]] = (routing.CUSTOMERS, {})
            if exchange.method == "GET" and routing.match_route(exchange.path) == listing:
                query = dict(exchange.query)
                edit(query)
                exchange.query = query

        fault(name, kind, "before_request", edit.__doc__)(before)
        return edit

    return add


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

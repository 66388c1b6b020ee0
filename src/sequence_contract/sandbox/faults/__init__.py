"""Deliberate misbehaviour, switched on by name, to prove the contract suite catches it.

`FAULTS` is the read-only registry: contract breaks (`contract`) and the benign variants the
suite must pass (`benign`). Faults apply in the order they are configured.
"""

import json
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Literal, TypeVar, get_args

from sequence_contract.sandbox.config import UnknownFaultError
from sequence_contract.sandbox.messages import (
    ApiError,
    ApiResponse,
    Exchange,
    internal_error,
)
from sequence_contract.sandbox.store import Clock, Store
from sequence_contract.sandbox.versions import CUSTOMERS, match_route

# The classes of contract breaks, in the order reports list them. "benign" variants must not
# fail the suite; "reporting" faults leak data for the report tests and break no contract.
ContractKind = Literal[
    "shape", "status", "content", "auth", "version", "ids", "archive", "envelope", "inputs"
]
FaultKind = Literal[ContractKind, "benign", "reporting"]
CONTRACT_KINDS: tuple[ContractKind, ...] = get_args(ContractKind)

OPERATIONS_WITH_ID = frozenset({"getCustomer", "updateCustomer", "archiveCustomer"})
CUSTOMER_OPERATIONS = OPERATIONS_WITH_ID | {"createCustomer"}


@dataclass(frozen=True)
class FaultServices:
    """What a fault may use besides the exchange; `state` is one sandbox instance's memory."""

    store: Store
    clock: Clock
    client_id: str
    client_secret: str
    state: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Fault:
    """A named misbehaviour. Its hooks: change the request before the API sees it; answer
    instead of the API once routed (None lets the API answer); transform the API's answer,
    errors included; refuse a parsed body (by raising an ApiError)."""

    name: str
    kind: FaultKind
    description: str
    before_request: Callable[[Exchange, FaultServices], None] | None = None
    replace_response: Callable[[Exchange, FaultServices], Awaitable[ApiResponse | None]] | None = (
        None
    )
    transform_response: Callable[[Exchange, ApiResponse], ApiResponse] | None = None
    check_body: Callable[[Exchange, Any], None] | None = None


_REGISTRY: dict[str, Fault] = {}
FAULTS: Mapping[str, Fault] = MappingProxyType(_REGISTRY)
Hook = TypeVar("Hook", bound=Callable[..., Any])


def register(name: str, kind: FaultKind, description: str | None, **hooks: Any) -> None:
    """Add fault `name` with these hooks; its description is folded onto one line."""
    if name in _REGISTRY:
        raise RuntimeError(f"fault {name!r} is registered twice")
    _REGISTRY[name] = Fault(name, kind, " ".join((description or "").split()), **hooks)


def fault(
    name: str, kind: FaultKind, stage: str = "transform_response", description: str | None = None
) -> Callable[[Hook], Hook]:
    """Register the decorated function as fault `name`'s hook at `stage`; its docstring (or
    `description`) says in one line what goes wrong."""

    def add(hook: Hook) -> Hook:
        register(name, kind, description or hook.__doc__, **{stage: hook})
        return hook

    return add


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
    return error_answer(response, internal_error())


def without_header(response: ApiResponse, name: str) -> ApiResponse:
    headers = {key: value for key, value in response.headers.items() if key.lower() != name}
    return replace(response, headers=headers)


def customers_in(exchange: Exchange, response: ApiResponse) -> list[dict[str, Any]]:
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
    return replace(response, body=json.loads(json.dumps(response.body)))


def edits_customers(
    name: str,
    kind: FaultKind,
    operations: Collection[str] = (*CUSTOMER_OPERATIONS, "listCustomers"),
) -> Callable[[Hook], Hook]:
    """Register a fault that applies the decorated edit to every customer object of a
    successful answer of these operations (on a copy)."""

    def add(edit: Hook) -> Hook:
        def transform(exchange: Exchange, response: ApiResponse) -> ApiResponse:
            if exchange.operation not in operations or not is_success(response):
                return response
            copied = with_body_copy(response)
            for customer in customers_in(exchange, copied):
                edit(customer)
            return copied

        register(name, kind, edit.__doc__, transform_response=transform)
        return edit

    return add


def edits_list_query(name: str, kind: FaultKind) -> Callable[[Hook], Hook]:
    """Register a fault that applies the decorated edit to the query of every list request."""

    def add(edit: Hook) -> Hook:
        def before(exchange: Exchange, services: FaultServices) -> None:
            if exchange.method == "GET" and match_route(exchange.path) == (CUSTOMERS, {}):
                query = dict(exchange.query)
                edit(query)
                exchange.query = query

        register(name, kind, edit.__doc__, before_request=before)
        return edit

    return add


# Importing the fault modules registers their faults.
from sequence_contract.sandbox.faults import benign, contract  # noqa: E402, F401


def faults_of_kind(*kinds: FaultKind) -> tuple[Fault, ...]:
    """The registered faults of these kinds, kind by kind."""
    return tuple(fault for kind in kinds for fault in FAULTS.values() if fault.kind == kind)


def contract_faults() -> tuple[Fault, ...]:
    """Every fault that breaks the documented contract: the suite must fail on each."""
    return faults_of_kind(*CONTRACT_KINDS)


def benign_variants() -> tuple[Fault, ...]:
    """Every variant the contract allows: the suite must pass on each."""
    return faults_of_kind("benign")


def resolve_faults(names: Iterable[str]) -> tuple[Fault, ...]:
    """The faults for these names, in order, without repeats; UnknownFaultError otherwise."""
    names = tuple(names)
    if unknown := [name for name in names if name not in FAULTS]:
        raise UnknownFaultError(
            f"unknown fault(s): {', '.join(unknown)}; known faults: {', '.join(sorted(FAULTS))}"
        )
    return tuple(FAULTS[name] for name in dict.fromkeys(names))

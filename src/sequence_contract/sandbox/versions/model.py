"""What an API version is to the sandbox: its operations and its customer representation."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sequence_contract.sandbox.models import CustomerRecord
from sequence_contract.sandbox.responses import ApiResponse
from sequence_contract.sandbox.store import Store
from sequence_contract.sandbox.timestamps import Clock


@dataclass(frozen=True)
class OperationCall:
    """Everything an operation handler gets. `body` is the parsed JSON (None without one)."""

    path_params: Mapping[str, str]
    query: Mapping[str, str]
    body: Any
    store: Store
    clock: Clock


Handler = Callable[[OperationCall], Awaitable[ApiResponse]]


@dataclass(frozen=True)
class Operation:
    """`name` is version-neutral ("archiveCustomer" whether by POST or PUT) so that faults
    and tests can refer to an operation in any version."""

    name: str
    method: str
    route: str  # a template from routing.ROUTES
    handler: Handler
    takes_body: bool = False


@dataclass(frozen=True)
class ApiVersion:
    name: str
    operations: tuple[Operation, ...]
    render_customer: Callable[[CustomerRecord], dict[str, Any]]

    def find(self, route: str, method: str) -> Operation | None:
        return next(
            (op for op in self.operations if op.route == route and op.method == method), None
        )

    def methods_for(self, route: str) -> tuple[str, ...]:
        return tuple(op.method for op in self.operations if op.route == route)

"""Archive semantics: nothing archived, the archive not persisted, a second archive that
fails or moves archivedAt, archived customers still listed, or hidden from
includeArchived, and archiving that changes status."""

from starlette.concurrency import run_in_threadpool

from sequence_contract.sandbox import routing
from sequence_contract.sandbox.errors import internal_error
from sequence_contract.sandbox.exchange import SandboxExchange
from sequence_contract.sandbox.faults.model import Fault, FaultServices, edit_customers
from sequence_contract.sandbox.responses import ApiResponse
from sequence_contract.sandbox.store import Customer
from sequence_contract.sandbox.timestamps import format_timestamp

ARCHIVED_STATUS = "ARCHIVED"  # not in the 2024-07-30 enum: the point of the fault


async def _record(exchange: SandboxExchange, services: FaultServices) -> Customer | None:
    """The customer an archive call names; None (let the API answer) for anything else."""
    if exchange.operation != "archiveCustomer" or exchange.version is None:
        return None
    found: Customer | None = await run_in_threadpool(services.store.get, exchange.path_params["id"])
    return found


def _render(exchange: SandboxExchange, record: Customer) -> ApiResponse:
    assert exchange.version is not None
    return ApiResponse(200, exchange.version.render_customer(record))


async def _archive_without_storing(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    record = await _record(exchange, services)
    if record is None:
        return None  # the API answers 404 as usual
    if record.get("archivedAt") is None:
        record = {**record, "archivedAt": format_timestamp(services.clock())}
    return _render(exchange, record)


async def _archive_nothing(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    record = await _record(exchange, services)
    return None if record is None else _render(exchange, record)


async def _second_archive_crashes(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    record = await _record(exchange, services)
    if record is None or record.get("archivedAt") is None:
        return None
    return internal_error().to_response()  # e.g. a unique constraint on the archive row


async def _second_archive_restamps(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    record = await _record(exchange, services)
    if record is None or record.get("archivedAt") is None:
        return None
    # The bug: the answer is stamped with this call's time, not the stored first archive's.
    now = format_timestamp(services.clock())
    if now == record["archivedAt"]:
        return None  # within the same millisecond nothing visibly moves
    return _render(exchange, {**record, "archivedAt": now})


def _is_list(exchange: SandboxExchange) -> bool:
    return exchange.method == "GET" and routing.match_route(exchange.path) == (
        routing.CUSTOMERS,
        {},
    )


def _archived_by_default(exchange: SandboxExchange, services: FaultServices) -> None:
    if _is_list(exchange) and "includeArchived" not in exchange.query:
        exchange.query = {**exchange.query, "includeArchived": "true"}


def _include_archived_ignored(exchange: SandboxExchange, services: FaultServices) -> None:
    if _is_list(exchange) and "includeArchived" in exchange.query:
        exchange.query = {k: v for k, v in exchange.query.items() if k != "includeArchived"}


def _archived_status(customer: dict[str, object]) -> None:
    if "archivedAt" in customer and "status" in customer:
        customer["status"] = ARCHIVED_STATUS


def _status_archived(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    return edit_customers(exchange, response, _archived_status)


FAULTS = (
    Fault(
        "archive-not-persisted",
        "archive",
        "Archive answers with archivedAt set but stores nothing.",
        replace_response=_archive_without_storing,
    ),
    Fault(
        "archive-does-nothing",
        "archive",
        "Archive answers 200 with the customer as it was: no archivedAt, nothing stored.",
        replace_response=_archive_nothing,
    ),
    Fault(
        "second-archive-fails",
        "archive",
        "Archiving an archived customer answers 500.",
        replace_response=_second_archive_crashes,
    ),
    Fault(
        "second-archive-moves-archived-at",
        "archive",
        "Archiving an archived customer answers a new archivedAt instead of the first one.",
        replace_response=_second_archive_restamps,
    ),
    Fault(
        "archived-still-listed",
        "archive",
        "The default list includes archived customers (includeArchived defaults to true).",
        before_request=_archived_by_default,
    ),
    Fault(
        "include-archived-ignored",
        "archive",
        "includeArchived=true is ignored: archived customers are never listed.",
        before_request=_include_archived_ignored,
    ),
    Fault(
        "archive-sets-status",
        "archive",
        "Archived customers show status ARCHIVED (not in the enum; status must not change).",
        transform_response=_status_archived,
    ),
)

"""Archive semantics: nothing archived, the archive not persisted, a second archive that
fails or moves archivedAt, archived customers still listed, or hidden from
includeArchived, and archiving that changes status."""

from starlette.concurrency import run_in_threadpool

from sequence_contract.sandbox.errors import internal_error
from sequence_contract.sandbox.faults.model import (
    FaultServices,
    edits_customers,
    edits_list_query,
    fault,
)
from sequence_contract.sandbox.messages import ApiResponse, SandboxExchange
from sequence_contract.sandbox.store import Customer
from sequence_contract.sandbox.timestamps import format_timestamp

ARCHIVED_STATUS = "ARCHIVED"  # not in the 2024-07-30 enum: the point of the fault


async def _archived(exchange: SandboxExchange, services: FaultServices) -> Customer | None:
    """The customer an archive call names; None (let the API answer) for anything else."""
    if exchange.operation != "archiveCustomer" or exchange.version is None:
        return None
    found: Customer | None = await run_in_threadpool(services.store.get, exchange.path_params["id"])
    return found


def _answer(exchange: SandboxExchange, customer: Customer) -> ApiResponse:
    assert exchange.version is not None
    return ApiResponse(200, exchange.version.render_customer(customer))


@fault("archive-not-persisted", "archive", "replace_response")
async def _archive_without_storing(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    """Archive answers with archivedAt set but stores nothing."""
    customer = await _archived(exchange, services)
    if customer is None:
        return None  # the API answers 404 as usual
    if customer.get("archivedAt") is None:
        customer = {**customer, "archivedAt": format_timestamp(services.clock())}
    return _answer(exchange, customer)


@fault("archive-does-nothing", "archive", "replace_response")
async def _archive_nothing(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    """Archive answers 200 with the customer as it was: no archivedAt, nothing stored."""
    customer = await _archived(exchange, services)
    return None if customer is None else _answer(exchange, customer)


@fault("second-archive-fails", "archive", "replace_response")
async def _second_archive_crashes(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    """Archiving an archived customer answers 500."""
    customer = await _archived(exchange, services)
    if customer is None or customer.get("archivedAt") is None:
        return None
    return internal_error().to_response()  # e.g. a unique constraint on the archive row


@fault("second-archive-moves-archived-at", "archive", "replace_response")
async def _second_archive_restamps(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    """Archiving an archived customer answers a new archivedAt instead of the first one."""
    customer = await _archived(exchange, services)
    if customer is None or customer.get("archivedAt") is None:
        return None
    # The bug: the answer is stamped with this call's time, not the stored first archive's.
    now = format_timestamp(services.clock())
    if now == customer["archivedAt"]:
        return None  # within the same millisecond nothing visibly moves
    return _answer(exchange, {**customer, "archivedAt": now})


@edits_list_query("archived-still-listed", "archive")
def _archived_by_default(query: dict[str, str]) -> None:
    """The default list includes archived customers (includeArchived defaults to true)."""
    query.setdefault("includeArchived", "true")


@edits_list_query("include-archived-ignored", "archive")
def _include_archived_ignored(query: dict[str, str]) -> None:
    """includeArchived=true is ignored: archived customers are never listed."""
    query.pop("includeArchived", None)


@edits_customers("archive-sets-status", "archive")
def _archived_status(customer: dict[str, object]) -> None:
    """Archived customers show status ARCHIVED (not in the enum; status must not change)."""
    if "archivedAt" in customer and "status" in customer:
        customer["status"] = ARCHIVED_STATUS

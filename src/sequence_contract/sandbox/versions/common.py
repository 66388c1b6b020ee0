"""Operation steps every version shares; each version renders the records in its own shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool

from sequence_contract.sandbox.errors import Problem, not_found, validation_failed
from sequence_contract.sandbox.models import CustomerRecord
from sequence_contract.sandbox.paging import CursorError, paginate
from sequence_contract.sandbox.responses import ApiResponse
from sequence_contract.sandbox.timestamps import format_timestamp
from sequence_contract.sandbox.validation import INVALID_VALUE

if TYPE_CHECKING:  # a run-time import would be circular: the version packages import this
    from sequence_contract.sandbox.versions.model import OperationCall
    from sequence_contract.sandbox.versions.v2024_07_30.query import ListQuery


def found(record: CustomerRecord | None, customer_id: str) -> CustomerRecord:
    """The record, or the 404 an unknown (or malformed) id gets."""
    if record is None:
        raise not_found(f"No customer has the id {customer_id[:100]!r}")
    return record


async def stored_customer(call: OperationCall) -> CustomerRecord:
    """The customer the path names, or a 404."""
    customer_id = call.path_params["id"]
    return found(await run_in_threadpool(call.store.get, customer_id), customer_id)


async def archived_customer(call: OperationCall) -> CustomerRecord:
    """Archive the customer the path names (the first archivedAt stays), or a 404."""
    # No request body is documented; one that is sent is ignored, never read.
    customer_id = call.path_params["id"]
    now = format_timestamp(call.clock())
    record = await run_in_threadpool(lambda: call.store.archive(customer_id, now=now))
    return found(record, customer_id)


async def list_page(
    call: OperationCall, query: ListQuery, render_item: Callable[[CustomerRecord], dict[str, Any]]
) -> ApiResponse:
    """One page of the customers matching `query`, each rendered by the version's own shape."""
    records = await run_in_threadpool(call.store.search, query.criteria)
    try:
        page = paginate(records, query.sort, query.limit, after=query.after, before=query.before)
    except CursorError as error:
        param = "after" if query.after is not None else "before"
        raise validation_failed([Problem(INVALID_VALUE, str(error), param)]) from None
    pagination: dict[str, object] = {}
    if page.after is not None:
        pagination["after"] = page.after
    if page.before is not None:
        pagination["before"] = page.before
    pagination["totalResultSize"] = page.total
    items = [render_item(record) for record in page.items]
    return ApiResponse(200, {"items": items, "pagination": pagination})

"""The five Customers operations of version 2024-07-30."""

from starlette.concurrency import run_in_threadpool

from sequence_contract.sandbox import routing
from sequence_contract.sandbox.errors import ApiError, Problem, not_found, validation_failed
from sequence_contract.sandbox.models import CustomerRecord
from sequence_contract.sandbox.paging import CursorError, paginate
from sequence_contract.sandbox.responses import ApiResponse
from sequence_contract.sandbox.store import InvalidParentError
from sequence_contract.sandbox.timestamps import format_timestamp
from sequence_contract.sandbox.validation import INVALID_VALUE
from sequence_contract.sandbox.versions.model import Operation, OperationCall
from sequence_contract.sandbox.versions.v2024_07_30.body import parse_customer_request
from sequence_contract.sandbox.versions.v2024_07_30.query import parse_list_query
from sequence_contract.sandbox.versions.v2024_07_30.render import (
    render_customer,
    render_list_item,
)


def _customer_not_found(customer_id: str) -> ApiError:
    return not_found(f"No customer has the id {customer_id[:100]!r}")


def _invalid_parent(error: InvalidParentError) -> ApiError:
    return validation_failed([Problem(INVALID_VALUE, str(error), "parentId")])


def _found(record: CustomerRecord | None, customer_id: str) -> CustomerRecord:
    if record is None:
        raise _customer_not_found(customer_id)
    return record


async def list_customers(call: OperationCall) -> ApiResponse:
    query = parse_list_query(call.query)
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
    items = [render_list_item(record) for record in page.items]
    return ApiResponse(200, {"items": items, "pagination": pagination})


async def create_customer(call: OperationCall) -> ApiResponse:
    draft = parse_customer_request(call.body)
    now = format_timestamp(call.clock())
    try:
        record = await run_in_threadpool(lambda: call.store.insert(draft, now=now))
    except InvalidParentError as error:
        raise _invalid_parent(error) from None
    return ApiResponse(201, render_customer(record))


async def get_customer(call: OperationCall) -> ApiResponse:
    customer_id = call.path_params["id"]
    record = await run_in_threadpool(call.store.get, customer_id)
    return ApiResponse(200, render_customer(_found(record, customer_id)))


async def update_customer(call: OperationCall) -> ApiResponse:
    # The body is validated before the id is looked up: a bad body is a 400 for any id.
    draft = parse_customer_request(call.body)
    customer_id = call.path_params["id"]
    now = format_timestamp(call.clock())
    try:
        record = await run_in_threadpool(lambda: call.store.replace(customer_id, draft, now=now))
    except InvalidParentError as error:
        raise _invalid_parent(error) from None
    return ApiResponse(200, render_customer(_found(record, customer_id)))


async def archive_customer(call: OperationCall) -> ApiResponse:
    # No request body is documented; one that is sent is ignored, never read.
    customer_id = call.path_params["id"]
    now = format_timestamp(call.clock())
    record = await run_in_threadpool(lambda: call.store.archive(customer_id, now=now))
    return ApiResponse(200, render_customer(_found(record, customer_id)))


OPERATIONS = (
    Operation("listCustomers", "GET", routing.CUSTOMERS, list_customers),
    Operation("createCustomer", "POST", routing.CUSTOMERS, create_customer, takes_body=True),
    Operation("getCustomer", "GET", routing.CUSTOMER, get_customer),
    Operation("updateCustomer", "PUT", routing.CUSTOMER, update_customer, takes_body=True),
    Operation("archiveCustomer", "POST", routing.CUSTOMER_ARCHIVE, archive_customer),
)

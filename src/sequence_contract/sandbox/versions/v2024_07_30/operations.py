"""The five Customers operations of version 2024-07-30."""

from starlette.concurrency import run_in_threadpool

from sequence_contract.sandbox import routing
from sequence_contract.sandbox.errors import ApiError, Problem, validation_failed
from sequence_contract.sandbox.responses import ApiResponse
from sequence_contract.sandbox.store import InvalidParentError
from sequence_contract.sandbox.timestamps import format_timestamp
from sequence_contract.sandbox.validation import INVALID_VALUE
from sequence_contract.sandbox.versions.common import (
    archived_customer,
    found,
    list_page,
    stored_customer,
)
from sequence_contract.sandbox.versions.model import Operation, OperationCall
from sequence_contract.sandbox.versions.v2024_07_30.body import parse_customer_request
from sequence_contract.sandbox.versions.v2024_07_30.query import parse_list_query
from sequence_contract.sandbox.versions.v2024_07_30.render import (
    render_customer,
    render_list_item,
)


def _invalid_parent(error: InvalidParentError) -> ApiError:
    return validation_failed([Problem(INVALID_VALUE, str(error), "parentId")])


async def list_customers(call: OperationCall) -> ApiResponse:
    return await list_page(call, parse_list_query(call.query), render_list_item)


async def create_customer(call: OperationCall) -> ApiResponse:
    draft = parse_customer_request(call.body)
    now = format_timestamp(call.clock())
    try:
        record = await run_in_threadpool(lambda: call.store.insert(draft, now=now))
    except InvalidParentError as error:
        raise _invalid_parent(error) from None
    return ApiResponse(201, render_customer(record))


async def get_customer(call: OperationCall) -> ApiResponse:
    return ApiResponse(200, render_customer(await stored_customer(call)))


async def update_customer(call: OperationCall) -> ApiResponse:
    # The body is validated before the id is looked up: a bad body is a 400 for any id.
    draft = parse_customer_request(call.body)
    customer_id = call.path_params["id"]
    now = format_timestamp(call.clock())
    try:
        record = await run_in_threadpool(lambda: call.store.replace(customer_id, draft, now=now))
    except InvalidParentError as error:
        raise _invalid_parent(error) from None
    return ApiResponse(200, render_customer(found(record, customer_id)))


async def archive_customer(call: OperationCall) -> ApiResponse:
    return ApiResponse(200, render_customer(await archived_customer(call)))


OPERATIONS = (
    Operation("listCustomers", "GET", routing.CUSTOMERS, list_customers),
    Operation("createCustomer", "POST", routing.CUSTOMERS, create_customer, takes_body=True),
    Operation("getCustomer", "GET", routing.CUSTOMER, get_customer),
    Operation("updateCustomer", "PUT", routing.CUSTOMER, update_customer, takes_body=True),
    Operation("archiveCustomer", "POST", routing.CUSTOMER_ARCHIVE, archive_customer),
)

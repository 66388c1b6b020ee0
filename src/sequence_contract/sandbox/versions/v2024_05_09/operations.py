"""The six Customers operations of version 2024-05-09.

Archive is `PUT /customers/{id}/archive`; `DELETE /customers/{id}`, documented as "Archive
customer" too, archives the same way. Lists carry full customers. The list query is
2024-07-30's, read as this version documents it: no `label` or `billingStatus` filter (ignored
like any unknown parameter), a `limit` without documented bounds (clamped to 1..100 rather
than refused) and a free-form `sortOrder` (anything but ASC sorts descending, the default).
"""

import re
from collections.abc import Mapping

from starlette.concurrency import run_in_threadpool

from sequence_contract.sandbox import routing
from sequence_contract.sandbox.responses import ApiResponse
from sequence_contract.sandbox.timestamps import format_timestamp
from sequence_contract.sandbox.versions.common import (
    archived_customer,
    found,
    list_page,
    stored_customer,
)
from sequence_contract.sandbox.versions.model import Operation, OperationCall
from sequence_contract.sandbox.versions.v2024_05_09.body import parse_customer_request
from sequence_contract.sandbox.versions.v2024_05_09.render import render_customer
from sequence_contract.sandbox.versions.v2024_07_30.query import parse_list_query

UNDOCUMENTED_FILTERS = frozenset({"label", "billingStatus"})
MIN_LIMIT, MAX_LIMIT = 1, 100
INTEGER = re.compile(r"^[+-]?[0-9]{1,20}$")  # longer ones are left for the parser to refuse


def _as_documented(query: Mapping[str, str]) -> dict[str, str]:
    """The query in the form the 2024-07-30 parser reads (see the module docstring)."""
    params = {k: v for k, v in query.items() if k not in UNDOCUMENTED_FILTERS}
    if INTEGER.match(params.get("limit", "")):
        params["limit"] = str(min(MAX_LIMIT, max(MIN_LIMIT, int(params["limit"]))))
    if "sortOrder" in params and params["sortOrder"] != "ASC":
        params["sortOrder"] = "DESC"
    return params


async def list_customers(call: OperationCall) -> ApiResponse:
    return await list_page(call, parse_list_query(_as_documented(call.query)), render_customer)


async def create_customer(call: OperationCall) -> ApiResponse:
    draft = parse_customer_request(call.body)
    now = format_timestamp(call.clock())
    record = await run_in_threadpool(lambda: call.store.insert(draft, now=now))
    return ApiResponse(201, render_customer(record))


async def get_customer(call: OperationCall) -> ApiResponse:
    return ApiResponse(200, render_customer(await stored_customer(call)))


async def update_customer(call: OperationCall) -> ApiResponse:
    # The body is validated before the id is looked up: a bad body is a 400 for any id.
    draft = parse_customer_request(call.body)
    customer_id = call.path_params["id"]
    now = format_timestamp(call.clock())
    record = await run_in_threadpool(lambda: call.store.replace(customer_id, draft, now=now))
    return ApiResponse(200, render_customer(found(record, customer_id)))


async def archive_customer(call: OperationCall) -> ApiResponse:
    return ApiResponse(200, render_customer(await archived_customer(call)))


OPERATIONS = (
    Operation("listCustomers", "GET", routing.CUSTOMERS, list_customers),
    Operation("createCustomer", "POST", routing.CUSTOMERS, create_customer, takes_body=True),
    Operation("getCustomer", "GET", routing.CUSTOMER, get_customer),
    Operation("updateCustomer", "PUT", routing.CUSTOMER, update_customer, takes_body=True),
    Operation("deleteCustomer", "DELETE", routing.CUSTOMER, archive_customer),
    Operation("archiveCustomer", "PUT", routing.CUSTOMER_ARCHIVE, archive_customer),
)

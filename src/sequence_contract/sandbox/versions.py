"""The API versions the sandbox serves, selected by the `Sequence-Version` header.

Each version's operations (method and path) are the ones its OpenAPI document lists; its
bodies and query parameters are checked with its schemas (see `validation`). What stays here
is what the documents cannot say: how a body becomes a version-neutral draft for the store,
and how a stored customer is shown (see `render`). Adding a version: its schema folder, a
draft reader and renderers, and an entry in SERVED_VERSIONS.
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from starlette.concurrency import run_in_threadpool

from sequence_contract import schemas
from sequence_contract.documents import documents
from sequence_contract.sandbox import render, routing
from sequence_contract.sandbox.errors import (
    UNRECOGNISED_API_VERSION,
    ApiError,
    Problem,
    not_found,
    validation_failed,
)
from sequence_contract.sandbox.messages import ApiResponse
from sequence_contract.sandbox.paging import (
    SORT_FIELDS,
    CursorError,
    SortSpec,
    is_sortable,
    paginate,
)
from sequence_contract.sandbox.store import Customer, InvalidParentError, Store
from sequence_contract.sandbox.timestamps import Clock, format_timestamp
from sequence_contract.sandbox.validation import INVALID_VALUE, check_body, read_query

REQUEST_SCHEMA = "create-or-update-customer-request"
# The most a page holds; 2024-05-09 documents no bounds, so its limit is clamped to these.
MIN_LIMIT, MAX_LIMIT = 1, 100
DEFAULT_LIMIT = 20  # not documented
ADDRESS_FIELDS = ("line1", "line2", "town", "state", "postcode", "country")


@dataclass(frozen=True)
class OperationCall:
    """Everything an operation handler gets. `body` is the parsed JSON (None without one)."""

    version: "ApiVersion"
    path_params: Mapping[str, str]
    query: Mapping[str, str]
    body: Any
    store: Store
    clock: Clock


Handler = Callable[[OperationCall], Awaitable[ApiResponse]]


@dataclass(frozen=True)
class Endpoint:
    """`name` is version-neutral ("archiveCustomer" whether by POST or PUT) so that faults
    and tests can refer to an operation in any version."""

    name: str
    method: str
    route: str  # a template from `routing`, e.g. routing.CUSTOMER
    handler: Handler
    takes_body: bool = False


@dataclass(frozen=True)
class ApiVersion:
    name: str
    operations: tuple[Endpoint, ...]
    read_draft: Callable[[dict[str, Any]], Customer]  # of a body its schema accepts

    def render_customer(self, record: Customer) -> dict[str, Any]:
        return render.render(self.name, "customer", record)

    def find(self, route: str, method: str) -> Endpoint | None:
        return next(
            (op for op in self.operations if op.route == route and op.method == method), None
        )

    def methods_for(self, route: str) -> tuple[str, ...]:
        return tuple(op.method for op in self.operations if op.route == route)


# --- the operations, the same in every version but for the version's own shapes ----------


def _found(record: Customer | None, customer_id: str) -> Customer:
    """The record, or the 404 an unknown (or malformed) id gets."""
    if record is None:
        raise not_found(f"No customer has the id {customer_id[:100]!r}")
    return record


def _draft(call: OperationCall) -> Customer:
    check_body(call.version.name, REQUEST_SCHEMA, call.body)
    return call.version.read_draft(call.body)


async def _written(write: Callable[[], Customer | None]) -> Customer | None:
    try:
        return await run_in_threadpool(write)
    except InvalidParentError as error:  # a rule of the docs' prose: the parent must exist
        raise validation_failed([Problem(INVALID_VALUE, str(error), "parentId")]) from None


async def list_customers(call: OperationCall) -> ApiResponse:
    problems: list[Problem] = []
    given = read_query(call.version.name, routing.CUSTOMERS, "GET", call.query, problems)
    sort_field = given.get("sortBy", "createdAt")
    if not is_sortable(sort_field):
        message = f"must be one of {', '.join(SORT_FIELDS)} or customProperties.<key>"
        problems.append(Problem(INVALID_VALUE, message, "sortBy"))
    if "after" in given and "before" in given:
        problems.append(Problem(INVALID_VALUE, "cannot be combined with after", "before"))
    if problems:
        raise validation_failed(problems)
    # A version without a sortOrder enum (2024-05-09) sorts descending unless told ASC.
    sort = SortSpec(sort_field, given.get("sortOrder", "DESC") != "ASC")
    limit = min(MAX_LIMIT, max(MIN_LIMIT, given.get("limit", DEFAULT_LIMIT)))
    customers = await run_in_threadpool(call.store.search, given)
    after, before = given.get("after"), given.get("before")
    try:
        page, pagination = paginate(customers, sort, limit, after=after, before=before)
    except CursorError as error:
        param = "after" if after is not None else "before"
        raise validation_failed([Problem(INVALID_VALUE, str(error), param)]) from None
    items = [render.render(call.version.name, "list-customer-item", c) for c in page]
    return ApiResponse(200, {"items": items, "pagination": pagination})


async def create_customer(call: OperationCall) -> ApiResponse:
    draft = _draft(call)
    now = format_timestamp(call.clock())
    record = await _written(lambda: call.store.insert(draft, now=now))
    assert record is not None  # an insert always stores
    return ApiResponse(201, call.version.render_customer(record))


async def get_customer(call: OperationCall) -> ApiResponse:
    customer_id = call.path_params["id"]
    record = await run_in_threadpool(call.store.get, customer_id)
    return ApiResponse(200, call.version.render_customer(_found(record, customer_id)))


async def update_customer(call: OperationCall) -> ApiResponse:
    # The body is validated before the id is looked up: a bad body is a 400 for any id.
    draft = _draft(call)
    customer_id = call.path_params["id"]
    now = format_timestamp(call.clock())
    record = await _written(lambda: call.store.replace(customer_id, draft, now=now))
    return ApiResponse(200, call.version.render_customer(_found(record, customer_id)))


async def archive_customer(call: OperationCall) -> ApiResponse:
    """Archive (the first archivedAt stays). No body is documented; one sent is not read."""
    customer_id = call.path_params["id"]
    now = format_timestamp(call.clock())
    record = await run_in_threadpool(lambda: call.store.archive(customer_id, now=now))
    return ApiResponse(200, call.version.render_customer(_found(record, customer_id)))


_HANDLERS: Mapping[tuple[str, str], tuple[str, Handler]] = {
    ("GET", routing.CUSTOMERS): ("listCustomers", list_customers),
    ("POST", routing.CUSTOMERS): ("createCustomer", create_customer),
    ("GET", routing.CUSTOMER): ("getCustomer", get_customer),
    ("PUT", routing.CUSTOMER): ("updateCustomer", update_customer),
    # 2024-05-09 documents DELETE as "Archive customer" too.
    ("DELETE", routing.CUSTOMER): ("deleteCustomer", archive_customer),
    ("POST", routing.CUSTOMER_ARCHIVE): ("archiveCustomer", archive_customer),
    ("PUT", routing.CUSTOMER_ARCHIVE): ("archiveCustomer", archive_customer),
}


def _documented_operations(version: str) -> tuple[Endpoint, ...]:
    """The operations the version's OpenAPI document lists (a KeyError for one the sandbox
    has no handler for: the documents gained an operation)."""
    found = []
    for method, route, operation in documents(version).operations():
        name, handler = _HANDLERS[(method, route)]
        found.append(Endpoint(name, method, route, handler, "requestBody" in operation))
    return tuple(found)


# --- bodies as drafts for the version-neutral store ----------------------------------------


def _draft_of(body: Mapping[str, Any], contacts: list[dict[str, str]], *, synced: bool) -> Customer:
    """The fields every version's request shares; fields it does not document are ignored."""
    draft = {
        "legalName": body["legalName"],
        "address": {key: body["address"].get(key) for key in ADDRESS_FIELDS},
        "taxStatus": body["taxStatus"],
        "contacts": contacts,
        "url": body.get("url"),
        "label": body.get("label"),
        "integrationIds": [
            {
                "service": link["service"],
                "id": link["id"],
                "isPending": False,
                "lastSynced": link.get("lastSynced") if synced else None,
            }
            for link in body.get("integrationIds", ())
        ],
    }
    return draft | {key: body[key] for key in ("customerAliases",) if key in body}


def read_draft_2024_07_30(body: dict[str, Any]) -> Customer:
    """CreateOrUpdateCustomerRequest."""
    contacts = [{k: c[k] for k in ("name", "email", "billingPreference")} for c in body["contacts"]]
    kept = {k: body[k] for k in ("status", "customProperties", "parentId") if k in body}
    return _draft_of(body, contacts, synced=False) | kept


def read_draft_2024_05_09(body: dict[str, Any]) -> Customer:
    """CreateCustomerRequest / UpdateCustomerRequest. The flat contact fields become contacts:
    `email` (with `contactName`, else the legal name) the PRIMARY contact, each of
    `billingEmails` a STANDARD one, in order. How Sequence maps them is not documented; this
    mapping lets `render` give back exactly what was sent. A replace sets every field, so
    contacts added through 2024-07-30 are replaced too, and a missing telephone is cleared."""
    name = body.get("contactName") or body["legalName"]
    emails = [(body["email"], render.PRIMARY)]
    emails += [(email, render.STANDARD) for email in body["billingEmails"]]
    contacts = [{"name": name, "email": e, "billingPreference": p} for e, p in emails]
    # This version's request carries lastSynced.
    return _draft_of(body, contacts, synced=True) | {"telephone": body.get("telephone") or None}


DEFAULT_VERSION = schemas.LATEST_VERSION  # used when the header is absent
SERVED_VERSIONS: Mapping[str, ApiVersion] = MappingProxyType(
    {
        version.name: version
        for version in (
            ApiVersion("2024-05-09", _documented_operations("2024-05-09"), read_draft_2024_05_09),
            ApiVersion("2024-07-30", _documented_operations("2024-07-30"), read_draft_2024_07_30),
        )
    }
)


def resolve_version(requested: str | None) -> ApiVersion:
    """The version for a `Sequence-Version` header value; a 400 ApiError if not served."""
    if requested is None:
        return SERVED_VERSIONS[DEFAULT_VERSION]
    version = SERVED_VERSIONS.get(requested)
    if version is None:
        served = ", ".join(SERVED_VERSIONS)
        raise ApiError(
            400,
            UNRECOGNISED_API_VERSION,
            f"Unrecognised Sequence-Version {requested[:40]!r}; this server accepts: {served}",
        )
    return version

"""The API versions served, selected by `Sequence-Version`: the operations each OpenAPI document
lists, how a body becomes a draft for the store and how a customer is shown. A new version
needs its schemas, a draft reader and an entry in SERVED_VERSIONS."""

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import cache, partial
from types import MappingProxyType
from typing import Any

from starlette.concurrency import run_in_threadpool

from sequence_contract import schemas
from sequence_contract.documents import documents
from sequence_contract.sandbox.messages import (
    INVALID_VALUE,
    UNRECOGNISED_API_VERSION,
    ApiError,
    ApiResponse,
    Problem,
    validation_failed,
)
from sequence_contract.sandbox.store import (
    SORT_FIELDS,
    Clock,
    Customer,
    InvalidParentError,
    Store,
    format_timestamp,
    is_sortable,
    paginate,
)
from sequence_contract.sandbox.validation import check_body, read_query

API_PREFIX = "/api"

CUSTOMERS = "/customers"
CUSTOMER = "/customers/{id}"
CUSTOMER_ARCHIVE = "/customers/{id}/archive"

# Each template as a pattern: a parameter is one non-empty path segment.
_PATTERNS = [
    (route, re.compile(API_PREFIX + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", route)))
    for route in (CUSTOMERS, CUSTOMER, CUSTOMER_ARCHIVE)
]


def match_route(path: str) -> tuple[str, dict[str, str]] | None:
    """The route template matching a request path (with `/api`) and its parameters."""
    for route, pattern in _PATTERNS:
        if matched := pattern.fullmatch(path):
            return route, matched.groupdict()
    return None


# --- rendering: the stored document, with 2024-05-09's flat contact fields added, holds every
# field any version shows; the version's schema picks its fields in its order, at every level.

PRIMARY, STANDARD = "PRIMARY", "STANDARD"

# The fields an object shows, each with its own shape; [shape] for an array's items; None
# for a value shown as it is.
Shape = dict[str, "Shape"] | list["Shape"] | None


def _shape_of(schema: Any) -> Shape:
    if not isinstance(schema, dict):
        return None
    if "properties" in schema:
        return {name: _shape_of(sub) for name, sub in schema["properties"].items()}
    if "items" in schema:
        return [_shape_of(schema["items"])]
    return None


@cache
def _shape(version: str, name: str) -> Shape:
    return _shape_of(schemas.inlined_schema(version, name))


def _fit(value: Any, shape: Shape) -> Any:
    if isinstance(shape, dict) and isinstance(value, dict):
        return {
            key: _fit(value[key], sub) for key, sub in shape.items() if value.get(key) is not None
        }
    if isinstance(shape, list) and isinstance(value, list | tuple):
        return [_fit(item, shape[0]) for item in value]
    return value


def render(version: str, schema: str, customer: Customer) -> dict[str, Any]:
    """`customer` as the version's `schema` ("customer" or "list-customer-item") shows it.
    2024-05-09's flat contact fields show the primary contact (else the first active one, else
    an empty `email`, which that version requires) and the standard ones."""
    contacts = customer["contacts"]
    active = [c for c in contacts if c.get("archivedAt") is None]
    primary = [c for c in active if c["billingPreference"] == PRIMARY]
    main = next(iter(primary or active or contacts), None)
    neutral = {
        **customer,
        "contactName": main["name"] if main else None,
        "email": main["email"] if main else "",
        "billingEmails": [c["email"] for c in active if c["billingPreference"] == STANDARD],
    }
    shown: dict[str, Any] = _fit(neutral, _shape(version, schema))
    return shown


REQUEST_SCHEMA = "create-or-update-customer-request"
# The most a page holds; 2024-05-09 documents no bounds, so its limit is clamped to these.
MIN_LIMIT, MAX_LIMIT = 1, 100
DEFAULT_LIMIT = 20  # not documented


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
    route: str  # a template, e.g. CUSTOMER
    handler: Handler
    takes_body: bool = False


@dataclass(frozen=True)
class ApiVersion:
    name: str
    operations: tuple[Endpoint, ...]
    read_draft: Callable[[dict[str, Any]], Customer]  # of a body its schema accepts

    def render_customer(self, record: Customer) -> dict[str, Any]:
        return render(self.name, "customer", record)

    def find(self, route: str, method: str) -> Endpoint | None:
        return next(
            (op for op in self.operations if op.route == route and op.method == method), None
        )

    def methods_for(self, route: str) -> tuple[str, ...]:
        return tuple(op.method for op in self.operations if op.route == route)


# --- the operations, the same in every version but for the version's own shapes


def _answer(call: OperationCall, record: Customer | None, status: int = 200) -> ApiResponse:
    """The customer as the version shows it, or the 404 an unknown (or malformed) id gets."""
    if record is None:
        raise ApiError(404, "NotFound", f"No customer has the id {call.path_params['id'][:100]!r}")
    return ApiResponse(status, call.version.render_customer(record))


async def _write(call: OperationCall, write: Callable[[Customer, str], Customer | None]) -> Any:
    """`write(draft, now)` of the body's draft, in a worker thread."""
    check_body(call.version.name, REQUEST_SCHEMA, call.body)
    draft = call.version.read_draft(call.body)
    now = format_timestamp(call.clock())
    try:
        return await run_in_threadpool(write, draft, now)
    except InvalidParentError as error:  # a rule of the docs' prose: the parent must exist
        raise validation_failed([Problem(INVALID_VALUE, str(error), "parentId")]) from None


async def list_customers(call: OperationCall) -> ApiResponse:
    problems: list[Problem] = []
    given = read_query(call.version.name, CUSTOMERS, "GET", call.query, problems)
    sort_field = given.get("sortBy", "createdAt")
    if not is_sortable(sort_field):
        message = f"must be one of {', '.join(SORT_FIELDS)} or customProperties.<key>"
        problems.append(Problem(INVALID_VALUE, message, "sortBy"))
    if "after" in given and "before" in given:
        problems.append(Problem(INVALID_VALUE, "cannot be combined with after", "before"))
    if problems:
        raise validation_failed(problems)
    # A version without a sortOrder enum (2024-05-09) sorts descending unless told ASC.
    sort = (sort_field, given.get("sortOrder", "DESC") != "ASC")
    limit = min(MAX_LIMIT, max(MIN_LIMIT, given.get("limit", DEFAULT_LIMIT)))
    customers = await run_in_threadpool(call.store.search, given)
    page, pagination = paginate(customers, sort, limit, given.get("after"), given.get("before"))
    items = [render(call.version.name, "list-customer-item", c) for c in page]
    return ApiResponse(200, {"items": items, "pagination": pagination})


async def create_customer(call: OperationCall) -> ApiResponse:
    return _answer(call, await _write(call, call.store.insert), 201)


async def get_customer(call: OperationCall) -> ApiResponse:
    return _answer(call, await run_in_threadpool(call.store.get, call.path_params["id"]))


async def update_customer(call: OperationCall) -> ApiResponse:
    # The body is validated before the id is looked up: a bad body is a 400 for any id.
    return _answer(call, await _write(call, partial(call.store.replace, call.path_params["id"])))


async def archive_customer(call: OperationCall) -> ApiResponse:
    """Archive (the first archivedAt stays). No body is documented; one sent is not read."""
    now = format_timestamp(call.clock())
    return _answer(call, await run_in_threadpool(call.store.archive, call.path_params["id"], now))


_HANDLERS: Mapping[tuple[str, str], tuple[str, Handler]] = {
    ("GET", CUSTOMERS): ("listCustomers", list_customers),
    ("POST", CUSTOMERS): ("createCustomer", create_customer),
    ("GET", CUSTOMER): ("getCustomer", get_customer),
    ("PUT", CUSTOMER): ("updateCustomer", update_customer),
    # 2024-05-09 documents DELETE as "Archive customer" too.
    ("DELETE", CUSTOMER): ("deleteCustomer", archive_customer),
    ("POST", CUSTOMER_ARCHIVE): ("archiveCustomer", archive_customer),
    ("PUT", CUSTOMER_ARCHIVE): ("archiveCustomer", archive_customer),
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


def _draft_of(version: str, body: Mapping[str, Any], contacts: list[dict[str, str]]) -> Customer:
    """The fields every version's request shares; fields it does not document are ignored."""
    synced = version == "2024-05-09"  # this version's request carries lastSynced
    draft = {
        "legalName": body["legalName"],
        "address": _fit(body["address"], _shape(version, "address")),
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
    return _draft_of("2024-07-30", body, contacts) | kept


def read_draft_2024_05_09(body: dict[str, Any]) -> Customer:
    """CreateCustomerRequest / UpdateCustomerRequest. The flat contact fields become contacts:
    `email` (with `contactName`, else the legal name) the PRIMARY contact, each of
    `billingEmails` a STANDARD one, in order. How Sequence maps them is not documented; this
    mapping lets `render` give back exactly what was sent. A replace sets every field, so
    contacts added through 2024-07-30 are replaced too, and a missing telephone is cleared."""
    name = body["contactName"] if body.get("contactName") is not None else body["legalName"]
    emails = [(body["email"], PRIMARY)]
    emails += [(email, STANDARD) for email in body["billingEmails"]]
    contacts = [{"name": name, "email": e, "billingPreference": p} for e, p in emails]
    return _draft_of("2024-05-09", body, contacts) | {"telephone": body.get("telephone")}


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

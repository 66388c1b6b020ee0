"""Deliberate misbehaviour, switched on by name, to prove the contract suite catches it:
`FAULTS` holds the contract breaks below, on which the suite must fail, and the benign
variants in `benign`, which it must pass. Faults apply in the order they are configured."""

import base64
import re
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from copy import deepcopy
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from html import escape
from types import MappingProxyType
from typing import Any, Literal, TypeVar, cast, get_args
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool

from sequence_contract.sandbox.config import UnknownFaultError
from sequence_contract.sandbox.messages import (
    JSON_CONTENT_TYPE,
    UNRECOGNISED_API_VERSION,
    VALIDATION_ERROR,
    VERSION_HEADER,
    ApiError,
    ApiResponse,
    SandboxExchange,
    basic_credentials,
    basic_header,
    internal_error,
    json_bytes,
    raw_response,
)
from sequence_contract.sandbox.store import Clock, Customer, Store, format_timestamp
from sequence_contract.sandbox.versions import (
    CUSTOMER_ARCHIVE,
    CUSTOMERS,
    DEFAULT_VERSION,
    MAX_LIMIT,
    MIN_LIMIT,
    SERVED_VERSIONS,
    match_route,
    resolve_version,
)

# The classes of contract breaks, in the order reports list them. "benign" variants must not
# fail the suite; "reporting" faults leak data for the report tests and break no contract.
ContractKind = Literal[
    "shape", "status", "content", "auth", "version", "ids", "archive", "envelope", "inputs"
]
FaultKind = Literal[ContractKind, "benign", "reporting"]
CONTRACT_KINDS: tuple[ContractKind, ...] = get_args(ContractKind)

OPERATIONS_WITH_ID = frozenset({"getCustomer", "updateCustomer", "archiveCustomer"})
CUSTOMER_OPERATIONS = OPERATIONS_WITH_ID | {"createCustomer"}
WITH_CUSTOMERS = CUSTOMER_OPERATIONS | {"listCustomers"}


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
    before_request: Callable[[SandboxExchange, FaultServices], None] | None = None
    replace_response: (
        Callable[[SandboxExchange, FaultServices], Awaitable[ApiResponse | None]] | None
    ) = None
    transform_response: Callable[[SandboxExchange, ApiResponse], ApiResponse] | None = None
    check_body: Callable[[SandboxExchange, Any], None] | None = None


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
    error = response.body.get("error") if isinstance(response.body, dict) else None
    return error if response.status >= 400 and isinstance(error, dict) else None


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


def without_header(response: ApiResponse, name: str) -> ApiResponse:
    headers = {key: value for key, value in response.headers.items() if key.lower() != name}
    return replace(response, headers=headers)


def customers_in(exchange: SandboxExchange, response: ApiResponse) -> list[dict[str, Any]]:
    """The customer objects of a successful answer: the body, or each list item."""
    body = response.body
    if exchange.operation in CUSTOMER_OPERATIONS:
        return [body]
    if exchange.operation == "listCustomers" and isinstance(body.get("items"), list):
        return [item for item in body["items"] if isinstance(item, dict)]
    return []


def on_success(name: str, kind: FaultKind, operations: Collection[str]) -> Callable[[Hook], Hook]:
    """Register the decorated answer transform as fault `name`, for the successful answers of
    these operations only."""

    def add(change: Hook) -> Hook:
        def transform(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
            if exchange.operation in operations and is_success(response):
                return cast(ApiResponse, change(exchange, response))
            return response

        register(name, kind, change.__doc__, transform_response=transform)
        return change

    return add


def on_error(
    name: str, kind: FaultKind, *, statuses: Collection[int] = (), error_type: str | None = None
) -> Callable[[Hook], Hook]:
    """Register the decorated `change(response, error)` as fault `name`, for error answers in
    the envelope only (of these statuses, of this error type, if given)."""

    def add(change: Hook) -> Hook:
        def transform(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
            error = error_of(response)
            if error is None or (statuses and response.status not in statuses):
                return response
            if error_type is not None and error.get("type") != error_type:
                return response
            return cast(ApiResponse, change(response, error))

        register(name, kind, change.__doc__, transform_response=transform)
        return change

    return add


def edits_customers(
    name: str, kind: FaultKind, operations: Collection[str] = WITH_CUSTOMERS
) -> Callable[[Hook], Hook]:
    """Register a fault that applies the decorated edit to every customer object of a
    successful answer of these operations (on a copy)."""

    def add(edit: Hook) -> Hook:
        def change(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
            copied = replace(response, body=deepcopy(response.body))
            for customer in customers_in(exchange, copied):
                edit(customer)
            return copied

        change.__doc__ = edit.__doc__
        on_success(name, kind, operations)(change)
        return edit

    return add


def edits_list_query(name: str, kind: FaultKind) -> Callable[[Hook], Hook]:
    """Register a fault that applies the decorated edit to the query of every list request."""

    def add(edit: Hook) -> Hook:
        def before(exchange: SandboxExchange, services: FaultServices) -> None:
            if exchange.method == "GET" and match_route(exchange.path) == (CUSTOMERS, {}):
                query = dict(exchange.query)
                edit(query)
                exchange.query = query

        register(name, kind, edit.__doc__, before_request=before)
        return edit

    return add


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


# --- the contract breaks

OTHER_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
STALE_VERSION = "2024-01-01"
UUID_SHAPE = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")
ARCHIVED_STATUS = "ARCHIVED"  # not in the 2024-07-30 enum: the point of the fault
LIST_FILTERS = ("legalName", "email", "alias", "label", "billingStatus")
ECHO_AUTHORIZATION_HEADER = "X-Echo-Authorization"
ECHO_SECRET_HEADER = "X-Echo-Client-Secret"


def archive_method(exchange: SandboxExchange) -> str | None:
    """For a request to the archive path, its version's archive method (POST in 2024-07-30, PUT
    in 2024-05-09), before the version is resolved; else None."""
    matched = match_route(exchange.path)
    if matched is None or matched[0] != CUSTOMER_ARCHIVE:
        return None
    try:
        version = resolve_version(exchange.headers.get("sequence-version"))
    except ApiError:
        return None
    methods = version.methods_for(CUSTOMER_ARCHIVE)
    return methods[0] if methods else None


# --- shape: a required field missing, a wrong type or enum value, a malformed timestamp


@edits_customers("drop-required-field", "shape")
def _without_legal_name(customer: dict[str, Any]) -> None:
    """Customer responses (and list items) lack the required legalName."""
    customer.pop("legalName", None)


@edits_customers("archive-drops-status", "shape", {"archiveCustomer"})
def _without_status(customer: dict[str, Any]) -> None:
    """The archive response lacks the required status; other operations are right."""
    customer.pop("status", None)


@edits_customers("tax-status-lowercase", "shape")
def _lower_tax_status(customer: dict[str, Any]) -> None:
    """taxStatus is sent in lower case ('taxed'), outside its enum, on customers and list
    items."""
    if isinstance(customer.get("taxStatus"), str):
        customer["taxStatus"] = customer["taxStatus"].lower()


@edits_customers("created-at-epoch-millis", "shape", {"getCustomer"})
def _epoch_millis(customer: dict[str, Any]) -> None:
    """GET /customers/{id} gives createdAt as a number (epoch milliseconds), not a string."""
    created = customer.get("createdAt")
    if isinstance(created, str):
        customer["createdAt"] = int(datetime.fromisoformat(created).timestamp() * 1000)


@edits_customers("archived-at-without-offset", "shape")
def _naive_archived_at(customer: dict[str, Any]) -> None:
    """archivedAt is written without a UTC designator ('2024-07-30T12:00:00.123')."""
    archived = customer.get("archivedAt")
    if isinstance(archived, str):
        moment = datetime.fromisoformat(archived).astimezone(UTC)
        # The bug: a naive UTC datetime serialised without its designator.
        customer["archivedAt"] = moment.replace(tzinfo=None).isoformat(timespec="milliseconds")


@edits_customers("address-as-string", "shape", {"archiveCustomer"})
def _address_line(customer: dict[str, Any]) -> None:
    """The archive response gives the address as one formatted string, not an object."""
    address = customer.get("address")
    if isinstance(address, dict):
        customer["address"] = ", ".join(str(value) for value in address.values())


@edits_customers("contacts-as-object", "shape")
def _contacts_by_id(customer: dict[str, Any]) -> None:
    """Customer responses give contacts as an object keyed by contact id, not an array."""
    contacts = customer.get("contacts")
    if isinstance(contacts, list):
        customer["contacts"] = {
            contact.get("id", str(index)): contact for index, contact in enumerate(contacts)
        }


@on_success("list-total-as-string", "shape", {"listCustomers"})
def _total_as_string(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """The list's pagination.totalResultSize is a string ('3'), not an integer."""
    pagination = response.body.get("pagination")
    if not isinstance(pagination, dict) or "totalResultSize" not in pagination:
        return response
    pagination = {**pagination, "totalResultSize": str(pagination["totalResultSize"])}
    return replace(response, body={**response.body, "pagination": pagination})


# --- status: an undocumented success code, a 5xx for a client error, a 2xx for a 4xx


@on_success("create-answers-200", "status", {"createCustomer"})
def _create_answers_200(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """POST /customers answers 200 instead of the documented 201."""
    return replace(response, status=200)


@on_success("archive-answers-204", "status", {"archiveCustomer"})
def _archive_answers_204(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Archive answers 204 No Content (undocumented) instead of 200 with the customer."""
    return raw_response(replace(response, status=204), b"", None)


@on_error("500-on-validation-error", "status", error_type=VALIDATION_ERROR)
def _validation_error_as_500(response: ApiResponse, error: dict[str, Any]) -> ApiResponse:
    """A request that fails validation gets a 500 instead of a 400."""
    return error_answer(response, internal_error())


@edits_list_query("limit-clamped", "status")
def _clamp_limit(query: dict[str, str]) -> None:
    """GET /customers clamps an out-of-range limit into 1..100 and answers 200, not 400."""
    try:
        limit = int(query["limit"])
    except (KeyError, ValueError):
        return
    query["limit"] = str(min(max(limit, MIN_LIMIT), MAX_LIMIT))


@fault("archive-any-method", "status", "before_request")
def _any_method_archives(exchange: SandboxExchange, services: FaultServices) -> None:
    """GET, PUT, PATCH or DELETE on /customers/{id}/archive archive the customer (200), not
    405."""
    method = archive_method(exchange)
    if method is not None and exchange.method in OTHER_METHODS - {method}:
        exchange.method = method  # the router matched the path only


# --- content: a wrong or missing content type, an empty or truncated body, HTML errors


@on_success("text-plain-content-type", "content", CUSTOMER_OPERATIONS)
def _text_plain(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Successful customer answers (create, get, update, archive) say text/plain."""
    return raw_response(response, None, "text/plain; charset=utf-8")


@fault("archive-missing-content-type", "content")
def _no_content_type(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Archive answers (errors included) carry no Content-Type header."""
    if exchange.operation == "archiveCustomer" and response.body is not None:
        return raw_response(response, None, None)
    return response


@on_success("archive-empty-body", "content", {"archiveCustomer"})
def _empty_archive_body(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Archive answers 200 with an empty body (Content-Type still JSON)."""
    return raw_response(response, b"", JSON_CONTENT_TYPE)


@on_success("truncated-customer-body", "content", {"getCustomer"})
def _truncated(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """GET /customers/{id} sends only the first half of the customer's JSON."""
    whole = json_bytes(response.body)
    return raw_response(response, whole[: len(whole) // 2], JSON_CONTENT_TYPE)


@on_error("html-error-pages", "content", statuses=(404, 405))
def _html_error_page(response: ApiResponse, error: dict[str, Any]) -> ApiResponse:
    """404 and 405 answers are an HTML page (as from a gateway), not the JSON envelope."""
    title = f"{response.status} {escape(str(error.get('type', 'Error')))}"
    page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
    return raw_response(response, page.encode(), "text/html; charset=utf-8")


# --- auth: missing or wrong credentials accepted, a 5xx or wrong status for bad ones


@fault("ignore-auth", "auth", "before_request")
def _authorize(exchange: SandboxExchange, services: FaultServices) -> None:
    """Any credentials, or none, are accepted."""
    exchange.headers["authorization"] = basic_header(services.client_id, services.client_secret)


@fault("accept-wrong-secret", "auth", "before_request")
def _secret_not_checked(exchange: SandboxExchange, services: FaultServices) -> None:
    """The client id is checked but any secret is accepted."""
    credentials = basic_credentials(exchange.headers.get("authorization", ""))
    if credentials is not None and credentials[0] == services.client_id:
        _authorize(exchange, services)


@fault("accept-missing-credentials", "auth", "before_request")
def _missing_accepted(exchange: SandboxExchange, services: FaultServices) -> None:
    """A request without Authorization is served (wrong credentials still get 401)."""
    if not exchange.headers.get("authorization", "").strip():
        _authorize(exchange, services)


@fault("archive-skips-auth", "auth", "before_request")
def _archive_unguarded(exchange: SandboxExchange, services: FaultServices) -> None:
    """Archive accepts any credentials or none; the other operations check them."""
    if exchange.method == archive_method(exchange):
        _authorize(exchange, services)


@fault("500-on-missing-auth", "auth")
def _missing_auth_crashes(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """A request without Authorization gets a 500 instead of a 401."""
    if response.status == 401 and not exchange.headers.get("authorization", "").strip():
        return error_answer(response, internal_error())
    return response


@on_error("403-for-bad-credentials", "auth", statuses=(401,))
def _forbidden_not_unauthorized(response: ApiResponse, error: dict[str, Any]) -> ApiResponse:
    """Missing or wrong credentials get 403 Forbidden instead of the documented 401."""
    forbidden = replace(response, status=403, body={"error": {**error, "type": "Forbidden"}})
    return without_header(forbidden, "www-authenticate")


# --- version: unknown values accepted or 5xx, a documented one or none refused, bad echoes


@on_error("500-on-unknown-version", "version", error_type=UNRECOGNISED_API_VERSION)
def _version_error_as_500(response: ApiResponse, error: dict[str, Any]) -> ApiResponse:
    """An unrecognised Sequence-Version gets a 500 instead of a 400."""
    return error_answer(response, internal_error())


@fault("accept-unknown-version", "version", "before_request")
def _unknown_as_latest(exchange: SandboxExchange, services: FaultServices) -> None:
    """An unrecognised Sequence-Version is served as the latest version instead of a 400."""
    if exchange.headers.get("sequence-version", DEFAULT_VERSION) not in SERVED_VERSIONS:
        del exchange.headers["sequence-version"]


@fault(
    "reject-documented-version",
    "version",
    "replace_response",
    f"Archive refuses Sequence-Version {DEFAULT_VERSION} (400) although it documents it.",
)
async def _latest_rejected_on_archive(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    if exchange.operation != "archiveCustomer":
        return None
    if exchange.headers.get("sequence-version") != DEFAULT_VERSION:
        return None
    # The bug: the new POST archive route was not registered for the version it belongs to.
    message = f"Unrecognised Sequence-Version {DEFAULT_VERSION!r} for this operation"
    return ApiError(400, UNRECOGNISED_API_VERSION, message).to_response()


@fault("require-version-header", "version", "replace_response")
async def _header_required(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    """A request without Sequence-Version gets a 400 instead of the latest version."""
    if "sequence-version" in exchange.headers:
        return None
    missing = ApiError(400, "MissingApiVersion", "The Sequence-Version header is required")
    return missing.to_response()


@fault("no-version-echo", "version")
def _without_echo(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """No answer carries the Sequence-Version header."""
    return without_header(response, VERSION_HEADER.lower())


@fault("no-version-echo-on-errors", "version")
def _without_echo_on_errors(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Error answers (4xx, 5xx) carry no Sequence-Version header; successes do."""
    return _without_echo(exchange, response) if response.status >= 400 else response


@fault(
    "stale-version-echo",
    "version",
    description=f"Every answer echoes Sequence-Version {STALE_VERSION}, whatever version "
    "served it.",
)
def _stale_echo(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    return replace(response, headers={**response.headers, VERSION_HEADER: STALE_VERSION})


# --- ids: an unknown id answered, the wrong id in the answer, malformed ids crashing


@fault("unknown-id-answered", "ids", "replace_response")
async def _unknown_id_answered(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    """GET or archive of an id no customer has answers 200 with another customer's data."""
    if exchange.operation not in {"getCustomer", "archiveCustomer"} or exchange.version is None:
        return None
    customer_id = exchange.path_params["id"]
    if await run_in_threadpool(services.store.get, customer_id) is not None:
        return None
    # The bug: a lookup that falls back to the first row when the id matches none.
    found = await run_in_threadpool(services.store.search, {"includeArchived": True})
    if not found:
        return None
    return ApiResponse(200, exchange.version.render_customer({**found[0], "id": customer_id}))


@edits_customers("wrong-id-in-response", "ids", {"archiveCustomer"})
def _contact_id_as_id(customer: dict[str, object]) -> None:
    """The archive answer's id is its first contact's id, not the customer's."""
    contacts = customer.get("contacts")
    if isinstance(contacts, list) and contacts and isinstance(contacts[0], dict):
        customer["id"] = contacts[0].get("id", customer.get("id"))


@fault("500-on-malformed-id", "ids", "replace_response")
async def _malformed_id_crashes(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    """A customer id that is not UUID-shaped gets a 500 instead of a 4xx."""
    if exchange.operation in OPERATIONS_WITH_ID and not UUID_SHAPE.match(
        exchange.path_params.get("id", "")
    ):
        return internal_error().to_response()  # the database's uuid cast failed
    return None


# --- archive: nothing archived or stored, a second archive failing or restamping, listing


def on_archive(name: str) -> Callable[[Hook], Hook]:
    """Register a fault that answers an archive call of an existing customer with the decorated
    `decide(customer, now)`: a customer to show (200), an answer, or None to let the API act."""

    def add(decide: Hook) -> Hook:
        async def answer(exchange: SandboxExchange, services: FaultServices) -> ApiResponse | None:
            if exchange.operation != "archiveCustomer" or exchange.version is None:
                return None
            customer = await run_in_threadpool(services.store.get, exchange.path_params["id"])
            if customer is None:
                return None  # the API answers 404 as usual
            result = decide(customer, format_timestamp(services.clock()))
            if isinstance(result, dict):
                return ApiResponse(200, exchange.version.render_customer(result))
            return cast(ApiResponse | None, result)

        register(name, "archive", decide.__doc__, replace_response=answer)
        return decide

    return add


@on_archive("archive-not-persisted")
def _archive_without_storing(customer: Customer, now: str) -> Customer:
    """Archive answers with archivedAt set but stores nothing."""
    return customer if customer.get("archivedAt") else {**customer, "archivedAt": now}


@on_archive("archive-does-nothing")
def _archive_nothing(customer: Customer, now: str) -> Customer:
    """Archive answers 200 with the customer as it was: no archivedAt, nothing stored."""
    return customer


@on_archive("second-archive-fails")
def _second_archive_crashes(customer: Customer, now: str) -> ApiResponse | None:
    """Archiving an archived customer answers 500."""
    if customer.get("archivedAt") is None:
        return None
    return internal_error().to_response()  # e.g. a unique constraint on the archive row


@on_archive("second-archive-moves-archived-at")
def _second_archive_restamps(customer: Customer, now: str) -> Customer | None:
    """Archiving an archived customer answers a new archivedAt instead of the first one."""
    # The bug: the answer is stamped with this call's time, not the stored first archive's
    # (within the same millisecond nothing visibly moves).
    if customer.get("archivedAt") in (None, now):
        return None
    return {**customer, "archivedAt": now}


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


# --- envelope: a field missing, no envelope, wrong detail shapes, a renamed error type


@on_error("error-without-message", "envelope")
def _without_message(response: ApiResponse, error: dict[str, Any]) -> ApiResponse:
    """Error answers lack the required error.message."""
    return replace(response, body={"error": {k: v for k, v in error.items() if k != "message"}})


@on_error("error-not-enveloped", "envelope")
def _flat(response: ApiResponse, error: dict[str, Any]) -> ApiResponse:
    """Error answers are a flat {type, message} object, without the error envelope."""
    return replace(response, body=dict(error))


def _detail_line(detail: Any) -> str:
    if not isinstance(detail, dict):
        return str(detail)
    key = detail.get("key")
    return f"{key}: {detail.get('message', '')}" if key else str(detail.get("message", ""))


@on_error("error-details-as-strings", "envelope", error_type=VALIDATION_ERROR)
def _details_as_strings(response: ApiResponse, error: dict[str, Any]) -> ApiResponse:
    """Validation errors list their details as plain strings, not {code, message, key}."""
    return with_error(response, errors=[_detail_line(detail) for detail in error["errors"]])


@on_error("version-error-renamed", "envelope", error_type=UNRECOGNISED_API_VERSION)
def _renamed_version_error(response: ApiResponse, error: dict[str, Any]) -> ApiResponse:
    """An unknown Sequence-Version is refused with type InvalidVersion, not the documented
    UnrecognisedApiVersion."""
    return with_error(response, type="InvalidVersion")


# --- inputs: each shows only for one category of input, as real defects do, so a suite
# that never sends that input passes.


@on_success("astral-legal-name-500", "inputs", WITH_CUSTOMERS)
def _astral_name_crash(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """A customer whose legalName has a character beyond the Basic Multilingual Plane (an
    emoji) is stored, but every answer that shows it is a 500."""
    for customer in customers_in(exchange, response):
        name = customer.get("legalName")
        if isinstance(name, str) and any(ord(char) > 0xFFFF for char in name):
            return error_answer(response, internal_error())
    return response


@edits_customers("non-ascii-label-mangled", "inputs")
def _ascii_only(customer: dict[str, Any]) -> None:
    """A label's characters outside ASCII come back as '?'."""
    if isinstance(customer.get("label"), str):
        customer["label"] = customer["label"].encode("ascii", "replace").decode()


@edits_customers("long-legal-name-truncated", "inputs")
def _cut(customer: dict[str, Any]) -> None:
    """A legalName longer than 100 characters comes back cut to 100."""
    if isinstance(customer.get("legalName"), str):
        customer["legalName"] = customer["legalName"][:100]


@edits_customers("reverse-charged-as-taxed", "inputs")
def _taxed(customer: dict[str, Any]) -> None:
    """taxStatus REVERSE_CHARGED comes back as TAXED (the other values are kept)."""
    if customer.get("taxStatus") == "REVERSE_CHARGED":
        customer["taxStatus"] = "TAXED"


@edits_customers("none-billing-contacts-dropped", "inputs")
def _without_none_contacts(customer: dict[str, Any]) -> None:
    """Contacts with billingPreference NONE are left out of customer answers."""
    contacts = customer.get("contacts")
    if isinstance(contacts, list):
        customer["contacts"] = [
            c
            for c in contacts
            if not (isinstance(c, dict) and c.get("billingPreference") == "NONE")
        ]


@edits_customers("custom-properties-lost-with-label", "inputs")
def _properties_lost_with_label(customer: dict[str, Any]) -> None:
    """customProperties come back empty when the customer also has a label."""
    if customer.get("label") and customer.get("customProperties"):
        customer["customProperties"] = {}


@edits_customers("line2-lost-on-update", "inputs", {"updateCustomer"})
def _without_line2(customer: dict[str, Any]) -> None:
    """An update's answer leaves out address.line2 (create, get and list keep it)."""
    address = customer.get("address")
    if isinstance(address, dict):
        address.pop("line2", None)


@edits_list_query("limit-101-accepted", "inputs")
def _limit_101_accepted(query: dict[str, str]) -> None:
    """GET /customers?limit=101 is answered as limit=100 instead of refused with 400."""
    if query.get("limit") == "101":
        query["limit"] = "100"


@edits_list_query("sort-ascending-ignored", "inputs")
def _ascending_ignored(query: dict[str, str]) -> None:
    """GET /customers?sortOrder=ASC is answered newest first, as DESC."""
    if query.get("sortOrder") == "ASC":
        query["sortOrder"] = "DESC"


@edits_list_query("include-archived-ignored-with-filter", "inputs")
def _archived_ignored_with_filter(query: dict[str, str]) -> None:
    """GET /customers?includeArchived=true leaves archived customers out when another filter
    (legalName, email, alias, label, billingStatus) is given."""
    if any(query.get(name) for name in LIST_FILTERS):
        query.pop("includeArchived", None)


# --- reporting: a server that leaks what it received (no contract broken), so that the
# report tests can prove the reports mask it.


@fault("echo-credentials", "reporting")
def _echo_credentials(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Every answer echoes the credentials it received in headers; error bodies repeat the
    secret plain and base64-encoded."""
    authorization = exchange.headers.get("authorization", "")
    if not authorization:
        return response
    # A token of another scheme counts as the secret.
    token = authorization.strip().partition(" ")[2].strip()
    client_id, secret = basic_credentials(authorization) or ("", token)
    headers = {ECHO_AUTHORIZATION_HEADER: authorization, ECHO_SECRET_HEADER: quote(secret, safe="")}
    echoed = replace(response, headers={**response.headers, **headers})
    error = error_of(response)
    if error is None:
        return echoed
    echo = {
        "authorization": authorization,
        "clientId": client_id,
        "clientSecret": secret,
        "clientSecretBase64": base64.b64encode(secret.encode()).decode("ascii"),
    }
    message = f"{error.get('message', '')} (received secret {secret})"
    return with_error(echoed, message=message, echo=echo)


# Importing the module registers the benign variants.
from sequence_contract.sandbox.faults import benign  # noqa: E402, F401

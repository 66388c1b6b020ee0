"""Ids: an unknown id answered as if it existed, the wrong id in the answer, malformed ids
crashing the server."""

import re

from starlette.concurrency import run_in_threadpool

from sequence_contract.sandbox.errors import internal_error
from sequence_contract.sandbox.exchange import SandboxExchange
from sequence_contract.sandbox.faults.model import (
    OPERATIONS_WITH_ID,
    Fault,
    FaultServices,
    edit_customers,
    on_operations,
)
from sequence_contract.sandbox.responses import ApiResponse
from sequence_contract.sandbox.store import Customer

UUID_SHAPE = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")


async def _unknown_id_answered(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    if exchange.operation not in {"getCustomer", "archiveCustomer"} or exchange.version is None:
        return None
    customer_id = exchange.path_params["id"]
    if await run_in_threadpool(services.store.get, customer_id) is not None:
        return None

    def any_customer() -> Customer | None:
        found = services.store.search({"includeArchived": True})
        return found[0] if found else None

    # The bug: a lookup that falls back to the first row when the id matches none.
    fallback = await run_in_threadpool(any_customer)
    if fallback is None:
        return None
    return ApiResponse(200, exchange.version.render_customer({**fallback, "id": customer_id}))


def _contact_id_as_id(customer: dict[str, object]) -> None:
    contacts = customer.get("contacts")
    if isinstance(contacts, list) and contacts and isinstance(contacts[0], dict):
        customer["id"] = contacts[0].get("id", customer.get("id"))


def _wrong_id(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    return edit_customers(exchange, response, _contact_id_as_id)


async def _malformed_id_crashes(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    if exchange.operation in OPERATIONS_WITH_ID and not UUID_SHAPE.match(
        exchange.path_params.get("id", "")
    ):
        return internal_error().to_response()  # the database's uuid cast failed
    return None


FAULTS = (
    Fault(
        "unknown-id-answered",
        "ids",
        "GET or archive of an id no customer has answers 200 with another customer's data.",
        replace_response=_unknown_id_answered,
    ),
    Fault(
        "wrong-id-in-response",
        "ids",
        "The archive answer's id is its first contact's id, not the customer's.",
        transform_response=on_operations(frozenset({"archiveCustomer"}), _wrong_id),
    ),
    Fault(
        "500-on-malformed-id",
        "ids",
        "A customer id that is not UUID-shaped gets a 500 instead of a 4xx.",
        replace_response=_malformed_id_crashes,
    ),
)

"""Ids: an unknown id answered as if it existed, the wrong id in the answer, malformed ids
crashing the server."""

import re

from starlette.concurrency import run_in_threadpool

from sequence_contract.sandbox.errors import internal_error
from sequence_contract.sandbox.faults.model import (
    OPERATIONS_WITH_ID,
    FaultServices,
    edits_customers,
    fault,
)
from sequence_contract.sandbox.messages import ApiResponse, SandboxExchange

UUID_SHAPE = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")


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

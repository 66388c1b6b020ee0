"""Response shape: a required field missing, a wrong type, a value outside its enum, a
malformed timestamp, a wrong nested type."""

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sequence_contract.sandbox.faults.model import edits_customers, fault, is_success
from sequence_contract.sandbox.messages import ApiResponse, SandboxExchange


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


@fault("list-total-as-string", "shape")
def _total_as_string(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """The list's pagination.totalResultSize is a string ('3'), not an integer."""
    pagination = response.body.get("pagination") if is_success(response) else None
    if exchange.operation != "listCustomers" or not isinstance(pagination, dict):
        return response
    if "totalResultSize" not in pagination:
        return response
    pagination = {**pagination, "totalResultSize": str(pagination["totalResultSize"])}
    return replace(response, body={**response.body, "pagination": pagination})

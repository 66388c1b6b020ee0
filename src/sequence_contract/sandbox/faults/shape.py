"""Response shape: a required field missing, a wrong type, a value outside its enum, a
malformed timestamp, a wrong nested type."""

from datetime import UTC, datetime
from typing import Any

from sequence_contract.sandbox.exchange import SandboxExchange
from sequence_contract.sandbox.faults.model import (
    Fault,
    edit_customers,
    is_success,
    on_operations,
    with_body_copy,
)
from sequence_contract.sandbox.responses import ApiResponse


def _without_legal_name(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    return edit_customers(exchange, response, lambda customer: customer.pop("legalName", None))


def _without_status(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    return edit_customers(exchange, response, lambda customer: customer.pop("status", None))


def _lower_tax_status(customer: dict[str, Any]) -> None:
    if isinstance(customer.get("taxStatus"), str):
        customer["taxStatus"] = customer["taxStatus"].lower()


def _tax_status_lowercase(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    return edit_customers(exchange, response, _lower_tax_status)


def _epoch_millis(customer: dict[str, Any]) -> None:
    created = customer.get("createdAt")
    if isinstance(created, str):
        customer["createdAt"] = int(datetime.fromisoformat(created).timestamp() * 1000)


def _created_at_epoch(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    return edit_customers(exchange, response, _epoch_millis)


def _naive_archived_at(customer: dict[str, Any]) -> None:
    archived = customer.get("archivedAt")
    if isinstance(archived, str):
        moment = datetime.fromisoformat(archived).astimezone(UTC)
        # The bug: a naive UTC datetime serialised without its designator.
        customer["archivedAt"] = moment.replace(tzinfo=None).isoformat(timespec="milliseconds")


def _archived_at_without_offset(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    return edit_customers(exchange, response, _naive_archived_at)


def _address_line(customer: dict[str, Any]) -> None:
    address = customer.get("address")
    if isinstance(address, dict):
        customer["address"] = ", ".join(str(value) for value in address.values())


def _address_as_string(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    return edit_customers(exchange, response, _address_line)


def _contacts_by_id(customer: dict[str, Any]) -> None:
    contacts = customer.get("contacts")
    if isinstance(contacts, list):
        customer["contacts"] = {
            contact.get("id", str(index)): contact for index, contact in enumerate(contacts)
        }


def _contacts_as_object(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    return edit_customers(exchange, response, _contacts_by_id)


def _total_as_string(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    if not is_success(response) or not isinstance(response.body.get("pagination"), dict):
        return response
    copied = with_body_copy(response)
    pagination = copied.body["pagination"]
    if "totalResultSize" in pagination:
        pagination["totalResultSize"] = str(pagination["totalResultSize"])
    return copied


FAULTS = (
    Fault(
        "drop-required-field",
        "shape",
        "Customer responses (and list items) lack the required legalName.",
        transform_response=_without_legal_name,
    ),
    Fault(
        "archive-drops-status",
        "shape",
        "The archive response lacks the required status; other operations are right.",
        transform_response=on_operations(frozenset({"archiveCustomer"}), _without_status),
    ),
    Fault(
        "tax-status-lowercase",
        "shape",
        "taxStatus is sent in lower case ('taxed'), outside its enum, on customers and list items.",
        transform_response=_tax_status_lowercase,
    ),
    Fault(
        "created-at-epoch-millis",
        "shape",
        "GET /customers/{id} gives createdAt as a number (epoch milliseconds), not a string.",
        transform_response=on_operations(frozenset({"getCustomer"}), _created_at_epoch),
    ),
    Fault(
        "archived-at-without-offset",
        "shape",
        "archivedAt is written without a UTC designator ('2024-07-30T12:00:00.123').",
        transform_response=_archived_at_without_offset,
    ),
    Fault(
        "address-as-string",
        "shape",
        "The archive response gives the address as one formatted string, not an object.",
        transform_response=on_operations(frozenset({"archiveCustomer"}), _address_as_string),
    ),
    Fault(
        "contacts-as-object",
        "shape",
        "Customer responses give contacts as an object keyed by contact id, not an array.",
        transform_response=_contacts_as_object,
    ),
    Fault(
        "list-total-as-string",
        "shape",
        "The list's pagination.totalResultSize is a string ('3'), not an integer.",
        transform_response=on_operations(frozenset({"listCustomers"}), _total_as_string),
    ),
)

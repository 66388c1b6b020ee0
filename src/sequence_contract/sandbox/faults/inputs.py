"""Input-dependent faults: each shows only for one category of input (a character class, a
length boundary, an enum value, an optional field present, a query value), as real defects do.
Every other request is answered correctly, so a suite that never sends that input passes."""

from collections.abc import Callable
from typing import Any

from sequence_contract.sandbox.exchange import SandboxExchange
from sequence_contract.sandbox.faults.model import (
    Fault,
    FaultServices,
    crashed,
    customers_in,
    edit_customers,
    on_operations,
)
from sequence_contract.sandbox.responses import ApiResponse

TRUNCATED_LENGTH = 100
LIST_FILTERS = ("legalName", "email", "alias", "label", "billingStatus")


def _beyond_bmp(text: object) -> bool:
    return isinstance(text, str) and any(ord(char) > 0xFFFF for char in text)


def _astral_name_crash(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    if any(_beyond_bmp(c.get("legalName")) for c in customers_in(exchange, response)):
        return crashed(response)
    return response


def _edit_field(name: str, edit: Callable[[Any], Any]) -> Callable[[dict[str, Any]], None]:
    def apply(customer: dict[str, Any]) -> None:
        if name in customer:
            customer[name] = edit(customer[name])

    return apply


def _transform(edit: Callable[[dict[str, Any]], None]) -> Callable[..., ApiResponse]:
    def transform(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
        return edit_customers(exchange, response, edit)

    return transform


def _ascii_only(label: Any) -> Any:
    return label.encode("ascii", "replace").decode() if isinstance(label, str) else label


def _cut(name: Any) -> Any:
    return name[:TRUNCATED_LENGTH] if isinstance(name, str) else name


def _taxed(status: Any) -> Any:
    return "TAXED" if status == "REVERSE_CHARGED" else status


def _without_none_contacts(contacts: Any) -> Any:
    if not isinstance(contacts, list):
        return contacts
    return [
        c for c in contacts if not (isinstance(c, dict) and c.get("billingPreference") == "NONE")
    ]


def _properties_lost_with_label(customer: dict[str, Any]) -> None:
    if customer.get("label") and customer.get("customProperties"):
        customer["customProperties"] = {}


def _without_line2(customer: dict[str, Any]) -> None:
    address = customer.get("address")
    if isinstance(address, dict):
        address.pop("line2", None)


def _query_edit(
    edit: Callable[[dict[str, str]], None],
) -> Callable[[SandboxExchange, FaultServices], None]:
    def before(exchange: SandboxExchange, services: FaultServices) -> None:
        if exchange.method == "GET" and exchange.path.rstrip("/").endswith("/customers"):
            query = dict(exchange.query)
            edit(query)
            exchange.query = query

    return before


def _limit_101_accepted(query: dict[str, str]) -> None:
    if query.get("limit") == "101":
        query["limit"] = "100"


def _ascending_ignored(query: dict[str, str]) -> None:
    if query.get("sortOrder") == "ASC":
        query["sortOrder"] = "DESC"


def _archived_ignored_with_filter(query: dict[str, str]) -> None:
    if any(query.get(name) for name in LIST_FILTERS):
        query.pop("includeArchived", None)


FAULTS = (
    Fault(
        "astral-legal-name-500",
        "inputs",
        "A customer whose legalName has a character beyond the Basic Multilingual Plane "
        "(an emoji) is stored, but every answer that shows it is a 500.",
        transform_response=_astral_name_crash,
    ),
    Fault(
        "non-ascii-label-mangled",
        "inputs",
        "A label's characters outside ASCII come back as '?'.",
        transform_response=_transform(_edit_field("label", _ascii_only)),
    ),
    Fault(
        "long-legal-name-truncated",
        "inputs",
        f"A legalName longer than {TRUNCATED_LENGTH} characters comes back cut to "
        f"{TRUNCATED_LENGTH}.",
        transform_response=_transform(_edit_field("legalName", _cut)),
    ),
    Fault(
        "reverse-charged-as-taxed",
        "inputs",
        "taxStatus REVERSE_CHARGED comes back as TAXED (the other values are kept).",
        transform_response=_transform(_edit_field("taxStatus", _taxed)),
    ),
    Fault(
        "none-billing-contacts-dropped",
        "inputs",
        "Contacts with billingPreference NONE are left out of customer answers.",
        transform_response=_transform(_edit_field("contacts", _without_none_contacts)),
    ),
    Fault(
        "custom-properties-lost-with-label",
        "inputs",
        "customProperties come back empty when the customer also has a label.",
        transform_response=_transform(_properties_lost_with_label),
    ),
    Fault(
        "line2-lost-on-update",
        "inputs",
        "An update's answer leaves out address.line2 (create, get and list keep it).",
        transform_response=on_operations(frozenset({"updateCustomer"}), _transform(_without_line2)),
    ),
    Fault(
        "limit-101-accepted",
        "inputs",
        "GET /customers?limit=101 is answered as limit=100 instead of refused with 400.",
        before_request=_query_edit(_limit_101_accepted),
    ),
    Fault(
        "sort-ascending-ignored",
        "inputs",
        "GET /customers?sortOrder=ASC is answered newest first, as DESC.",
        before_request=_query_edit(_ascending_ignored),
    ),
    Fault(
        "include-archived-ignored-with-filter",
        "inputs",
        "GET /customers?includeArchived=true leaves archived customers out when another filter "
        "(legalName, email, alias, label, billingStatus) is given.",
        before_request=_query_edit(_archived_ignored_with_filter),
    ),
)

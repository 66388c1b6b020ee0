"""Input-dependent faults: each shows only for one category of input (a character class, a
length boundary, an enum value, an optional field present, a query value), as real defects do.
Every other request is answered correctly, so a suite that never sends that input passes."""

from typing import Any

from sequence_contract.sandbox.faults.model import (
    crashed,
    customers_in,
    edits_customers,
    edits_list_query,
    fault,
)
from sequence_contract.sandbox.messages import ApiResponse, SandboxExchange

LIST_FILTERS = ("legalName", "email", "alias", "label", "billingStatus")


@fault("astral-legal-name-500", "inputs")
def _astral_name_crash(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """A customer whose legalName has a character beyond the Basic Multilingual Plane (an
    emoji) is stored, but every answer that shows it is a 500."""
    for customer in customers_in(exchange, response):
        name = customer.get("legalName")
        if isinstance(name, str) and any(ord(char) > 0xFFFF for char in name):
            return crashed(response)
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

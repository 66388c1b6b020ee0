"""The 2024-07-30 representation of a stored customer.

Keys in the documented order; optional fields omitted when unset (nothing is nullable).
"""

from typing import Any

from sequence_contract.sandbox.models import (
    Address,
    Contact,
    CustomerRecord,
    IntegrationLink,
    Organization,
)


def _optional(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        target[key] = value


def render_address(address: Address) -> dict[str, Any]:
    out: dict[str, Any] = {"line1": address.line1}
    _optional(out, "line2", address.line2)
    out["town"] = address.town
    _optional(out, "state", address.state)
    out["postcode"] = address.postcode
    out["country"] = address.country
    return out


def render_organization(organization: Organization) -> dict[str, Any]:
    return {
        "id": organization.id,
        "owner": {"id": organization.owner.id, "name": organization.owner.name},
        "members": [{"id": m.id, "name": m.name} for m in organization.members],
    }


def render_integration(link: IntegrationLink) -> dict[str, Any]:
    out: dict[str, Any] = {"service": link.service, "id": link.external_id}
    _optional(out, "lastSynced", link.last_synced)
    out["isPending"] = link.is_pending
    return out


def render_contact(contact: Contact) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": contact.id,
        "name": contact.name,
        "email": contact.email,
        "billingPreference": contact.billing_preference,
        "createdAt": contact.created_at,
        "updatedAt": contact.updated_at,
    }
    _optional(out, "archivedAt", contact.archived_at)
    return out


def _render(record: CustomerRecord, *, full: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": record.id,
        "createdAt": record.created_at,
        "organizations": [render_organization(o) for o in record.organizations],
        "legalName": record.legal_name,
        "address": render_address(record.address),
    }
    _optional(out, "url", record.url)
    _optional(out, "domain", record.domain)
    _optional(out, "label", record.label)
    out["integrationIds"] = [render_integration(link) for link in record.integration_ids]
    _optional(out, "archivedAt", record.archived_at)
    out["taxStatus"] = record.tax_status
    if full:
        out["contacts"] = [render_contact(c) for c in record.contacts]
        out["status"] = record.status
    out["customProperties"] = dict(record.custom_properties)
    return out


def render_customer(record: CustomerRecord) -> dict[str, Any]:
    """A Customer (create, get, update, archive)."""
    return _render(record, full=True)


def render_list_item(record: CustomerRecord) -> dict[str, Any]:
    """A ListCustomerResponseModel: a Customer without contacts and status."""
    return _render(record, full=False)

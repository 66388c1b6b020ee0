"""Stored customers in each version's representation: keys in the documented order, unset
optional fields omitted (nothing is nullable).

2024-05-09 has flat contact fields, a view of the version-neutral contacts: `email` and
`contactName` come from the primary contact, `billingEmails` from the standard ones (see
`versions.read_draft_2024_05_09`). A customer without a primary contact (possible through
2024-07-30) shows its first active contact, or an empty `email`, which the version requires.
"""

from typing import Any

from sequence_contract.sandbox.models import Address, Contact, CustomerRecord, IntegrationLink

PRIMARY, STANDARD = "PRIMARY", "STANDARD"


def _optional(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        target[key] = value


def _address(address: Address) -> dict[str, Any]:
    out: dict[str, Any] = {"line1": address.line1}
    _optional(out, "line2", address.line2)
    out["town"] = address.town
    _optional(out, "state", address.state)
    out["postcode"] = address.postcode
    out["country"] = address.country
    return out


def _integration(link: IntegrationLink, *, pending: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"service": link.service, "id": link.external_id}
    _optional(out, "lastSynced", link.last_synced)
    if pending:  # 2024-05-09 has no isPending
        out["isPending"] = link.is_pending
    return out


def _contact(contact: Contact) -> dict[str, Any]:
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


def _customer_2024_07_30(record: CustomerRecord, *, full: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": record.id,
        "createdAt": record.created_at,
        "organizations": [
            {
                "id": org.id,
                "owner": {"id": org.owner.id, "name": org.owner.name},
                "members": [{"id": m.id, "name": m.name} for m in org.members],
            }
            for org in record.organizations
        ],
        "legalName": record.legal_name,
        "address": _address(record.address),
    }
    _optional(out, "url", record.url)
    _optional(out, "domain", record.domain)
    _optional(out, "label", record.label)
    out["integrationIds"] = [_integration(link, pending=True) for link in record.integration_ids]
    _optional(out, "archivedAt", record.archived_at)
    out["taxStatus"] = record.tax_status
    if full:
        out["contacts"] = [_contact(c) for c in record.contacts]
        out["status"] = record.status
    out["customProperties"] = dict(record.custom_properties)
    return out


def customer_2024_07_30(record: CustomerRecord) -> dict[str, Any]:
    """A Customer (create, get, update, archive)."""
    return _customer_2024_07_30(record, full=True)


def list_item_2024_07_30(record: CustomerRecord) -> dict[str, Any]:
    """A ListCustomerResponseModel: a Customer without contacts and status."""
    return _customer_2024_07_30(record, full=False)


def customer_2024_05_09(record: CustomerRecord) -> dict[str, Any]:
    """A Customer20240509 (lists show full customers in this version)."""
    active = [c for c in record.contacts if c.archived_at is None]
    primary = [c for c in active if c.billing_preference == PRIMARY]
    main = next(iter(primary or active or record.contacts), None)
    out: dict[str, Any] = {
        "id": record.id,
        "createdAt": record.created_at,
        "legalName": record.legal_name,
    }
    _optional(out, "contactName", main.name if main is not None else None)
    out["address"] = _address(record.address)
    out["email"] = main.email if main is not None else ""
    _optional(out, "telephone", record.telephone)
    _optional(out, "url", record.url)
    _optional(out, "label", record.label)
    out["integrationIds"] = [_integration(link, pending=False) for link in record.integration_ids]
    _optional(out, "archivedAt", record.archived_at)
    out["billingEmails"] = [c.email for c in active if c.billing_preference == STANDARD]
    out["taxStatus"] = record.tax_status
    return out

"""The 2024-05-09 representation of a stored customer (lists show full customers).

`email` and `contactName` come from the primary contact, `billingEmails` from the standard
contacts (see `body.py`). A customer without a primary contact (possible through other
versions or imports) shows its first active contact, or an empty `email`: the field is
required in this version.
"""

from typing import Any

from sequence_contract.sandbox.models import Contact, CustomerRecord, IntegrationLink
from sequence_contract.sandbox.versions.v2024_05_09.body import PRIMARY, STANDARD
from sequence_contract.sandbox.versions.v2024_07_30.render import render_address


def _optional(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        target[key] = value


def _main_contact(contacts: tuple[Contact, ...]) -> Contact | None:
    active = [c for c in contacts if c.archived_at is None]
    primary = [c for c in active if c.billing_preference == PRIMARY]
    return next(iter(primary or active or contacts), None)


def _render_integration(link: IntegrationLink) -> dict[str, Any]:
    # No isPending in this version.
    out: dict[str, Any] = {"service": link.service, "id": link.external_id}
    _optional(out, "lastSynced", link.last_synced)
    return out


def render_customer(record: CustomerRecord) -> dict[str, Any]:
    """A Customer20240509, keys in the documented order, unset optional fields omitted."""
    main = _main_contact(record.contacts)
    out: dict[str, Any] = {
        "id": record.id,
        "createdAt": record.created_at,
        "legalName": record.legal_name,
    }
    _optional(out, "contactName", main.name if main is not None else None)
    out["address"] = render_address(record.address)
    out["email"] = main.email if main is not None else ""
    _optional(out, "telephone", record.telephone)
    _optional(out, "url", record.url)
    _optional(out, "label", record.label)
    out["integrationIds"] = [_render_integration(link) for link in record.integration_ids]
    _optional(out, "archivedAt", record.archived_at)
    out["billingEmails"] = [
        c.email
        for c in record.contacts
        if c.billing_preference == STANDARD and c.archived_at is None
    ]
    out["taxStatus"] = record.tax_status
    return out

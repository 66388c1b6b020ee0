"""Stored customers in each version's representation, shaped by the version's own schema.

A record becomes one version-neutral document holding every field any version shows; the
version's schema (`customer`, `list-customer-item`) then picks its fields, in the schema's
order, at every level. Unset optional fields are omitted (nothing is nullable).

2024-05-09's flat contact fields are a view of the contacts: `email` and `contactName` come
from the primary contact, `billingEmails` from the standard ones (see
`versions.read_draft_2024_05_09`). A customer without a primary contact (possible through
2024-07-30) shows its first active contact, or an empty `email`, which that version requires.
"""

from dataclasses import asdict
from functools import cache
from typing import Any

from sequence_contract import schemas
from sequence_contract.sandbox.models import CustomerRecord

PRIMARY, STANDARD = "PRIMARY", "STANDARD"

# The fields an object shows, each with its own shape; [shape] for an array's items; None
# for a value shown as it is.
Shape = dict[str, "Shape"] | list["Shape"] | None


def _shape_of(schema: Any, resolver: Any) -> Shape:  # a referencing Resolver
    while isinstance(schema, dict) and "$ref" in schema:
        found = resolver.lookup(schema["$ref"])
        schema, resolver = found.contents, found.resolver
    if not isinstance(schema, dict):
        return None
    if "properties" in schema:
        return {name: _shape_of(sub, resolver) for name, sub in schema["properties"].items()}
    if "items" in schema:
        return [_shape_of(schema["items"], resolver)]
    return None


@cache
def _shape(version: str, name: str) -> Shape:
    uri = (schemas.schemas_root() / version / f"{name}.schema.json").as_uri()
    resolver = schemas.registry(version).resolver(uri)
    return _shape_of(resolver.lookup(uri).contents, resolver)


def _fit(value: Any, shape: Shape) -> Any:
    if isinstance(shape, dict) and isinstance(value, dict):
        return {
            key: _fit(value[key], sub) for key, sub in shape.items() if value.get(key) is not None
        }
    if isinstance(shape, list) and isinstance(value, list | tuple):
        return [_fit(item, shape[0]) for item in value]
    return value


def _neutral(record: CustomerRecord) -> dict[str, Any]:
    active = [c for c in record.contacts if c.archived_at is None]
    primary = [c for c in active if c.billing_preference == PRIMARY]
    main = next(iter(primary or active or record.contacts), None)
    return {
        "id": record.id,
        "createdAt": record.created_at,
        "organizations": [asdict(organization) for organization in record.organizations],
        "legalName": record.legal_name,
        "contactName": main.name if main is not None else None,
        "address": asdict(record.address),
        "email": main.email if main is not None else "",
        "telephone": record.telephone,
        "url": record.url,
        "domain": record.domain,
        "label": record.label,
        "integrationIds": [
            {
                "service": link.service,
                "id": link.external_id,
                "isPending": link.is_pending,
                "lastSynced": link.last_synced,
            }
            for link in record.integration_ids
        ],
        "archivedAt": record.archived_at,
        "billingEmails": [c.email for c in active if c.billing_preference == STANDARD],
        "taxStatus": record.tax_status,
        "contacts": [
            {
                "id": contact.id,
                "name": contact.name,
                "email": contact.email,
                "billingPreference": contact.billing_preference,
                "createdAt": contact.created_at,
                "updatedAt": contact.updated_at,
                "archivedAt": contact.archived_at,
            }
            for contact in record.contacts
        ],
        "status": record.status,
        "customProperties": dict(record.custom_properties),
    }


def render(version: str, schema: str, record: CustomerRecord) -> dict[str, Any]:
    """`record` as the version's `schema` ("customer" or "list-customer-item") shows it."""
    shown: dict[str, Any] = _fit(_neutral(record), _shape(version, schema))
    return shown

"""Stored customers in each version's representation, shaped by the version's own schema.

The stored document, with 2024-05-09's flat contact fields added, holds every field any
version shows; the version's schema (`customer`, `list-customer-item`) then picks its fields,
in the schema's order, at every level. Unset optional fields are omitted (nothing is nullable).

2024-05-09's flat contact fields are a view of the contacts: `email` and `contactName` come
from the primary contact, `billingEmails` from the standard ones (see
`versions.read_draft_2024_05_09`). A customer without a primary contact (possible through
2024-07-30) shows its first active contact, or an empty `email`, which that version requires.
"""

from functools import cache
from typing import Any

from sequence_contract import schemas
from sequence_contract.sandbox.store import Customer

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


def _neutral(customer: Customer) -> dict[str, Any]:
    """The stored document plus 2024-05-09's flat contact fields."""
    contacts = customer["contacts"]
    active = [c for c in contacts if c.get("archivedAt") is None]
    primary = [c for c in active if c["billingPreference"] == PRIMARY]
    main = next(iter(primary or active or contacts), None)
    return {
        **customer,
        "contactName": main["name"] if main else None,
        "email": main["email"] if main else "",
        "billingEmails": [c["email"] for c in active if c["billingPreference"] == STANDARD],
    }


def render(version: str, schema: str, customer: Customer) -> dict[str, Any]:
    """`customer` as the version's `schema` ("customer" or "list-customer-item") shows it."""
    shown: dict[str, Any] = _fit(_neutral(customer), _shape(version, schema))
    return shown

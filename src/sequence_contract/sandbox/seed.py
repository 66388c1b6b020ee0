"""The documented example customer, written once into a new database.

The customer is the example of the 2024-07-30 OpenAPI document (one source with the docs).
It belongs to an organization owned by a customer whose other details the docs never show:
the sandbox seeds that owner with made-up details so the organization is real. The example
is seeded not archived (the docs show it archived only as the answer to the archive call), so
that a first archive of it behaves like any other.
"""

from dataclasses import replace

from sequence_contract import schemas
from sequence_contract.sandbox.models import Address, Contact, CustomerRecord, IntegrationLink
from sequence_contract.sandbox.store import ImportEntry, Store

EXAMPLE_VERSION = "2024-07-30"
OWNER_CREATED_AT = "2020-11-30T09:00:00Z"  # made up, like the owner's contact


def example_records() -> tuple[ImportEntry, ImportEntry]:
    """The owner, then the documented customer as its child."""
    doc = schemas.load_openapi(EXAMPLE_VERSION)["components"]["examples"]["Customer"]["value"]
    organization = doc["organizations"][0]
    customer = CustomerRecord(
        id=doc["id"],
        seq=0,
        created_at=doc["createdAt"],
        updated_at=doc["createdAt"],
        legal_name=doc["legalName"],
        address=Address(**doc["address"]),
        url=doc["url"],
        domain=doc["domain"],
        label=doc["label"],
        tax_status=doc["taxStatus"],
        status=doc["status"],
        contacts=tuple(
            Contact(
                c["id"],
                c["name"],
                c["email"],
                c["billingPreference"],
                c["createdAt"],
                c["updatedAt"],
                c.get("archivedAt"),
            )
            for c in doc["contacts"]
        ),
        integration_ids=tuple(
            IntegrationLink(link["service"], link["id"], link["isPending"], link["lastSynced"])
            for link in doc["integrationIds"]
        ),
        custom_properties=doc["customProperties"],
        aliases=(),
        organizations=(),
    )
    # The owner shares the example's address and tax status; the rest is made up.
    owner = replace(
        customer,
        id=organization["owner"]["id"],
        legal_name=organization["owner"]["name"],
        created_at=OWNER_CREATED_AT,
        updated_at=OWNER_CREATED_AT,
        url=None,
        domain=None,
        label=None,
        contacts=(
            Contact(
                "7d0c2a4e-5b1f-4c3a-9e8d-2f6b1a0c9d3e",
                "Accounts Payable",
                "ap@fintech-solutions.example.com",
                "PRIMARY",
                OWNER_CREATED_AT,
                OWNER_CREATED_AT,
            ),
        ),
        integration_ids=(),
        custom_properties={},
    )
    return ImportEntry(owner), ImportEntry(customer, owner.id, organization["id"])


def seed(store: Store) -> bool:
    """Write the example customers unless this database was seeded before (True if written)."""
    return store.import_once("seeded", example_records())

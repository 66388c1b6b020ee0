"""The documented example customer, written once into a new database.

The docs' example customer (id e309e948-...) belongs to an organization owned by customer
50af5191-..., "FinTech Solutions Inc.", whose other details the docs never show: the sandbox
seeds that owner with made-up details so the organization is real. The example is seeded
not archived (the docs show it archived only as the answer to the archive call), so that a
first archive of it behaves like any other.
"""

from sequence_contract.sandbox.models import (
    Address,
    Contact,
    CustomerRecord,
    IntegrationLink,
)
from sequence_contract.sandbox.store import ImportEntry, Store

EXAMPLE_CUSTOMER_ID = "e309e948-088e-4d77-b654-cd85498f1555"
EXAMPLE_OWNER_ID = "50af5191-05a3-42a5-802a-6b59091157af"
EXAMPLE_ORGANIZATION_ID = "c0dc4e79-ec52-4811-8cf5-addb2527915c"

_ADDRESS = Address(
    line1="7500 Bluewater Rd NW", town="Albuquerque", state="NY", postcode="87121", country="US"
)

EXAMPLE_OWNER = CustomerRecord(
    id=EXAMPLE_OWNER_ID,
    seq=0,
    created_at="2020-11-30T09:00:00Z",
    updated_at="2020-11-30T09:00:00Z",
    legal_name="FinTech Solutions Inc.",
    address=_ADDRESS,
    tax_status="TAXED",
    status="ACTIVE",
    contacts=(
        Contact(
            id="7d0c2a4e-5b1f-4c3a-9e8d-2f6b1a0c9d3e",
            name="Accounts Payable",
            email="ap@fintech-solutions.example.com",
            billing_preference="PRIMARY",
            created_at="2020-11-30T09:00:00Z",
            updated_at="2020-11-30T09:00:00Z",
        ),
    ),
    integration_ids=(),
    custom_properties={},
    aliases=(),
    organizations=(),
)

EXAMPLE_CUSTOMER = CustomerRecord(
    id=EXAMPLE_CUSTOMER_ID,
    seq=0,
    created_at="2021-01-02T10:55:00Z",
    updated_at="2021-01-02T10:55:00Z",
    legal_name="Fintech Payment Processing",
    address=_ADDRESS,
    url="https://example.com/",
    domain="example.com",
    label="Example customer",
    tax_status="TAXED",
    status="ACTIVE",
    contacts=(
        Contact(
            id="9a1e38a9-4dc9-776f-f974-4e7ee9f4d6cc",
            name="John Smith",
            email="john.smith@example.com",
            billing_preference="NONE",
            created_at="2022-06-28T16:47:00Z",
            updated_at="2022-06-28T16:47:00Z",
            archived_at="2023-06-28T16:47:00Z",
        ),
    ),
    integration_ids=(
        IntegrationLink(
            "Xero", "2aaff66f-ef30-4599-b192-c168fd4cd226", False, "2024-03-28T16:47:00Z"
        ),
        IntegrationLink("Stripe", "cus_OCtCxqQDgu1uX9", False, "2024-03-28T16:47:00Z"),
    ),
    custom_properties={"region": "EU", "tier": "gold"},
    aliases=(),
    organizations=(),
)


def seed(store: Store) -> bool:
    """Write the example customers unless this database was seeded before (True if written)."""
    return store.import_once(
        "seeded",
        [
            ImportEntry(EXAMPLE_OWNER),
            ImportEntry(EXAMPLE_CUSTOMER, EXAMPLE_OWNER_ID, EXAMPLE_ORGANIZATION_ID),
        ],
    )

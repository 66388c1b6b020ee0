"""Reading customers back from their rows into version-neutral records."""

import json
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from sequence_contract.sandbox.models import (
    Address,
    Contact,
    CustomerRecord,
    CustomerRef,
    IntegrationLink,
    Organization,
)

# The customers table's columns, in the order rows are read (and imported).
CUSTOMER_COLUMNS = (
    "seq, id, created_at, updated_at, legal_name, address, url, domain, label, tax_status, "
    "status, integration_ids, custom_properties, aliases, archived_at"
)


def load_customers(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, CustomerRecord]:
    """The records of these ids (unknown ids are left out). Call inside a transaction."""
    wanted = json.dumps(list(ids))
    rows = conn.execute(
        f"SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id IN (SELECT value FROM json_each(?))",
        (wanted,),
    ).fetchall()
    contacts = _contacts_of(conn, wanted)
    organizations = _organizations_of(conn, wanted)
    telephones = _telephones_of(conn, wanted)
    return {
        row[1]: _record(
            row, contacts.get(row[1], ()), organizations.get(row[1], ()), telephones.get(row[1])
        )
        for row in rows
    }


def _telephones_of(conn: sqlite3.Connection, wanted: str) -> dict[str, str]:
    rows = conn.execute(
        "SELECT customer_id, telephone FROM telephones "
        "WHERE customer_id IN (SELECT value FROM json_each(?))",
        (wanted,),
    )
    return {customer_id: telephone for customer_id, telephone in rows}


def _contacts_of(conn: sqlite3.Connection, wanted: str) -> dict[str, tuple[Contact, ...]]:
    found: dict[str, list[Contact]] = {}
    for row in conn.execute(
        "SELECT customer_id, id, name, email, billing_preference, created_at, updated_at, "
        "archived_at FROM contacts WHERE customer_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY customer_id, position",
        (wanted,),
    ):
        found.setdefault(row[0], []).append(Contact(*row[1:]))
    return {key: tuple(value) for key, value in found.items()}


def _organizations_of(conn: sqlite3.Connection, wanted: str) -> dict[str, tuple[Organization, ...]]:
    """Per customer: the organization it owns (if any), then the one it belongs to."""
    org_rows = conn.execute(
        "SELECT o.id, o.owner_id, c.legal_name FROM organizations o "
        "JOIN customers c ON c.id = o.owner_id "
        "WHERE o.owner_id IN (SELECT value FROM json_each(?1)) OR o.id IN ("
        "  SELECT organization_id FROM organization_members "
        "  WHERE customer_id IN (SELECT value FROM json_each(?1)))",
        (wanted,),
    ).fetchall()
    if not org_rows:
        return {}
    org_ids = json.dumps([row[0] for row in org_rows])
    members: dict[str, list[CustomerRef]] = {}
    for org_id, member_id, name in conn.execute(
        "SELECT m.organization_id, c.id, c.legal_name FROM organization_members m "
        "JOIN customers c ON c.id = m.customer_id "
        "WHERE m.organization_id IN (SELECT value FROM json_each(?)) ORDER BY c.seq",
        (org_ids,),
    ):
        members.setdefault(org_id, []).append(CustomerRef(member_id, name))
    result: dict[str, list[Organization]] = {}
    for org_id, owner_id, owner_name in org_rows:
        org = Organization(
            org_id, CustomerRef(owner_id, owner_name), tuple(members.get(org_id, ()))
        )
        result.setdefault(owner_id, []).insert(0, org)
        for member in org.members:
            result.setdefault(member.id, []).append(org)
    return {key: tuple(value) for key, value in result.items()}


def _record(
    row: Sequence[Any],
    contacts: tuple[Contact, ...],
    organizations: tuple[Organization, ...],
    telephone: str | None,
) -> CustomerRecord:
    # The other columns are named like the record's fields; these four are JSON.
    columns = dict(zip(CUSTOMER_COLUMNS.split(", "), row, strict=True))
    address = Address(**json.loads(columns.pop("address")))
    links = tuple(IntegrationLink(**link) for link in json.loads(columns.pop("integration_ids")))
    properties: Mapping[str, str] = json.loads(columns.pop("custom_properties"))
    aliases = tuple(json.loads(columns.pop("aliases")))
    return CustomerRecord(
        **columns,
        address=address,
        integration_ids=links,
        custom_properties=properties,
        aliases=aliases,
        contacts=contacts,
        organizations=organizations,
        telephone=telephone,
    )

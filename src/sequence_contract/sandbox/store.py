"""Customers in SQLite, independent of any API version.

One connection, shared by the server's worker threads behind a lock; every write runs in a
`BEGIN IMMEDIATE` transaction, so concurrent requests (and a second process sharing `db_path`)
never lose a write. Nested values (address, integration ids, custom properties, aliases) are
JSON columns; contacts and organizations are tables.
"""

import json
import shutil
import sqlite3
import tempfile
import threading
import uuid
import weakref
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from sequence_contract.sandbox.errors import SandboxConfigError
from sequence_contract.sandbox.models import (
    Contact,
    CustomerDraft,
    CustomerFilter,
    CustomerRecord,
    domain_of,
)
from sequence_contract.sandbox.store_loading import CUSTOMER_COLUMNS, load_customers

# The tables; bump SCHEMA_VERSION when they change incompatibly.
SCHEMA_VERSION = "1"

TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customers (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    legal_name TEXT NOT NULL,
    address TEXT NOT NULL,
    url TEXT,
    domain TEXT,
    label TEXT,
    tax_status TEXT NOT NULL,
    status TEXT NOT NULL,
    integration_ids TEXT NOT NULL,
    custom_properties TEXT NOT NULL,
    aliases TEXT NOT NULL,
    archived_at TEXT
);
CREATE TABLE IF NOT EXISTS contacts (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    billing_preference TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    archived_at TEXT
);
CREATE INDEX IF NOT EXISTS contacts_by_customer ON contacts (customer_id, position);
CREATE TABLE IF NOT EXISTS organizations (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL UNIQUE REFERENCES customers(id)
);
CREATE TABLE IF NOT EXISTS organization_members (
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    customer_id TEXT NOT NULL UNIQUE REFERENCES customers(id)
);
-- 2024-05-09's telephone, which later versions dropped. A table of its own, so that a
-- database written before it existed simply gets it (no SCHEMA_VERSION bump).
CREATE TABLE IF NOT EXISTS telephones (
    customer_id TEXT PRIMARY KEY REFERENCES customers(id),
    telephone TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class ImportEntry:
    """A record to import, and the customer (and organization id) it is a child of."""

    record: CustomerRecord
    parent_id: str | None = None
    organization_id: str | None = None


DEFAULT_STATUS = "ACTIVE"  # the docs: "ACTIVE is the default state when a customer is created"


class InvalidParentError(Exception):
    """`parentId` names no customer, the customer itself, or one of its own children."""


def _new_id() -> str:
    return str(uuid.uuid4())


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# Every column but seq, which SQLite assigns, in CUSTOMER_COLUMNS order.
_COLUMNS = CUSTOMER_COLUMNS.split(", ")[1:]
_INSERT = f"INSERT INTO customers ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
_UPDATE = f"UPDATE customers SET {', '.join(f'{c} = ?' for c in _COLUMNS)} WHERE id = ?"


def _row(record: CustomerRecord) -> tuple[Any, ...]:
    """The record's values for _COLUMNS; nested values are JSON."""
    return (
        record.id,
        record.created_at,
        record.updated_at,
        record.legal_name,
        _dump(asdict(record.address)),
        record.url,
        record.domain,
        record.label,
        record.tax_status,
        record.status,
        _dump([asdict(link) for link in record.integration_ids]),
        _dump(dict(record.custom_properties)),
        _dump(list(record.aliases)),
        record.archived_at,
    )


def _from_draft(draft: CustomerDraft, now: str, current: CustomerRecord) -> CustomerRecord:
    """What a create or full replace of `current` writes: `None` fields of the draft keep
    their current values, and the id, creation and archive times stay."""
    return replace(
        current,
        updated_at=now,
        legal_name=draft.legal_name,
        address=draft.address,
        tax_status=draft.tax_status,
        status=draft.status or current.status,
        contacts=tuple(
            Contact(_new_id(), d.name, d.email, d.billing_preference, now, now)
            for d in draft.contacts
        ),
        integration_ids=draft.integration_ids,
        custom_properties=current.custom_properties
        if draft.custom_properties is None
        else draft.custom_properties,
        aliases=current.aliases if draft.aliases is None else draft.aliases,
        url=draft.url,
        domain=domain_of(draft.url),
        label=draft.label,
        telephone=current.telephone if draft.telephone is None else draft.telephone,
    )


def _close(connection: sqlite3.Connection, temp_dir: Path | None) -> None:
    connection.close()
    if temp_dir is not None:
        shutil.rmtree(temp_dir, ignore_errors=True)


class Store:
    """Open with `Store.open(path)`; `close()` deletes a temporary database."""

    def __init__(self, connection: sqlite3.Connection, path: Path, temp_dir: Path | None) -> None:
        self._connection = connection
        self._lock = threading.RLock()
        self.path = path
        self._closer = weakref.finalize(self, _close, connection, temp_dir)

    @classmethod
    def open(cls, path: Path | None) -> "Store":
        temp_dir = None
        if path is None:
            temp_dir = Path(tempfile.mkdtemp(prefix="sequence-sandbox-"))
            path = temp_dir / "sandbox.sqlite3"
        elif not path.parent.is_dir():
            raise SandboxConfigError(f"db_path: directory {path.parent} does not exist")
        try:
            # check_same_thread=False: worker threads share it; the store's lock serialises use.
            connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            if temp_dir is not None:
                shutil.rmtree(temp_dir, ignore_errors=True)
            raise SandboxConfigError(f"db_path: cannot open {path}: {exc}") from exc
        store = cls(connection, path, temp_dir)
        try:
            store._prepare()
        except (sqlite3.Error, SandboxConfigError) as exc:
            store.close()
            if isinstance(exc, SandboxConfigError):
                raise
            raise SandboxConfigError(f"db_path: {path} is not a usable database: {exc}") from exc
        return store

    def close(self) -> None:
        """Close the connection (and delete a temporary database). Safe to call twice."""
        with self._lock:
            self._closer()

    @property
    def closed(self) -> bool:
        return not self._closer.alive

    def _prepare(self) -> None:
        connection = self._connection
        connection.execute("PRAGMA busy_timeout = 5000")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.create_function("casefold", 1, str.casefold, deterministic=True)
        with self._write() as conn:
            for statement in TABLES.split(";"):
                if statement.strip():
                    conn.execute(statement)
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            if row is None:
                conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
            elif row[0] != SCHEMA_VERSION:
                raise SandboxConfigError(
                    f"db_path: {self.path} has store schema {row[0]}, this sandbox uses "
                    f"{SCHEMA_VERSION}; use another file"
                )

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self.closed:
                raise RuntimeError("the sandbox store is closed")
            self._connection.execute(begin)
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        # IMMEDIATE takes the write lock up front: no upgrade deadlocks between writers.
        return self._transaction("BEGIN IMMEDIATE")

    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        return self._transaction("BEGIN")

    # --- operations -------------------------------------------------------------------------

    def insert(self, draft: CustomerDraft, *, now: str) -> CustomerRecord:
        # A blank customer that the draft fills in (the defaults: status, no aliases, ...).
        new = CustomerRecord(
            id=_new_id(),
            seq=0,
            created_at=now,
            updated_at=now,
            legal_name="",
            address=draft.address,
            tax_status="",
            status=DEFAULT_STATUS,
            contacts=(),
            integration_ids=(),
            custom_properties={},
            aliases=(),
            organizations=(),
        )
        record = _from_draft(draft, now, new)
        with self._write() as conn:
            if draft.parent_id is not None:
                self._check_parent(conn, record.id, draft.parent_id)
            self._import(conn, ImportEntry(record, draft.parent_id))
            return self._load_one(conn, record.id)

    def replace(self, customer_id: str, draft: CustomerDraft, *, now: str) -> CustomerRecord | None:
        """Full replace; `None` fields of the draft keep their current values."""
        with self._write() as conn:
            current = load_customers(conn, [customer_id]).get(customer_id)
            if current is None:
                return None
            if draft.parent_id is not None:
                self._check_parent(conn, customer_id, draft.parent_id)
            record = _from_draft(draft, now, current)
            conn.execute(_UPDATE, (*_row(record), customer_id))
            conn.execute("DELETE FROM contacts WHERE customer_id = ?", (customer_id,))
            self._write_parts(conn, ImportEntry(record, draft.parent_id))
            return self._load_one(conn, customer_id)

    def archive(self, customer_id: str, *, now: str) -> CustomerRecord | None:
        """Set `archived_at` unless already set (the first archive time is kept)."""
        with self._write() as conn:
            conn.execute(
                "UPDATE customers SET archived_at = ?, updated_at = ? "
                "WHERE id = ? AND archived_at IS NULL",
                (now, now, customer_id),
            )
            return load_customers(conn, [customer_id]).get(customer_id)

    def get(self, customer_id: str) -> CustomerRecord | None:
        with self._read() as conn:
            return load_customers(conn, [customer_id]).get(customer_id)

    def search(self, criteria: CustomerFilter) -> list[CustomerRecord]:
        """Customers matching the filter, in insertion order (callers sort)."""
        if criteria.billing_status == "ACTIVE":
            # Billing status comes from billing schedules, which the sandbox does not have:
            # no customer has a current one.
            return []
        clauses = ["1 = 1"]
        params: list[Any] = []
        if not criteria.include_archived:
            clauses.append("archived_at IS NULL")
        if criteria.legal_name is not None:
            clauses.append("instr(casefold(legal_name), ?) > 0")
            params.append(criteria.legal_name.casefold())
        if criteria.label is not None:
            clauses.append("label = ?")
            params.append(criteria.label)
        if criteria.alias is not None:
            clauses.append("EXISTS (SELECT 1 FROM json_each(customers.aliases) WHERE value = ?)")
            params.append(criteria.alias)
        if criteria.email is not None:
            clauses.append(
                "EXISTS (SELECT 1 FROM contacts WHERE contacts.customer_id = customers.id "
                "AND contacts.archived_at IS NULL AND casefold(contacts.email) = ?)"
            )
            params.append(criteria.email.casefold())
        where = " AND ".join(clauses)
        with self._read() as conn:
            ids = [
                row[0]
                for row in conn.execute(
                    f"SELECT id FROM customers WHERE {where} ORDER BY seq", params
                )
            ]
            found = load_customers(conn, ids)
        return [found[i] for i in ids]

    def import_once(self, flag: str, entries: Sequence[ImportEntry]) -> bool:
        """Write complete records as given (ids, timestamps, archived contacts), in one
        transaction, unless `flag` was set by an earlier import. True if written.

        `record.seq` and `record.organizations` are ignored; membership comes from `parent_id`.
        """
        with self._write() as conn:
            claimed = conn.execute("INSERT OR IGNORE INTO meta VALUES (?, 'true')", (flag,))
            if claimed.rowcount != 1:
                return False
            for entry in entries:
                self._import(conn, entry)
            return True

    def _import(self, conn: sqlite3.Connection, entry: ImportEntry) -> None:
        conn.execute(_INSERT, _row(entry.record))
        self._write_parts(conn, entry)

    def _write_parts(self, conn: sqlite3.Connection, entry: ImportEntry) -> None:
        """The record's contacts, telephone and parent (its row is written)."""
        record = entry.record
        self._insert_contacts(conn, record.id, record.contacts)
        if record.telephone is not None:
            self._set_telephone(conn, record.id, record.telephone)
        if entry.parent_id is not None:
            self._join_parent(conn, record.id, entry.parent_id, entry.organization_id)

    # --- helpers (called inside a transaction) ---------------------------------------------

    def _check_parent(self, conn: sqlite3.Connection, customer_id: str, parent_id: str) -> None:
        if parent_id == customer_id:
            raise InvalidParentError("a customer cannot be its own parent")
        if conn.execute("SELECT 1 FROM customers WHERE id = ?", (parent_id,)).fetchone() is None:
            raise InvalidParentError("no customer has this id")
        child_of_customer = conn.execute(
            "SELECT 1 FROM organization_members m JOIN organizations o "
            "ON o.id = m.organization_id WHERE o.owner_id = ? AND m.customer_id = ?",
            (customer_id, parent_id),
        ).fetchone()
        if child_of_customer is not None:
            raise InvalidParentError("the parent is a child of this customer")

    def _join_parent(
        self,
        conn: sqlite3.Connection,
        customer_id: str,
        parent_id: str,
        organization_id: str | None = None,
    ) -> None:
        row = conn.execute(
            "SELECT id FROM organizations WHERE owner_id = ?", (parent_id,)
        ).fetchone()
        if row is None:
            org_id = organization_id or _new_id()
            conn.execute("INSERT INTO organizations VALUES (?, ?)", (org_id, parent_id))
        else:
            org_id = row[0]
        conn.execute("DELETE FROM organization_members WHERE customer_id = ?", (customer_id,))
        conn.execute("INSERT INTO organization_members VALUES (?, ?)", (org_id, customer_id))

    def _insert_contacts(
        self, conn: sqlite3.Connection, customer_id: str, contacts: Sequence[Contact]
    ) -> None:
        conn.executemany(
            "INSERT INTO contacts VALUES (:id, :customer_id, :position, :name, :email, "
            ":billing_preference, :created_at, :updated_at, :archived_at)",
            [
                {**asdict(contact), "customer_id": customer_id, "position": position}
                for position, contact in enumerate(contacts)
            ],
        )

    def _set_telephone(self, conn: sqlite3.Connection, customer_id: str, telephone: str) -> None:
        """Store the telephone; an empty one removes it."""
        conn.execute("DELETE FROM telephones WHERE customer_id = ?", (customer_id,))
        if telephone:
            conn.execute("INSERT INTO telephones VALUES (?, ?)", (customer_id, telephone))

    def _load_one(self, conn: sqlite3.Connection, customer_id: str) -> CustomerRecord:
        return load_customers(conn, [customer_id])[customer_id]

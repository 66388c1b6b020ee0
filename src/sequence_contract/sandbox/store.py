"""Customers in SQLite as version-neutral JSON documents in the API's field names, and their
sorting and cursor pagination. One connection, shared by worker threads behind a lock; every
write is a `BEGIN IMMEDIATE` transaction, so concurrent requests and processes lose none."""

import base64
import json
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from urllib.parse import urlsplit

from sequence_contract import schemas
from sequence_contract.sandbox.config import SandboxConfigError
from sequence_contract.sandbox.messages import INVALID_VALUE, Problem, validation_failed

# A stored customer: the document plus `seq` (insertion order) and `organizations`; or a draft
# (what a create or replace asks for), whose missing keys keep their values, `parentId` its parent.
Customer = dict[str, Any]

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_timestamp(moment: datetime) -> str:
    """`2024-05-01T12:00:00.123Z`, as the API writes timestamps, for an aware datetime."""
    utc = moment.astimezone(UTC)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"


# The tables; bump SCHEMA_VERSION when they change incompatibly.
SCHEMA_VERSION = "2"
TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS customers (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    parent_id TEXT REFERENCES customers(id),
    document TEXT NOT NULL,
    legal_name TEXT AS (json_extract(document, '$.legalName')),
    label TEXT AS (json_extract(document, '$.label')),
    archived_at TEXT AS (json_extract(document, '$.archivedAt'))
);
CREATE INDEX IF NOT EXISTS customers_by_parent ON customers (parent_id);
CREATE TABLE IF NOT EXISTS organizations (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL UNIQUE REFERENCES customers(id)
)
"""
LOADED_ONLY = ("seq", "organizations")
DEFAULT_STATUS = "ACTIVE"  # the docs: "ACTIVE is the default state when a customer is created"
EXAMPLE_VERSION = "2024-07-30"  # the seeded customer is this document's example
OWNER_CREATED_AT = "2020-11-30T09:00:00Z"  # made up, like the owner's contact


class InvalidParentError(Exception):
    """`parentId` names no customer, the customer itself, or one of its own children."""


def _new_id() -> str:
    return str(uuid.uuid4())


def _document(draft: Customer, now: str, current: Customer) -> Customer:
    """What a create or full replace of `current` stores; id, createdAt and archivedAt stay."""
    document = {**current, **draft, "id": current["id"], "updatedAt": now}
    # The host of an http(s) url, as the docs' example derives `example.com` from its url.
    try:
        parts = urlsplit((document.get("url") or "").strip())
        host = parts.hostname if parts.scheme.lower() in ("http", "https") else None
    except ValueError:
        host = None
    document["domain"] = host.lower() if host else None
    document["contacts"] = [
        {"id": _new_id(), **contact, "createdAt": now, "updatedAt": now}
        for contact in draft["contacts"]
    ]
    for key in (*LOADED_ONLY, "parentId"):
        document.pop(key, None)
    return document


class Store:
    """Open with `Store.open(path)`; `close()` deletes a temporary database."""

    def __init__(self, path: Path, temp_dir: TemporaryDirectory[str] | None, seed: bool) -> None:
        self.path = path
        self.closed = False
        self._temp_dir = temp_dir
        self._lock = threading.RLock()
        try:
            # check_same_thread=False: worker threads share it; the store's lock serialises use.
            self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise SandboxConfigError(f"db_path: cannot open {path}: {exc}") from exc
        try:
            self._prepare()
            if seed:
                self.seed()
        except BaseException as exc:
            self.close()
            if isinstance(exc, sqlite3.Error):
                message = f"db_path: {path} is not a usable database: {exc}"
                raise SandboxConfigError(message) from exc
            raise

    @classmethod
    def open(cls, path: Path | None, *, seed: bool = False) -> "Store":
        """The store at `path` (None: a temporary one); `seed` writes the example once."""
        if path is not None:
            if not path.parent.is_dir():
                raise SandboxConfigError(f"db_path: directory {path.parent} does not exist")
            return cls(path, None, seed)
        temp_dir = TemporaryDirectory(prefix="sequence-sandbox-")
        return cls(Path(temp_dir.name) / "sandbox.sqlite3", temp_dir, seed)

    def close(self) -> None:
        """Close the connection (and delete a temporary database). Safe to call twice."""
        with self._lock:
            self._connection.close()
            if self._temp_dir is not None:
                self._temp_dir.cleanup()
            self.closed = True

    def _prepare(self) -> None:
        for pragma in ("busy_timeout = 5000", "journal_mode = WAL", "synchronous = NORMAL"):
            self._connection.execute(f"PRAGMA {pragma}")
        self._connection.execute("PRAGMA foreign_keys = ON")
        self._connection.create_function("casefold", 1, str.casefold, deterministic=True)
        with self._transaction() as conn:
            for statement in TABLES.split(";"):
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
    def _transaction(self, begin: str = "BEGIN IMMEDIATE") -> Iterator[sqlite3.Connection]:
        # Writers take the write lock up front (IMMEDIATE): no upgrade deadlocks between them.
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

    def insert(self, draft: Customer, now: str) -> Customer:
        blank = {"id": _new_id(), "createdAt": now, "status": DEFAULT_STATUS}
        document = _document({"customProperties": {}, "customerAliases": [], **draft}, now, blank)
        with self._transaction() as conn:
            self._save(conn, document, draft.get("parentId"))
            return self._load(conn, "id = ?", [document["id"]])[0]

    def replace(self, customer_id: str, draft: Customer, now: str) -> Customer | None:
        """Full replace; keys the draft leaves out keep their current values."""
        with self._transaction() as conn:
            current = self._one(conn, customer_id)
            if current is None:
                return None
            self._save(conn, _document(draft, now, current), draft.get("parentId"))
            return self._one(conn, customer_id)

    def archive(self, customer_id: str, now: str) -> Customer | None:
        """Set `archivedAt` unless already set (the first archive time is kept)."""
        with self._transaction() as conn:
            conn.execute(
                "UPDATE customers SET document = json_set(document, '$.archivedAt', ?1, "
                "'$.updatedAt', ?1) WHERE id = ?2 AND archived_at IS NULL",
                (now, customer_id),
            )
            return self._one(conn, customer_id)

    def get(self, customer_id: str) -> Customer | None:
        with self._transaction("BEGIN") as conn:
            return self._one(conn, customer_id)

    def search(self, query: dict[str, Any]) -> list[Customer]:
        """Customers matching the list operation's filters, in insertion order (callers sort).
        `legalName` matches a part of the name and `email` an active contact, ignoring case."""
        if query.get("billingStatus") == "ACTIVE":
            # Billing status comes from billing schedules, which the sandbox does not have:
            # no customer has a current one.
            return []
        clauses = {
            "includeArchived": "? OR archived_at IS NULL",
            "legalName": "instr(casefold(legal_name), casefold(?)) > 0",
            "label": "label = ?",
            "alias": "? IN (SELECT value FROM json_each(document, '$.customerAliases'))",
            "email": "casefold(?) IN (SELECT casefold(json_extract(value, '$.email')) "
            "FROM json_each(document, '$.contacts') "
            "WHERE json_extract(value, '$.archivedAt') IS NULL)",
        }
        given = {"includeArchived": False, **query}
        wanted = [(clause, given[name]) for name, clause in clauses.items() if name in given]
        where = " AND ".join(f"({clause})" for clause, _ in wanted)
        with self._transaction("BEGIN") as conn:
            return self._load(conn, where, [value for _, value in wanted])

    def seed(self) -> bool:
        """Write the documented example customer (and the owner of its organization) unless
        this database was seeded before; True if written.

        The docs show the example archived only as the archive call's answer, so it is seeded
        unarchived. Its owner's other details are never shown: made up here."""
        example = schemas.load_openapi(EXAMPLE_VERSION)["components"]["examples"]["Customer"]
        doc = {k: v for k, v in example["value"].items() if k != "archivedAt"}
        organization = doc.pop("organizations")[0]
        customer = {**doc, "updatedAt": doc["createdAt"], "customerAliases": []}
        owner = {
            **customer,
            **dict.fromkeys(("url", "domain", "label")),
            "id": organization["owner"]["id"],
            "legalName": organization["owner"]["name"],
            "createdAt": OWNER_CREATED_AT,
            "updatedAt": OWNER_CREATED_AT,
            "contacts": [
                {
                    "id": "7d0c2a4e-5b1f-4c3a-9e8d-2f6b1a0c9d3e",
                    "name": "Accounts Payable",
                    "email": "ap@fintech-solutions.example.com",
                    "billingPreference": "PRIMARY",
                    "createdAt": OWNER_CREATED_AT,
                    "updatedAt": OWNER_CREATED_AT,
                }
            ],
            "integrationIds": [],
            "customProperties": {},
        }
        with self._transaction() as conn:
            claimed = conn.execute("INSERT OR IGNORE INTO meta VALUES ('seeded', 'true')")
            if claimed.rowcount != 1:
                return False
            self._save(conn, owner, None)
            conn.execute(
                "INSERT INTO organizations VALUES (?, ?)", (organization["id"], owner["id"])
            )
            self._save(conn, customer, owner["id"])
            return True

    # --- inside a transaction

    def _save(self, conn: sqlite3.Connection, document: Customer, parent_id: str | None) -> None:
        """Insert or replace `document`; a parent given becomes an organization's owner."""
        customer_id = document["id"]
        if parent_id is not None:
            row = conn.execute("SELECT parent_id FROM customers WHERE id = ?", (parent_id,))
            found = row.fetchone()
            if parent_id == customer_id:
                raise InvalidParentError("a customer cannot be its own parent")
            if found is None:
                raise InvalidParentError("no customer has this id")
            if found[0] == customer_id:
                raise InvalidParentError("the parent is a child of this customer")
            conn.execute(
                "INSERT OR IGNORE INTO organizations VALUES (?, ?)", (_new_id(), parent_id)
            )
        conn.execute(
            "INSERT INTO customers (id, parent_id, document) VALUES (?, ?, ?) ON CONFLICT (id) "
            "DO UPDATE SET document = excluded.document, "
            "parent_id = coalesce(excluded.parent_id, parent_id)",
            (customer_id, parent_id, json.dumps(document, ensure_ascii=False)),
        )

    def _one(self, conn: sqlite3.Connection, customer_id: str) -> Customer | None:
        found = self._load(conn, "id = ?", [customer_id])
        return found[0] if found else None

    def _load(self, conn: sqlite3.Connection, where: str, params: list[Any]) -> list[Customer]:
        rows = conn.execute(
            f"SELECT seq, id, parent_id, document FROM customers WHERE {where or '1'} ORDER BY seq",
            params,
        ).fetchall()
        # Organizations of these customers: the one each owns, then the one it belongs to.
        owners = json.dumps(list({row[1] for row in rows} | {row[2] for row in rows if row[2]}))
        organizations: dict[str, dict[str, Any]] = {}
        for org_id, owner_id, name in conn.execute(
            "SELECT o.id, o.owner_id, c.legal_name FROM organizations o "
            "JOIN customers c ON c.id = o.owner_id "
            "WHERE o.owner_id IN (SELECT value FROM json_each(?))",
            (owners,),
        ):
            owner = {"id": owner_id, "name": name}
            organizations[owner_id] = {"id": org_id, "owner": owner, "members": []}
        for parent_id, member_id, name in conn.execute(
            "SELECT parent_id, id, legal_name FROM customers "
            "WHERE parent_id IN (SELECT value FROM json_each(?)) ORDER BY seq",
            (json.dumps(list(organizations)),),
        ):
            organizations[parent_id]["members"].append({"id": member_id, "name": name})
        return [
            {
                **json.loads(document),
                "seq": seq,
                "organizations": [
                    organizations[k] for k in (customer_id, parent) if k in organizations
                ],
            }
            for seq, customer_id, parent, document in rows
        ]


# --- sorting and paging: cursors are base64url of the sort position (sort key, value,
# insertion order) of the item they follow or precede, so they survive added or archived
# customers, and are refused with another sort.

CUSTOM_PROPERTY_PREFIX = "customProperties."
SORT_FIELDS = ("createdAt", "legalName", "label")
SortKey = tuple[bool, str, int]  # (value missing, value, insertion order): a total order


def is_sortable(field: str) -> bool:
    return field in SORT_FIELDS or (
        field.startswith(CUSTOM_PROPERTY_PREFIX) and len(field) > len(CUSTOM_PROPERTY_PREFIX)
    )


def _sort_key(customer: Customer, field: str) -> SortKey:
    value: str | None
    if field == "createdAt":  # fixed width, so that string order is time order
        value = f"{datetime.fromisoformat(customer[field]).astimezone(UTC):%Y-%m-%dT%H:%M:%S.%f}"
    elif field.startswith(CUSTOM_PROPERTY_PREFIX):
        value = customer["customProperties"].get(field.removeprefix(CUSTOM_PROPERTY_PREFIX))
    else:
        value = customer.get(field)
    return (value is None, value or "", customer["seq"])


def _cursor(sort: tuple[str, bool], key: SortKey) -> str:
    payload = json.dumps([*sort, list(key)], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def _position(sort: tuple[str, bool], param: str, cursor: str) -> SortKey:
    message = "is not a cursor returned by this listing"
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        field, descending, (missing, value, seq) = json.loads(raw)
    except (ValueError, TypeError):  # binascii.Error is a ValueError
        raise validation_failed([Problem(INVALID_VALUE, message, param)]) from None
    if not (isinstance(missing, bool) and isinstance(value, str) and type(seq) is int):
        raise validation_failed([Problem(INVALID_VALUE, message, param)])
    if field != sort[0] or descending is not sort[1]:
        message = "was returned for a different sortBy or sortOrder"
        raise validation_failed([Problem(INVALID_VALUE, message, param)])
    return (missing, value, seq)


def paginate(
    customers: Sequence[Customer],
    sort: tuple[str, bool],
    limit: int,
    after: str | None,
    before: str | None,
) -> tuple[list[Customer], dict[str, object]]:
    """One page of `customers` by `sort` (field, descending), after or before a cursor, and the
    answer's `pagination`; a 400 ApiError for a cursor this listing did not give."""
    field, descending = sort
    keyed = sorted(
        ((_sort_key(c, field), c) for c in customers), key=lambda pair: pair[0], reverse=descending
    )
    keys = [key for key, _ in keyed]

    def comes_after(key: SortKey, mark: SortKey) -> bool:
        return key < mark if descending else key > mark

    if after is not None:
        mark = _position(sort, "after", after)
        start = next((i for i, k in enumerate(keys) if comes_after(k, mark)), len(keys))
        end = min(start + limit, len(keys))
    elif before is not None:
        mark = _position(sort, "before", before)
        end = next((i for i, k in enumerate(keys) if not comes_after(mark, k)), len(keys))
        start = max(0, end - limit)
    else:
        start, end = 0, min(limit, len(keys))
    pagination: dict[str, object] = {}
    if start < end < len(keys):
        pagination["after"] = _cursor(sort, keys[end - 1])
    if 0 < start < end:
        pagination["before"] = _cursor(sort, keys[start])
    pagination["totalResultSize"] = len(customers)
    return [customer for _, customer in keyed[start:end]], pagination

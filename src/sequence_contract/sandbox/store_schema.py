"""The sandbox database's tables. Bump SCHEMA_VERSION when they change incompatibly."""

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

CUSTOMER_COLUMNS = (
    "seq, id, created_at, updated_at, legal_name, address, url, domain, label, tax_status, "
    "status, integration_ids, custom_properties, aliases, archived_at"
)

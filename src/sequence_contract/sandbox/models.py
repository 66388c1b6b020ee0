"""Customers as the store keeps them, independent of any API version's representation."""

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Address:
    line1: str
    town: str
    postcode: str
    country: str
    line2: str | None = None
    state: str | None = None


@dataclass(frozen=True)
class IntegrationLink:
    """A customer's id in an external service (Xero, Stripe, ...)."""

    service: str
    external_id: str
    is_pending: bool = False
    last_synced: str | None = None


@dataclass(frozen=True)
class ContactDraft:
    name: str
    email: str
    billing_preference: str


@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    email: str
    billing_preference: str
    created_at: str
    updated_at: str
    archived_at: str | None = None


@dataclass(frozen=True)
class CustomerRef:
    id: str
    name: str


@dataclass(frozen=True)
class Organization:
    """A parent customer (owner) and its child customers (members, owner excluded)."""

    id: str
    owner: CustomerRef
    members: tuple[CustomerRef, ...]


@dataclass(frozen=True)
class CustomerDraft:
    """What a create or full-replace request asks for.

    `None` in `status`, `aliases`, `parent_id`, `custom_properties` or `telephone` means "not
    given": a create uses the default, a replace keeps the current value. `telephone=""` clears
    it (2024-05-09 replaces every field; later versions do not know the field and keep it).
    """

    legal_name: str
    address: Address
    tax_status: str
    contacts: tuple[ContactDraft, ...]
    url: str | None = None
    label: str | None = None
    status: str | None = None
    integration_ids: tuple[IntegrationLink, ...] = ()
    aliases: tuple[str, ...] | None = None
    parent_id: str | None = None
    custom_properties: Mapping[str, str] | None = None
    telephone: str | None = None


@dataclass(frozen=True)
class CustomerRecord:
    """A stored customer. `seq` is the insertion order, used to break sort ties."""

    id: str
    seq: int
    created_at: str
    updated_at: str
    legal_name: str
    address: Address
    tax_status: str
    status: str
    contacts: tuple[Contact, ...]
    integration_ids: tuple[IntegrationLink, ...]
    custom_properties: Mapping[str, str]
    aliases: tuple[str, ...]
    organizations: tuple[Organization, ...]
    url: str | None = None
    domain: str | None = None
    label: str | None = None
    archived_at: str | None = None
    telephone: str | None = None  # only 2024-05-09 shows it


@dataclass(frozen=True)
class CustomerFilter:
    """The list operation's filters. `legal_name` matches a part of the name, ignoring case."""

    include_archived: bool = False
    legal_name: str | None = None
    email: str | None = None
    alias: str | None = None
    label: str | None = None
    billing_status: str | None = None


def domain_of(url: str | None) -> str | None:
    """The host of an http(s) URL, as the docs' example derives `example.com` from its url."""
    if url is None:
        return None
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return host.lower()

"""Sorting and cursor pagination of a list result.

Cursors are opaque to clients: base64url of the sort position (sort key, value, insertion
order) of the item they follow or precede. A cursor keeps working when customers are added
or archived between pages, and is rejected when used with a different sort.
"""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sequence_contract.sandbox.store import Customer
from sequence_contract.sandbox.timestamps import sortable_timestamp

CUSTOM_PROPERTY_PREFIX = "customProperties."
SORT_FIELDS = ("createdAt", "legalName", "label")

# (value missing, value, insertion order): a total order, whatever the values.
SortKey = tuple[bool, str, int]


class CursorError(ValueError):
    """A cursor that this listing did not produce."""


@dataclass(frozen=True)
class SortSpec:
    field: str  # one of SORT_FIELDS or "customProperties.<key>"
    descending: bool


def is_sortable(field: str) -> bool:
    return field in SORT_FIELDS or (
        field.startswith(CUSTOM_PROPERTY_PREFIX) and len(field) > len(CUSTOM_PROPERTY_PREFIX)
    )


def sort_key(customer: Customer, field: str) -> SortKey:
    value: str | None
    if field == "createdAt":
        value = sortable_timestamp(customer["createdAt"])
    elif field.startswith(CUSTOM_PROPERTY_PREFIX):
        value = customer["customProperties"].get(field.removeprefix(CUSTOM_PROPERTY_PREFIX))
    else:
        value = customer.get(field)
    return (value is None, value or "", customer["seq"])


def encode_cursor(sort: SortSpec, key: SortKey) -> str:
    payload = json.dumps([sort.field, sort.descending, list(key)], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(sort: SortSpec, cursor: str) -> SortKey:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        field, descending, (missing, value, seq) = json.loads(raw)
    except (binascii.Error, ValueError, TypeError):
        raise CursorError("is not a cursor returned by this listing") from None
    if not (isinstance(missing, bool) and isinstance(value, str) and type(seq) is int):
        raise CursorError("is not a cursor returned by this listing")
    if field != sort.field or descending is not sort.descending:
        raise CursorError("was returned for a different sortBy or sortOrder")
    return (missing, value, seq)


def paginate(
    customers: Sequence[Customer],
    sort: SortSpec,
    limit: int,
    *,
    after: str | None = None,
    before: str | None = None,
) -> tuple[list[Customer], dict[str, object]]:
    """One page of `customers` in `sort` order, after or before a cursor, and the answer's
    `pagination` (its cursors and the total); raises CursorError."""
    keyed = sorted(
        ((sort_key(c, sort.field), c) for c in customers),
        key=lambda pair: pair[0],
        reverse=sort.descending,
    )
    keys = [key for key, _ in keyed]

    def comes_after(key: SortKey, mark: SortKey) -> bool:
        return key < mark if sort.descending else key > mark

    if after is not None:
        mark = decode_cursor(sort, after)
        start = next((i for i, k in enumerate(keys) if comes_after(k, mark)), len(keys))
        end = min(start + limit, len(keys))
    elif before is not None:
        mark = decode_cursor(sort, before)
        end = next((i for i, k in enumerate(keys) if not comes_after(mark, k)), len(keys))
        start = max(0, end - limit)
    else:
        start, end = 0, min(limit, len(keys))
    pagination: dict[str, object] = {}
    if start < end and end < len(keys):
        pagination["after"] = encode_cursor(sort, keys[end - 1])
    if start < end and start > 0:
        pagination["before"] = encode_cursor(sort, keys[start])
    pagination["totalResultSize"] = len(customers)
    return [customer for _, customer in keyed[start:end]], pagination

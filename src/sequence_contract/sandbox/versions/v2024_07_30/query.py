"""The 2024-07-30 list query: limit, cursors, sorting and filters."""

from collections.abc import Mapping
from dataclasses import dataclass

from sequence_contract.sandbox.errors import validation_failed
from sequence_contract.sandbox.models import CustomerFilter
from sequence_contract.sandbox.paging import SORT_FIELDS, SortSpec, is_sortable
from sequence_contract.sandbox.validation import INVALID_VALUE, Checker
from sequence_contract.sandbox.versions.v2024_07_30.enums import BILLING_STATUSES, SORT_ORDERS

MIN_LIMIT, MAX_LIMIT = 1, 100
DEFAULT_LIMIT = 20  # not documented


@dataclass(frozen=True)
class ListQuery:
    limit: int
    sort: SortSpec
    criteria: CustomerFilter
    after: str | None = None
    before: str | None = None


def _given(params: Mapping[str, str], name: str) -> str | None:
    """A parameter's value; an empty value counts as not given."""
    value = params.get(name)
    return value if value else None


def _limit(check: Checker, params: Mapping[str, str]) -> int:
    raw = _given(params, "limit")
    if raw is None:
        return DEFAULT_LIMIT
    # Length first: int() refuses (ValueError) strings of thousands of digits.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 3) or not (
        MIN_LIMIT <= int(raw) <= MAX_LIMIT
    ):
        check.report("limit", INVALID_VALUE, f"must be an integer from {MIN_LIMIT} to {MAX_LIMIT}")
        return DEFAULT_LIMIT
    return int(raw)


def _flag(check: Checker, params: Mapping[str, str], name: str) -> bool:
    raw = _given(params, name)
    if raw is None:
        return False
    if raw.lower() not in ("true", "false"):
        check.report(name, INVALID_VALUE, "must be true or false")
        return False
    return raw.lower() == "true"


def _sort(check: Checker, params: Mapping[str, str]) -> SortSpec:
    field = _given(params, "sortBy") or "createdAt"
    if not is_sortable(field):
        check.report(
            "sortBy",
            INVALID_VALUE,
            f"must be one of {', '.join(SORT_FIELDS)} or customProperties.<key>",
        )
    order = check.choice_value(params.get("sortOrder", "DESC"), "sortOrder", SORT_ORDERS)
    return SortSpec(field, (order or "DESC") == "DESC")


def parse_list_query(params: Mapping[str, str]) -> ListQuery:
    check = Checker()
    limit = _limit(check, params)
    sort = _sort(check, params)
    billing_status = None
    if _given(params, "billingStatus") is not None:
        billing_status = check.choice_value(
            params["billingStatus"], "billingStatus", BILLING_STATUSES
        )
    after, before = _given(params, "after"), _given(params, "before")
    if after is not None and before is not None:
        check.report("before", INVALID_VALUE, "cannot be combined with after")
    criteria = CustomerFilter(
        include_archived=_flag(check, params, "includeArchived"),
        legal_name=_given(params, "legalName"),
        email=_given(params, "email"),
        alias=_given(params, "alias"),
        label=_given(params, "label"),
        billing_status=billing_status,
    )
    if check.problems:
        raise validation_failed(check.problems)
    return ListQuery(limit, sort, criteria, after, before)

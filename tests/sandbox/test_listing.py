"""GET /customers: limit, cursors, sorting and filters."""

from __future__ import annotations

from typing import Any

import pytest

from tests.sandbox.client import ApiClient, assert_error, unique


@pytest.fixture
def labelled(api: ApiClient) -> tuple[str, list[dict[str, Any]]]:
    """Five customers sharing a fresh label, created in order (B, D, A, E, C by name)."""
    label = unique("label")
    names = ["Bravo", "Delta", "alpha", "Echo", "Charlie"]
    created = [
        api.create_customer(
            legalName=f"{name} {label}", label=label, customProperties={"rank": str(rank)}
        )
        for rank, name in zip([2, 4, 1, 5, 3], names, strict=True)
    ]
    return label, created


def ids(listing: dict[str, Any]) -> list[str]:
    return [item["id"] for item in listing["items"]]


def test_list_items_have_no_contacts_and_no_status(api: ApiClient) -> None:
    customer = api.create_customer(label=unique("label"))
    [item] = api.list_customers(label=customer["label"])["items"]
    assert item == {k: v for k, v in customer.items() if k not in ("contacts", "status")}


def test_the_default_order_is_newest_first(
    api: ApiClient, labelled: tuple[str, list[dict[str, Any]]]
) -> None:
    label, created = labelled
    assert ids(api.list_customers(label=label)) == [c["id"] for c in reversed(created)]


def test_pages_follow_after_cursors_and_back_with_before(
    api: ApiClient, labelled: tuple[str, list[dict[str, Any]]]
) -> None:
    label, created = labelled
    pages = [api.list_customers(label=label, limit=2, sortOrder="ASC")]
    while "after" in pages[-1]["pagination"]:
        cursor = pages[-1]["pagination"]["after"]
        pages.append(api.list_customers(label=label, limit=2, sortOrder="ASC", after=cursor))
    assert [len(page["items"]) for page in pages] == [2, 2, 1], pages
    assert [i for page in pages for i in ids(page)] == [c["id"] for c in created], pages
    assert {page["pagination"]["totalResultSize"] for page in pages} == {5}, pages
    assert "before" not in pages[0]["pagination"], pages[0]
    back = api.list_customers(
        label=label, limit=2, sortOrder="ASC", before=pages[-1]["pagination"]["before"]
    )
    assert ids(back) == ids(pages[1]), back


def test_a_cursor_survives_new_customers(
    api: ApiClient, labelled: tuple[str, list[dict[str, Any]]]
) -> None:
    label, created = labelled
    first = api.list_customers(label=label, limit=2, sortOrder="ASC")
    api.create_customer(label=label)
    second = api.list_customers(
        label=label, limit=2, sortOrder="ASC", after=first["pagination"]["after"]
    )
    assert ids(second) == [c["id"] for c in created[2:4]], second


@pytest.mark.parametrize(
    ("params", "expected_ranks"),
    [
        ({"sortBy": "legalName", "sortOrder": "ASC"}, [2, 3, 4, 5, 1]),  # byte order: a > E
        ({"sortBy": "legalName", "sortOrder": "DESC"}, [1, 5, 4, 3, 2]),
        ({"sortBy": "customProperties.rank", "sortOrder": "ASC"}, [1, 2, 3, 4, 5]),
        ({"sortBy": "createdAt", "sortOrder": "ASC"}, [2, 4, 1, 5, 3]),
    ],
    ids=["legalName-asc", "legalName-desc", "custom-property", "createdAt-asc"],
)
def test_sorting(
    api: ApiClient,
    labelled: tuple[str, list[dict[str, Any]]],
    params: dict[str, str],
    expected_ranks: list[int],
) -> None:
    label, _ = labelled
    listing = api.list_customers(label=label, **params)
    assert [int(i["customProperties"]["rank"]) for i in listing["items"]] == expected_ranks


@pytest.mark.parametrize(
    ("filter_name", "matches"),
    [
        ("legalName", True),
        ("email", True),
        ("alias", True),
        ("label", True),
        ("billingStatus", False),
    ],
)
def test_filters(api: ApiClient, filter_name: str, matches: bool) -> None:
    marker = unique("m").replace(" ", "-")
    target = api.create_customer(
        legalName=f"Filtered {marker} Ltd",
        label=marker,
        customerAliases=[marker],
        contacts=[{"name": "P", "email": f"{marker}@Example.com", "billingPreference": "PRIMARY"}],
    )
    other = api.create_customer()
    value = {
        "legalName": marker.upper(),  # a part of the name, any case
        "email": f"{marker}@example.com",  # a contact's email, any case
        "alias": marker,
        "label": marker,
        "billingStatus": "ACTIVE",  # no billing schedules in the sandbox: nobody is ACTIVE
    }[filter_name]
    found = ids(api.list_customers(**{filter_name: value}, limit=100))
    assert (target["id"] in found) is matches, found
    assert other["id"] not in found, found


def test_billing_status_inactive_matches_everyone(api: ApiClient) -> None:
    total = api.list_customers()["pagination"]["totalResultSize"]
    inactive = api.list_customers(billingStatus="INACTIVE")["pagination"]["totalResultSize"]
    assert inactive == total


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"sortOrder": "UP"}, "sortOrder"),
        ({"sortBy": "colour"}, "sortBy"),
        ({"sortBy": "customProperties."}, "sortBy"),
        ({"includeArchived": "maybe"}, "includeArchived"),
        ({"billingStatus": "PAUSED"}, "billingStatus"),
        ({"after": "not-a-cursor"}, "after"),
        ({"before": "bm90IGpzb24"}, "before"),
        ({"after": "x", "before": "y"}, "before"),
    ],
    ids=lambda value: (
        "-".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else value
    ),
)
def test_invalid_query_parameters_are_validation_errors(
    api: ApiClient, params: dict[str, str], key: str
) -> None:
    response = api.call("GET", "/customers", params=params)
    assert_error(response, 400, "validationError")
    assert [e["key"] for e in response.json()["error"]["errors"]] == [key], response.text


def test_a_cursor_from_another_sort_is_rejected(
    api: ApiClient, labelled: tuple[str, list[dict[str, Any]]]
) -> None:
    label, _ = labelled
    cursor = api.list_customers(label=label, limit=1)["pagination"]["after"]
    response = api.call(
        "GET", "/customers", params={"label": label, "sortBy": "legalName", "after": cursor}
    )
    assert_error(response, 400, "validationError")

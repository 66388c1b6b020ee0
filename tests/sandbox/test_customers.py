"""Create, read, replace and archive, as the 2024-07-30 docs describe them."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.sandbox.client import (
    SEEDED_CUSTOMER_ID,
    SEEDED_OWNER_ID,
    ApiClient,
    assert_error,
    customer_body,
    describe,
    unique,
)

UTC_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def is_uuid4(value: str) -> bool:
    try:
        return uuid.UUID(value).version == 4 and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def test_create_answers_201_with_the_documented_customer(api: ApiClient) -> None:
    body = customer_body(url="https://www.Example.org/billing", label="gold")
    response = api.call("POST", "/customers", json=body)
    assert response.status_code == 201, describe(response)
    customer = response.json()
    assert is_uuid4(customer["id"]), describe(response)
    assert UTC_TIMESTAMP.match(customer["createdAt"]), describe(response)
    expected = {
        "legalName": body["legalName"],
        "address": body["address"],
        "url": body["url"],
        "domain": "www.example.org",
        "label": "gold",
        "taxStatus": "TAXED",
        "status": "ACTIVE",  # the documented default for customers created by API
        "organizations": [],
        "integrationIds": [],
        "customProperties": {},
    }
    assert {key: customer.get(key) for key in expected} == expected, describe(response)
    assert "archivedAt" not in customer, describe(response)
    [contact] = customer["contacts"]
    assert is_uuid4(contact["id"]), describe(response)
    assert contact["createdAt"] == contact["updatedAt"] == customer["createdAt"], describe(response)
    assert {k: contact[k] for k in ("name", "email", "billingPreference")} == body["contacts"][0]


def test_optional_fields_are_omitted_when_unset(api: ApiClient) -> None:
    customer = api.create_customer()
    assert not {"url", "domain", "label", "archivedAt"} & customer.keys(), customer
    assert None not in customer.values(), customer


def test_create_keeps_the_given_status_and_integration_ids(api: ApiClient) -> None:
    customer = api.create_customer(
        status="DRAFT", integrationIds=[{"service": "Stripe", "id": "cus_123"}]
    )
    assert customer["status"] == "DRAFT", customer
    assert customer["integrationIds"] == [
        {"service": "Stripe", "id": "cus_123", "isPending": False}
    ], customer


def test_get_returns_what_create_returned(api: ApiClient) -> None:
    created = api.create_customer(customProperties={"tier": "gold"})
    assert api.get_customer(created["id"]) == created


def test_the_documented_example_customer_is_seeded_not_archived(api: ApiClient) -> None:
    customer = api.get_customer(SEEDED_CUSTOMER_ID)
    assert customer["legalName"] == "Fintech Payment Processing", customer
    assert customer["status"] == "ACTIVE", customer
    assert "archivedAt" not in customer, customer
    assert customer["organizations"][0]["owner"]["id"] == SEEDED_OWNER_ID, customer
    assert customer["contacts"][0]["id"] == "9a1e38a9-4dc9-776f-f974-4e7ee9f4d6cc", customer


def _keeps_omitted_custom_properties(before: dict[str, Any], after: dict[str, Any]) -> None:
    assert after["customProperties"] == before["customProperties"] == {"tier": "gold"}


def _replaces_given_custom_properties(before: dict[str, Any], after: dict[str, Any]) -> None:
    assert after["customProperties"] == {"region": "EU"}


def _drops_omitted_url_and_domain(before: dict[str, Any], after: dict[str, Any]) -> None:
    assert "url" in before
    assert not {"url", "domain"} & after.keys()


def _replaces_all_contacts(before: dict[str, Any], after: dict[str, Any]) -> None:
    assert [c["email"] for c in after["contacts"]] == ["new@example.com", "other@example.com"]
    assert not {c["id"] for c in before["contacts"]} & {c["id"] for c in after["contacts"]}


def _keeps_omitted_status(before: dict[str, Any], after: dict[str, Any]) -> None:
    assert after["status"] == before["status"] == "DRAFT"


def _keeps_identity(before: dict[str, Any], after: dict[str, Any]) -> None:
    assert (after["id"], after["createdAt"]) == (before["id"], before["createdAt"])
    assert after["legalName"] != before["legalName"]


NEW_CONTACTS = [
    {"name": "New", "email": "new@example.com", "billingPreference": "PRIMARY"},
    {"name": "Other", "email": "other@example.com", "billingPreference": "NONE"},
]

# (id, fields of the created customer, fields of the PUT body, check(before, after))
REPLACE_CASES: list[tuple[str, dict[str, Any], dict[str, Any], Callable[..., None]]] = [
    ("custom-properties-omitted", {"customProperties": {"tier": "gold"}}, {},
     _keeps_omitted_custom_properties),
    ("custom-properties-given", {"customProperties": {"tier": "gold"}},
     {"customProperties": {"region": "EU"}}, _replaces_given_custom_properties),
    ("url-omitted", {"url": "https://example.com/"}, {}, _drops_omitted_url_and_domain),
    ("contacts-replaced", {}, {"contacts": NEW_CONTACTS}, _replaces_all_contacts),
    ("status-omitted", {"status": "DRAFT"}, {}, _keeps_omitted_status),
    ("identity-kept", {}, {}, _keeps_identity),
]  # fmt: skip


@pytest.mark.parametrize(
    ("created_with", "put_with", "check"),
    [pytest.param(c, p, f, id=i) for i, c, p, f in REPLACE_CASES],
)
def test_put_replaces_the_customer(
    api: ApiClient,
    created_with: dict[str, Any],
    put_with: dict[str, Any],
    check: Callable[[dict[str, Any], dict[str, Any]], None],
) -> None:
    before = api.create_customer(**created_with)
    response = api.call("PUT", f"/customers/{before['id']}", json=customer_body(**put_with))
    assert response.status_code == 200, describe(response)
    after = response.json()
    check(before, after)
    assert api.get_customer(before["id"]) == after


@pytest.mark.parametrize("status", ["ACTIVE", "DRAFT"])
def test_archive_sets_archived_at_and_keeps_the_status(api: ApiClient, status: str) -> None:
    created = api.create_customer(status=status)
    response = api.call("POST", f"/customers/{created['id']}/archive")
    assert response.status_code == 200, describe(response)
    archived = response.json()
    assert UTC_TIMESTAMP.match(archived.get("archivedAt", "")), describe(response)
    assert archived["status"] == status, describe(response)
    assert {k: v for k, v in archived.items() if k != "archivedAt"} == created
    assert api.get_customer(created["id"]) == archived


def test_archiving_again_keeps_the_first_archived_at(api: ApiClient) -> None:
    created = api.create_customer()
    first = api.archive(created["id"])
    time.sleep(0.01)  # a second archive stamping "now" would differ by at least 10 ms
    second = api.archive(created["id"])
    assert second["archivedAt"] == first["archivedAt"], (first, second)
    assert second == first


def test_archived_customers_are_left_out_of_the_default_list(api: ApiClient) -> None:
    label = unique("label")
    kept = api.create_customer(label=label)
    archived = api.archive(api.create_customer(label=label)["id"])
    default = api.list_customers(label=label)
    assert [item["id"] for item in default["items"]] == [kept["id"]], default
    everything = api.list_customers(label=label, includeArchived="true")
    assert {item["id"] for item in everything["items"]} == {kept["id"], archived["id"]}
    assert everything["pagination"]["totalResultSize"] == 2, everything


def test_an_archived_customer_can_still_be_replaced(api: ApiClient) -> None:
    archived = api.archive(api.create_customer()["id"])
    response = api.call("PUT", f"/customers/{archived['id']}", json=customer_body())
    assert response.status_code == 200, describe(response)
    assert response.json()["archivedAt"] == archived["archivedAt"], describe(response)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/customers/{id}", None),
        ("PUT", "/customers/{id}", customer_body()),
        ("POST", "/customers/{id}/archive", None),
    ],
    ids=["get", "put", "archive"],
)
def test_an_unknown_id_is_404(
    api: ApiClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    response = api.call(method, path.format(id=uuid.uuid4()), json=body)
    assert_error(response, 404, "NotFound")


def test_a_child_joins_its_parents_organization(api: ApiClient) -> None:
    parent = api.create_customer()
    child = api.create_customer(parentId=parent["id"])
    [organization] = child["organizations"]
    assert organization["owner"] == {"id": parent["id"], "name": parent["legalName"]}, child
    assert organization["members"] == [{"id": child["id"], "name": child["legalName"]}], child
    assert api.get_customer(parent["id"])["organizations"] == [organization]


@pytest.mark.parametrize("parent", ["unknown", "self"])
def test_an_invalid_parent_is_a_validation_error(api: ApiClient, parent: str) -> None:
    customer = api.create_customer()
    parent_id = customer["id"] if parent == "self" else str(uuid.uuid4())
    response = api.call(
        "PUT", f"/customers/{customer['id']}", json=customer_body(parentId=parent_id)
    )
    assert_error(response, 400, "validationError")
    assert [e["key"] for e in response.json()["error"]["errors"]] == ["parentId"], describe(
        response
    )

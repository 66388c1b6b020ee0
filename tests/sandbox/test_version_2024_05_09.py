"""Version 2024-05-09: its own Customer shape and archive methods, over the shared store."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from sequence_contract import schemas
from tests.sandbox.client import SEEDED_CUSTOMER_ID, ApiClient, assert_error, describe, unique

OLD = "2024-05-09"
NEW = "2024-07-30"


def old_body(**overrides: Any) -> dict[str, Any]:
    """A valid 2024-05-09 create/update body; keyword arguments replace fields (None drops)."""
    body: dict[str, Any] = {
        "legalName": unique(),
        "contactName": "Ada Billing",
        "address": {
            "line1": "1 Test Street",
            "town": "London",
            "postcode": "E1 6AN",
            "country": "GB",
        },
        "email": "ada@example.com",
        "billingEmails": ["invoices@example.com", "ap@example.com"],
        "telephone": "+44 20 7946 0000",
        "taxStatus": "TAXED",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def _json(response: requests.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, describe(response)
    found: dict[str, Any] = response.json()
    return found


def _create(api: ApiClient, **overrides: Any) -> dict[str, Any]:
    return _json(api.call("POST", "/customers", version=OLD, json=old_body(**overrides)), 201)


@pytest.fixture
def customer(api: ApiClient) -> dict[str, Any]:
    return _create(api)


# (name, method, path, body, status, schema) answered in 2024-05-09
STEPS = [
    ("create", "POST", "/customers", old_body(), 201, "customer"),
    ("get", "GET", "/customers/{id}", None, 200, "customer"),
    ("get-seeded", "GET", f"/customers/{SEEDED_CUSTOMER_ID}", None, 200, "customer"),
    ("update", "PUT", "/customers/{id}", old_body(label="x"), 200, "customer"),
    ("list", "GET", "/customers", None, 200, "list-customers-response"),
    ("archive", "PUT", "/customers/{id}/archive", None, 200, "customer"),
    ("delete", "DELETE", "/customers/{id}", None, 200, "customer"),
    ("create-invalid", "POST", "/customers", {"legalName": 1}, 400, "error"),
    ("archive-by-post", "POST", "/customers/{id}/archive", None, 405, "error"),
    ("get-unknown", "GET", "/customers/no-such-id", None, 404, "error"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "schema"),
    [s[1:] for s in STEPS],
    ids=[s[0] for s in STEPS],
)
def test_answers_match_the_2024_05_09_schemas(
    api: ApiClient,
    customer: dict[str, Any],
    method: str,
    path: str,
    body: Any,
    status: int,
    schema: str,
) -> None:
    response = api.call(method, path.format(id=customer["id"]), version=OLD, json=body)
    found = schemas.violations(OLD, schema, _json(response, status))
    assert found == [], f"{schema} ({OLD}): " + "; ".join(found) + describe(response)
    assert response.headers.get("Sequence-Version") == OLD, describe(response)


# (version, method, path, status, Allow header of a 405)
METHODS = [
    (OLD, "PUT", "/customers/{id}/archive", 200, None),
    (OLD, "POST", "/customers/{id}/archive", 405, "PUT"),
    (OLD, "DELETE", "/customers/{id}", 200, None),
    (NEW, "POST", "/customers/{id}/archive", 200, None),
    (NEW, "PUT", "/customers/{id}/archive", 405, "POST"),
    (NEW, "DELETE", "/customers/{id}", 405, "GET, PUT"),
]


@pytest.mark.parametrize(
    ("version", "method", "path", "status", "allow"),
    METHODS,
    ids=[f"{v}-{m}-{p}" for v, m, p, _, _ in METHODS],
)
def test_each_version_archives_by_its_own_methods(
    api: ApiClient,
    customer: dict[str, Any],
    version: str,
    method: str,
    path: str,
    status: int,
    allow: str | None,
) -> None:
    response = api.call(method, path.format(id=customer["id"]), version=version)
    if allow is None:
        assert _json(response, status).get("archivedAt"), describe(response)
    else:
        assert_error(response, 405, "MethodNotAllowed")
        assert response.headers.get("Allow") == allow, describe(response)
        assert "archivedAt" not in api.get_customer(customer["id"]), "a 405 archived the customer"


def test_archiving_again_keeps_the_first_time(api: ApiClient, customer: dict[str, Any]) -> None:
    first = _json(api.call("PUT", f"/customers/{customer['id']}/archive", version=OLD), 200)
    again = _json(api.call("DELETE", f"/customers/{customer['id']}", version=OLD), 200)
    assert again["archivedAt"] == first["archivedAt"], f"archive twice: {first} then {again}"
    listed = _json(api.call("GET", "/customers", version=OLD, params={"limit": 100}), 200)
    assert customer["id"] not in {i["id"] for i in listed["items"]}, "archived customer listed"


def test_the_flat_fields_come_back_as_sent(api: ApiClient) -> None:
    body = old_body()
    created = _json(api.call("POST", "/customers", version=OLD, json=body), 201)
    read = _json(api.call("GET", f"/customers/{created['id']}", version=OLD), 200)
    for name in ("legalName", "contactName", "email", "billingEmails", "telephone", "address"):
        assert created[name] == body[name], f"create {name}: sent {body[name]!r}, got {created}"
        assert read[name] == body[name], f"get {name}: sent {body[name]!r}, got {read}"


def test_2024_07_30_shows_them_as_contacts(api: ApiClient, customer: dict[str, Any]) -> None:
    seen = api.get_customer(customer["id"])  # 2024-07-30
    contacts = [(c["name"], c["email"], c["billingPreference"]) for c in seen["contacts"]]
    assert contacts == [
        ("Ada Billing", "ada@example.com", "PRIMARY"),
        ("Ada Billing", "invoices@example.com", "STANDARD"),
        ("Ada Billing", "ap@example.com", "STANDARD"),
    ], f"{NEW} contacts of a {OLD} customer: {seen['contacts']}"
    assert "telephone" not in seen, f"{NEW} shows the {OLD}-only telephone: {seen}"
    assert schemas.violations(NEW, "customer", seen) == [], f"{NEW} view: {seen}"


def test_a_2024_07_30_customer_in_2024_05_09(api: ApiClient) -> None:
    created = api.create_customer()  # 2024-07-30: one PRIMARY contact, Ada Billing
    seen = _json(api.call("GET", f"/customers/{created['id']}", version=OLD), 200)
    flat = {k: seen.get(k) for k in ("contactName", "email", "billingEmails")}
    expected = {"contactName": "Ada Billing", "email": "ada@example.com", "billingEmails": []}
    assert flat == expected, f"{OLD} view of a {NEW} customer: {seen}"
    assert schemas.violations(OLD, "customer", seen) == [], f"{OLD} view: {seen}"


def test_contact_name_defaults_to_the_legal_name(api: ApiClient) -> None:
    created = _create(api, contactName=None)
    assert created["contactName"] == created["legalName"], f"no contactName sent: {created}"


def test_telephone_survives_2024_07_30_updates_only(
    api: ApiClient, customer: dict[str, Any]
) -> None:
    path = f"/customers/{customer['id']}"
    update = {
        "legalName": customer["legalName"],
        "address": customer["address"],
        "taxStatus": "TAXED",
        "contacts": [{"name": "Bo", "email": "bo@example.com", "billingPreference": "PRIMARY"}],
    }
    _json(api.call("PUT", path, version=NEW, json=update), 200)
    kept = _json(api.call("GET", path, version=OLD), 200)
    assert kept.get("telephone") == "+44 20 7946 0000", f"after a {NEW} update: {kept}"
    assert kept["email"] == "bo@example.com", f"after a {NEW} update: {kept}"
    cleared = _json(api.call("PUT", path, version=OLD, json=old_body(telephone=None)), 200)
    assert "telephone" not in cleared, f"a {OLD} update without telephone kept it: {cleared}"


# (what changes in the body, status, key of the problem reported)
VALIDATION = [
    ({"email": None}, 400, "email"),
    ({"billingEmails": None}, 400, "billingEmails"),
    ({"billingEmails": "a@example.com"}, 400, "billingEmails"),
    ({"telephone": 7}, 400, "telephone"),
    ({"contacts": "ignored: not a field of this version"}, 201, None),
    (
        {"address": {"line1": "1 Rue", "town": "Québec", "postcode": "G1R", "country": "CA"}},
        201,
        None,
    ),
    (
        {"address": {"line1": "1 St", "town": "Austin", "postcode": "73301", "country": "US"}},
        400,
        "address.state",
    ),
    (
        {
            "address": {
                "line1": "1 St",
                "town": "W",
                "postcode": "Y1A",
                "country": "CA",
                "state": "YT",
            }
        },
        400,
        "address.state",
    ),
    ({"integrationIds": [{"service": "Anrok", "id": "a"}]}, 400, "integrationIds.0.service"),
    (
        {"integrationIds": [{"service": "Xero", "id": "a", "lastSynced": "yesterday"}]},
        400,
        "integrationIds.0.lastSynced",
    ),
]


@pytest.mark.parametrize(
    ("change", "status", "key"), VALIDATION, ids=[str(c) for c, _, _ in VALIDATION]
)
def test_2024_05_09_validation(
    api: ApiClient, change: dict[str, Any], status: int, key: str | None
) -> None:
    response = api.call("POST", "/customers", version=OLD, json=old_body(**change))
    if key is None:
        _json(response, status)
        return
    assert_error(response, status, "validationError")
    keys = [problem.get("key") for problem in response.json()["error"].get("errors", [])]
    assert keys == [key], f"problems reported for {key}: {keys}" + describe(response)


def test_integration_last_synced_is_kept(api: ApiClient) -> None:
    links = [{"service": "Xero", "id": "x-1", "lastSynced": "2024-03-28T16:47:00Z"}]
    created = _create(api, integrationIds=links)
    assert created["integrationIds"] == links, f"integrationIds: {created['integrationIds']}"


def test_undocumented_filters_are_ignored(api: ApiClient, customer: dict[str, Any]) -> None:
    params = {"label": "no such label", "legalName": customer["legalName"]}
    listed = _json(api.call("GET", "/customers", version=OLD, params=params), 200)
    assert [i["id"] for i in listed["items"]] == [customer["id"]], f"{OLD} list: {listed}"


@pytest.mark.parametrize("field", ["contactName", "telephone"])
def test_an_empty_string_comes_back_as_sent(api: ApiClient, field: str) -> None:
    # Not replaced by the legal name or dropped: the suite's stored-as-sent check holds the
    # sandbox to what it was sent, in every version.
    created = _create(api, **{field: ""})
    assert created[field] == ""
    read = _json(api.call("GET", f"/customers/{created['id']}", version=OLD), 200)
    assert read[field] == ""

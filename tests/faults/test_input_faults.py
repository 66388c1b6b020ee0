"""Each input-dependent fault shows for its category of input only.

A probe sends one request (or a few) with the triggering input or with a near neighbour that
does not trigger, and says whether the answer was right. Without the fault both are right;
with it, only the neighbour is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sequence_contract.sandbox import EmbeddedSandbox
from sequence_contract.sandbox.faults import faults_of_kind
from sequence_contract.suite.stored import differences
from tests.sandbox.client import ApiClient, customer_body, unique

Probe = Callable[[ApiClient, bool], bool]


def created_as_sent(client: ApiClient, **fields: Any) -> bool:
    body = customer_body(**fields)
    response = client.call("POST", "/customers", json=body)
    return response.status_code == 201 and not differences(body, response.json())


def astral_name(client: ApiClient, trigger: bool) -> bool:
    return created_as_sent(client, legalName=unique("Café \U0001f600" if trigger else "Café é"))


def non_ascii_label(client: ApiClient, trigger: bool) -> bool:
    return created_as_sent(client, label="Café ☕" if trigger else "Cafe")


def long_name(client: ApiClient, trigger: bool) -> bool:
    return created_as_sent(client, legalName="n" * (101 if trigger else 100))


def reverse_charged(client: ApiClient, trigger: bool) -> bool:
    return created_as_sent(client, taxStatus="REVERSE_CHARGED" if trigger else "TAX_EXEMPT")


def none_contact(client: ApiClient, trigger: bool) -> bool:
    second = {"name": "Bo", "email": "bo@example.com",
              "billingPreference": "NONE" if trigger else "STANDARD"}  # fmt: skip
    return created_as_sent(client, contacts=[*customer_body()["contacts"], second])


def properties_with_label(client: ApiClient, trigger: bool) -> bool:
    label = {"label": "tagged"} if trigger else {}
    return created_as_sent(client, customProperties={"tier": "gold"}, **label)


def line2_on_update(client: ApiClient, trigger: bool) -> bool:
    body = customer_body()
    body["address"]["line2"] = "Flat 2"
    created = client.call("POST", "/customers", json=body).json()
    if not trigger:
        return not differences(body, created)
    updated = client.call("PUT", f"/customers/{created['id']}", json=body)
    return updated.status_code == 200 and not differences(body, updated.json())


def limit_101(client: ApiClient, trigger: bool) -> bool:
    status = client.call("GET", "/customers", params={"limit": 101 if trigger else 100})
    return status.status_code == (400 if trigger else 200)


def ascending(client: ApiClient, trigger: bool) -> bool:
    label = unique("sorted")
    for _ in range(2):
        client.create_customer(label=label)

    def ids(order: str) -> list[str]:
        items = client.list_customers(label=label, sortOrder=order)["items"]
        return [item["id"] for item in items]

    descending = ids("DESC")
    return ids("ASC") == descending[::-1] if trigger else len(descending) == 2


def archived_with_filter(client: ApiClient, trigger: bool) -> bool:
    label = unique("archived")
    customer = client.create_customer(label=label)
    client.archive(customer["id"])
    params: dict[str, Any] = {"includeArchived": "true", "limit": 100}
    if trigger:
        params["label"] = label
    return customer["id"] in [item["id"] for item in client.list_customers(**params)["items"]]


PROBES: dict[str, Probe] = {
    "astral-legal-name-500": astral_name,
    "non-ascii-label-mangled": non_ascii_label,
    "long-legal-name-truncated": long_name,
    "reverse-charged-as-taxed": reverse_charged,
    "none-billing-contacts-dropped": none_contact,
    "custom-properties-lost-with-label": properties_with_label,
    "line2-lost-on-update": line2_on_update,
    "limit-101-accepted": limit_101,
    "sort-ascending-ignored": ascending,
    "include-archived-ignored-with-filter": archived_with_filter,
}


def test_the_class_has_at_least_eight_faults_each_with_a_probe() -> None:
    names = {fault.name for fault in faults_of_kind("inputs")}
    assert len(names) >= 8
    assert names == set(PROBES)


@pytest.mark.parametrize("name", PROBES)
def test_a_fault_shows_only_for_its_input(
    api: ApiClient, start_sandbox: Callable[..., EmbeddedSandbox], name: str
) -> None:
    probe = PROBES[name]
    assert probe(api, True), f"without {name}: the sandbox mishandles the triggering input"
    assert probe(api, False), f"without {name}: the sandbox mishandles the neighbour"
    client = ApiClient(start_sandbox(faults=(name,)).base_url)
    try:
        assert probe(client, False), f"with {name}: the neighbouring input is mishandled too"
        assert not probe(client, True), f"with {name}: the triggering input is answered right"
    finally:
        client.close()

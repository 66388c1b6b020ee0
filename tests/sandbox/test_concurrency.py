"""Twenty clients at once: no lost writes, no 5xx, one archivedAt per customer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sequence_contract.sandbox import EmbeddedSandbox
from tests.sandbox.client import ApiClient, customer_body, describe, unique

CLIENTS = 20


def create_and_archive(base_url: str, label: str, shared_id: str) -> dict[str, Any]:
    client = ApiClient(base_url)
    try:
        created = client.call("POST", "/customers", json=customer_body(label=label))
        customer_id = created.json().get("id", "")
        archives = [
            client.call("POST", f"/customers/{customer_id}/archive"),
            client.call("POST", f"/customers/{shared_id}/archive"),
            client.call("POST", f"/customers/{customer_id}/archive"),
        ]
        responses = [created, *archives]
        return {
            "id": customer_id,
            "statuses": [r.status_code for r in responses],
            "own_archived_at": {archives[0].json().get("archivedAt"),
                                archives[2].json().get("archivedAt")},
            "shared_archived_at": archives[1].json().get("archivedAt"),
            "exchanges": "".join(describe(r) for r in responses if r.status_code >= 300),
        }  # fmt: skip
    finally:
        client.close()


def test_parallel_clients_lose_nothing(sandbox: EmbeddedSandbox, api: ApiClient) -> None:
    label = unique("concurrency")
    shared = api.create_customer(label=label)
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        futures = [
            pool.submit(create_and_archive, sandbox.base_url, label, shared["id"])
            for _ in range(CLIENTS)
        ]
        results = [future.result() for future in futures]

    for result in results:
        assert result["statuses"] == [201, 200, 200, 200], result["exchanges"]
        assert len(result["own_archived_at"]) == 1, result
        assert None not in result["own_archived_at"], result
    assert len({r["shared_archived_at"] for r in results}) == 1, results

    listed = api.list_customers(label=label, includeArchived="true", limit=100)
    created_ids = {r["id"] for r in results} | {shared["id"]}
    assert {item["id"] for item in listed["items"]} == created_ids, listed
    assert listed["pagination"]["totalResultSize"] == CLIENTS + 1, listed
    for result in results:
        [archived_at] = result["own_archived_at"]
        assert api.get_customer(result["id"])["archivedAt"] == archived_at
    assert api.list_customers(label=label)["items"] == [], "archived customers were listed"

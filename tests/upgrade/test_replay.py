"""Observed changes on the embedded sandbox, traced to the documented ones."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from sequence_contract import schemas
from sequence_contract.upgrade.check import ReplaySettings, UpgradeCheck, run_upgrade_check

FROM, TO = "2024-05-09", "2024-07-30"
# Every step a version's replay runs, in order (README: the upgrade gate).
STEPS = (
    "create",
    "get",
    "list",
    "update",
    "archive",
    "archive-again",
    "get-unknown-id",
    "archive-unknown-id",
    "unknown-version",
)

# (observed change, the documented change that must explain it)
EXPECTED_OBSERVATIONS = [
    ("observed-field-removed:$.email", "response-field-removed:Customer.email"),
    ("observed-field-removed:$.billingEmails", "response-field-removed:Customer.billingEmails"),
    ("observed-field-removed:$.contactName", "response-field-removed:Customer.contactName"),
    ("observed-field-removed:$.telephone", "response-field-removed:Customer.telephone"),
    ("observed-field-removed:$.items[].email", "response-field-removed:Customer.email"),
    ("observed-field-added:$.contacts", "response-field-added:Customer.contacts"),
    ("observed-field-added:$.organizations", "response-field-added:Customer.organizations"),
    ("observed-field-added:$.status", "response-field-added:Customer.status"),
    ("observed-field-added:$.items[].organizations", "response-field-added:Customer.organizations"),
]


@pytest.fixture(scope="module")
def upgrade(on_sandbox: ReplaySettings) -> UpgradeCheck:
    return run_upgrade_check(FROM, TO, replay_on=on_sandbox)


@pytest.mark.parametrize(
    ("observed", "documented"), EXPECTED_OBSERVATIONS, ids=[o for o, _ in EXPECTED_OBSERVATIONS]
)
def test_observed_change_is_traced(upgrade: UpgradeCheck, observed: str, documented: str) -> None:
    found = {c.id: c for c in upgrade.observed}
    assert observed in found, f"replay {FROM} -> {TO}: {observed} not observed"
    assert documented in found[observed].explained_by, (
        f"{observed}: explained by {found[observed].explained_by}, expected {documented}"
    )


def test_nothing_undocumented_is_observed(upgrade: UpgradeCheck) -> None:
    undocumented = [f"{c.id}: {c.description}" for c in upgrade.observed if not c.expected]
    assert undocumented == [], f"replay {FROM} -> {TO}: undocumented differences"


def test_each_version_archives_by_its_own_method(upgrade: UpgradeCheck) -> None:
    for replay, method in zip(upgrade.replays, ("PUT", "POST"), strict=True):
        steps = {o.step: o for o in replay.observations}
        assert [o.step for o in replay.observations] == list(STEPS), f"{replay.version}: steps"
        archive = steps["archive"]
        wanted = (f"{method} /customers/{{id}}/archive", 200)
        assert (archive.operation, archive.status) == wanted, (
            f"{replay.version} archive: {archive.operation} -> {archive.status}"
        )
        not_run = [o.step for o in replay.observations if o.status is None]
        assert not_run == [], f"{replay.version}: steps not run: {not_run}"


@pytest.mark.parametrize("version", schemas.available_versions())
def test_version_against_itself(on_sandbox: ReplaySettings, version: str) -> None:
    check = run_upgrade_check(version, version, replay_on=on_sandbox)
    found = [c.id for c in check.changes]
    assert found == [], f"{version} -> {version}: {found}"


def test_replay_touches_only_its_own_customers(on_sandbox: ReplaySettings) -> None:
    before = _all_customers(on_sandbox)
    check = run_upgrade_check(FROM, TO, replay_on=on_sandbox)
    after = _all_customers(on_sandbox)
    created = {i for r in check.replays for i in r.created}
    assert len(created) == 2, f"replay: created {created}"
    changed = [i for i in before if before[i] != after.get(i)]
    assert changed == [], f"replay changed customers it did not create: {changed}"
    labels = {after[i].get("label") for i in created}
    assert labels == {r.label for r in check.replays}, f"labels of created customers: {labels}"
    assert all(after[i].get("archivedAt") for i in created), "replay: created customers archived"


def _all_customers(settings: ReplaySettings) -> dict[str, dict[str, Any]]:
    assert settings.credentials is not None
    auth = (settings.credentials.client_id, settings.credentials.client_secret)
    found: dict[str, dict[str, Any]] = {}
    params: dict[str, Any] = {"limit": 100, "includeArchived": "true"}
    for _ in range(50):
        response = requests.get(
            f"{settings.base_url}/customers",
            params=params,
            auth=auth,
            headers={"Sequence-Version": TO},
            timeout=10,
        )
        assert response.status_code == 200, f"listing customers: {response.status_code}"
        page = response.json()
        found |= {item["id"]: item for item in page["items"]}
        after = page.get("pagination", {}).get("after")
        if not after:
            return found
        params["after"] = after
    raise AssertionError("listing customers: more than 50 pages")

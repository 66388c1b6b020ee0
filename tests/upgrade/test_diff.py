"""Documented changes: the classification rules on small cases, and Sequence's real history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from sequence_contract import schemas
from sequence_contract.documents import VersionDocuments
from sequence_contract.upgrade.diff import diff_documents, diff_versions
from sequence_contract.upgrade.model import Change

CASES = Path(__file__).parent / "diff_cases"
OLD, NEW = "2000-01-01", "2000-02-02"

# 2024-05-09 -> 2024-07-30 as Sequence's changelog and the two specs tell it.
SEQUENCE_HISTORY = [
    ("operation-method-changed:/customers/{id}/archive", True),
    ("operation-removed:DELETE /customers/{id}", True),
    ("response-field-removed:Customer.email", True),
    ("response-field-removed:Customer.billingEmails", True),
    ("response-field-removed:Customer.contactName", True),
    ("response-field-removed:Customer.telephone", True),
    ("request-field-removed:CreateOrUpdateCustomerRequest.email", True),
    ("request-field-removed:CreateOrUpdateCustomerRequest.billingEmails", True),
    ("request-field-removed:CreateOrUpdateCustomerRequest.contactName", True),
    ("request-field-removed:CreateOrUpdateCustomerRequest.telephone", True),
    ("request-field-added-required:CreateOrUpdateCustomerRequest.contacts", True),
    ("response-field-added:Customer.contacts", False),
    ("response-field-added:Customer.organizations", False),
    ("response-field-added:Customer.status", False),
    ("request-field-added:CreateOrUpdateCustomerRequest.parentId", False),
    ("request-field-added:CreateOrUpdateCustomerRequest.status", False),
]


def _write_version(folder: Path, version: str, spec: dict[str, Any]) -> VersionDocuments:
    folder.mkdir()
    document = {"openapi": "3.1.0", "info": {"title": "case", "version": version}, **spec}
    path = folder / "openapi.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return VersionDocuments(version, path)


def _verdicts(changes: list[Change]) -> dict[str, str]:
    return {c.id: "breaking" if c.breaking else "compatible" for c in changes}


@pytest.mark.parametrize("case", sorted(CASES.glob("*.yaml")), ids=lambda p: p.stem)
def test_rule_case(case: Path, tmp_path: Path) -> None:
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    old = _write_version(tmp_path / "old", OLD, spec["old"])
    new = _write_version(tmp_path / "new", NEW, spec["new"])
    found = _verdicts(diff_documents(old, new))
    expected: dict[str, str] = spec["expected"]
    wrong = sorted(k for k in found if expected.get(k, found[k]) != found[k])
    assert found == expected, (
        f"{case.name}: missing {sorted(set(expected) - set(found))}, "
        f"unexpected {sorted(set(found) - set(expected))}, verdicts differ on {wrong}"
    )


@pytest.fixture(scope="module")
def history() -> dict[str, Change]:
    return {c.id: c for c in diff_versions("2024-05-09", "2024-07-30")}


@pytest.mark.parametrize(
    ("change_id", "breaking"), SEQUENCE_HISTORY, ids=[c for c, _ in SEQUENCE_HISTORY]
)
def test_sequence_history(history: dict[str, Change], change_id: str, breaking: bool) -> None:
    assert change_id in history, f"2024-05-09 -> 2024-07-30: {change_id} not reported"
    change = history[change_id]
    assert change.breaking is breaking, f"{change_id}: breaking is {change.breaking}"
    assert change.description.startswith(change.subject), f"{change_id}: {change.description!r}"


def test_archive_move_is_one_change(history: dict[str, Change]) -> None:
    archive = history["operation-method-changed:/customers/{id}/archive"]
    assert (archive.before, archive.after) == ("PUT", "POST"), f"archive: {archive}"
    moved = [i for i in history if i.startswith("operation-") and "/archive" in i]
    assert moved == [archive.id], f"archive: reported as {moved}, expected one method change"


def test_removed_field_points_at_every_response(history: dict[str, Change]) -> None:
    email = history["response-field-removed:Customer.email"]
    assert "GET /customers 200 $.items[].email" in email.pointers, f"email: {email.pointers}"
    assert "POST /customers/{id}/archive 200 $.email" in email.pointers, f"email: {email.pointers}"


@pytest.mark.parametrize("version", schemas.available_versions())
def test_version_against_itself(version: str) -> None:
    found = diff_versions(version, version)
    assert found == [], f"{version} -> {version}: {[c.id for c in found]}"

"""Waivers silence exactly what they name; unused ones are reported; bad files say where."""

from __future__ import annotations

from pathlib import Path

import pytest

from sequence_contract.errors import UsageError
from sequence_contract.upgrade.check import UpgradeCheck, run_upgrade_check
from sequence_contract.upgrade.waivers import Waiver, load_waivers

FROM, TO = "2024-05-09", "2024-07-30"
RESPONSE_REMOVALS = {
    f"response-field-removed:Customer.{name}"
    for name in ("email", "billingEmails", "contactName", "telephone")
}

# (waiver id, the change ids it must silence: exactly those among the breaking ones)
SELECTIONS = [
    ("response-field-removed:Customer.email", {"response-field-removed:Customer.email"}),
    ("response-field-removed:Customer.*", RESPONSE_REMOVALS),
    # An id is matched whole: the beginning of another id names nothing.
    ("request-field-removed:CreateOrUpdateCustomerRequest.integrationIds", set()),
    (
        "request-field-removed:CreateOrUpdateCustomerRequest.integrationIds[].lastSynced",
        {"request-field-removed:CreateOrUpdateCustomerRequest.integrationIds[].lastSynced"},
    ),
    (
        "operation-*:*/customers/{id}*",
        {
            "operation-removed:DELETE /customers/{id}",
            "operation-method-changed:/customers/{id}/archive",
        },
    ),
]

GOOD_FILES = [
    (
        "upgrade-waivers.yaml",
        "waivers:\n  - id: 'response-field-removed:Customer.*'\n    reason: we use contacts\n",
    ),
    (
        "upgrade-waivers.yml",
        "- id: 'response-field-removed:Customer.*'\n  reason: we use contacts\n",
    ),
    (
        "upgrade-waivers.toml",
        "[[waivers]]\nid = 'response-field-removed:Customer.*'\nreason = 'we use contacts'\n",
    ),
]

# (file name, content, what the error must say)
BAD_FILES = [
    ("w.yaml", "waivers:\n  - id: x\n", "w.yaml: waiver 1 (x): 'reason' must say why"),
    ("w.yaml", "- id: x\n  reason: r\n  until: 2025\n", "waiver 1: unknown key(s) until"),
    ("w.yaml", "waivers: {id: x}\n", "expected a list of waivers"),
    ("w.yaml", "- reason: r\n", "waiver 1: 'id' must be a non-empty"),
    ("w.yaml", "- id: *:Customer.email\n  reason: r\n", "quote an id that starts with '*'"),
    ("w.toml", "[[waivers]\nid = 'x'\n", "not valid YAML/TOML"),
]


def _check(waivers: tuple[Waiver, ...]) -> UpgradeCheck:
    return run_upgrade_check(FROM, TO, replay_on=None, waivers=waivers)


def _waiver(change_id: str) -> Waiver:
    return Waiver(change_id, "accepted in a test", "test")


@pytest.mark.parametrize(("pattern", "silenced"), SELECTIONS, ids=[p for p, _ in SELECTIONS])
def test_waiver_silences_exactly_what_it_names(pattern: str, silenced: set[str]) -> None:
    unwaived = {c.id for c in _check(()).blocking}
    assert silenced <= unwaived, f"{pattern}: the case names changes that do not block"
    check = _check((_waiver(pattern),))
    waived = {i for i in check.waived if i in unwaived}
    assert waived == silenced, f"waiver {pattern}: silenced {sorted(waived)}"
    assert {c.id for c in check.blocking} == unwaived - silenced, f"waiver {pattern}: verdict"
    unused = {w.id for w in check.unused_waivers}
    assert unused == (set() if silenced else {pattern}), f"waiver {pattern}: unused {unused}"


def test_unused_waiver_is_reported() -> None:
    stale = _waiver("response-field-removed:Customer.fax")
    used = _waiver("operation-removed:DELETE /customers/{id}")
    check = _check((stale, used))
    assert check.unused_waivers == (stale,), f"unused: {check.unused_waivers}"


def test_waiving_every_breaking_change_passes() -> None:
    blocking = _check(()).blocking
    assert blocking, f"{FROM} -> {TO}: nothing blocks before waivers"
    check = _check(tuple(_waiver(c.id) for c in blocking))
    assert check.passed, f"still blocking: {[c.id for c in check.blocking]}"


@pytest.mark.parametrize(("name", "text"), GOOD_FILES, ids=[n for n, _ in GOOD_FILES])
def test_waiver_file_formats(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    (waiver,) = load_waivers(path)
    assert (waiver.id, waiver.reason) == ("response-field-removed:Customer.*", "we use contacts")


@pytest.mark.parametrize(("name", "text", "message"), BAD_FILES, ids=[m for _, _, m in BAD_FILES])
def test_bad_waiver_file(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as raised:
        load_waivers(path)
    assert message in str(raised.value), f"{name}: {raised.value}"
    assert str(path) in str(raised.value), f"{name}: the message must name the file"

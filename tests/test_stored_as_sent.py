"""Stored as sent: each case is a body sent, the Customer returned, and the differences expected."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from sequence_contract.suite.stored import NotStoredAsSent, differences, stored_as_sent

SENT: dict[str, Any] = {
    "legalName": "Acme Ltd",
    "address": {"line1": "1 High St", "line2": "Unit 4", "town": "Leeds",
                "postcode": "LS1 1AA", "country": "GB"},
    "url": "https://acme.example",
    "label": "gold",
    "taxStatus": "REVERSE_CHARGED",
    "contacts": [
        {"name": "Ann", "email": "ann@acme.example", "billingPreference": "PRIMARY"},
        {"name": "Bob", "email": "bob@acme.example", "billingPreference": "STANDARD"},
    ],
    "integrationIds": [{"service": "Xero", "id": "x-1"}],
    "customerAliases": ["acme"],
    "parentId": "p-1",
    "pushToIntegrations": ["Xero"],
    "status": "ACTIVE",
    "customProperties": {"tier": "1", "emoji": "\U0001f600"},
}  # fmt: skip


def stored(sent: dict[str, Any]) -> dict[str, Any]:
    """What a faithful server returns: the fields as sent, plus what it adds."""
    body = {
        key: copy.deepcopy(value)
        for key, value in sent.items()
        if key not in {"customerAliases", "parentId", "pushToIntegrations"}
    }
    body.update(id="c-1", createdAt="2026-12-01T10:00:00.123Z", organizations=[],
                domain="acme.example")  # fmt: skip
    for n, contact in enumerate(body.get("contacts", [])):
        contact.update(id=f"k-{n}", createdAt="2026-12-01T10:00:00Z",
                       updatedAt="2026-12-01T10:00:00Z")  # fmt: skip
    for integration in body.get("integrationIds", []):
        integration["isPending"] = True
    return body


@dataclass(frozen=True)
class Case:
    change: dict[str, Any]  # applied to the faithful answer: key -> value, or None to drop it
    expected: tuple[str, ...]
    sent: dict[str, Any] = field(default_factory=lambda: SENT)
    version: str = "2024-07-30"


def apply(body: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    for dotted, value in change.items():
        *parents, last = dotted.split(".")
        target = body
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        if value is None:
            del target[last]
        else:
            target[last] = value
    return body


CASES = {
    "faithful": Case({}, ()),
    "contacts-in-another-order": Case(
        {"contacts": list(reversed(stored(SENT)["contacts"]))}, ()),
    "write-only-fields-are-not-expected-back": Case({}, ()),
    "a-number-stored-as-float-is-the-same": Case(
        {"customProperties": {"tier": "1", "emoji": "\U0001f600"}}, ()),
    "line2-dropped": Case({"address.line2": None},
                          ('$.address.line2: sent "Unit 4", not returned',)),
    "tax-status-altered": Case({"taxStatus": "TAXED"},
                               ('$.taxStatus: sent "REVERSE_CHARGED", returned "TAXED"',)),
    "custom-properties-dropped": Case(
        {"customProperties": {}},
        ('$.customProperties.tier: sent "1", not returned',
         '$.customProperties.emoji: sent "😀", not returned')),
    "astral-character-mangled": Case(
        {"customProperties.emoji": "??"},
        ('$.customProperties.emoji: sent "😀", returned "??"',)),
    "name-truncated": Case({"legalName": "Acme"},
                           ('$.legalName: sent "Acme Ltd", returned "Acme"',)),
    "label-missing": Case({"label": None}, ('$.label: sent "gold", not returned',)),
    "contact-altered": Case(
        {"contacts.1.billingPreference": "NONE"},
        ('$.contacts[1]: sent {"name": "Bob", "email": "bob@acme.example", '
         '"billingPreference": "STANDARD"}, not returned as sent',)),
    "integration-ids-not-a-list": Case(
        {"integrationIds": {}}, ("$.integrationIds: sent a list of 1, returned {}",)),
    "a-boolean-is-not-a-number": Case(
        {"customProperties.tier": True}, ('$.customProperties.tier: sent "1", returned true',)),
    "customer-aliases-are-compared-where-returned": Case(
        {}, ('$.customerAliases: sent ["acme"], not returned',
             '$.parentId: sent "p-1", not returned',
             '$.pushToIntegrations: sent ["Xero"], not returned'), version="unknown-version"),
    "2024-05-09-billing-emails-in-any-order": Case(
        {"billingEmails": ["b@x.example", "a@x.example"]}, (),
        sent={"legalName": "Old", "email": "a@x.example", "telephone": "+44 1",
              "billingEmails": ["a@x.example", "b@x.example"], "customerAliases": ["o"]},
        version="2024-05-09"),
    "2024-05-09-telephone-dropped": Case(
        {"telephone": None}, ('$.telephone: sent "+44 1", not returned',),
        sent={"legalName": "Old", "telephone": "+44 1"}, version="2024-05-09"),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES.values(), ids=CASES)
def test_differences(case: Case) -> None:
    returned = apply(stored(case.sent), case.change)
    found = differences(case.sent, returned, case.version)
    assert tuple(str(d) for d in found) == case.expected


def test_undocumented_properties_are_not_expected_back() -> None:
    # Schema-valid bodies may carry properties the schema does not name; a server may drop them.
    sent = {**SENT, "extra": [1], "contacts": [{**SENT["contacts"][0], "nickname": "A"}],
            "address": {**SENT["address"], "floor": "2"}}  # fmt: skip
    assert differences(sent, stored(SENT) | {"contacts": stored(SENT)["contacts"][:1]}) == []


def test_put_without_custom_properties_compares_none() -> None:
    # Documented: leaving customProperties out of an update keeps the stored ones.
    sent = {k: v for k, v in SENT.items() if k != "customProperties"}
    returned = stored(SENT)
    returned["customProperties"] = {"kept": "from before"}
    assert differences(sent, returned) == []


def fake_case(method: str, path: str, body: Any, mode: str = "positive") -> SimpleNamespace:
    from schemathesis.generation import GenerationMode

    meta = SimpleNamespace(generation=SimpleNamespace(mode=GenerationMode(mode)))
    return SimpleNamespace(method=method, path=path, formatted_path=path, body=body,
                           headers={"Sequence-Version": "2024-07-30"}, meta=meta)  # fmt: skip


def fake_response(status: int, body: Any) -> SimpleNamespace:
    return SimpleNamespace(status_code=status, json=lambda: body)


@pytest.mark.parametrize(
    ("method", "path", "status", "mode", "fails"),
    [
        ("POST", "/customers", 201, "positive", True),
        ("PUT", "/customers/c-1", 200, "positive", True),
        ("PUT", "/customers/c-1", 400, "positive", False),
        ("POST", "/customers", 201, "negative", False),
        ("POST", "/customers/c-1/archive", 200, "positive", False),
    ],
)
def test_the_schemathesis_check_applies_to_positive_2xx_writes(
    method: str, path: str, status: int, mode: str, fails: bool
) -> None:
    returned = apply(stored(SENT), {"address.line2": None})
    case = fake_case(method, path, SENT, mode)
    if fails:
        with pytest.raises(NotStoredAsSent, match=r"\$\.address\.line2: sent \"Unit 4\""):
            stored_as_sent(None, fake_response(status, returned), case)
    else:
        assert stored_as_sent(None, fake_response(status, returned), case) is None

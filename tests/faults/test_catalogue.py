"""The fault catalogue: big enough, every class covered, every entry described and usable."""

from __future__ import annotations

import re
from typing import get_args

import pytest

from sequence_contract.sandbox import SandboxConfig, UnknownFaultError
from sequence_contract.sandbox.faults import (
    CONTRACT_KINDS,
    FAULTS,
    FaultKind,
    benign_variants,
    contract_faults,
    faults_of_kind,
    resolve_faults,
)

MIN_FAULTS = 30
MIN_BENIGN = 8
NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def test_the_catalogue_is_large_enough() -> None:
    assert len(contract_faults()) >= MIN_FAULTS, [f.name for f in contract_faults()]
    assert len(benign_variants()) >= MIN_BENIGN, [f.name for f in benign_variants()]


@pytest.mark.parametrize("kind", CONTRACT_KINDS)
def test_every_class_of_contract_break_has_faults(kind: FaultKind) -> None:
    assert faults_of_kind(kind), f"class {kind}: no fault in the catalogue"


@pytest.mark.parametrize("name", FAULTS)
def test_a_fault_is_named_described_and_does_something(name: str) -> None:
    fault = FAULTS[name]
    hooks = (
        fault.before_request,
        fault.replace_response,
        fault.transform_response,
        fault.check_body,
    )

    assert NAME.match(fault.name), f"{name}: names are lower-case words joined by '-'"
    assert fault.kind in get_args(FaultKind), f"{name}: unknown kind {fault.kind!r}"
    assert fault.description.strip(), f"{name}: no description"
    assert "\n" not in fault.description, f"{name}: the description must be one line"
    assert any(hook is not None for hook in hooks), f"{name}: no hook, so no effect"
    assert SandboxConfig(faults=(name,)).faults == (name,)


def test_resolve_keeps_order_and_drops_repeats() -> None:
    names = ("gzip-responses", "ignore-auth", "gzip-responses")

    assert [fault.name for fault in resolve_faults(names)] == ["gzip-responses", "ignore-auth"]


def test_an_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(UnknownFaultError) as raised:
        resolve_faults(["ignore-auth", "no-such-fault"])

    message = str(raised.value)
    assert "no-such-fault" in message, message
    assert "archive-not-persisted" in message, message

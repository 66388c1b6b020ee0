"""Deliberate misbehaviour, switched on by name, to prove the contract suite catches it.

`FAULTS` is the read-only registry: one module per class of contract break (shape, status,
content, auth, version, ids, archive, envelope, inputs), the benign variants the suite must
pass (`benign`, `strict`), and the faults the report tests use (`reporting`). Each fault is a
small named function with a one-line description (see `model.py`); importing its module
registers it. Faults apply in the order they are configured.
"""

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from sequence_contract.sandbox.errors import UnknownFaultError
from sequence_contract.sandbox.faults import (  # noqa: F401 - importing registers the faults
    archive,
    auth,
    benign,
    content,
    envelope,
    ids,
    inputs,
    reporting,
    shape,
    status,
    strict,
    version,
)
from sequence_contract.sandbox.faults.model import (
    CONTRACT_KINDS,
    REGISTRY,
    Fault,
    FaultKind,
    FaultServices,
)

FAULTS: Mapping[str, Fault] = MappingProxyType(REGISTRY)


def faults_of_kind(*kinds: FaultKind) -> tuple[Fault, ...]:
    """The registered faults of these kinds, kind by kind."""
    return tuple(fault for kind in kinds for fault in FAULTS.values() if fault.kind == kind)


def contract_faults() -> tuple[Fault, ...]:
    """Every fault that breaks the documented contract: the suite must fail on each."""
    return faults_of_kind(*CONTRACT_KINDS)


def benign_variants() -> tuple[Fault, ...]:
    """Every variant the contract allows: the suite must pass on each."""
    return faults_of_kind("benign")


def resolve_faults(names: Iterable[str]) -> tuple[Fault, ...]:
    """The faults for these names, in order, without repeats; UnknownFaultError otherwise."""
    names = tuple(names)
    unknown = [name for name in names if name not in FAULTS]
    if unknown:
        raise UnknownFaultError(
            f"unknown fault(s): {', '.join(unknown)}; known faults: {', '.join(sorted(FAULTS))}"
        )
    return tuple(FAULTS[name] for name in dict.fromkeys(names))


__all__ = [
    "CONTRACT_KINDS",
    "FAULTS",
    "Fault",
    "FaultKind",
    "FaultServices",
    "benign_variants",
    "contract_faults",
    "faults_of_kind",
    "resolve_faults",
]

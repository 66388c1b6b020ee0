"""Deliberate misbehaviour, switched on by name, to prove the contract suite catches it.

`FAULTS` is the read-only registry: one module per class of contract break (shape, status,
content, auth, version, ids, archive, envelope), the benign variants the suite must pass,
and the faults the report tests use. Each fault is a small named function with a one-line
description (see `model.py`). Faults apply in the order they are configured. Add a fault to
its class's module; the registry picks it up.
"""

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from sequence_contract.sandbox.errors import UnknownFaultError
from sequence_contract.sandbox.faults import (
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
    CUSTOMER_OPERATIONS,
    Fault,
    FaultKind,
    FaultServices,
    RawResponse,
    ReplaceHook,
    RequestHook,
    TransformHook,
)
from sequence_contract.sandbox.faults.reporting import (
    ECHO_AUTHORIZATION_HEADER,
    ECHO_SECRET_HEADER,
)

_MODULES = (
    shape,
    status,
    content,
    auth,
    version,
    ids,
    archive,
    envelope,
    inputs,
    benign,
    strict,
    reporting,
)


def _registry() -> Mapping[str, Fault]:
    faults: dict[str, Fault] = {}
    for module in _MODULES:
        for fault in module.FAULTS:
            if fault.name in faults:
                raise RuntimeError(f"fault {fault.name!r} is registered twice")
            faults[fault.name] = fault
    return MappingProxyType(faults)


FAULTS: Mapping[str, Fault] = _registry()


def faults_of_kind(*kinds: FaultKind) -> tuple[Fault, ...]:
    """The registered faults of these kinds, in registry order."""
    return tuple(fault for fault in FAULTS.values() if fault.kind in kinds)


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
    "CUSTOMER_OPERATIONS",
    "ECHO_AUTHORIZATION_HEADER",
    "ECHO_SECRET_HEADER",
    "FAULTS",
    "Fault",
    "FaultKind",
    "FaultServices",
    "RawResponse",
    "ReplaceHook",
    "RequestHook",
    "TransformHook",
    "benign_variants",
    "contract_faults",
    "faults_of_kind",
    "resolve_faults",
]

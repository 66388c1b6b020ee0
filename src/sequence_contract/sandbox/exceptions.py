"""Exceptions the sandbox raises to its Python callers (not HTTP errors: see errors.py)."""

from sequence_contract.errors import SequenceContractError


class SandboxError(SequenceContractError):
    """Base class of every error the embedded sandbox raises on purpose."""


class SandboxConfigError(SandboxError):
    """A SandboxConfig value is unusable (bad number, unknown fault, unusable database)."""


class UnknownFaultError(SandboxConfigError):
    """A fault name is not in the fault registry; the message lists the known ones."""


class SandboxStartError(SandboxError):
    """The server could not start: port in use, startup failure or readiness timeout."""

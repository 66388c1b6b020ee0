"""Errors of the upgrade check; each one ends the command with one readable sentence."""

from sequence_contract.errors import SequenceContractError
from sequence_contract.http import EnvironmentProblem


class UpgradeUsageError(SequenceContractError):
    """The command was asked something it cannot do (exit 2); the message says how to fix it."""


class VersionNotServed(EnvironmentProblem):
    """The server refuses one of the two versions being compared (exit 3)."""

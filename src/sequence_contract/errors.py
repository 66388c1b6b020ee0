"""The one base exception of the package, and the usage error every command shares."""


class SequenceContractError(Exception):
    """Base class of every error this package raises on purpose."""


class UsageError(SequenceContractError):
    """A run was configured in a way that cannot work; the message says how to fix it."""

"""The one base exception of the package; each concern subclasses it."""


class SequenceContractError(Exception):
    """Base class of every error this package raises on purpose."""

"""Contract tests, schemas and an embedded sandbox for the Sequence Customers API."""

from sequence_contract.errors import SequenceContractError

__all__ = ["SequenceContractError", "__version__"]
__version__ = "0.1.0"

"""Contract tests, schemas and an embedded sandbox for the Sequence Customers API."""

__version__ = "0.1.0"

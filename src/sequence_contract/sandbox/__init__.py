"""An embedded sandbox: Sequence's documented Customers API on a local port, over real HTTP
with a SQLite store, Basic auth, `Sequence-Version`, a rate limit and named faults."""

from sequence_contract.sandbox.config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    SandboxConfig,
    SandboxConfigError,
    SandboxError,
    SandboxStartError,
    UnknownFaultError,
)
from sequence_contract.sandbox.server import EmbeddedSandbox, create_app

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "EmbeddedSandbox",
    "SandboxConfig",
    "SandboxConfigError",
    "SandboxError",
    "SandboxStartError",
    "UnknownFaultError",
    "create_app",
]

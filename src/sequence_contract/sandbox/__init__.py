"""An embedded sandbox: Sequence's documented Customers API (2024-07-30) on a local port.

Real HTTP (Starlette on uvicorn), a real SQLite store, Basic auth, the `Sequence-Version`
header, a rate limit, and named faults that make it misbehave on purpose.
"""

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

"""Settings of one sandbox instance, and the errors the sandbox raises to Python callers."""

from dataclasses import dataclass, field
from pathlib import Path

from sequence_contract.errors import SequenceContractError

DEFAULT_CLIENT_ID = "sandbox-client-id"
# A public, documented default: anyone may know it, so it protects nothing but typos.
DEFAULT_CLIENT_SECRET = "sandbox-client-secret"


class SandboxError(SequenceContractError):
    """Base class of every error the embedded sandbox raises to its Python callers on purpose."""


class SandboxConfigError(SandboxError):
    """A SandboxConfig value is unusable (bad number, unknown fault, unusable database)."""


class UnknownFaultError(SandboxConfigError):
    """A fault name is not in the fault registry; the message lists the known ones."""


class SandboxStartError(SandboxError):
    """The server could not start: port in use, startup failure or readiness timeout."""


@dataclass(frozen=True)
class SandboxConfig:
    """How a sandbox authenticates, stores, limits and misbehaves. Without `db_path` every
    start gets a temporary database, deleted on stop; `faults` names entries of `FAULTS`."""

    client_id: str = DEFAULT_CLIENT_ID
    # repr=False: a logged or printed config must never show the secret.
    client_secret: str = field(default=DEFAULT_CLIENT_SECRET, repr=False)
    db_path: Path | None = None
    rate_limit_per_minute: int = 1500
    max_body_bytes: int = 1_048_576
    faults: tuple[str, ...] = ()
    seed: bool = True

    def __post_init__(self) -> None:
        if not self.client_id or ":" in self.client_id:
            raise SandboxConfigError(
                "client_id: must be non-empty and without ':' (Basic credentials split on it)"
            )
        if not self.client_secret:
            raise SandboxConfigError("client_secret: must be non-empty")
        if self.db_path is not None and not isinstance(self.db_path, Path):
            raise SandboxConfigError(
                f"db_path: must be a pathlib.Path or None, got {self.db_path!r}"
            )
        for name in ("rate_limit_per_minute", "max_body_bytes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise SandboxConfigError(f"{name}: must be a positive integer, got {value!r}")
        if not isinstance(self.faults, tuple) or not all(isinstance(f, str) for f in self.faults):
            raise SandboxConfigError(f"faults: must be a tuple of fault names, got {self.faults!r}")
        # Imported here: the fault registry depends on modules that import this one.
        from sequence_contract.sandbox.faults import resolve_faults

        resolve_faults(self.faults)

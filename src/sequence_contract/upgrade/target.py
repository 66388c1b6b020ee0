"""Where the replay runs: a base URL with credentials, or an embedded sandbox of its own."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sequence_contract.suite.target import TargetKind, classify, destructive_allowed
from sequence_contract.upgrade.errors import UpgradeUsageError

CLIENT_ID_VARIABLE = "SEQUENCE_CLIENT_ID"
CLIENT_SECRET_VARIABLE = "SEQUENCE_CLIENT_SECRET"
ALLOW_HOST_VARIABLE = "SEQUENCE_ALLOW_DESTRUCTIVE_HOST"


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str = field(repr=False)  # never printed


@dataclass(frozen=True)
class Target:
    base_url: str
    credentials: Credentials
    kind: TargetKind

    @property
    def embedded(self) -> bool:
        return self.kind is TargetKind.EMBEDDED


def credentials_from_env(environ: Mapping[str, str] | None = None) -> Credentials | None:
    """Both variables, or neither (None); one without the other is a usage error."""
    env = os.environ if environ is None else environ
    client_id = env.get(CLIENT_ID_VARIABLE, "").strip()
    client_secret = env.get(CLIENT_SECRET_VARIABLE, "").strip()
    if client_id and client_secret:
        return Credentials(client_id, client_secret)
    if client_id or client_secret:
        missing = CLIENT_SECRET_VARIABLE if client_id else CLIENT_ID_VARIABLE
        raise UpgradeUsageError(f"credentials: {missing} is not set (both variables are needed)")
    return None


def check_remote(
    base_url: str, credentials: Credentials | None, allowed_host: str | None, *, writes: bool = True
) -> Target:
    """A remote target the replay may use, or a usage error saying why not; `writes=False`:
    the caller sends only GET, HEAD and OPTIONS, so any host will do."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UpgradeUsageError(f"--base-url {base_url!r}: expected http(s)://host[:port]/api")
    if credentials is None:
        raise UpgradeUsageError(
            f"credentials: {base_url} needs {CLIENT_ID_VARIABLE} and {CLIENT_SECRET_VARIABLE} "
            "in the environment (never on the command line)"
        )
    kind = classify(base_url, embedded=False)
    # The replay creates, updates and archives customers: never on a live account unasked.
    if writes and not destructive_allowed(base_url, kind, allowed_host):
        raise UpgradeUsageError(
            f"--base-url {base_url}: the replay creates and archives customers, and "
            f"{parts.hostname} is not a sandbox; pass --allow-destructive-host {parts.hostname} "
            "if that is intended"
        )
    return Target(base_url.rstrip("/"), credentials, kind)


@contextmanager
def embedded_target() -> Iterator[Target]:
    """An embedded sandbox for the duration of the block, with its default credentials."""
    # Imported here: the sandbox (Starlette, uvicorn) is only needed when no URL is given.
    from sequence_contract.sandbox.config import SandboxConfig
    from sequence_contract.sandbox.server import EmbeddedSandbox

    config = SandboxConfig()
    sandbox = EmbeddedSandbox(config).start()
    try:
        yield Target(
            sandbox.base_url,
            Credentials(config.client_id, config.client_secret),
            TargetKind.EMBEDDED,
        )
    finally:
        sandbox.stop()

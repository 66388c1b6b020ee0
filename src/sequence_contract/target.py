"""The server a run talks to, for the suite and the upgrade gate: credentials, base-URL checks,
may-we-write, the embedded sandbox, the preflight, the archive method and customer bodies."""

from __future__ import annotations

import enum
import ipaddress
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from sequence_contract.errors import UsageError
from sequence_contract.http.errors import EnvironmentProblem
from sequence_contract.schemas import load_openapi

SANDBOX_HOST = "sandbox.sequencehq.com"
CLIENT_ID_VARIABLE = "SEQUENCE_CLIENT_ID"
CLIENT_SECRET_VARIABLE = "SEQUENCE_CLIENT_SECRET"
ALLOW_HOST_VARIABLE = "SEQUENCE_ALLOW_DESTRUCTIVE_HOST"
VERSION_HEADER = "Sequence-Version"
# What a read-only run may send: methods that change nothing (RFC 9110 9.2.1).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ARCHIVE_PATH = "/customers/{id}/archive"


class TargetKind(enum.Enum):
    EMBEDDED = "embedded sandbox"
    LOOPBACK = "loopback"
    SANDBOX = "Sequence sandbox"
    LIVE = "live"


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str = field(repr=False)  # never printed


@dataclass(frozen=True)
class Target:
    base_url: str  # without a trailing slash
    credentials: Credentials
    kind: TargetKind

    @property
    def embedded(self) -> bool:
        return self.kind is TargetKind.EMBEDDED


def classify(base_url: str | None, *, embedded: bool) -> TargetKind:
    if embedded or base_url is None:
        return TargetKind.EMBEDDED
    host = (urlsplit(base_url).hostname or "").lower()
    if host == SANDBOX_HOST:
        return TargetKind.SANDBOX
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    return TargetKind.LOOPBACK if loopback else TargetKind.LIVE


def destructive_allowed(base_url: str | None, kind: TargetKind, allowed_host: str | None) -> bool:
    """Creates, updates and archives run only where they cannot harm a real account."""
    if kind is not TargetKind.LIVE:
        return True
    host = (urlsplit(base_url or "").hostname or "").lower()
    return bool(allowed_host) and host == (allowed_host or "").strip().lower()


def credentials_from_env(environ: Mapping[str, str] | None = None) -> Credentials | None:
    """Both variables, or neither (None); one without the other is a usage error."""
    env = os.environ if environ is None else environ
    client_id = env.get(CLIENT_ID_VARIABLE, "").strip()
    client_secret = env.get(CLIENT_SECRET_VARIABLE, "").strip()
    if client_id and client_secret:
        return Credentials(client_id, client_secret)
    if client_id or client_secret:
        missing = CLIENT_SECRET_VARIABLE if client_id else CLIENT_ID_VARIABLE
        raise UsageError(f"credentials: {missing} is not set (both variables are needed)")
    return None


def remote_target(base_url: str, credentials: Credentials | None) -> Target:
    """A URL requests can send to, with credentials; else one sentence (never a traceback)."""
    expected = "expected http(s)://host[:port]/api"
    try:
        parts = urlsplit(base_url)
        parts.port  # noqa: B018 - raises for a port that is no number or out of range
        requests.Request("GET", base_url).prepare()
    except (ValueError, requests.RequestException) as exc:
        raise UsageError(f"--base-url {base_url!r}: {exc}; {expected}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--base-url {base_url!r}: {expected}")
    if credentials is None:
        raise UsageError(
            f"credentials: {base_url} needs {CLIENT_ID_VARIABLE} and {CLIENT_SECRET_VARIABLE} "
            "in the environment (never on the command line)"
        )
    return Target(base_url.rstrip("/"), credentials, classify(base_url, embedded=False))


@contextmanager
def embedded_sandbox(
    credentials: Credentials | None = None, faults: tuple[str, ...] = ()
) -> Iterator[Target]:
    """An embedded sandbox for the duration of the block (its default credentials unless
    given). A bad fault name raises SandboxConfigError, a failed start SandboxStartError."""
    # Imported here: the sandbox (Starlette, uvicorn) is only needed when no URL is given.
    from sequence_contract.sandbox import EmbeddedSandbox

    config = sandbox_config(credentials, faults)
    with EmbeddedSandbox(config) as sandbox:
        yield Target(
            sandbox.base_url,
            Credentials(config.client_id, config.client_secret),
            TargetKind.EMBEDDED,
        )


def sandbox_config(credentials: Credentials | None, faults: tuple[str, ...]) -> Any:
    """The embedded sandbox's settings; validates fault names without starting anything."""
    from sequence_contract.sandbox import SandboxConfig

    given = {} if credentials is None else vars(credentials)
    # The run is this sandbox's only client: its quota must not slow a nightly run.
    return SandboxConfig(**given, faults=faults, rate_limit_per_minute=1_000_000)


def preflight(session: requests.Session, target: Target, versions: tuple[str, ...]) -> None:
    """One read per version before anything else: is it the API, do the credentials work, is
    the version served? Raises an EnvironmentProblem that says which, in one sentence."""
    where = f"{target.base_url}/customers?limit=1"
    for version in dict.fromkeys(versions):
        # TargetUnreachable / RequestTimedOut propagate with their own message.
        response = session.get(
            f"{target.base_url}/customers",
            params={"limit": 1},
            headers={VERSION_HEADER: version, "Accept": "application/json"},
            auth=(target.credentials.client_id, target.credentials.client_secret),
        )
        if response.status_code in (401, 403):
            client_id = target.credentials.client_id
            raise EnvironmentProblem(
                f"{where}: the API answered {response.status_code} to the credentials of client "
                f"id {client_id[:4] + '…' if len(client_id) > 6 else '…'}; check "
                f"{CLIENT_ID_VARIABLE} / {CLIENT_SECRET_VARIABLE}"
            )
        if response.status_code >= 500:
            continue  # a server error is the contract's business: the tests will say where
        content_type = response.headers.get("Content-Type", "")
        if "json" not in content_type.lower():
            raise EnvironmentProblem(
                f"{where}: answered {response.status_code} with "
                f"{content_type or 'no content type'}, not JSON; is the base URL the API root "
                "(it ends in /api)?"
            )
        if response.status_code == 404:
            raise EnvironmentProblem(
                f"{where}: 404; is the base URL the API root (it ends in /api)?"
            )
        try:
            error_type = response.json()["error"]["type"]
        except (ValueError, LookupError, TypeError):
            error_type = None
        if response.status_code == 400 and error_type == "UnrecognisedApiVersion":
            raise EnvironmentProblem(
                f"{where}: the server does not serve {VERSION_HEADER} {version}"
            )


def archive_method(version: str) -> str:
    """The method the version's document gives `/customers/{id}/archive` (POST if none)."""
    item = load_openapi(version).get("paths", {}).get(ARCHIVE_PATH, {})
    for method in ("post", "put", "patch", "delete"):
        if isinstance(item, dict) and method in item:
            return method.upper()
    return "POST"


def run_label(run_id: str) -> str:
    """Every customer a run creates carries it, so a person (and cleanup) can find them."""
    return f"sequence-contract run {run_id}"


def customer_body(version: str, run_id: str, serial: int) -> dict[str, Any]:
    """A valid create body for `version`, unique within the run."""
    name = f"Contract Test Customer {run_id}-{serial}"
    email = f"billing+{run_id}-{serial}@example.com"
    address = {"line1": "1 Test Street", "town": "London", "postcode": "EC1A 1BB", "country": "GB"}
    body: dict[str, Any] = {
        "legalName": name,
        "address": address,
        "taxStatus": "TAXED",
        "label": run_label(run_id),
    }
    if version == "2024-05-09":
        contact = {"contactName": "Contract Tester", "email": email, "billingEmails": [email]}
        return {"legalName": name, **contact, **body}  # contact fields first, as sent before
    contact = {"name": "Contract Tester", "email": email, "billingPreference": "PRIMARY"}
    return {**body, "contacts": [contact], "customProperties": {"suite": "sequence-contract"}}

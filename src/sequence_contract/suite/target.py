"""What kind of server the suite talks to, and whether it may change data there."""

from __future__ import annotations

import enum
import ipaddress
from urllib.parse import urlsplit

SANDBOX_HOST = "sandbox.sequencehq.com"
PRODUCTION_HOST = "eu.sequencehq.com"


class TargetKind(enum.Enum):
    EMBEDDED = "embedded sandbox"
    LOOPBACK = "loopback"
    SANDBOX = "Sequence sandbox"
    LIVE = "live"


def classify(base_url: str | None, *, embedded: bool) -> TargetKind:
    if embedded or base_url is None:
        return TargetKind.EMBEDDED
    host = (urlsplit(base_url).hostname or "").lower()
    if host == SANDBOX_HOST:
        return TargetKind.SANDBOX
    if host == "localhost" or _is_loopback_ip(host):
        return TargetKind.LOOPBACK
    return TargetKind.LIVE


def destructive_allowed(base_url: str | None, kind: TargetKind, allowed_host: str | None) -> bool:
    """Creates, updates and archives run only where they cannot harm a real account."""
    if kind is not TargetKind.LIVE:
        return True
    host = (urlsplit(base_url or "").hostname or "").lower()
    return bool(allowed_host) and host == (allowed_host or "").strip().lower()


def _is_loopback_ip(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

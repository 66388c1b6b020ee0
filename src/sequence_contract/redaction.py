"""Masking of credentials: every string that leaves the process (console, reports, curl
commands, logs) goes through a `Redactor` of the credentials in use, echoed secrets included."""

from __future__ import annotations

import base64
import re
import urllib.parse
from collections.abc import Iterable, Mapping

MASK = "[REDACTED]"
_AUTHORIZATION_VALUE = re.compile(r"(?i)\b(basic|bearer)\s+[A-Za-z0-9+/=._~-]+")
SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})


def _base64_cores(data: bytes) -> set[str]:
    """What the base64 of any text holding `data` contains, whatever bytes come before it: one
    core per offset in base64's 3-byte groups, the characters computed from `data` alone."""
    cores = set()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + data).decode()
        start = -(-shift * 4 // 3)  # characters that mix in the bytes before `data`
        end = (shift + len(data)) // 3 * 4  # characters of complete groups only
        core = encoded[start:end]
        if len(core) >= 8:  # shorter cores would mask ordinary text
            cores |= {core, core.replace("+", "-").replace("/", "_")}
    return cores


class Redactor:
    """Replaces every known secret form, and any Basic/Bearer credential, with a mask."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._forms: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str) -> None:
        """Mask `secret` plain, URL-encoded and in base64 (alone, or inside any longer base64
        value such as the Basic credentials of another client id)."""
        # Too-short secrets would mask ordinary words; the default sandbox secret is long enough.
        if len(secret) >= 4:
            quoted = {urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}
            encoded = base64.b64encode(secret.encode()).decode()
            self._forms |= {secret, encoded, *quoted, *_base64_cores(secret.encode())}

    def add_credentials(self, client_id: str, client_secret: str) -> None:
        self.add(client_secret)
        pair = f"{client_id}:{client_secret}"
        self.add(pair)
        self.add(base64.b64encode(pair.encode()).decode())

    def text(self, value: str) -> str:
        value = _AUTHORIZATION_VALUE.sub(lambda m: f"{m.group(1)} {MASK}", value)
        # Longest first, so that a form containing another is masked whole.
        for form in sorted(self._forms, key=len, reverse=True):
            if form in value:
                value = value.replace(form, MASK)
        return value

    def headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return {
            name: (MASK if name.lower() in SENSITIVE_HEADERS else self.text(str(value)))
            for name, value in headers.items()
        }

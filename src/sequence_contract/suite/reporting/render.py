"""Exchanges rendered for a person: request, response, and a curl command that reproduces it.

Everything passes through the run's `Redactor`; the curl command reads the credentials from the
environment instead of carrying them.
"""

from __future__ import annotations

import contextlib
import json
import shlex
from collections.abc import Mapping

from sequence_contract.http import Exchange
from sequence_contract.redaction import Redactor

BODY_LIMIT = 4000
_HIDDEN_REQUEST_HEADERS = frozenset(
    {"user-agent", "accept-encoding", "connection", "content-length"}
)


def pretty_body(raw: bytes | None, redactor: Redactor) -> str:
    if not raw:
        return "(empty)"
    text = raw.decode("utf-8", errors="replace")
    with contextlib.suppress(ValueError):
        text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    # Redacted before truncating: a secret cut in half by the limit would not be recognised.
    text = redactor.text(text)
    if len(text) > BODY_LIMIT:
        return text[:BODY_LIMIT] + f"\n… (truncated: {len(text) - BODY_LIMIT} more characters)"
    return text


def _header_lines(headers: Mapping[str, str], redactor: Redactor) -> str:
    return "\n".join(f"  {name}: {value}" for name, value in redactor.headers(headers).items())


def curl_command(exchange: Exchange, redactor: Redactor, default_authorization: str | None) -> str:
    """A shell command that sends the same request; credentials come from the environment."""
    parts = ["curl", "-i", "-X", exchange.method, exchange.url]
    for name, value in exchange.request_headers.items():
        if name.lower() in _HIDDEN_REQUEST_HEADERS:
            continue
        if name.lower() == "authorization":
            if value == default_authorization:
                parts += ["-u", "$SEQUENCE_CLIENT_ID:$SEQUENCE_CLIENT_SECRET"]
                continue
            value = redactor.text(value)
        parts += ["-H", f"{name}: {redactor.text(str(value))}"]
    if exchange.request_body:
        parts += ["--data-raw", redactor.text(exchange.request_body.decode("utf-8", "replace"))]
    # Quote everything but the environment references, which the shell must expand.
    return " ".join(
        f'"{part}"' if part.startswith("$SEQUENCE_") else shlex.quote(part) for part in parts
    )


def render_exchange(
    exchange: Exchange, redactor: Redactor, default_authorization: str | None = None
) -> str:
    lines = [
        f"request: {exchange.method} {redactor.text(exchange.url)}",
        _header_lines(exchange.request_headers, redactor),
    ]
    if exchange.request_body:
        lines += ["  body:", _indent(pretty_body(exchange.request_body, redactor))]
    if exchange.status is None:
        lines.append(f"response: none ({exchange.error})")
    else:
        retries = f" after {exchange.retries} retries" if exchange.retries else ""
        lines += [
            f"response: {exchange.status}{retries} in {exchange.elapsed_seconds * 1000:.0f} ms",
            _header_lines(exchange.response_headers, redactor),
            "  body:",
            _indent(pretty_body(exchange.response_body, redactor)),
        ]
    lines += ["reproduce:", "  " + curl_command(exchange, redactor, default_authorization)]
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())

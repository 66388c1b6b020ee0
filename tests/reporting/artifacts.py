"""Reading a run's artifacts the way a leak would be read: every encoding peeled off."""

from __future__ import annotations

import base64
import binascii
import contextlib
import html
import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

_DATA_URI = re.compile(r"data:[\w/+.-]+(?:;charset=[\w-]+)?;base64,([A-Za-z0-9+/=]+)")
_BASE64_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_JSON_BLOB = re.compile(r'data-jsonblob="([^"]*)"')


def secret_spellings(client_id: str, secret: str) -> dict[str, str]:
    """Each way the secret can be written down: plain, URL-encoded, base64 (alone and as the
    Basic credentials pair)."""
    pair = f"{client_id}:{secret}"
    return {
        "plain": secret,
        "url-encoded": urllib.parse.quote(secret, safe=""),
        "form-encoded": urllib.parse.quote_plus(secret),
        "base64": base64.b64encode(secret.encode()).decode(),
        "base64 url-safe": base64.urlsafe_b64encode(secret.encode()).decode(),
        "credentials pair": pair,
        "base64 credentials pair": base64.b64encode(pair.encode()).decode(),
    }


def readable_texts(raw: str) -> Iterator[str]:
    """`raw`, unescaped (HTML/XML), with embedded data: URIs, JSON blobs and base64 decoded."""
    yield raw
    unescaped = html.unescape(raw)
    yield unescaped
    for match in _DATA_URI.finditer(unescaped):
        yield _b64(match.group(1))
    for match in _JSON_BLOB.finditer(raw):
        with contextlib.suppress(ValueError):
            yield from _strings(json.loads(html.unescape(match.group(1))))
    for token in _BASE64_TOKEN.findall(unescaped):
        # A secret inside a longer base64 value (e.g. "other-client:SECRET") shows up only
        # once decoded.
        yield _b64(token)


def read_all(texts: dict[str, str]) -> dict[str, list[str]]:
    """Every readable form of each text, computed once for many searches."""
    return {where: list(readable_texts(raw)) for where, raw in texts.items()}


def find_secret(readable: dict[str, list[str]], spellings: dict[str, str]) -> list[str]:
    """ "<where>: <spelling>" for every spelling found in any readable form of any text."""
    return sorted(
        {
            f"{where}: {name}"
            for where, texts in readable.items()
            for name, spelling in spellings.items()
            if any(spelling in text for text in texts)
        }
    )


def _b64(value: str) -> str:
    padded = value + "=" * (-len(value) % 4)
    for decode in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            return decode(padded).decode("utf-8", errors="replace")
        except (binascii.Error, ValueError):
            continue
    return ""


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
        yield from readable_texts(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")

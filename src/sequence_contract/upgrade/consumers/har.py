"""HAR 1.2 files (browser, proxy or test recordings) read into `Interaction`s. Entries that
are not API calls (no `Sequence-Version` header, path not under `/api/`) are counted in a note.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from sequence_contract.upgrade.consumers.model import HAR, BadFile, ConsumerFile, Interaction

VERSIONS = ("1.1", "1.2")


def is_har(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("log"), dict)


def read_har(data: dict[str, Any], name: str) -> ConsumerFile:
    """A parsed HAR file's API calls; BadFile names the bad part."""
    log = data["log"]
    version = str(log.get("version", ""))
    if version not in VERSIONS:
        raise BadFile(f"HAR version {version or '(none)'} is not supported (1.2 is read)")
    entries = log.get("entries")
    if not isinstance(entries, list):
        raise BadFile("log.entries is not a list")
    found: list[Interaction] = []
    ignored: Counter[str] = Counter()
    for number, entry in enumerate(entries, 1):
        where = f"entry {number}"
        try:
            interaction = _entry(entry, f"{name} {where}")
        except BadFile as exc:
            raise BadFile(f"{where}: {exc}") from None
        if interaction is None:
            host = urlsplit(str(entry["request"]["url"])).netloc or "(no host)"
            ignored[host] += 1
        else:
            found.append(interaction)
    notes = [
        f"{count} entr{'y' if count == 1 else 'ies'} on {host} ignored: not API calls "
        "(no Sequence-Version header, path not under /api/)"
        for host, count in sorted(ignored.items())
    ]
    return ConsumerFile(name, f"HAR {version}", tuple(found), tuple(notes))


def _entry(entry: Any, source: str) -> Interaction | None:
    if not isinstance(entry, dict):
        raise BadFile("not an object")
    request, response = entry.get("request"), entry.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        raise BadFile("needs 'request' and 'response' objects")
    method, url = request.get("method"), request.get("url")
    if not isinstance(method, str) or not isinstance(url, str) or not url:
        raise BadFile("request needs 'method' and 'url'")
    headers = _headers(request.get("headers"))
    parts = urlsplit(url)
    if "sequence-version" not in headers and "/api/" not in f"{parts.path}/":
        return None
    status = response.get("status")
    if not isinstance(status, int) or isinstance(status, bool):
        raise BadFile(f"response status {status!r} is not an integer")
    query = request.get("queryString") or []
    if not isinstance(query, list):
        raise BadFile("request.queryString is not a list")
    post = request.get("postData") or {}
    content = response.get("content") or {}
    if not isinstance(post, dict) or not isinstance(content, dict):
        raise BadFile("postData / content are not objects")
    return Interaction(
        source=source,
        description=f"{method.upper()} {parts.path}",
        kind=HAR,
        method=method.upper(),
        path=parts.path,
        query=tuple(
            (str(q.get("name")), str(q.get("value", ""))) for q in query if isinstance(q, dict)
        ),
        headers=headers,
        body=_json(post.get("text")),
        status=status,
        response_headers=_headers(response.get("headers")),
        response_body=_json(content.get("text"), content.get("encoding")),
    )


def _headers(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise BadFile("headers are not a list")
    return {
        str(h.get("name", "")).lower(): str(h.get("value", "")) for h in raw if isinstance(h, dict)
    }


def _json(text: Any, encoding: Any = None) -> Any:
    """A recorded body as JSON; None when absent or not JSON (e.g. an empty 204 body)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        if encoding == "base64":
            text = base64.b64decode(text).decode("utf-8")
        return json.loads(text)
    except (ValueError, UnicodeDecodeError):
        return None

"""A team's recorded calls, read from a Pact (v2, v3, v4) or HAR 1.2 file (told by content)."""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from sequence_contract.errors import UsageError

PACT = "pact"
HAR = "har"
PACT_VERSIONS = ("2", "3", "4")
HAR_VERSIONS = ("1.1", "1.2")
HTTP_INTERACTION = "Synchronous/HTTP"


class BadFile(ValueError):
    """A Pact or HAR this reader cannot use; the message says where and why."""


@dataclass(frozen=True)
class Rule:
    path: str  # as written in the file, e.g. "$.items[*].id"
    matchers: tuple[dict[str, Any], ...]  # Pact matchers; `match` says which (`type`, ...)
    combine: str = "AND"


@dataclass(frozen=True)
class Interaction:
    """One call the team's code makes and the answer it expects (Pact) or got (HAR)."""

    source: str  # "<file> interaction 3" / "<file> entry 7"
    description: str
    kind: str  # PACT or HAR
    method: str
    path: str  # concrete path as recorded, without query string
    query: tuple[tuple[str, str], ...] = ()
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: Any = None  # parsed JSON request body, None when none was sent
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    response_body: Any = None
    rules: tuple[Rule, ...] = ()  # response body matching rules (Pact)
    header_rules: tuple[Rule, ...] = ()  # response header matching rules (Pact)
    states: tuple[str, ...] = ()  # Pact provider states
    skip: str = ""  # why this is not an HTTP call the gate can judge (e.g. a v4 message)

    @property
    def label(self) -> str:
        return f"{self.source}: {self.description}"


@dataclass(frozen=True)
class ConsumerFile:
    path: str
    format: str  # e.g. "Pact v3", "HAR 1.2"
    interactions: tuple[Interaction, ...]
    notes: tuple[str, ...] = ()  # e.g. HAR entries that are not calls to the API


def read_consumers(paths: Sequence[Path]) -> tuple[ConsumerFile, ...]:
    """Every file read, or a UsageError with one line per file that cannot be."""
    files: list[ConsumerFile] = []
    problems: list[str] = []
    for path in paths:
        try:
            files.append(read_consumer(path))
        except UsageError as exc:
            problems.append(str(exc))
    if problems:
        raise UsageError("\n".join(problems))
    return tuple(files)


def read_consumer(path: Path) -> ConsumerFile:
    name = str(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("log"), dict):
            return _read_har(data["log"], name)
        if isinstance(data, dict) and "interactions" in data and "log" not in data:
            return _read_pact(data, name)
        problem = "neither a Pact file ('interactions') nor a HAR file ('log')"
    except OSError as exc:
        problem = f"cannot read: {exc.strerror or exc}"
    except UnicodeDecodeError:
        problem = "not UTF-8 text"
    except json.JSONDecodeError as exc:
        problem = f"not JSON: {exc}"
    except BadFile as exc:
        problem = str(exc)
    raise UsageError(f"--consumer {name}: {problem}")


def _each(
    items: Any, word: str, name: str, read: Callable[[Any, str], Interaction | None]
) -> list[Interaction | None]:
    """`read(item, source)` for each item; a BadFile names the item."""
    found = []
    for number, item in enumerate(items, 1):
        try:
            if not isinstance(item, dict):
                raise BadFile("not an object")
            found.append(read(item, f"{name} {word} {number}"))
        except BadFile as exc:
            raise BadFile(f"{word} {number}: {exc}") from None
    return found


def _parts(item: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    request, response = item.get("request"), item.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        raise BadFile("needs 'request' and 'response' objects")
    return request, response


def _status(response: dict[str, Any], required: bool) -> int | None:
    status = response.get("status")
    if (required or status is not None) and type(status) is not int:
        raise BadFile(f"response status {status!r} is not an integer")
    return status


# -- Pact --------------------------------------------------------------------------------


def _read_pact(data: dict[str, Any], name: str) -> ConsumerFile:
    meta = data.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    entries = [
        meta.get(k) for k in ("pactSpecification", "pact-specification", "pact_specification")
    ]
    declared = [
        e["version"] for e in entries if isinstance(e, dict) and e.get("version") is not None
    ]
    version = declared[0] if declared else meta.get("pactSpecificationVersion")
    if version is None:
        raise BadFile("no metadata.pactSpecification.version: cannot tell the Pact version")
    major = str(version).strip().lstrip("vV").split(".", 1)[0]
    if major not in PACT_VERSIONS:
        raise BadFile(
            f"Pact specification version {version} is not supported (2, 3 and 4 are read)"
        )
    raw = data.get("interactions")
    if not isinstance(raw, list):
        raise BadFile("'interactions' is not a list")
    found = _each(raw, "interaction", name, lambda item, source: _pact_call(item, major, source))
    return ConsumerFile(name, f"Pact v{major}", tuple(i for i in found if i))


def _pact_call(item: dict[str, Any], major: str, source: str) -> Interaction:
    description = str(item.get("description") or "(no description)")
    if major == "2":
        state = item.get("providerState", item.get("provider_state"))
        states: tuple[str, ...] = (str(state),) if state else ()
    else:
        raw = item.get("providerStates") or []
        raw = [raw] if isinstance(raw, dict) else raw
        if not isinstance(raw, list):
            raise BadFile("'providerStates' is not a list")
        states = tuple(str(s.get("name")) if isinstance(s, dict) else str(s) for s in raw)
    kind = item.get("type", HTTP_INTERACTION) if major == "4" else HTTP_INTERACTION
    if kind != HTTP_INTERACTION:
        return Interaction(
            source, description, PACT, "", "", states=states, skip=f"a {kind} interaction"
        )
    request, response = _parts(item)
    method, path = request.get("method"), request.get("path")
    if not isinstance(method, str) or not method or not isinstance(path, str) or not path:
        raise BadFile("request needs 'method' and 'path'")
    status = _status(response, required=False)
    body_rules, header_rules = _pact_rules(response.get("matchingRules"), major)
    return Interaction(
        source,
        description,
        PACT,
        method.upper(),
        path,
        query=_pact_query(request.get("query")),
        headers=_pact_headers(request.get("headers")),
        body=_pact_body(request, major, "request"),
        status=status,
        response_headers=_pact_headers(response.get("headers")),
        response_body=_pact_body(response, major, "response"),
        rules=body_rules,
        header_rules=header_rules,
        states=states,
    )


def _pact_query(raw: Any) -> tuple[tuple[str, str], ...]:
    if raw is None or raw == "":
        return ()
    if isinstance(raw, str):
        return tuple(parse_qsl(raw, keep_blank_values=True))
    if not isinstance(raw, dict):
        raise BadFile(f"query {raw!r} is neither a string nor an object")
    return tuple(
        (str(name), str(value))
        for name, values in raw.items()
        for value in (values if isinstance(values, list) else [values])
    )


def _pact_headers(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict | None):
        raise BadFile("headers are not an object")
    return {
        str(name).lower(): ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        for name, value in (raw or {}).items()
    }


def _pact_body(part: dict[str, Any], major: str, which: str) -> Any:
    """The body; v4 writes `{content, contentType, encoded}`."""
    body = part.get("body")
    if major != "4" or not isinstance(body, dict) or "content" not in body:
        return body
    content, encoded = body.get("content"), body.get("encoded", False)
    if encoded in (False, None):
        return content
    if not isinstance(content, str):
        raise BadFile(f"{which} body: encoded content is not a string")
    try:
        text = base64.b64decode(content).decode("utf-8") if encoded != "json" else content
        return json.loads(text) if "json" in str(body.get("contentType", "json")) else text
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadFile(f"{which} body: cannot decode ({encoded}): {exc}") from None


def _pact_rules(raw: Any, major: str) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
    """(body rules with `$`-rooted paths, header rules keyed by lower-case name)."""
    if not raw:
        return (), ()
    if not isinstance(raw, dict):
        raise BadFile("matchingRules is not an object")
    if major == "2":
        body: list[Rule] = []
        headers: list[Rule] = []
        for key, spec in raw.items():
            key = str(key)
            if key == "$.body" or key.startswith(("$.body.", "$.body[")):
                body.append(_pact_rule("$" + key[len("$.body") :], spec, major))
            elif key.startswith("$.headers."):
                headers.append(_pact_rule(key[len("$.headers.") :].lower(), spec, major))
        return tuple(body), tuple(headers)
    body_spec, header_spec = raw.get("body") or {}, raw.get("header") or {}
    if not isinstance(body_spec, dict) or not isinstance(header_spec, dict):
        raise BadFile("matchingRules.body / .header are not objects")
    return (
        tuple(_pact_rule(str(k), v, major) for k, v in body_spec.items()),
        tuple(_pact_rule(str(k).lower(), v, major) for k, v in header_spec.items()),
    )


def _pact_rule(path: str, spec: Any, major: str) -> Rule:
    if not isinstance(spec, dict):
        raise BadFile(f"matching rule for {path}: not an object")
    raw = [spec] if major == "2" else spec.get("matchers")
    if not isinstance(raw, list) or not raw:
        raise BadFile(f"matching rule for {path}: needs a non-empty 'matchers' list")
    matchers = []
    for matcher in raw:
        if not isinstance(matcher, dict):
            raise BadFile(f"matcher for {path}: not an object")
        kind = matcher.get("match")
        if kind is None and ("min" in matcher or "max" in matcher):
            kind = "type"  # v2 writes {"min": 1} for "an array of at least one, by type"
        if not isinstance(kind, str):
            raise BadFile(f"matcher for {path}: no 'match' kind")
        matchers.append({**matcher, "match": kind})
    combine = "AND" if major == "2" else str(spec.get("combine", "AND")).upper()
    return Rule(path, tuple(matchers), combine)


# -- HAR ---------------------------------------------------------------------------------


def _read_har(log: dict[str, Any], name: str) -> ConsumerFile:
    """A HAR's API calls; other entries (no `Sequence-Version`, not under /api/) in a note."""
    version = str(log.get("version", ""))
    if version not in HAR_VERSIONS:
        raise BadFile(f"HAR version {version or '(none)'} is not supported (1.2 is read)")
    entries = log.get("entries")
    if not isinstance(entries, list):
        raise BadFile("log.entries is not a list")
    found = _each(entries, "entry", name, _har_call)
    ignored = Counter(
        urlsplit(str(entry["request"]["url"])).netloc or "(no host)"
        for entry, call in zip(entries, found, strict=True)
        if call is None
    )
    notes = tuple(
        f"{count} entr{'y' if count == 1 else 'ies'} on {host} ignored: not API calls "
        "(no Sequence-Version header, path not under /api/)"
        for host, count in sorted(ignored.items())
    )
    return ConsumerFile(name, f"HAR {version}", tuple(i for i in found if i), notes)


def _har_call(entry: dict[str, Any], source: str) -> Interaction | None:
    request, response = _parts(entry)
    method, url = request.get("method"), request.get("url")
    if not isinstance(method, str) or not isinstance(url, str) or not url:
        raise BadFile("request needs 'method' and 'url'")
    headers = _har_headers(request.get("headers"))
    path = urlsplit(url).path
    if "sequence-version" not in headers and "/api/" not in f"{path}/":
        return None
    status = _status(response, required=True)
    query = request.get("queryString") or []
    if not isinstance(query, list):
        raise BadFile("request.queryString is not a list")
    post, content = request.get("postData") or {}, response.get("content") or {}
    if not isinstance(post, dict) or not isinstance(content, dict):
        raise BadFile("postData / content are not objects")
    return Interaction(
        source,
        f"{method.upper()} {path}",
        HAR,
        method.upper(),
        path,
        query=tuple(
            (str(q.get("name")), str(q.get("value", ""))) for q in query if isinstance(q, dict)
        ),
        headers=headers,
        body=_har_json(post.get("text")),
        status=status,
        response_headers=_har_headers(response.get("headers")),
        response_body=_har_json(content.get("text"), content.get("encoding")),
    )


def _har_headers(raw: Any) -> dict[str, str]:
    if not isinstance(raw, list | None):
        raise BadFile("headers are not a list")
    return {
        str(h.get("name", "")).lower(): str(h.get("value", ""))
        for h in raw or []
        if isinstance(h, dict)
    }


def _har_json(text: Any, encoding: Any = None) -> Any:
    """A recorded body as JSON; None when absent or not JSON (e.g. an empty 204 body)."""
    if not isinstance(text, str) or not text:
        return None
    try:
        if encoding == "base64":
            text = base64.b64decode(text).decode("utf-8")
        return json.loads(text)
    except (ValueError, UnicodeDecodeError):
        return None

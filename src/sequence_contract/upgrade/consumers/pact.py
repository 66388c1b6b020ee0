"""Pact files (specification v2, v3 and v4) read into `Interaction`s. The versions differ in
how they write provider states, queries, matching rules (v2: one matcher per `$.body...` or
`$.headers...` key; v3+: grouped by part, with `matchers` and `combine`) and bodies (v4:
`{content, contentType, encoded}`); only v4's `Synchronous/HTTP` interactions are calls.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qsl

from sequence_contract.upgrade.consumers.model import (
    PACT,
    BadFile,
    ConsumerFile,
    Interaction,
    Matcher,
    Rule,
)

SUPPORTED = ("2", "3", "4")
HTTP_INTERACTION = "Synchronous/HTTP"


def is_pact(data: Any) -> bool:
    return isinstance(data, dict) and "interactions" in data and "log" not in data


def specification(data: dict[str, Any]) -> str:
    """The major specification version the file declares ("2", "3", "4")."""
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
    if major not in SUPPORTED:
        raise BadFile(
            f"Pact specification version {version} is not supported (2, 3 and 4 are read)"
        )
    return major


def read_pact(data: dict[str, Any], name: str) -> ConsumerFile:
    """A parsed Pact file's interactions; BadFile names the bad part."""
    major = specification(data)
    raw = data.get("interactions")
    if not isinstance(raw, list):
        raise BadFile("'interactions' is not a list")
    found = []
    for number, item in enumerate(raw, 1):
        where = f"interaction {number}"
        if not isinstance(item, dict):
            raise BadFile(f"{where}: not an object")
        try:
            found.append(_interaction(item, major, f"{name} {where}"))
        except BadFile as exc:
            raise BadFile(f"{where}: {exc}") from None
    return ConsumerFile(name, f"Pact v{major}", tuple(found))


def _interaction(item: dict[str, Any], major: str, source: str) -> Interaction:
    description = str(item.get("description") or "(no description)")
    states = _states(item, major)
    kind = item.get("type", HTTP_INTERACTION) if major == "4" else HTTP_INTERACTION
    if kind != HTTP_INTERACTION:
        return Interaction(
            source, description, PACT, "", "", states=states, skip=f"a {kind} interaction"
        )
    request, response = item.get("request"), item.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        raise BadFile("needs 'request' and 'response' objects")
    method, path = request.get("method"), request.get("path")
    if not isinstance(method, str) or not method or not isinstance(path, str) or not path:
        raise BadFile("request needs 'method' and 'path'")
    status = response.get("status")
    if status is not None and (not isinstance(status, int) or isinstance(status, bool)):
        raise BadFile(f"response status {status!r} is not an integer")
    body_rules, header_rules = _rules(response.get("matchingRules"), major)
    return Interaction(
        source=source,
        description=description,
        kind=PACT,
        method=method.upper(),
        path=path,
        query=_query(request.get("query")),
        headers=_headers(request.get("headers")),
        body=_body(request, major, "request"),
        status=status,
        response_headers=_headers(response.get("headers")),
        response_body=_body(response, major, "response"),
        rules=body_rules,
        header_rules=header_rules,
        states=states,
    )


def _states(item: dict[str, Any], major: str) -> tuple[str, ...]:
    if major == "2":
        state = item.get("providerState", item.get("provider_state"))
        return (str(state),) if state else ()
    states = item.get("providerStates") or []
    if isinstance(states, dict):
        states = [states]
    if not isinstance(states, list):
        raise BadFile("'providerStates' is not a list")
    return tuple(str(s.get("name")) if isinstance(s, dict) else str(s) for s in states)


def _query(raw: Any) -> tuple[tuple[str, str], ...]:
    if raw is None or raw == "":
        return ()
    if isinstance(raw, str):
        return tuple(parse_qsl(raw, keep_blank_values=True))
    if isinstance(raw, dict):
        return tuple(
            (str(name), str(value))
            for name, values in raw.items()
            for value in (values if isinstance(values, list) else [values])
        )
    raise BadFile(f"query {raw!r} is neither a string nor an object")


def _headers(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BadFile("headers are not an object")
    return {
        str(name).lower(): ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        for name, value in raw.items()
    }


def _body(part: dict[str, Any], major: str, which: str) -> Any:
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


def _rules(raw: Any, major: str) -> tuple[tuple[Rule, ...], tuple[Rule, ...]]:
    """(body rules with `$`-rooted paths, header rules keyed by lower-case name)."""
    if not raw:
        return (), ()
    if not isinstance(raw, dict):
        raise BadFile("matchingRules is not an object")
    if major == "2":
        body, headers = [], []
        for key, spec in raw.items():
            key = str(key)
            if key == "$.body" or key.startswith(("$.body.", "$.body[")):
                body.append(_rule("$" + key[len("$.body") :], spec, major))
            elif key.startswith("$.headers."):
                headers.append(_rule(key[len("$.headers.") :].lower(), spec, major))
        return tuple(body), tuple(headers)
    body_spec, header_spec = raw.get("body") or {}, raw.get("header") or {}
    if not isinstance(body_spec, dict) or not isinstance(header_spec, dict):
        raise BadFile("matchingRules.body / .header are not objects")
    return (
        tuple(_rule(str(k), v, major) for k, v in body_spec.items()),
        tuple(_rule(str(k).lower(), v, major) for k, v in header_spec.items()),
    )


def _rule(path: str, spec: Any, major: str) -> Rule:
    if not isinstance(spec, dict):
        raise BadFile(f"matching rule for {path}: not an object")
    if major == "2":
        return Rule(path, (_matcher(spec, path),))
    raw = spec.get("matchers")
    if not isinstance(raw, list) or not raw:
        raise BadFile(f"matching rule for {path}: needs a non-empty 'matchers' list")
    combine = str(spec.get("combine", "AND")).upper()
    return Rule(path, tuple(_matcher(m, path) for m in raw), combine)


def _matcher(spec: Any, path: str) -> Matcher:
    if not isinstance(spec, dict):
        raise BadFile(f"matcher for {path}: not an object")
    kind = spec.get("match")
    if kind is None and ("min" in spec or "max" in spec):
        kind = "type"  # v2 writes {"min": 1} for "an array of at least one, by type"
    if not isinstance(kind, str):
        raise BadFile(f"matcher for {path}: no 'match' kind")
    return Matcher(kind, {k: v for k, v in spec.items() if k != "match"})

"""A response body reduced to one descriptor per JSON path (`$.address.country` ->
`string='GB'`); values that differ per run (ids, times, names) keep only type and format."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

_TIMESTAMP = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9:]{2,5})$"
)
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# Keys whose values are assigned by the server or differ per page: compared by type only.
_IDENTITY_KEYS = frozenset({"id", "after", "before"})
# Human-readable text: its wording is not part of a client's contract.
_TEXT_KEYS = frozenset({"message", "description", "detail"})
# Subtrees that depend on what else is on the account, not on the version.
_VOLATILE_SUBTREES = frozenset({"pagination"})

Shape = dict[str, str]


def shape_of(body: Any, run_tokens: Iterable[str] = ()) -> Shape:
    """The descriptors of `body`; `run_tokens` (unique names of this run) become `<run>`."""
    tokens = sorted((t for t in run_tokens if t), key=len, reverse=True)
    found: dict[str, set[str]] = {}

    def walk(value: Any, path: str, key: str | None, volatile: bool) -> None:
        if isinstance(value, dict):
            found.setdefault(path, set()).add("object")
            for name, child in value.items():
                walk(child, f"{path}.{name}", str(name), volatile or name in _VOLATILE_SUBTREES)
        elif isinstance(value, list):
            found.setdefault(path, set()).add("array")
            for child in value:
                walk(child, f"{path}[]", key, volatile)
        else:
            found.setdefault(path, set()).add(_leaf(value, key, tokens, volatile=volatile))

    walk(body, "$", None, False)
    return {path: _merge(descriptors) for path, descriptors in found.items()}


def base_type(descriptor: str) -> str:
    """`string(date-time)` -> `string`; `string='GB'` -> `string`."""
    return re.split(r"[(=]", descriptor, maxsplit=1)[0]


def without_value(descriptor: str) -> str:
    """`string='GB'` -> `string`; `string(uuid)` stays as it is."""
    return descriptor.split("=", 1)[0]


def _leaf(value: Any, key: str | None, tokens: list[str], *, volatile: bool) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean" if volatile else f"boolean={json.dumps(value)}"
    if isinstance(value, int):
        return "integer" if volatile else f"integer={value}"
    if isinstance(value, float):
        return "number" if volatile else f"number={value!r}"
    text = str(value)
    if _TIMESTAMP.match(text):
        return "string(date-time)"
    if _DATE.match(text):
        return "string(date)"
    if key is not None and (key in _IDENTITY_KEYS or key.endswith("Id")):
        return "string(uuid)" if _UUID.match(text) else "string(id)"
    if _UUID.match(text):
        return "string(uuid)"
    if volatile or (key is not None and key in _TEXT_KEYS):
        return "string(text)"
    for token in tokens:
        text = text.replace(token, "<run>")
    return f"string={json.dumps(text)}"


def _merge(found: set[str]) -> str:
    """One descriptor for a path; array elements that disagree keep what they share."""
    for level in (found, {without_value(d) for d in found}):
        if len(level) == 1:
            return next(iter(level))
    return "|".join(sorted({base_type(d) for d in found}))


def ancestors(path: str) -> list[str]:
    """`$.items[].email` -> [`$.items[]`, `$.items`, `$`]."""
    found: list[str] = []
    while True:
        if path.endswith("[]"):
            path = path[:-2]
        elif "." in path:
            path = path.rsplit(".", 1)[0]
        else:
            return found
        found.append(path)


def related(a: str, b: str) -> bool:
    """Is one path the other, or inside it? (`$.address` and `$.address.line1`: yes.)"""
    return a == b or a in ancestors(b) or b in ancestors(a)

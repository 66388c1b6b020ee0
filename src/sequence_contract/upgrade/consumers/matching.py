"""A live response checked against what a call expects: Pact matching rules where given, else
JSON types only. A matcher this module does not know is named in `unchecked`, never passed."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sequence_contract.upgrade.consumers.model import PACT, Interaction, Rule

_TOKEN = re.compile(
    r"\.(?P<name>\*|[^.\[\]]+)|\[\s*'(?P<quoted>[^']*)'\s*\]|\[\s*\"(?P<dquoted>[^\"]*)\"\s*\]"
    r"|\[\s*(?P<index>\*|\d+)\s*\]"
)
ANY_KEY = "*"
ANY_INDEX = -1
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
_TYPES = {type(None): "null", bool: "boolean", int: "number", float: "number", str: "string"}
_TYPES |= {list: "array", dict: "object"}
_DATES = {"date": date.fromisoformat, "time": time.fromisoformat}
_DATES |= {"timestamp": datetime.fromisoformat, "datetime": datetime.fromisoformat}

Token = str | int
PASSES = "passes"
BREAKS = "breaks"
NOT_VERIFIABLE = "not verifiable"

# Matchers on the value alone: (does it pass, what to say when not: {0} the value, {1} its type).
_VALUE_KINDS: dict[str, tuple[Callable[[Any], object], str]] = {
    "integer": (lambda v: type(v) is int, "expected an integer, got {0!r}"),
    "decimal": (lambda v: isinstance(v, float), "expected a decimal, got {0!r}"),
    "number": (lambda v: type(v) in (int, float), "expected a number, got {0!r}"),
    "boolean": (lambda v: isinstance(v, bool), "expected a boolean, got {0!r}"),
    "null": (lambda v: v is None, "expected null, got {0!r}"),
    "notEmpty": (lambda v: v not in (None, "", [], {}), "expected a non-empty value, got {0!r}"),
    "semver": (
        lambda v: isinstance(v, str) and _SEMVER.match(v),
        "{0!r} is not a semantic version",
    ),
    "values": (lambda v: isinstance(v, dict), "expected an object, got {1}"),
}


@dataclass(frozen=True)
class Mismatch:
    where: str  # "status", "header content-type", or a body path such as "$.items[].email"
    what: str


@dataclass
class Verification:
    """What one call's replay showed; `unchecked` says why it is not verifiable."""

    mismatches: list[Mismatch] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    by_type: int = 0  # values without a rule, compared by JSON type

    @property
    def outcome(self) -> str:
        return BREAKS if self.mismatches else NOT_VERIFIABLE if self.unchecked else PASSES

    @property
    def reason(self) -> str:
        return "; ".join(self.unchecked)


def rule_tokens(path: str) -> tuple[Token, ...] | None:
    """`$.items[*].id` -> ("items", ANY_INDEX, "id"); None when not a path this reads."""
    found = list(_TOKEN.finditer(path, 1))
    if not path.startswith("$") or "".join(m[0] for m in found) != path[1:]:
        return None
    tokens: list[Token] = []
    for m in found:
        names = [g for g in m.group("name", "quoted", "dquoted") if g is not None]
        tokens.append(names[0] if names else ANY_INDEX if m["index"] == "*" else int(m["index"]))
    return tuple(tokens)


def check_response(
    interaction: Interaction, status: int, headers: Mapping[str, str], body: Any, sent_version: str
) -> Verification:
    result = Verification()
    if interaction.status is not None and status != interaction.status:
        result.mismatches.append(Mismatch("status", f"expected {interaction.status}, got {status}"))
        return result  # an error answer's body says nothing about the expected one
    if interaction.kind == PACT:
        _headers(interaction, headers, sent_version, result)
    if interaction.response_body is not None:
        rules = []
        for rule in interaction.rules:
            tokens = rule_tokens(rule.path)
            if tokens is None:
                result.unchecked.append(f"{rule.path}: a rule path this gate cannot read")
            else:
                rules.append((tokens, rule))
        _match_body(rules, interaction.response_body, body, (), result)
    if result.by_type:
        result.notes.append(
            f"{result.by_type} value(s) without a matching rule compared by type only "
            "(the run's customers carry their own data)"
        )
    return result


def _headers(
    interaction: Interaction, headers: Mapping[str, str], sent_version: str, result: Verification
) -> None:
    actual = {k.lower(): v for k, v in headers.items()}
    rules = {r.path: r for r in interaction.header_rules}
    for name, expected in interaction.response_headers.items():
        where, value = f"header {name}", actual.get(name)
        if value is None:
            result.mismatches.append(Mismatch(where, "missing"))
            continue
        if name == "sequence-version":
            expected = sent_version  # the echo of the version replayed, not of the pact's
        if name in rules:
            _apply(rules[name], expected, value, where, result)
            continue
        if name == "content-type":  # compared by media type
            same = _media(value) == _media(expected)
        else:
            same = value.strip() == expected.strip()
        if not same:
            result.mismatches.append(Mismatch(where, f"expected {expected!r}, got {value!r}"))


def _match_body(
    rules: list[tuple[tuple[Token, ...], Rule]],
    expected: Any,
    actual: Any,
    path: tuple[Token, ...],
    result: Verification,
) -> None:
    where = _shown(path)
    # The most specific rule written for exactly this path.
    fitting = [(t, r) for t, r in rules if len(t) == len(path) and _fit(t, path)]
    fitting.sort(key=lambda tr: -sum(t not in (ANY_KEY, ANY_INDEX) for t in tr[0]))
    array_rule = False
    if fitting:
        rule = fitting[0][1]
        if not _apply(rule, expected, actual, where, result):
            return
        array_rule = any(m["match"] in ("type", "min", "max") for m in rule.matchers)
    elif _type(actual) != _type(expected):
        result.mismatches.append(Mismatch(where, _type_text(expected, actual)))
        return
    elif not isinstance(expected, dict | list) and not any(
        # A `type` rule on an ancestor: compared by type below it.
        len(t) < len(path) and _fit(t, path) and any(m["match"] == "type" for m in r.matchers)
        for t, r in rules
    ):
        result.by_type += 1
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key, child in expected.items():
            if key not in actual:
                missing = f"missing (expected {_type(child)})"
                result.mismatches.append(Mismatch(_shown((*path, key)), missing))
            else:
                _match_body(rules, child, actual[key], (*path, key), result)
    elif isinstance(expected, list) and isinstance(actual, list) and expected:
        for index, item in enumerate(actual):
            template = expected[0] if array_rule or index >= len(expected) else expected[index]
            _match_body(rules, template, item, (*path, index), result)


def _apply(rule: Rule, expected: Any, actual: Any, where: str, result: Verification) -> bool:
    """Apply a rule's matchers; False (and a mismatch or unchecked entry) when they fail."""
    failures: list[str] = []
    unsupported: list[str] = []
    for matcher in rule.matchers:
        failure = _match(matcher, expected, actual, where, result)
        if failure is None:
            unsupported.append(f"{where}: matcher {matcher['match']!r} is not supported")
        elif failure:
            failures.append(failure)
        elif rule.combine == "OR":
            return True
    if failures and (rule.combine != "OR" or not unsupported):
        glue = " or " if rule.combine == "OR" else "; "
        result.mismatches.append(Mismatch(where, glue.join(failures)))
        return False
    result.unchecked += unsupported
    return not unsupported


def _match(
    matcher: dict[str, Any], expected: Any, actual: Any, where: str, result: Verification
) -> str | None:
    """'' when `actual` satisfies the matcher, else what is wrong; None: an unknown matcher."""
    kind, options = matcher["match"], matcher
    if kind in ("type", "min", "max"):
        if _type(actual) != _type(expected):
            return _type_text(expected, actual)
        low, high = options.get("min"), options.get("max")
        if isinstance(actual, list) and isinstance(low, int) and len(actual) < low:
            return f"expected at least {low} element(s), got {len(actual)}"
        if isinstance(actual, list) and isinstance(high, int) and len(actual) > high:
            return f"expected at most {high} element(s), got {len(actual)}"
        return ""
    if kind == "regex":
        pattern = str(options.get("regex", ""))
        if actual is None or isinstance(actual, dict | list):
            return f"expected a value matching /{pattern}/, got {_type(actual)}"
        text = _text(actual)
        return "" if re.fullmatch(pattern, text) else f"{text!r} does not match /{pattern}/"
    if kind == "equality":
        return "" if actual == expected else f"expected {expected!r}, got {actual!r}"
    if kind == "include":
        value = str(options.get("value", ""))
        return "" if value in _text(actual) else f"{actual!r} does not include {value!r}"
    if kind in _VALUE_KINDS:
        accepts, failure = _VALUE_KINDS[kind]
        return "" if accepts(actual) else failure.format(actual, _type(actual))
    if kind in _DATES:
        named = options.get("format") or options.get(kind)
        note = f"{where}: {kind} pattern {named!r} not checked (ISO 8601 checked instead)"
        if named and note not in result.notes:
            result.notes.append(note)
        try:
            _DATES[kind](actual)
        except (TypeError, ValueError):
            return f"{actual!r} is not an ISO 8601 {kind}"
        return ""
    return None


def _fit(tokens: tuple[Token, ...], path: tuple[Token, ...]) -> bool:
    """Does a rule's path fit (the start of) a concrete path?"""
    return all(
        isinstance(c, str) if t == ANY_KEY else isinstance(c, int) if t == ANY_INDEX else t == c
        for t, c in zip(tokens, path, strict=False)
    )


def _type(value: Any) -> str:
    return _TYPES.get(type(value), "object")


def _type_text(expected: Any, actual: Any) -> str:
    return f"expected {_type(expected)}, got {_type(actual)}"


def _text(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


def _media(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _shown(path: tuple[Token, ...]) -> str:
    """A concrete path in the form the documents' changes use: `$.items[].email`."""
    return "$" + "".join("[]" if isinstance(t, int) else f".{t}" for t in path)

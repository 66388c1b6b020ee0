"""A live response checked against what a call expects: Pact matching rules where the file
gives them, JSON types elsewhere.

The gate replays on customers it makes, whose data differ from the pact's provider state, so
values without a rule are compared by JSON type only (counted in `by_type`), where Pact would
compare them by equality. A matcher this module does not know is named in `unchecked`, never
passed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sequence_contract.upgrade.consumers.model import PACT, Interaction, Matcher, Rule

_TOKEN = re.compile(
    r"\.(?P<name>\*|[^.\[\]]+)|\[\s*'(?P<quoted>[^']*)'\s*\]|\[\s*\"(?P<dquoted>[^\"]*)\"\s*\]"
    r"|\[\s*(?P<index>\*|\d+)\s*\]"
)
ANY_KEY = "*"
ANY_INDEX = -1
_DATE_KINDS = frozenset({"date", "time", "timestamp", "datetime"})
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")

Token = str | int
PASSES = "passes"
BREAKS = "breaks"
NOT_VERIFIABLE = "not verifiable"


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# Matchers on the value alone: (does it pass, what was expected).
_VALUE_KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "integer": (lambda v: _number(v) and isinstance(v, int), "an integer"),
    "decimal": (lambda v: isinstance(v, float), "a decimal"),
    "number": (_number, "a number"),
    "boolean": (lambda v: isinstance(v, bool), "a boolean"),
    "null": (lambda v: v is None, "null"),
    "notEmpty": (lambda v: v not in (None, "", [], {}), "a non-empty value"),
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
    by_type: int = 0

    @property
    def passed(self) -> bool:
        return not self.mismatches and not self.unchecked

    @property
    def outcome(self) -> str:
        return BREAKS if self.mismatches else NOT_VERIFIABLE if self.unchecked else PASSES

    @property
    def reason(self) -> str:
        return "; ".join(self.unchecked)


def rule_tokens(path: str) -> tuple[Token, ...] | None:
    """`$.items[*].id` -> ("items", ANY_INDEX, "id"); None when not a path this reads."""
    if not path.startswith("$"):
        return None
    tokens: list[Token] = []
    position = 1
    while position < len(path):
        found = _TOKEN.match(path, position)
        if found is None:
            return None
        name = found.group("name") or found.group("quoted") or found.group("dquoted")
        index = found.group("index")
        if name is not None:
            tokens.append(name)
        elif index == "*":
            tokens.append(ANY_INDEX)
        else:
            tokens.append(int(str(index)))
        position = found.end()
    return tuple(tokens)


def check_response(
    interaction: Interaction,
    status: int,
    headers: Mapping[str, str],
    body: Any,
    sent_version: str,
) -> Verification:
    result = Verification()
    if interaction.status is not None and status != interaction.status:
        result.mismatches.append(Mismatch("status", f"expected {interaction.status}, got {status}"))
        return result  # an error answer's body says nothing about the expected one
    if interaction.kind == PACT:
        _headers(interaction, headers, sent_version, result)
    if interaction.response_body is not None:
        _Body(interaction.rules, result).compare(interaction.response_body, body, ())
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
        where = f"header {name}"
        value = actual.get(name)
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


class _Body:
    def __init__(self, rules: tuple[Rule, ...], result: Verification) -> None:
        self.result = result
        self.rules: list[tuple[tuple[Token, ...], Rule]] = []
        for rule in rules:
            tokens = rule_tokens(rule.path)
            if tokens is None:
                result.unchecked.append(f"{rule.path}: a rule path this gate cannot read")
            else:
                self.rules.append((tokens, rule))

    def compare(self, expected: Any, actual: Any, path: tuple[Token, ...]) -> None:
        where = _shown(path)
        rule = self._rule(path)
        array_rule = False
        if rule is not None:
            if not _apply(rule, expected, actual, where, self.result):
                return
            array_rule = any(m.kind in ("type", "min", "max") for m in rule.matchers)
        elif _type(actual) != _type(expected):
            self.result.mismatches.append(Mismatch(where, _type_text(expected, actual)))
            return
        elif not isinstance(expected, dict | list) and not self._cascades(path):
            self.result.by_type += 1
        if isinstance(expected, dict) and isinstance(actual, dict):
            for key, child in expected.items():
                if key not in actual:
                    self.result.mismatches.append(
                        Mismatch(_shown((*path, key)), f"missing (expected {_type(child)})")
                    )
                else:
                    self.compare(child, actual[key], (*path, key))
        elif isinstance(expected, list) and isinstance(actual, list) and expected:
            for index, item in enumerate(actual):
                template = expected[0] if array_rule or index >= len(expected) else expected[index]
                self.compare(template, item, (*path, index))

    def _rule(self, path: tuple[Token, ...]) -> Rule | None:
        """The most specific rule written for exactly this path."""
        best: tuple[int, Rule] | None = None
        for tokens, rule in self.rules:
            if len(tokens) == len(path) and all(map(_fits, tokens, path)):
                exact = sum(t not in (ANY_KEY, ANY_INDEX) for t in tokens)
                if best is None or exact > best[0]:
                    best = (exact, rule)
        return best[1] if best else None

    def _cascades(self, path: tuple[Token, ...]) -> bool:
        """A `type` rule on an ancestor: compare by type below it."""
        return any(
            len(tokens) < len(path)
            and all(map(_fits, tokens, path[: len(tokens)]))
            and any(m.kind == "type" for m in rule.matchers)
            for tokens, rule in self.rules
        )


def _apply(rule: Rule, expected: Any, actual: Any, where: str, result: Verification) -> bool:
    """Apply a rule's matchers; False (and a mismatch or unchecked entry) when they fail."""
    failures: list[str] = []
    unsupported: list[str] = []
    for matcher in rule.matchers:
        failure = _match(matcher, expected, actual, where, result)
        if failure is None:
            unsupported.append(f"matcher {matcher.kind!r} is not supported")
        elif failure:
            failures.append(failure)
        elif rule.combine == "OR":
            return True
    if rule.combine != "OR" and failures:
        result.mismatches.append(Mismatch(where, "; ".join(failures)))
        return False
    if unsupported:
        result.unchecked += [f"{where}: {u}" for u in unsupported]
        return False
    if failures:  # OR, and every matcher failed
        result.mismatches.append(Mismatch(where, " or ".join(failures)))
        return False
    return True


def _match(
    matcher: Matcher, expected: Any, actual: Any, where: str, result: Verification
) -> str | None:
    """'' when `actual` satisfies the matcher, else what is wrong; None: an unknown matcher."""
    kind, options = matcher.kind, matcher.options
    if kind in ("type", "min", "max"):
        if _type(actual) != _type(expected):
            return _type_text(expected, actual)
        return _bounds(actual, options)
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
        accepts, name = _VALUE_KINDS[kind]
        return "" if accepts(actual) else f"expected {name}, got {actual!r}"
    if kind == "semver":
        ok = isinstance(actual, str) and _SEMVER.match(actual) is not None
        return "" if ok else f"{actual!r} is not a semantic version"
    if kind == "values":
        return "" if isinstance(actual, dict) else f"expected an object, got {_type(actual)}"
    if kind in _DATE_KINDS:
        named = options.get("format") or options.get(kind)
        if named:
            note = f"{where}: {kind} pattern {named!r} not checked (ISO 8601 checked instead)"
            if note not in result.notes:
                result.notes.append(note)
        return "" if _iso(kind, actual) else f"{actual!r} is not an ISO 8601 {kind}"
    return None


def _bounds(actual: Any, options: Mapping[str, Any]) -> str:
    if not isinstance(actual, list):
        return ""
    low, high = options.get("min"), options.get("max")
    if isinstance(low, int) and len(actual) < low:
        return f"expected at least {low} element(s), got {len(actual)}"
    if isinstance(high, int) and len(actual) > high:
        return f"expected at most {high} element(s), got {len(actual)}"
    return ""


def _iso(kind: str, value: Any) -> bool:
    parse = {"date": date.fromisoformat, "time": time.fromisoformat}.get(kind)
    try:
        (parse or datetime.fromisoformat)(value)
    except (TypeError, ValueError):
        return False
    return isinstance(value, str)


def _fits(token: Token, concrete: Token) -> bool:
    if token == ANY_KEY:
        return isinstance(concrete, str)
    if token == ANY_INDEX:
        return isinstance(concrete, int)
    return token == concrete


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _type_text(expected: Any, actual: Any) -> str:
    return f"expected {_type(expected)}, got {_type(actual)}"


def _text(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)


def _media(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _shown(path: tuple[Token, ...]) -> str:
    """A concrete path in the form the documents' changes use: `$.items[].email`."""
    return "$" + "".join("[]" if isinstance(t, int) else f".{t}" for t in path)

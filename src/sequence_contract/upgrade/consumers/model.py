"""A team's recorded calls, read from a Pact or HAR file: one `Interaction` per call."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PACT = "pact"
HAR = "har"


class BadFile(ValueError):
    """A Pact or HAR this reader cannot use; the message says where and why."""


@dataclass(frozen=True)
class Matcher:
    """One Pact matcher: `kind` is its `match` value (`type`, `regex`, ...); `options` the rest."""

    kind: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """The matchers a Pact gives one JSON path, combined with AND (default) or OR."""

    path: str  # as written in the file, e.g. "$.items[*].id"
    matchers: tuple[Matcher, ...]
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

"""Expectations that go beyond Sequence's docs: named, explained and configurable.

The docs leave some answers open (what an unknown id returns, what a second archive does, ...).
The suite does not pass off a guess as the contract: each such check reads its expectation from
here, the README lists them, and a user changes one with `--expect NAME=VALUE` or the ini key
`sequence_expect`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sequence_contract.errors import SequenceContractError


class ExpectationError(SequenceContractError):
    """An `--expect` value names no expectation or holds a value it cannot take."""


@dataclass(frozen=True)
class Expectation:
    name: str
    default: str
    why: str
    choices: tuple[str, ...] = ()  # empty: a comma-separated list of HTTP status codes

    def parse(self, value: str) -> str:
        value = value.strip()
        if self.choices:
            if value not in self.choices:
                raise ExpectationError(
                    f"--expect {self.name}={value}: must be one of {', '.join(self.choices)}"
                )
            return value
        try:
            codes = sorted({int(part) for part in value.split(",") if part.strip()})
        except ValueError:
            codes = []
        if not codes or not all(100 <= code <= 599 for code in codes):
            raise ExpectationError(
                f"--expect {self.name}={value}: must be HTTP status codes, e.g. 404 or 400,404"
            )
        return ",".join(str(code) for code in codes)


CATALOGUE: tuple[Expectation, ...] = (
    Expectation(
        "unknown-id-status",
        "400,404",
        "The docs list no 404 for the Customers operations; an unknown but well-formed id "
        "must get one of these client errors (never a 2xx or 5xx).",
    ),
    Expectation(
        "repeat-archive",
        "idempotent",
        "The docs do not say what archiving an archived customer does. 'idempotent': 200 and the "
        "first archivedAt kept; 'client-error': a 4xx with the error envelope is accepted too. "
        "Either way never a 5xx and archivedAt never moves.",
        choices=("idempotent", "client-error"),
    ),
    Expectation(
        "method-not-allowed-status",
        "405",
        "Other methods on /customers/{id}/archive are not documented; HTTP says 405.",
    ),
    Expectation(
        "version-without-operation",
        "client-error",
        "Sending a published version in which the operation does not exist (e.g. 2024-05-09 on "
        "POST archive, which that version does with PUT) is not documented. 'client-error': any "
        "4xx with the envelope; 'unrecognised-version': 400 UnrecognisedApiVersion.",
        choices=("client-error", "unrecognised-version"),
    ),
    Expectation(
        "empty-version-header",
        "rejected",
        "An empty or blank Sequence-Version is not documented. 'rejected': 400 "
        "UnrecognisedApiVersion like any unknown value; 'as-absent': treated as no header.",
        choices=("rejected", "as-absent"),
    ),
    Expectation(
        "grey-zone",
        "accept-or-400",
        "Values the schema allows but a careful server may refuse: text over 100 characters, "
        "empty optional strings, blank or padded text, unusual Unicode. 'accept-or-400': a 2xx "
        "or 400 with the documented error envelope; 'accept': they must be accepted like any "
        "other valid value. Never a 5xx.",
        choices=("accept-or-400", "accept"),
    ),
    Expectation(
        "unknown-method-status",
        "405,501",
        "A method that is not standard HTTP (QUERY, PROPFIND, ...) on a documented path: RFC 9110 "
        "allows 405 (with Allow) or 501 (method not recognised). Standard methods the path does "
        "not allow always get 405 with Allow.",
    ),
    Expectation(
        "read-after-write",
        "immediate",
        "The docs do not promise that a GET right after archive shows archivedAt. 'immediate' "
        "or 'eventual' (polled for up to 10 s).",
        choices=("immediate", "eventual"),
    ),
)

_BY_NAME = {expectation.name: expectation for expectation in CATALOGUE}


@dataclass(frozen=True)
class Expectations:
    """The expectations in effect for a run."""

    values: Mapping[str, str]

    @classmethod
    def from_pairs(cls, pairs: Iterable[str]) -> Expectations:
        values = {expectation.name: expectation.default for expectation in CATALOGUE}
        for pair in pairs:
            name, sep, value = pair.partition("=")
            name = name.strip()
            if not sep:
                raise ExpectationError(f"--expect {pair}: write NAME=VALUE")
            if name not in _BY_NAME:
                raise ExpectationError(
                    f"--expect {name}: unknown; known: {', '.join(sorted(_BY_NAME))}"
                )
            values[name] = _BY_NAME[name].parse(value)
        return cls(values)

    def statuses(self, name: str) -> frozenset[int]:
        return frozenset(int(code) for code in self.values[name].split(","))

    def __getitem__(self, name: str) -> str:
        return self.values[name]

    def changed(self) -> dict[str, str]:
        """The expectations the user set away from their defaults (for the run header)."""
        return {
            name: value for name, value in self.values.items() if value != _BY_NAME[name].default
        }

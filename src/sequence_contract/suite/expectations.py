"""Expectations that go beyond Sequence's docs: named and configurable (`--expect NAME=VALUE`,
ini `sequence_expect`); the README's table says what each one means and why it is not the docs'.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sequence_contract.errors import SequenceContractError

# Each name's choices (the first is the default), or its default list of HTTP status codes.
CATALOGUE: dict[str, tuple[str, ...] | str] = {
    "unknown-id-status": "400,404",
    "repeat-archive": ("idempotent", "client-error"),
    "method-not-allowed-status": "405",
    "version-without-operation": ("client-error", "unrecognised-version"),
    "empty-version-header": ("rejected", "as-absent"),
    "grey-zone": ("accept-or-400", "accept"),
    "unknown-method-status": "405,501",
    "read-after-write": ("immediate", "eventual"),
}
DEFAULTS = {name: kind if isinstance(kind, str) else kind[0] for name, kind in CATALOGUE.items()}


class ExpectationError(SequenceContractError):
    """An `--expect` value names no expectation or holds a value it cannot take."""


def _parse(name: str, value: str) -> str:
    value, choices = value.strip(), CATALOGUE[name]
    if isinstance(choices, tuple):
        if value not in choices:
            raise ExpectationError(f"--expect {name}={value}: must be one of {', '.join(choices)}")
        return value
    try:
        codes = sorted({int(part) for part in value.split(",") if part.strip()})
    except ValueError:
        codes = []
    if not codes or not all(100 <= code <= 599 for code in codes):
        raise ExpectationError(
            f"--expect {name}={value}: must be HTTP status codes, e.g. 404 or 400,404"
        )
    return ",".join(str(code) for code in codes)


@dataclass(frozen=True)
class Expectations:
    """The expectations in effect for a run."""

    values: Mapping[str, str]

    @classmethod
    def from_pairs(cls, pairs: Iterable[str]) -> Expectations:
        values = dict(DEFAULTS)
        for pair in pairs:
            name, sep, value = pair.partition("=")
            name = name.strip()
            if not sep:
                raise ExpectationError(f"--expect {pair}: write NAME=VALUE")
            if name not in CATALOGUE:
                raise ExpectationError(
                    f"--expect {name}: unknown; known: {', '.join(sorted(CATALOGUE))}"
                )
            values[name] = _parse(name, value)
        return cls(values)

    def statuses(self, name: str) -> frozenset[int]:
        return frozenset(int(code) for code in self.values[name].split(","))

    def __getitem__(self, name: str) -> str:
        return self.values[name]

    def changed(self) -> dict[str, str]:
        """The expectations the user set away from their defaults (for the run header)."""
        return {name: value for name, value in self.values.items() if value != DEFAULTS[name]}

"""Identical failures grouped and counted: same check, same operation, same "where: what".

Values that differ between otherwise identical failures (ids, timestamps, ports, run labels)
are blanked out of the key, so twelve tests hitting one broken field make one group of 12.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sequence_contract.suite.reporting.failures import FailureRecord

_VARIABLE = [
    (re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}"), "{uuid}"),
    (re.compile(r"\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})?"), "{timestamp}"),
    (re.compile(r"\b\d{14}[0-9a-f]{6}\b"), "{run}"),
    (re.compile(r"(127\.0\.0\.1|localhost|\[::1\]):\d+"), r"\1:{port}"),
    (re.compile(r"\b\d{6,}\b"), "{n}"),
    (re.compile(r"\s+"), " "),
]


def normalise(text: str) -> str:
    for pattern, replacement in _VARIABLE:
        text = pattern.sub(replacement, text)
    return text.strip()


def group_key(record: FailureRecord) -> tuple[str, str, str]:
    return (record.check, record.operation, normalise(record.headline))


@dataclass
class Group:
    number: int
    key: tuple[str, str, str]
    records: list[FailureRecord] = field(default_factory=list)

    @property
    def first(self) -> FailureRecord:
        return self.records[0]

    @property
    def count(self) -> int:
        return len(self.records)

    @property
    def flaky(self) -> bool:
        """Failed only in cases that passed when replayed."""
        return all(record.flaky for record in self.records)

    @property
    def tests(self) -> list[str]:
        return list(dict.fromkeys(record.test for record in self.records))


class FailureBook:
    """Every failure entry of the run, in groups numbered in the order they were first seen."""

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str, str], Group] = {}

    def record(self, record: FailureRecord) -> Group:
        key = group_key(record)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = Group(len(self._groups) + 1, key)
        group.records.append(record)
        return group

    def groups(self) -> list[Group]:
        """Largest groups first; ties in the order they were first seen."""
        return sorted(self._groups.values(), key=lambda group: (-group.count, group.number))

    @property
    def total(self) -> int:
        return sum(group.count for group in self._groups.values())

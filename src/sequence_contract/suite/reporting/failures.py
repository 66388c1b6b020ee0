"""Failure entries, one per distinct problem a test hit (check, operation, "where: what",
exchanges), and identical ones grouped: same check, operation and normalised "where: what"."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from schemathesis.core.failures import Failure

from sequence_contract.http import Exchange
from sequence_contract.http.errors import environment_problem_behind
from sequence_contract.suite.checks import SHORT, ContractViolation, header
from sequence_contract.suite.reporting.coverage import CASE_HEADER, ContractCoverage
from sequence_contract.suite.runtime import SetupFailed

_LONGEST_WHERE = 160


@dataclass(frozen=True)
class FailureRecord:
    test: str  # the pytest node id
    check: str
    operation: str  # "POST /customers/{id}/archive", or "" when no request shows it
    where: str
    what: str  # may run over several lines; the first is the headline
    kind: str = "contract"  # or "environment", "setup"
    details: tuple[tuple[str, str], ...] = ()
    failing: tuple[Exchange, ...] = ()  # the exchange(s) that show the failure
    failing_is_last: bool = False  # True: only "the last request before the failure" is known
    generated: bool = False  # a schemathesis / hypothesis case
    flaky: bool = False  # the failing case passed when hypothesis replayed it

    @property
    def headline(self) -> str:
        first = self.what.splitlines()[0] if self.what else ""
        return f"{self.where}: {first}" if self.where else first

    @property
    def key(self) -> tuple[str, str, str]:
        """What identical failures share (the baseline's key too)."""
        return (self.check, self.operation, normalise(self.headline))


def describe(
    test: str,
    test_name: str,
    error: BaseException,
    exchanges: Sequence[Exchange],
    coverage: ContractCoverage,
) -> list[FailureRecord]:
    """The failure entries of one failed test phase: one per check failure (a schemathesis
    `Failure`; the suite's own, `ContractViolation`, already says where and what) or error."""
    records = []
    for leaf in _leaves(error):
        failure = leaf if isinstance(leaf, Failure) else None
        case_id = failure.case_id if failure else None
        own = getattr(failure, "exchange", None)
        # A check's own probes carry the case's id too: the exchange a violation names comes first.
        failing: tuple[Exchange, ...] = (own,) if own is not None else ()
        failing = failing or tuple(
            e for e in exchanges if case_id and header(e.request_headers, CASE_HEADER) == case_id
        )
        failing = failing or tuple(exchanges[-1:])
        operation = str(failure.operation or "") if failure else ""
        if not operation and failing:
            operation = coverage.name(failing[-1].method, failing[-1].url)
        entry = partial(
            FailureRecord,
            test=test,
            operation=operation,
            failing=failing,
            failing_is_last=not case_id and own is None,
        )
        records.append(_record(leaf, entry, test_name, operation))
    return records


def _record(
    leaf: BaseException, entry: Callable[..., FailureRecord], test_name: str, operation: str
) -> FailureRecord:
    """The entry of one check failure or error: which check, where and what."""
    if isinstance(leaf, ContractViolation):
        return entry(
            check=leaf.check or test_name,
            where=leaf.where,
            what=leaf.what,
            details=leaf.details,
            generated=leaf.case_id is not None,
        )
    if isinstance(leaf, Failure):
        where, what, details = _explain(leaf, operation)
        check = f"{leaf.code} {leaf.title}".strip()
        return entry(check=check, where=where, what=what, details=details, generated=True)
    problem = environment_problem_behind(leaf)
    if problem is not None:
        return entry(
            check="environment", where="environment", what=str(problem), kind="environment"
        )
    text = str(leaf).strip() or type(leaf).__name__
    first, _, rest = text.partition("\n")
    where, separator, what = first.partition(": ")
    if not separator or len(where) > _LONGEST_WHERE:
        where, what = "", first
    if rest.strip():
        what += "\n" + rest
    if not isinstance(leaf, AssertionError):
        what = f"{type(leaf).__name__}: {what}"
    kind = "setup" if isinstance(leaf, SetupFailed) else "contract"
    return entry(check=kind if kind == "setup" else test_name, where=where, what=what, kind=kind)


def _leaves(error: BaseException) -> Iterator[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from _leaves(inner)
    else:
        yield error


def _explain(failure: Any, operation: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """Where and what a built-in check's failure says; a schema violation names path,
    keyword and value."""
    message = str(failure.message or "")
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if not (hasattr(failure, "instance_path") and hasattr(failure, "schema_path")):
        return operation, failure.title + (": " + "; ".join(lines[:3]) if lines else ""), ()
    path = "$" + "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in failure.instance_path
    )
    keyword = str(list(failure.schema_path)[-1]) if list(failure.schema_path) else "?"
    value = SHORT.repr(failure.instance)
    what = f"{lines[0] if lines else ''} (keyword {keyword}; offending value {value})"
    details = (("JSON path", path), ("keyword", keyword), ("offending value", value))
    return f"{operation} response body {path}", what, details


# Values that differ between otherwise identical failures: twelve tests hitting one broken field
# make one group of 12.
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
        key = record.key
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = Group(len(self._groups) + 1, key)
        group.records.append(record)
        return group

    def groups(self) -> list[Group]:
        """Largest groups first; ties in the order they were first seen."""
        return sorted(self._groups.values(), key=lambda group: (-group.count, group.number))

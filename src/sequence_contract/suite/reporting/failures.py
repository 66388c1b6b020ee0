"""One failure entry per distinct problem a test hit: check, operation, "where: what", exchanges.

A test may hold several: schemathesis reports every distinct check failure of a case, and
hypothesis may report several distinct bugs of one test.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from schemathesis.core.failures import Failure

from sequence_contract.http import Exchange
from sequence_contract.http.errors import environment_problem_behind
from sequence_contract.suite.checks import ContractViolation
from sequence_contract.suite.reporting.coverage import CASE_HEADER, OperationMatcher
from sequence_contract.suite.runtime import SetupFailed

_SHORT = reprlib.Repr()
_SHORT.maxstring = 40
_SHORT.maxother = 60
_SHORT.maxdict = 4
_SHORT.maxlist = 4
_SHORT.maxlevel = 1
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


def describe(
    test: str,
    test_name: str,
    error: BaseException,
    exchanges: Sequence[Exchange],
    matcher: OperationMatcher,
) -> list[FailureRecord]:
    """The failure entries of one failed test phase."""
    records = []
    for leaf in _leaves(error):
        if isinstance(leaf, Failure):
            records.append(_from_failure(test, test_name, leaf, exchanges, matcher))
            continue
        last = tuple(exchanges[-1:])
        operation = matcher.name(last[0].method, last[0].url) if last else ""
        entry = partial(
            FailureRecord, test=test, operation=operation, failing=last, failing_is_last=True
        )
        problem = environment_problem_behind(leaf)
        if problem is not None:
            kind = "environment"
            records.append(entry(check=kind, where=kind, what=str(problem), kind=kind))
            continue
        text = str(leaf).strip() or type(leaf).__name__
        first, _, rest = text.partition("\n")
        where, separator, what = first.partition(": ")
        if not separator or len(where) > _LONGEST_WHERE:
            where, what = "", first
        if rest.strip():
            what += "\n" + rest
        if not isinstance(leaf, AssertionError):
            what = f"{type(leaf).__name__}: {what}"
        setup = isinstance(leaf, SetupFailed)
        kind = "setup" if setup else "contract"
        records.append(entry(check=kind if setup else test_name, where=where, what=what, kind=kind))
    return records


def _leaves(error: BaseException) -> Iterator[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from _leaves(inner)
    else:
        yield error


def _from_failure(
    test: str,
    test_name: str,
    failure: Failure,
    exchanges: Sequence[Exchange],
    matcher: OperationMatcher,
) -> FailureRecord:
    """Every check failure is a schemathesis `Failure`: the suite's own (ContractViolation)
    already says where and what; a built-in check's is read from its message."""
    case_id = failure.case_id
    own = getattr(failure, "exchange", None)
    # A check's own probes carry the case's id too: the exchange a violation names comes first.
    failing: tuple[Exchange, ...] = (own,) if own is not None else ()
    failing = failing or tuple(e for e in exchanges if case_id and _case_id(e) == case_id)
    failing = failing or tuple(exchanges[-1:])
    operation = str(failure.operation or "")
    if not operation and failing:
        operation = matcher.name(failing[-1].method, failing[-1].url)
    if isinstance(failure, ContractViolation):
        check = failure.check or test_name
        where, what, details = failure.where, failure.what, failure.details
    else:
        check = f"{failure.code} {failure.title}".strip()
        where, what, details = _explain(failure, operation)
    return FailureRecord(
        test=test,
        check=check,
        operation=operation,
        where=where,
        what=what,
        details=details,
        failing=failing,
        failing_is_last=not case_id and own is None,
        generated=case_id is not None or not isinstance(failure, ContractViolation),
    )


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
    value = _SHORT.repr(failure.instance)
    what = f"{lines[0] if lines else ''} (keyword {keyword}; offending value {value})"
    details = (("JSON path", path), ("keyword", keyword), ("offending value", value))
    return f"{operation} response body {path}", what, details


def _case_id(exchange: Exchange) -> str | None:
    headers = {name.lower(): value for name, value in exchange.request_headers.items()}
    return headers.get(CASE_HEADER)

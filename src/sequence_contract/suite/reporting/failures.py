"""One failure entry per distinct problem a test hit: check, operation, "where: what", exchanges.

A test may hold several: schemathesis reports every distinct check failure of a case, and
hypothesis may report several distinct bugs of one test.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
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
    records = [_describe_leaf(test, test_name, leaf, exchanges, matcher) for leaf in _leaves(error)]
    return records or [_generic(test, test_name, error, exchanges, matcher)]


def _leaves(error: BaseException) -> Iterator[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from _leaves(inner)
    else:
        yield error


def _describe_leaf(
    test: str,
    test_name: str,
    error: BaseException,
    exchanges: Sequence[Exchange],
    matcher: OperationMatcher,
) -> FailureRecord:
    if isinstance(error, Failure):
        return _from_failure(test, test_name, error, exchanges, matcher)
    problem = environment_problem_behind(error)
    if problem is not None:
        last = tuple(exchanges[-1:])
        return FailureRecord(
            test=test,
            check="environment",
            operation=_operation_of(last, matcher),
            where="environment",
            what=str(problem),
            kind="environment",
            failing=last,
            failing_is_last=True,
        )
    return _generic(test, test_name, error, exchanges, matcher)


def _generic(
    test: str,
    test_name: str,
    error: BaseException,
    exchanges: Sequence[Exchange],
    matcher: OperationMatcher,
) -> FailureRecord:
    text = str(error).strip() or type(error).__name__
    first, _, rest = text.partition("\n")
    where, separator, what = first.partition(": ")
    if not separator or len(where) > _LONGEST_WHERE:
        where, what = "", first
    if rest.strip():
        what += "\n" + rest
    last = tuple(exchanges[-1:])
    setup = isinstance(error, SetupFailed)
    return FailureRecord(
        test=test,
        check="setup" if setup else test_name,
        operation=_operation_of(last, matcher),
        where=where,
        what=what if isinstance(error, AssertionError) else f"{type(error).__name__}: {what}",
        kind="setup" if setup else "contract",
        failing=last,
        failing_is_last=True,
    )


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
    operation = str(failure.operation or "") or _operation_of(failing, matcher)
    if isinstance(failure, ContractViolation):
        check, where, what, details = (
            failure.check or test_name,
            failure.where,
            failure.what,
            failure.details,
        )
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
    if hasattr(failure, "instance_path") and hasattr(failure, "schema_path"):
        path = _json_path(list(failure.instance_path))
        keyword = str(list(failure.schema_path)[-1]) if list(failure.schema_path) else "?"
        value = _SHORT.repr(failure.instance)
        what = f"{_first_line(message)} (keyword {keyword}; offending value {value})"
        details = (("JSON path", path), ("keyword", keyword), ("offending value", value))
        return f"{operation} response body {path}", what, details
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    return operation, failure.title + (": " + "; ".join(lines[:3]) if lines else ""), ()


def _case_id(exchange: Exchange) -> str | None:
    for name, value in exchange.request_headers.items():
        if name.lower() == CASE_HEADER:
            return value
    return None


def _json_path(parts: list[Any]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _operation_of(exchanges: Sequence[Exchange], matcher: OperationMatcher) -> str:
    if not exchanges:
        return ""
    return matcher.name(exchanges[-1].method, exchanges[-1].url)

"""The one base exception of the package, and the usage error every command shares."""

from typing import TypeVar

E = TypeVar("E", bound=BaseException)


class SequenceContractError(Exception):
    """Base class of every error this package raises on purpose."""


class UsageError(SequenceContractError):
    """A run was configured in a way that cannot work; the message says how to fix it."""


def error_behind(error: BaseException | None, kind: type[E]) -> E | None:
    """The first `kind` exception behind `error`, through causes, contexts and exception groups
    (hypothesis and schemathesis wrap what a test raised)."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return current
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending += [current.__cause__, current.__context__]
    return None

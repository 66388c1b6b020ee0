"""The package's base exception, the usage error every command shares, and the walk through
what an error wraps."""

from collections.abc import Iterator
from typing import TypeVar

E = TypeVar("E", bound=BaseException)


class SequenceContractError(Exception):
    """Base class of every error this package raises on purpose."""


class UsageError(SequenceContractError):
    """A run was configured in a way that cannot work; the message says how to fix it."""


def causes(error: BaseException | None) -> Iterator[BaseException]:
    """The error and everything behind it, nearest first: causes, contexts, exception group
    members, and the `reason` and arguments urllib3 and requests wrap a connection error in."""
    seen: set[int] = set()
    pending: list[object] = [error]
    while pending:
        current = pending.pop(0)
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        reason = getattr(current, "reason", None)
        pending += [reason, *current.args, current.__cause__, current.__context__]
        if isinstance(current, BaseExceptionGroup):
            pending += current.exceptions


def error_behind(error: BaseException | None, kind: type[E]) -> E | None:
    """The first `kind` exception among the error's `causes`."""
    return next((cause for cause in causes(error) if isinstance(cause, kind)), None)

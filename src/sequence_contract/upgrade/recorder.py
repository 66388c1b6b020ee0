"""Where a documented change was found, and the set the comparison fills."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sequence_contract.upgrade.model import DOCUMENTED, Change, ChangeSet

REQUEST = "request"
RESPONSE = "response"


@dataclass(frozen=True)
class Where:
    """A value in a request or response: its name for change ids, and its JSON path."""

    direction: str
    name: str  # e.g. "Customer.address.state"
    operation: str  # e.g. "GET /customers/{id}"
    path: str  # JSON path of the value in a body, e.g. "$.address.state"
    status: str = ""  # responses: the status code

    def child(self, name_suffix: str, path_suffix: str) -> Where:
        """The place of a part of this value: a property (`.x`) or array items (`[]`)."""
        path = f"{self.path}{path_suffix}" if self.path else ""
        return Where(self.direction, f"{self.name}{name_suffix}", self.operation, path, self.status)


class Recorder:
    """Collects documented changes; the same change found again adds where it was seen."""

    def __init__(self) -> None:
        self.found = ChangeSet()

    def emit(
        self,
        kind: str,
        subject: str,
        operation: str,
        breaking: bool,
        description: str,
        *,
        before: Any = None,
        after: Any = None,
        seen: tuple[str, ...] = (),
        where: Where | None = None,
    ) -> None:
        pointers: tuple[str, ...] = ()
        if where is not None and where.path:
            # Responses: "<op> <status> <path>"; request bodies: "<op> request <path>".
            part = where.status if where.direction == RESPONSE else REQUEST
            pointers = (f"{where.operation} {part} {where.path}",)
        self.found.add(
            Change(
                id=f"{kind}:{subject}",
                kind=kind,
                subject=subject,
                origin=DOCUMENTED,
                breaking=breaking,
                description=description,
                location=_location(operation, where),
                before=before,
                after=after,
                seen_in=(operation, *seen),
                pointers=pointers,
            )
        )


def _location(operation: str, where: Where | None) -> str:
    if where is None:
        return operation
    body = f"{where.status} response" if where.direction == RESPONSE else "request"
    return f"{operation} {body}: {where.name}" + (f" ({where.path})" if where.path else "")

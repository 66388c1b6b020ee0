"""What the upgrade check finds: one `Change` per difference, documented or observed. Ids
(`response-field-removed:Customer.email`) use names that stay put, so waivers can name them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

# Where a change was found: the two versions' documents, or two replays against a server.
DOCUMENTED = "documented"
OBSERVED = "observed"
_LISTS = ("seen_in", "pointers", "explained_by")


@dataclass(frozen=True)
class Change:
    """One difference between the two versions, as a client of the old version meets it."""

    id: str
    kind: str
    subject: str
    origin: str  # DOCUMENTED or OBSERVED
    breaking: bool
    description: str
    location: str
    before: Any = None
    after: Any = None
    # Every operation (documented) or replay step (observed) where the change shows.
    seen_in: tuple[str, ...] = ()
    # Documented changes: "<METHOD> <path> <status> <json path>" of each response value the
    # change affects, so that an observed difference can be traced back to it, and
    # "<METHOD> <path> request <json path>" of each request body value.
    pointers: tuple[str, ...] = field(default=(), compare=False)
    # Observed changes only: ids of the documented changes that predict this observation.
    explained_by: tuple[str, ...] = ()

    @property
    def expected(self) -> bool:
        """An observation the documents predict: the documented change carries the verdict."""
        return self.origin == OBSERVED and bool(self.explained_by)

    def as_json(self) -> dict[str, Any]:
        # Fields in order, up to `after`; the lists under their JSON names.
        data = {k: v for k, v in vars(self).items() if k not in _LISTS}
        data["seenIn"] = list(self.seen_in)
        if self.origin == OBSERVED:
            data["explainedBy"] = list(self.explained_by)
        return data


def merged(changes: Iterable[Change]) -> list[Change]:
    """One change per id, with everywhere it was seen; breaking ones first."""
    by_id: dict[str, Change] = {}
    for change in changes:
        known = by_id.setdefault(change.id, change)
        if known is not change:
            by_id[change.id] = replace(
                known,
                seen_in=_union(known.seen_in, change.seen_in),
                pointers=_union(known.pointers, change.pointers),
                explained_by=_union(known.explained_by, change.explained_by),
            )
    return sorted(by_id.values(), key=lambda c: (not c.breaking, c.id))


def _union(known: tuple[str, ...], more: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(known + more))

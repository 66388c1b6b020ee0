"""Positive data acceptance with a named grey zone; replaces schemathesis'
`positive_data_acceptance`, which treats every schema-valid request as one the server must
accept.

Positive cases come from the strict view (`suite.positive`), so they are unambiguously valid,
except for grey-zone values: very long text, empty optional strings, blank or padded text,
unusual Unicode. The `grey-zone` expectation decides what a refusal of those may look like:

- `accept-or-400` (default): a 2xx, or 400 with the documented error envelope;
- `accept`: like any other positive case.

Never a 5xx (`not_a_server_error` still runs) and never an undocumented shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemathesis.openapi.checks import RejectedPositiveData

from sequence_contract.schemas import violations
from sequence_contract.suite.positive import grey_values

GREY_ZONE_CHOICES = ("accept-or-400", "accept")
# Answers other checks judge (as schemathesis' own check leaves them): credentials, ids that
# do not exist, conflicts, rate limits and server errors.
JUDGED_ELSEWHERE = frozenset({401, 403, 404, 409, 429})
BAD_REQUEST = 400

CheckFunction = Callable[[Any, Any, Any], bool | None]


def is_accepted(status: int) -> bool:
    return 200 <= status < 400 or status >= 500 or status in JUDGED_ELSEWHERE


def grey_values_of(case: Any) -> list[str]:
    """The grey-zone values a case sends, in its body and query, as "where: why"."""
    found = list(grey_values(case.body, "body")) if case.body is not None else []
    for name, value in (case.query or {}).items():
        found.extend(grey_values(value, f"query {name}"))
    return found


def refusal_problem(
    status: int, body: Any, grey: list[str], policy: str, api_version: str
) -> str | None:
    """Why this answer to a positive case breaks the contract, or None when it does not."""
    if is_accepted(status):
        return None
    if grey and policy == "accept-or-400" and status == BAD_REQUEST:
        found = violations(api_version, "error", body)
        if not found:
            return None
        return f"400 for a grey-zone value, but not in the documented error envelope: {found[0]}"
    reason = f"{status} for a request the documented schema and the strict view both call valid"
    if grey:
        reason += f" (grey-zone values, refused only with 400 under --expect grey-zone={policy})"
    return reason


def positive_acceptance_check(api_version: str, policy: str) -> CheckFunction:
    def positive_acceptance(ctx: Any, response: Any, case: Any) -> None:
        meta = getattr(case, "meta", None)
        if meta is None or not meta.generation.mode.is_positive:
            return
        grey = grey_values_of(case)
        problem = refusal_problem(response.status_code, _json(response), grey, policy, api_version)
        if problem is None:
            return
        lines = [problem, *(f"grey zone: {item}" for item in grey[:5])]
        raise RejectedPositiveData(
            operation=case.operation.label,
            message="\n".join(lines),
            status_code=response.status_code,
            allowed_statuses=["2xx", *(["400"] if grey and policy == "accept-or-400" else [])],
        )

    return positive_acceptance


def _json(response: Any) -> Any:
    try:
        return response.json()
    except ValueError:
        return None

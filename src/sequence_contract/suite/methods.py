"""HTTP method semantics for methods a path does not declare, after RFC 9110, not one tool's
defaults.

schemathesis' `unsupported_method` check sends DELETE, PATCH, POST, PUT, TRACE and QUERY to every
path and expects 405 for all of them. RFC 9110 distinguishes two answers: 405 (15.5.6) for a
method the server knows but the resource does not allow, with an `Allow` header; 501
(15.6.2) for a method the server does not recognise at all. Gateways and CDNs in front of real
APIs answer 501 to methods outside the standard set. So:

- a standard method (RFC 9110 section 9, and PATCH from RFC 5789) must get 405 with `Allow`;
- any other method (QUERY, PROPFIND, ...) gets 405 (with `Allow`) or 501, or what the
  `unknown-method-status` expectation names.

`method_semantics` replaces `unsupported_method`; for the non-standard probes the generic
`not_a_server_error` is left out (`checks_to_skip`), since this check already rules out every
other 5xx for them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from schemathesis.checks import not_a_server_error
from schemathesis.generation.meta import CoverageScenario
from schemathesis.openapi.checks import UnsupportedMethodResponse

# RFC 9110 section 9 plus PATCH (RFC 5789): the methods every HTTP server is expected to know.
STANDARD_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}
)
NOT_ALLOWED = 405
# A rate limiter usually sits in front of routing and throttles every method alike.
RATE_LIMITED = 429

CheckFunction = Callable[[Any, Any, Any], bool | None]


def is_standard(method: str) -> bool:
    return method.upper() in STANDARD_METHODS


def expected_statuses(method: str, unknown_method_statuses: Collection[int]) -> frozenset[int]:
    """What a path may answer to `method` when it does not declare it."""
    if is_standard(method):
        return frozenset({NOT_ALLOWED})
    return frozenset(unknown_method_statuses)


def is_method_probe(case: Any) -> bool:
    """A coverage-phase case that sends a method its path does not declare."""
    meta = getattr(case, "meta", None)
    data = getattr(getattr(meta, "phase", None), "data", None)
    return getattr(data, "scenario", None) == CoverageScenario.UNSPECIFIED_HTTP_METHOD


def checks_to_skip(case: Any) -> list[CheckFunction]:
    """Built-in checks that must not judge this case: a 501 to a non-standard method is the
    RFC's answer, not a server error."""
    if is_method_probe(case) and not is_standard(str(case.method)):
        return [not_a_server_error]
    return []


def method_semantics_check(
    unknown_method_statuses: Collection[int], *, excuse_not_found: bool = False
) -> CheckFunction:
    """The check for method probes. `excuse_not_found`: the run has no real customer to put in
    the path, so a 404 (routing before method dispatch) says nothing."""
    allowed_unknown = frozenset(unknown_method_statuses)

    def method_semantics(ctx: Any, response: Any, case: Any) -> None:
        if not is_method_probe(case):
            return
        method = str(response.request.method).upper()
        if method == "OPTIONS":
            return
        status = response.status_code
        if status == RATE_LIMITED or (excuse_not_found and status == 404):
            return
        expected = expected_statuses(method, allowed_unknown)
        label = f"{method} {case.path}"
        if status not in expected:
            wanted = " or ".join(str(code) for code in sorted(expected))
            kind = "a standard" if is_standard(method) else "a non-standard"
            raise UnsupportedMethodResponse(
                operation=label,
                method=method,
                status_code=status,
                failure_reason="wrong_status",
                message=f"{method} ({kind} method the path does not declare) answered "
                f"{status}, expected {wanted} (RFC 9110 15.5.6 / 15.6.2)",
            )
        if status == NOT_ALLOWED and not response.headers.get("allow"):
            raise UnsupportedMethodResponse(
                operation=label,
                method=method,
                status_code=status,
                allow_header_present=False,
                failure_reason="missing_allow_header",
                message=f"{method} answered 405 without the Allow header RFC 9110 15.5.6 requires",
            )

    return method_semantics

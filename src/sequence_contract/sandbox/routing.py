"""The API's paths, matched independently of method and version.

Which methods a path accepts depends on the version (2024-05-09 archives with PUT,
2024-07-30 with POST), so that lives with each version's operations.
"""

import re

API_PREFIX = "/api"

CUSTOMERS = "/customers"
CUSTOMER = "/customers/{id}"
CUSTOMER_ARCHIVE = "/customers/{id}/archive"

# Each template as a pattern: a parameter is one non-empty path segment.
_PATTERNS = [
    (route, re.compile(API_PREFIX + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", route)))
    for route in (CUSTOMERS, CUSTOMER, CUSTOMER_ARCHIVE)
]


def match_route(path: str) -> tuple[str, dict[str, str]] | None:
    """The route template matching a request path (with `/api`) and its parameters."""
    for route, pattern in _PATTERNS:
        if matched := pattern.fullmatch(path):
            return route, matched.groupdict()
    return None

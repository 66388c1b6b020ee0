"""The API's paths, matched independently of method and version.

Which methods a path accepts depends on the version (2024-05-09 archives with PUT,
2024-07-30 with POST), so that lives with each version's operations.
"""

API_PREFIX = "/api"

CUSTOMERS = "/customers"
CUSTOMER = "/customers/{id}"
CUSTOMER_ARCHIVE = "/customers/{id}/archive"

ROUTES = (CUSTOMERS, CUSTOMER, CUSTOMER_ARCHIVE)


def match_route(path: str) -> tuple[str, dict[str, str]] | None:
    """The route template matching a request path (with `/api`) and its parameters."""
    if not path.startswith(API_PREFIX + "/"):
        return None
    segments = path[len(API_PREFIX) :].split("/")[1:]
    for route in ROUTES:
        template = route.split("/")[1:]
        if len(template) != len(segments):
            continue
        params: dict[str, str] = {}
        for expected, actual in zip(template, segments, strict=True):
            if expected.startswith("{"):
                if not actual:
                    break
                params[expected.strip("{}")] = actual
            elif expected != actual:
                break
        else:
            return route, params
    return None

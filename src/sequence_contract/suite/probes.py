"""Route schemathesis' own probes through the run's ContractSession.

Some schemathesis checks send extra requests of their own: `ignored_auth` repeats a request
without and with wrong credentials, content-type checks send a control request. They drop the
`session=` the test passed, so without this they would bypass the client-side rate limit and
the retries, go uncounted, and turn a passing 429 or 503 into a false "auth not enforced".
"""

from __future__ import annotations

from typing import Any

import requests
from schemathesis.transport.requests import REQUESTS_TRANSPORT

_SESSION_SLOT = "_sequence_contract_session"


def route_probes_through(session: requests.Session) -> None:
    """From now on, a schemathesis request sent without a session uses `session`.

    Idempotent; a later call (a new run in the same process) replaces the session."""
    transport: Any = REQUESTS_TRANSPORT
    setattr(transport, _SESSION_SLOT, session)
    if "send" in vars(transport):
        return  # already wrapped
    unwrapped_send = transport.send

    def send(case: Any, *, session: requests.Session | None = None, **kwargs: Any) -> Any:
        if session is None and kwargs.get("app") is None:
            session = getattr(transport, _SESSION_SLOT, None)
        return unwrapped_send(case, session=session, **kwargs)

    transport.send = send

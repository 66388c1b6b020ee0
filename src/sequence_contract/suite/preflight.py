"""One request before any test: is the target reachable, is it the API, do the credentials work?

A broken environment then ends the run with one sentence, instead of every test failing with
the same traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sequence_contract.http import EnvironmentProblem

if TYPE_CHECKING:
    from sequence_contract.suite.runtime import SuiteRuntime


class BadCredentials(EnvironmentProblem):
    """The API refused the credentials on the very first call."""


class NotTheApi(EnvironmentProblem):
    """The base URL answers, but not like the Sequence API."""


def preflight(runtime: SuiteRuntime) -> None:
    where = f"{runtime.base_url}/customers?limit=1"
    # TargetUnreachable / RequestTimedOut propagate with their own message.
    response = runtime.request("GET", "/customers", params={"limit": 1})
    if response.status_code in (401, 403):
        raise BadCredentials(
            f"{where}: the API answered {response.status_code} to the credentials of client id "
            f"{_masked(runtime.credentials.client_id)}; check SEQUENCE_CLIENT_ID / "
            "SEQUENCE_CLIENT_SECRET"
        )
    if response.status_code >= 500:
        return  # a server error is the contract's business: the tests will say where
    content_type = response.headers.get("Content-Type", "")
    if "json" not in content_type.lower():
        raise NotTheApi(
            f"{where}: answered {response.status_code} with {content_type or 'no content type'}, "
            "not JSON; is the base URL the API root (it ends in /api)?"
        )
    if response.status_code == 404:
        raise NotTheApi(f"{where}: 404; is the base URL the API root (it ends in /api)?")


def _masked(client_id: str) -> str:
    return client_id[:4] + "…" if len(client_id) > 6 else "…"

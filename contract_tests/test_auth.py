"""Bad credentials on every documented operation: 401 with the error envelope (documented).

Asked once per operation and kind of bad credential, not once per generated case (the
generated tests leave schemathesis' ignored_auth out; it doubled a run's traffic). Reads run
everywhere; the other methods only where the run may write. The archive operation has its own,
longer list of kinds in test_archive_rejections.py, with a check that nothing was archived.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable

import pytest

from sequence_contract.documents import documents
from sequence_contract.suite import checks
from sequence_contract.suite.config import collection_version
from sequence_contract.suite.generated import SAFE_METHODS
from sequence_contract.suite.runtime import SuiteRuntime
from sequence_contract.target import ARCHIVE_PATH, customer_body


def _basic(raw: str) -> str:
    return "Basic " + base64.b64encode(raw.encode()).decode()


BAD_CREDENTIALS: dict[str, Callable[[SuiteRuntime], str | None]] = {
    "missing": lambda runtime: None,
    "wrong-secret": lambda runtime: _basic(f"{runtime.credentials.client_id}:not-the-secret"),
    "unknown-client": lambda runtime: _basic("someone-else:" + runtime.credentials.client_secret),
    "malformed": lambda runtime: "Basic %%%not-base64%%%",
}


def _operations(version: str) -> list[object]:
    """Every documented operation but archive, writes marked destructive."""
    return [
        pytest.param(
            method,
            path,
            id=f"{method} {path}",
            marks=() if method in SAFE_METHODS else pytest.mark.destructive,
        )
        for method, path, _ in documents(version).operations()
        if path != ARCHIVE_PATH
    ]


@pytest.mark.parametrize("kind", BAD_CREDENTIALS)
@pytest.mark.parametrize(("method", "path"), _operations(collection_version()))
def test_bad_credentials_are_refused(
    runtime: SuiteRuntime, path_id: str | None, method: str, path: str, kind: str
) -> None:
    url = path.replace("{id}", path_id or str(uuid.uuid4()))
    body = None
    if method in ("POST", "PUT"):
        # Should the API take it anyway, it is a customer of this run (labelled, archived).
        body = customer_body(runtime.api_version, runtime.run_id, 0)

    response = runtime.request(method, url, auth=BAD_CREDENTIALS[kind](runtime), json=body)

    checks.client_error(runtime, response, frozenset({401}), f"credentials {kind} (documented)")

"""Basic authentication: every bad Authorization header is a 401 in the envelope."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from sequence_contract.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, EmbeddedSandbox
from tests.sandbox.client import ApiClient, assert_error, describe


def basic(text: str) -> str:
    return "Basic " + base64.b64encode(text.encode()).decode()


BAD_AUTHORIZATION = {
    "missing": None,
    "empty": "",
    "wrong-secret": basic(f"{DEFAULT_CLIENT_ID}:not-the-secret"),
    "wrong-client-id": basic(f"someone-else:{DEFAULT_CLIENT_SECRET}"),
    "secret-prefix": basic(f"{DEFAULT_CLIENT_ID}:{DEFAULT_CLIENT_SECRET[:-1]}"),
    "no-colon": basic(DEFAULT_CLIENT_ID + DEFAULT_CLIENT_SECRET),
    "bearer-scheme": "Bearer " + DEFAULT_CLIENT_SECRET,
    "no-scheme": base64.b64encode(f"{DEFAULT_CLIENT_ID}:{DEFAULT_CLIENT_SECRET}".encode()).decode(),
    "malformed-base64": "Basic %%%not-base64%%%",
    "not-utf8": "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode(),
    "scheme-only": "Basic",
}


@pytest.mark.parametrize("authorization", BAD_AUTHORIZATION.values(), ids=BAD_AUTHORIZATION)
@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/customers"), ("POST", "/customers/e309e948-088e-4d77-b654-cd85498f1555/archive")],
    ids=["list", "archive"],
)
def test_bad_credentials_are_401(
    api: ApiClient, authorization: str | None, method: str, path: str
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = api.call(method, path, authenticated=False, headers=headers)
    assert_error(response, 401, "Unauthorized")
    assert response.headers.get("WWW-Authenticate", "").startswith("Basic"), describe(response)
    assert DEFAULT_CLIENT_SECRET not in response.text, describe(response)


def test_the_scheme_name_is_case_insensitive(api: ApiClient) -> None:
    token = basic(f"{DEFAULT_CLIENT_ID}:{DEFAULT_CLIENT_SECRET}").split()[1]
    response = api.call(
        "GET", "/customers", authenticated=False, headers={"Authorization": f"basic {token}"}
    )
    assert response.status_code == 200, describe(response)


def test_configured_credentials_replace_the_defaults(
    start_sandbox: Callable[..., EmbeddedSandbox],
) -> None:
    server = start_sandbox(client_id="team-id", client_secret="team-secret-value")
    custom = ApiClient(server.base_url, "team-id", "team-secret-value")
    default = ApiClient(server.base_url)
    try:
        assert custom.call("GET", "/customers").status_code == 200
        assert_error(default.call("GET", "/customers"), 401, "Unauthorized")
    finally:
        custom.close()
        default.close()

"""The Sequence-Version header: default, echo, and rejection of versions not served."""

from __future__ import annotations

import pytest

from sequence_contract import schemas
from tests.sandbox.client import SEEDED_CUSTOMER_ID, VERSION, ApiClient, assert_error, describe

ARCHIVE = f"/customers/{SEEDED_CUSTOMER_ID}/archive"


def test_an_absent_header_means_2024_07_30_and_is_echoed(api: ApiClient) -> None:
    response = api.call("GET", "/customers", version=None)
    assert response.status_code == 200, describe(response)
    assert response.headers.get("Sequence-Version") == VERSION, describe(response)


@pytest.mark.parametrize("name", ["Sequence-Version", "sequence-version", "SEQUENCE-VERSION"])
def test_the_header_name_is_case_insensitive(api: ApiClient, name: str) -> None:
    response = api.call("GET", "/customers", version=None, headers={name: VERSION})
    assert response.status_code == 200, describe(response)
    assert response.headers.get("Sequence-Version") == VERSION, describe(response)


@pytest.mark.parametrize(
    ("method", "path", "version"),
    [
        # A published version the sandbox does not serve (2024-05-09: test_version_2024_05_09).
        ("POST", ARCHIVE, "2024-01-01"),
        # Versions never published.
        ("GET", "/customers", "2099-01-01"),
        ("GET", "/customers", "latest"),
        ("GET", "/customers", ""),
        ("GET", "/customers", "2024-07-30x"),
        ("GET", "/customers", "2024-7-30"),
    ],
)
def test_a_version_not_served_is_400_unrecognised(
    api: ApiClient, method: str, path: str, version: str
) -> None:
    response = api.call(method, path, version=version)
    assert_error(response, 400, "UnrecognisedApiVersion")
    assert response.headers.get("Sequence-Version") == VERSION, describe(response)


def test_a_rejected_version_changes_nothing(api: ApiClient) -> None:
    customer = api.create_customer()
    response = api.call("POST", f"/customers/{customer['id']}/archive", version="2024-01-01")
    assert_error(response, 400, "UnrecognisedApiVersion")
    assert "archivedAt" not in api.get_customer(customer["id"])


@pytest.mark.parametrize(
    ("method", "path", "authenticated", "status"),
    [
        ("GET", "/customers", False, 401),
        ("GET", "/customers/no-such-id", True, 404),
        ("DELETE", "/customers", True, 405),
        ("POST", "/customers", True, 400),
    ],
)
def test_errors_echo_the_version_too(
    api: ApiClient, method: str, path: str, authenticated: bool, status: int
) -> None:
    response = api.call(method, path, authenticated=authenticated)
    assert_error(response, status)
    assert response.headers.get("Sequence-Version") == VERSION, describe(response)


def _documented_methods(version: str, route: str) -> set[str]:
    item = schemas.load_openapi(version)["paths"][route]
    return {method.upper() for method in item if method in ("get", "put", "post", "delete")}


@pytest.mark.parametrize("version", ["2024-05-09", "2024-07-30"])
@pytest.mark.parametrize("route", ["/customers", "/customers/{id}", "/customers/{id}/archive"])
def test_each_version_serves_the_methods_its_openapi_document_lists(
    api: ApiClient, version: str, route: str
) -> None:
    path = route.format(id=SEEDED_CUSTOMER_ID)
    response = api.call("PATCH", path, version=version)
    assert_error(response, 405)
    allowed = {m.strip() for m in response.headers.get("Allow", "").split(",")}
    assert allowed == _documented_methods(version, route), describe(response)

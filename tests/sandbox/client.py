"""A thin HTTP client for the sandbox tests, and the rendering of an exchange for messages."""

from __future__ import annotations

import uuid
from typing import Any

import requests

from sequence_contract.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

VERSION = "2024-07-30"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
SEEDED_CUSTOMER_ID = "e309e948-088e-4d77-b654-cd85498f1555"
SEEDED_OWNER_ID = "50af5191-05a3-42a5-802a-6b59091157af"


def describe(response: requests.Response) -> str:
    """The exchange, for assertion messages: request line, status, headers, body excerpt."""
    request = response.request
    headers = "\n".join(f"  {name}: {value}" for name, value in response.headers.items())
    body = response.text
    excerpt = body if len(body) <= 1500 else body[:1500] + f"... ({len(body)} chars)"
    return (
        f"\n{request.method} {request.url}\n-> {response.status_code} {response.reason}\n"
        f"{headers}\n  {excerpt}"
    )


def unique(prefix: str = "Customer") -> str:
    return f"{prefix} {uuid.uuid4().hex[:12]}"


def customer_body(**overrides: Any) -> dict[str, Any]:
    """A valid create/update body with a unique legal name; keyword arguments replace fields."""
    body: dict[str, Any] = {
        "legalName": unique(),
        "address": {
            "line1": "1 Test Street",
            "town": "London",
            "postcode": "E1 6AN",
            "country": "GB",
        },
        "taxStatus": "TAXED",
        "contacts": [
            {"name": "Ada Billing", "email": "ada@example.com", "billingPreference": "PRIMARY"}
        ],
    }
    body.update(overrides)
    return body


class ApiClient:
    """Requests to one sandbox with valid credentials and the version header, unless told."""

    def __init__(
        self,
        base_url: str,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
    ) -> None:
        self.base_url = base_url
        self.auth = (client_id, client_secret)
        self.session = requests.Session()

    def close(self) -> None:
        self.session.close()

    def call(
        self,
        method: str,
        path: str,
        *,
        authenticated: bool = True,
        version: str | None = VERSION,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        all_headers = {"Sequence-Version": version} if version is not None else {}
        all_headers.update(headers or {})
        return self.session.request(
            method,
            self.base_url + path,
            auth=self.auth if authenticated else None,
            headers=all_headers,
            timeout=10,
            **kwargs,
        )

    def create_customer(self, **overrides: Any) -> dict[str, Any]:
        response = self.call("POST", "/customers", json=customer_body(**overrides))
        assert response.status_code == 201, describe(response)
        created: dict[str, Any] = response.json()
        return created

    def archive(self, customer_id: str) -> dict[str, Any]:
        response = self.call("POST", f"/customers/{customer_id}/archive")
        assert response.status_code == 200, describe(response)
        archived: dict[str, Any] = response.json()
        return archived

    def get_customer(self, customer_id: str) -> dict[str, Any]:
        response = self.call("GET", f"/customers/{customer_id}")
        assert response.status_code == 200, describe(response)
        found: dict[str, Any] = response.json()
        return found

    def list_customers(self, **params: Any) -> dict[str, Any]:
        response = self.call("GET", "/customers", params=params)
        assert response.status_code == 200, describe(response)
        listed: dict[str, Any] = response.json()
        return listed


def assert_error(response: requests.Response, status: int, error_type: str | None = None) -> None:
    """The response is an error of this status in Sequence's envelope, with the JSON type."""
    assert response.status_code == status, describe(response)
    assert response.headers.get("Content-Type") == JSON_CONTENT_TYPE, describe(response)
    error = response.json().get("error")
    assert isinstance(error, dict), describe(response)
    assert isinstance(error.get("type"), str), describe(response)
    assert isinstance(error.get("message"), str), describe(response)
    assert error["message"], describe(response)
    if error_type is not None:
        assert error["type"] == error_type, describe(response)

"""Every benign variant really changes the answers, so passing it means something."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from typing import Any

import pytest
import requests

from sequence_contract.sandbox import EmbeddedSandbox
from sequence_contract.sandbox.faults import benign_variants
from sequence_contract.sandbox.faults.benign import LATENCY_SECONDS, RATE_LIMIT_EVERY
from tests.sandbox.client import SEEDED_CUSTOMER_ID, ApiClient, customer_body

CUSTOMER_PATH = f"/customers/{SEEDED_CUSTOMER_ID}"
NOT_CHECKED = object()  # the clean sandbox's value is not compared (timing on a busy host)


def _customer(client: ApiClient) -> requests.Response:
    response = client.call("GET", CUSTOMER_PATH)
    assert response.status_code == 200, response.text[:500]
    return response


def extra_field(client: ApiClient) -> Any:
    return "object" in _customer(client).json()


def first_key(client: ApiClient) -> Any:
    return next(iter(_customer(client).json()))


def content_type(client: ApiClient) -> Any:
    return _customer(client).headers.get("Content-Type")


def request_id_header(client: ApiClient) -> Any:
    return "X-Request-Id" in _customer(client).headers


def slow_answers(client: ApiClient) -> Any:
    return min(_customer(client).elapsed.total_seconds() for _ in range(3)) >= LATENCY_SECONDS


def gzip_encoded(client: ApiClient) -> Any:
    response = client.call("GET", CUSTOMER_PATH, stream=True)
    raw = response.raw.read(decode_content=False)
    encoding = response.headers.get("Content-Encoding")
    body = gzip.decompress(raw) if encoding == "gzip" else raw
    assert SEEDED_CUSTOMER_ID.encode() in body, body[:300]
    return encoding


def transfer_encoding(client: ApiClient) -> Any:
    response = _customer(client)
    assert response.json()["id"] == SEEDED_CUSTOMER_ID
    return response.headers.get("Transfer-Encoding")


def created_at_zone(client: ApiClient) -> Any:
    created = _customer(client).json()["createdAt"]
    return "Z" if created.endswith("Z") else created[-6:]


def rate_limited(client: ApiClient) -> Any:
    statuses = [client.call("GET", CUSTOMER_PATH) for _ in range(RATE_LIMIT_EVERY)]
    limited = [response for response in statuses if response.status_code == 429]
    return [response.headers.get("Retry-After") for response in limited]


def _create_status(**overrides: Any) -> Callable[[ApiClient], Any]:
    """The status of a create whose body has these fields replaced."""

    def observe(client: ApiClient) -> Any:
        return client.call("POST", "/customers", json=customer_body(**overrides)).status_code

    return observe


def _list_status(**query: str) -> Callable[[ApiClient], Any]:
    def observe(client: ApiClient) -> Any:
        return client.call("GET", "/customers", params=query).status_code

    return observe


def query_method_status(client: ApiClient) -> Any:
    return client.call("QUERY", "/customers").status_code


ADDRESS = {"line1": "1 Test Street", "town": "London", "postcode": "E1 6AN", "country": "GB"}

# Stricter-server variants: an input the docs call valid-enough, refused with 400 or 501.
STRICT_CASES: dict[str, tuple[Callable[[ApiClient], Any], Any, Any]] = {
    "refuse-unknown-fields": (_create_status(nickname="Ada"), 201, 400),
    "validate-email-format": (_list_status(email="not an email"), 200, 400),
    "validate-url-format": (_create_status(url="example dot com"), 201, 400),
    "refuse-control-characters": (_create_status(legalName="Ada\u0000Ltd"), 201, 400),
    "cap-string-lengths": (_create_status(legalName="A" * 101), 201, 400),
    "refuse-blank-strings": (_create_status(address={**ADDRESS, "line2": ""}), 201, 400),
    "refuse-unusual-unicode": (_create_status(legalName="Ada \U0001f600"), 201, 400),
    "unknown-method-501": (query_method_status, 405, 501),
}

# variant -> (observation, on the clean sandbox, with the variant)
VARIANT_CASES: dict[str, tuple[Callable[[ApiClient], Any], Any, Any]] = {
    "extra-response-fields": (extra_field, False, True),
    "reordered-keys": (first_key, "id", "customProperties"),
    "content-type-charset-variant": (
        content_type,
        "application/json; charset=utf-8",
        "application/json;charset=UTF-8",
    ),
    "content-type-without-charset": (
        content_type,
        "application/json; charset=utf-8",
        "application/json",
    ),
    "extra-response-headers": (request_id_header, False, True),
    "added-latency": (slow_answers, NOT_CHECKED, True),
    "gzip-responses": (gzip_encoded, None, "gzip"),
    "chunked-responses": (transfer_encoding, None, "chunked"),
    "timestamp-variants": (created_at_zone, "Z", "+01:00"),
    "rate-limited-now-and-then": (rate_limited, [], ["1"]),
    **STRICT_CASES,
}


def test_every_benign_variant_has_a_case() -> None:
    assert set(VARIANT_CASES) == {variant.name for variant in benign_variants()}


@pytest.mark.parametrize("name", VARIANT_CASES)
def test_a_benign_variant_changes_the_answers(
    start_sandbox: Callable[..., EmbeddedSandbox], name: str
) -> None:
    observe, clean, changed = VARIANT_CASES[name]
    clean_client = ApiClient(start_sandbox().base_url)
    client = ApiClient(start_sandbox(faults=(name,)).base_url)
    try:
        if clean is not NOT_CHECKED:
            assert observe(clean_client) == clean, f"without {name}: unexpected baseline"
        assert observe(client) == changed, f"with {name}: the variant had no effect"
    finally:
        client.close()
        clean_client.close()


@pytest.mark.parametrize("name", STRICT_CASES)
def test_a_stricter_server_refuses_within_the_documented_error_contract(
    start_sandbox: Callable[..., EmbeddedSandbox], name: str
) -> None:
    """The refusal is an error envelope with the Sequence-Version echo: 400 validationError,
    or 501 for a method the server does not know."""
    observe = STRICT_CASES[name][0]
    client = ApiClient(start_sandbox(faults=(name,)).base_url)
    try:
        responses: list[requests.Response] = []
        client.session.hooks["response"].append(lambda response, **_: responses.append(response))
        observe(client)
    finally:
        client.close()
    answer = responses[-1]
    body = answer.json()
    assert answer.headers.get("Sequence-Version") == "2024-07-30"
    if answer.status_code == 501:
        assert body["error"]["type"] == "NotImplemented"
        assert "Allow" not in answer.headers
    else:
        assert (answer.status_code, body["error"]["type"]) == (400, "validationError")
        assert body["error"]["errors"][0]["key"]

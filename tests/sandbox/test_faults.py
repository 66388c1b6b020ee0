"""Each fault changes the sandbox's behaviour as its name says; without it, the sandbox is right."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, get_args

import pytest

from sequence_contract.sandbox import EmbeddedSandbox, SandboxConfig, UnknownFaultError
from sequence_contract.sandbox.config import DEFAULT_CLIENT_SECRET
from sequence_contract.sandbox.faults import FAULTS, FaultKind
from tests.sandbox.client import ApiClient, describe


def legal_name_present(client: ApiClient) -> Any:
    created = client.create_customer(label=f"fault-{id(client)}")
    return (
        "legalName" in created,
        "legalName" in client.get_customer(created["id"]),
        "legalName" in client.list_customers(label=created["label"])["items"][0],
    )


def status_without_credentials(client: ApiClient) -> Any:
    return client.call("GET", "/customers", authenticated=False).status_code


def unknown_version_answer(client: ApiClient) -> Any:
    response = client.call("GET", "/customers", version="1999-12-31")
    return response.status_code, response.json()["error"]["type"]


def archive_persisted(client: ApiClient) -> Any:
    customer = client.create_customer()
    archived = client.archive(customer["id"])
    assert "archivedAt" in archived, archived  # the answer says archived in both cases
    return "archivedAt" in client.get_customer(customer["id"])


def credentials_echoed(client: ApiClient) -> Any:
    secret = DEFAULT_CLIENT_SECRET  # what the client sends
    success = client.call("GET", "/customers")
    refused = client.call("GET", "/customers", version="1999-12-31")
    return (
        secret in success.headers.get("X-Echo-Client-Secret", ""),
        secret in refused.text,
    )


# fault name -> (observation, without the fault, with it)
FAULT_CASES: dict[str, tuple[Callable[[ApiClient], Any], Any, Any]] = {
    "drop-required-field": (legal_name_present, (True, True, True), (False, False, False)),
    "ignore-auth": (status_without_credentials, 401, 200),
    "500-on-unknown-version": (
        unknown_version_answer,
        (400, "UnrecognisedApiVersion"),
        (500, "InternalServerError"),
    ),
    "archive-not-persisted": (archive_persisted, True, False),
    "echo-credentials": (credentials_echoed, (False, False), (True, True)),
}


def test_every_registered_fault_has_a_case_a_kind_and_a_description() -> None:
    assert set(FAULT_CASES) <= set(FAULTS)
    for fault in FAULTS.values():
        assert fault.kind in get_args(FaultKind), fault
        assert fault.description.strip(), fault
        hooks = (
            fault.before_request,
            fault.replace_response,
            fault.transform_response,
            fault.check_body,
        )
        assert any(hook is not None for hook in hooks), fault


@pytest.mark.parametrize("name", FAULT_CASES)
def test_a_fault_changes_behaviour_as_named(
    api: ApiClient, start_sandbox: Callable[..., EmbeddedSandbox], name: str
) -> None:
    observe, correct, faulty = FAULT_CASES[name]
    assert observe(api) == correct, f"without {name}: the sandbox itself misbehaves"
    client = ApiClient(start_sandbox(faults=(name,)).base_url)
    try:
        assert observe(client) == faulty, f"with {name}: the fault had no effect"
    finally:
        client.close()


def test_faults_combine(start_sandbox: Callable[..., EmbeddedSandbox]) -> None:
    client = ApiClient(start_sandbox(faults=("ignore-auth", "drop-required-field")).base_url)
    try:
        response = client.call("GET", "/customers", authenticated=False)
        assert response.status_code == 200, describe(response)
        assert all("legalName" not in item for item in response.json()["items"]), describe(response)
    finally:
        client.close()


def test_an_unknown_fault_is_refused_with_the_known_ones_listed() -> None:
    with pytest.raises(UnknownFaultError) as raised:
        SandboxConfig(faults=("drop-required-field", "no-such-fault"))
    message = str(raised.value)
    assert "no-such-fault" in message, message
    assert all(name in message for name in FAULTS), message

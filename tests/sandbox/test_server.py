"""EmbeddedSandbox and SandboxConfig: lifecycle, ports, persistence, configuration errors."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from sequence_contract.sandbox import (
    EmbeddedSandbox,
    SandboxConfig,
    SandboxConfigError,
    SandboxStartError,
    create_app,
)
from sequence_contract.sandbox.store import Store
from tests.sandbox.client import SEEDED_CUSTOMER_ID, ApiClient, describe


def test_the_base_url_names_the_real_port(sandbox: EmbeddedSandbox) -> None:
    match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/api", sandbox.base_url)
    assert match is not None, sandbox.base_url
    assert int(match.group(1)) > 0, sandbox.base_url


def test_starting_twice_is_refused(start_sandbox: Callable[..., EmbeddedSandbox]) -> None:
    server = start_sandbox()
    with pytest.raises(SandboxStartError, match="already started"):
        server.start()


def test_a_port_in_use_is_a_readable_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SandboxStartError, match=f"cannot listen on 127.0.0.1:{port}"):
            EmbeddedSandbox(port=port).start()


def test_stop_closes_the_port_and_can_be_repeated() -> None:
    server = EmbeddedSandbox().start()
    base_url = server.base_url
    server.stop()
    server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(base_url + "/customers", timeout=2)


def _count(server: EmbeddedSandbox) -> int:
    client = ApiClient(server.base_url)
    try:
        listed = client.list_customers(includeArchived="true")
        total: int = listed["pagination"]["totalResultSize"]
        return total
    finally:
        client.close()


def _create(server: EmbeddedSandbox) -> dict[str, Any]:
    client = ApiClient(server.base_url)
    try:
        return client.create_customer()
    finally:
        client.close()


def test_db_path_keeps_data_between_runs_and_seeds_once(tmp_path: Path) -> None:
    config = SandboxConfig(db_path=tmp_path / "sandbox.sqlite3")
    with EmbeddedSandbox(config) as first:
        created = _create(first)
        count = _count(first)
    with EmbeddedSandbox(config) as second:
        client = ApiClient(second.base_url)
        try:
            assert client.get_customer(created["id"]) == created
        finally:
            client.close()
        assert _count(second) == count, "the seed was written twice"


def test_without_db_path_every_start_is_fresh() -> None:
    with EmbeddedSandbox() as first:
        created = _create(first)
    with EmbeddedSandbox() as second:
        response = requests.get(
            f"{second.base_url}/customers/{created['id']}",
            auth=(second.config.client_id, second.config.client_secret),
            timeout=5,
        )
        assert response.status_code == 404, describe(response)


def test_a_temporary_database_is_deleted_on_close() -> None:
    store = Store.open(None)
    assert store.path.exists()
    store.close()
    assert not store.path.exists()
    assert not store.path.parent.exists()


def test_the_app_closes_its_store_at_shutdown() -> None:
    server = EmbeddedSandbox().start()
    store: Store = server._store  # type: ignore[assignment]
    server.stop()
    assert store.closed
    assert not store.path.exists()


def test_seed_false_starts_empty(start_sandbox: Callable[..., EmbeddedSandbox]) -> None:
    server = start_sandbox(seed=False)
    assert _count(server) == 0
    client = ApiClient(server.base_url)
    try:
        assert client.call("GET", f"/customers/{SEEDED_CUSTOMER_ID}").status_code == 404
    finally:
        client.close()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"rate_limit_per_minute": 0}, "rate_limit_per_minute"),
        ({"rate_limit_per_minute": True}, "rate_limit_per_minute"),
        ({"max_body_bytes": -1}, "max_body_bytes"),
        ({"client_id": ""}, "client_id"),
        ({"client_id": "a:b"}, "client_id"),
        ({"client_secret": ""}, "client_secret"),
        ({"db_path": "relative.sqlite3"}, "db_path"),
        ({"faults": ["ignore-auth"]}, "faults"),
        ({"faults": ("nope",)}, "known faults"),
    ],
)
def test_bad_configuration_is_refused_clearly(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(SandboxConfigError, match=message):
        SandboxConfig(**fields)


@pytest.mark.parametrize("problem", ["missing-directory", "not-a-database"])
def test_an_unusable_db_path_is_refused_clearly(tmp_path: Path, problem: str) -> None:
    path = tmp_path / "missing" / "db.sqlite3"
    if problem == "not-a-database":
        path = tmp_path / "notes.txt"
        path.write_text("these are not the tables you are looking for\n" * 100)
    with pytest.raises(SandboxConfigError, match="db_path"):
        create_app(SandboxConfig(db_path=path))


def test_the_config_repr_hides_the_secret() -> None:
    assert "very-secret-value" not in repr(SandboxConfig(client_secret="very-secret-value"))

"""No (whole) answer: each way ends in one EnvironmentProblem with a clear reason, counted."""

from __future__ import annotations

import socket
import threading
from typing import Any

import pytest

from sequence_contract.http import (
    ContractSession,
    RequestTimedOut,
    RetryPolicy,
    TargetUnreachable,
)
from tests.http.scripted_server import CutBody, Stall, scripted_server
from tests.suite.servers import closed_port


def quiet_session(**kwargs: Any) -> tuple[ContractSession, list[float]]:
    waits: list[float] = []
    return ContractSession(retry_policy=RetryPolicy(sleep=waits.append), **kwargs), waits


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_silent_server_times_out_once_without_retry(method: str) -> None:
    session, _ = quiet_session(timeout_seconds=0.3)
    with scripted_server(Stall(3)) as server, pytest.raises(RequestTimedOut) as raised:
        session.request(method, server.url("/api/customers"))

    assert f"{method} {server.url('/api/customers')}: timed out: no answer within 0.3 s" in str(
        raised.value
    )
    assert "--request-timeout" in str(raised.value)
    assert server.methods == [method], "a timed-out request was repeated"
    assert session.traffic.errors == {"timed out": 1}
    assert session.traffic.total_requests == 1


@pytest.mark.parametrize("stream", [False, True], ids=["read", "streamed"])
def test_a_body_cut_short_is_unreachable_not_a_contract_failure(stream: bool) -> None:
    session, _ = quiet_session(timeout_seconds=5)
    cut = CutBody(declared=100, sent=b'{"id": ')
    with scripted_server(cut) as server, pytest.raises(TargetUnreachable, match="in the middle"):
        session.request("GET", server.url("/api/customers"), stream=stream)
    assert session.traffic.errors == {"unreachable": 1}


def test_a_body_that_stops_arriving_times_out_when_streamed() -> None:
    # schemathesis streams: the body is read inside ContractSession, so the timeout is ours.
    session, _ = quiet_session(timeout_seconds=0.3)
    stalled = CutBody(declared=100, sent=b"{", pause=3)
    with scripted_server(stalled) as server, pytest.raises(RequestTimedOut, match="timed out"):
        session.request("GET", server.url("/api/customers"), stream=True)


def test_a_refused_connection_is_retried_for_any_method_then_named() -> None:
    # Nothing was sent, so even a create may be tried again.
    session, waits = quiet_session(timeout_seconds=2)
    url = f"http://127.0.0.1:{closed_port()}/api/customers"
    with pytest.raises(TargetUnreachable) as raised:
        session.request("POST", url, json={"legalName": "Acme"})

    message = str(raised.value)
    assert message.startswith(f"POST {url}: connection refused"), message
    assert "after 5 retries (15.0 s waited)" in message
    assert waits == [0, 1, 2, 4, 8]
    assert session.traffic.retry_causes == {"connection refused": 5}
    assert session.traffic.total_requests == 6


def test_a_failed_dns_lookup_is_named_and_not_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*args: object, **kwargs: object) -> list[Any]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    session, waits = quiet_session(timeout_seconds=2)
    with pytest.raises(TargetUnreachable, match="DNS lookup failed") as raised:
        session.request("GET", "http://sandbox.sequencehq.invalid/api/customers")
    assert "retries" not in str(raised.value)
    assert waits == []


def test_tls_to_a_plain_http_server_is_named() -> None:
    session, _ = quiet_session(timeout_seconds=2)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]

        def answer_in_plain_http() -> None:
            connection, _ = listener.accept()
            connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            connection.close()

        threading.Thread(target=answer_in_plain_http, daemon=True).start()
        with pytest.raises(TargetUnreachable, match="TLS handshake failed"):
            session.request("GET", f"https://127.0.0.1:{port}/api/customers")

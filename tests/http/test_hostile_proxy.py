"""HostileProxy does each misbehaviour it is told to, to the methods it is told to."""

from __future__ import annotations

import pytest
import requests

from tests.http.scripted_server import Answer, scripted_server
from tests.tooling import HostileProxy, Hostility
from tests.tooling.hostile_proxy import IDEMPOTENT_METHODS

DROPPED = 0  # no answer: the connection was reset


@pytest.mark.parametrize(
    ("hostility", "method", "status", "forwarded"),
    [
        (Hostility(), "POST", 201, 1),
        (Hostility(throttle=1, retry_after=("7",)), "POST", 429, 0),
        (Hostility(unavailable=1), "GET", 503, 0),
        (Hostility(reset_before=1), "PUT", DROPPED, 0),
        (Hostility(reset_after=1), "GET", DROPPED, 1),
        (Hostility(reset_before=1, drop_methods=IDEMPOTENT_METHODS), "POST", 201, 1),
        (Hostility(unavailable=1, drop_methods=IDEMPOTENT_METHODS), "POST", 201, 1),
    ],
    ids=["relays", "throttles", "unavailable", "resets-before", "resets-after",
         "spares-post-from-resets", "spares-post-from-503"],
)  # fmt: skip
def test_the_proxy_misbehaves_as_told(
    hostility: Hostility, method: str, status: int, forwarded: int
) -> None:
    with (
        scripted_server(then=Answer(201)) as upstream,
        HostileProxy(f"http://127.0.0.1:{upstream.port}", hostility) as proxy,
    ):
        try:
            response = requests.request(method, proxy.url("/api/customers"), json={}, timeout=5)
            answered = response.status_code
        except requests.ConnectionError:
            answered = DROPPED
    assert answered == status
    assert len(upstream.received) == forwarded
    if status == 429:
        assert response.headers["Retry-After"] == "7"
    assert sum(proxy.actions.values()) == 1, proxy.actions


def test_closing_after_an_answer_says_so() -> None:
    with (
        scripted_server() as upstream,
        HostileProxy(f"http://127.0.0.1:{upstream.port}", Hostility(close_after=1)) as proxy,
        requests.Session() as session,
    ):
        first = session.get(proxy.url("/api/customers"), timeout=5)
        second = session.get(proxy.url("/api/customers"), timeout=5)  # on a new connection
    assert first.headers["Connection"] == "close"
    assert (first.status_code, second.status_code) == (200, 200)
    assert proxy.actions["closed after answering"] == 2


@pytest.mark.parametrize(
    ("bad", "name"),
    [({"throttle": 1.5}, "throttle"), ({"reset_after": -0.1}, "reset_after"),
     ({"retry_after": ()}, "retry_after")],
)  # fmt: skip
def test_hostility_rejects_impossible_settings(bad: dict[str, object], name: str) -> None:
    with pytest.raises(ValueError, match=f"^{name}: "):
        Hostility(**bad)  # type: ignore[arg-type]


def test_the_upstream_must_be_plain_http() -> None:
    with pytest.raises(ValueError, match="expected http://host:port"):
        HostileProxy("https://sandbox.sequencehq.com/api")

"""schemathesis' own probe requests (sent without a session) go through the run's session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from schemathesis.transport.requests import REQUESTS_TRANSPORT

from sequence_contract.http import ContractSession, RetryPolicy
from sequence_contract.schemas import LATEST_VERSION, openapi_path
from sequence_contract.suite.generated import route_probes_through
from tests.http.scripted_server import Answer, scripted_server


@pytest.fixture(autouse=True)
def unwrapped_transport() -> Iterator[None]:
    """The wrapper is process-wide: take it off again so that other tests never see it."""
    yield
    transport: Any = REQUESTS_TRANSPORT
    vars(transport).pop("send", None)
    vars(transport).pop("_sequence_contract_session", None)


def test_a_probe_without_a_session_is_paced_retried_and_counted() -> None:
    session = ContractSession(timeout_seconds=5, retry_policy=RetryPolicy(sleep=lambda _: None))
    schema = schemathesis.openapi.from_path(str(openapi_path(LATEST_VERSION)))
    with scripted_server(Answer(429, (("Retry-After", "0"),)), then=Answer(401)) as server:
        schema.config.update(base_url=server.url("/api"))
        case = schema["/customers"]["GET"].Case()
        route_probes_through(session)
        response = REQUESTS_TRANSPORT.send(case)  # as ignored_auth sends its probes

    assert response.status_code == 401  # the 429 was retried by ContractSession
    [exchange] = session.traffic.take_current()
    assert exchange.retry_causes == ("429",)
    assert len(server.received) == 2


def test_routing_twice_keeps_one_wrapper_and_the_latest_session() -> None:
    first, second = ContractSession(), ContractSession()
    route_probes_through(first)
    wrapper = REQUESTS_TRANSPORT.send
    route_probes_through(second)
    assert REQUESTS_TRANSPORT.send is wrapper
    schema = schemathesis.openapi.from_path(str(openapi_path(LATEST_VERSION)))
    with scripted_server(then=Answer(401)) as server:
        schema.config.update(base_url=server.url("/api"))
        REQUESTS_TRANSPORT.send(schema["/customers"]["GET"].Case())
    assert (first.traffic.total_requests, second.traffic.total_requests) == (0, 1)

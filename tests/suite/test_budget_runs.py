"""Whole runs behind a recording proxy: what the suite really sends, counted on the wire.

Read-only runs send no unsafe method; a `ci` run stays within its budget of requests and
created customers; a run that meets its budget ends with exit 0 and says so; a server that
refuses the documented version ends the run with one line.
"""

from __future__ import annotations

import json

import pytest

from sequence_contract.sandbox import EmbeddedSandbox
from sequence_contract.suite import exitcodes
from sequence_contract.suite.config import PROFILES
from tests.http.scripted_server import Answer, scripted_server
from tests.suite.fixtures import RunSuite
from tests.suite.recording_proxy import recording_proxy
from tests.suite.test_suite_runs import (
    LIVE_TARGET_PLUGIN,
    SEPARATE_SANDBOX_ENV,
    UNUSED_CREDENTIALS,
    _output,
    separate_sandbox_customers,
)

pytestmark = pytest.mark.slow

UNSAFE = {"POST", "PUT", "PATCH", "DELETE", "TRACE", "QUERY"}


@pytest.mark.parametrize("how", ["--read-only", "production-looking host"])
def test_a_read_only_run_sends_no_unsafe_method(
    run_suite: RunSuite,
    suite_path: str,
    separate_sandbox: EmbeddedSandbox,
    pytester: pytest.Pytester,
    how: str,
) -> None:
    options: tuple[str, ...] = ("--read-only",)
    if how != "--read-only":
        pytester.makepyfile(pretend_live=LIVE_TARGET_PLUGIN)
        pytester.syspathinsert()
        options = ("-p", "pretend_live")
    before = separate_sandbox_customers(separate_sandbox)

    with recording_proxy(separate_sandbox.base_url) as (proxy_url, recording):
        result = run_suite(suite_path, *options, "--base-url", proxy_url, env=SEPARATE_SANDBOX_ENV)

    output = _output(result)
    assert result.ret == exitcodes.OK, output[-3000:]
    assert "READ-ONLY run" in output
    sent = recording.methods()
    assert sum(sent.values()) > 20, sent
    assert not UNSAFE & set(sent), f"a read-only run sent {dict(sent)}"
    assert separate_sandbox_customers(separate_sandbox) == before


def test_a_ci_run_stays_within_its_budget(
    run_suite: RunSuite, suite_path: str, separate_sandbox: EmbeddedSandbox
) -> None:
    profile = PROFILES["ci"]
    before = len(separate_sandbox_customers(separate_sandbox))

    with recording_proxy(separate_sandbox.base_url) as (proxy_url, recording):
        result = run_suite(suite_path, "--base-url", proxy_url, env=SEPARATE_SANDBOX_ENV)

    output = _output(result)
    assert result.ret == exitcodes.OK, output[-3000:]
    sent = len(recording.requests)
    # Most of the budget is used (the run is not starved), none of it is overdrawn.
    assert profile.max_requests // 2 < sent <= profile.max_requests, sent
    created = len(separate_sandbox_customers(separate_sandbox)) - before
    assert 0 < created <= profile.max_customers
    assert f"requests sent: {sent};" in output  # the suite's count is the wire's


def test_a_run_that_meets_its_budget_stops_says_so_and_exits_0(
    run_suite: RunSuite, suite_path: str, separate_sandbox: EmbeddedSandbox
) -> None:
    with recording_proxy(separate_sandbox.base_url) as (proxy_url, recording):
        result = run_suite(
            suite_path, "--max-requests", "90", "--base-url", proxy_url, env=SEPARATE_SANDBOX_ENV
        )

    output = _output(result)
    assert result.ret == exitcodes.OK, output[-3000:]
    assert len(recording.requests) <= 90
    assert "the run ended at its budget" in output
    assert "request budget of 90 spent" in output
    assert result.parseoutcomes().get("skipped", 0) >= 1


def test_a_server_that_refuses_the_documented_version_is_one_line(
    run_suite: RunSuite, suite_path: str
) -> None:
    refusal = json.dumps(
        {"error": {"type": "UnrecognisedApiVersion", "message": "not served here"}}
    ).encode()
    answer = Answer(400, (("Content-Type", "application/json"),), refusal)
    with scripted_server(then=answer) as server:
        result = run_suite(suite_path, "--base-url", server.url("/api"), env=UNUSED_CREDENTIALS)

    output = _output(result)
    assert result.ret == exitcodes.ENVIRONMENT_BROKEN, output[-2000:]
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if "does not serve Sequence-Version" in line]
    assert len(lines) == 1, output[-2000:]

"""The suite pointed at something that is not a working API: one clear message each, no traceback.

Complements test_suite_runs.py (refused port, plain-http TLS, wrong credentials, an HTML 200).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sequence_contract.sandbox import EmbeddedSandbox, SandboxConfig
from sequence_contract.suite import exitcodes
from tests.http.scripted_server import Answer, Close, Reset, Stall, Step, scripted_server
from tests.suite.fixtures import RunSuite

pytestmark = pytest.mark.slow

CREDENTIALS = {"SEQUENCE_CLIENT_ID": "someone", "SEQUENCE_CLIENT_SECRET": "not-used-here"}
HTML = (("Content-Type", "text/html"),)


def _output(result: pytest.RunResult) -> str:
    return "\n".join(result.outlines + result.errlines)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sandbox.sequencehq.com/api", "No scheme supplied"),
        ("http://127.0.0.1:99999/api", "Port out of range"),
        ("https://sandbox.sequencehq.com:abc/api", "Port could not be cast to integer"),
        ("http://sandbox sequencehq.com/api", "contains invalid character ' '"),
        ("http://[::1/api", "Invalid IPv6 URL"),
        ("http:///api", "expected http(s)://host[:port]/api"),
    ],
    ids=["no-scheme", "port-out-of-range", "port-not-a-number", "space-in-host",
         "broken-ipv6", "no-host"],
)  # fmt: skip
def test_an_invalid_base_url_is_a_usage_error(
    run_suite: RunSuite, suite_path: str, url: str, message: str
) -> None:
    # (`url`, not `base_url`: that name is pytest-base-url's fixture.)
    result = run_suite(suite_path, "--base-url", url, env=CREDENTIALS)

    output = _output(result)
    assert result.ret == exitcodes.USAGE_ERROR, output[-2000:]
    assert f"--base-url {url!r}: " in output, output[-2000:]
    assert message in output, output[-2000:]
    assert "Traceback" not in output
    assert "INTERNALERROR" not in output


@dataclass(frozen=True)
class Hostile:
    """A server that answers every request with `step`; the run must stop with `message`."""

    step: Step
    message: str
    args: tuple[str, ...] = ()


HOSTILE_SERVERS = {
    "html-404-page": Hostile(
        Answer(404, HTML, b"<html>Not Found</html>"), "answered 404 with text/html, not JSON"),
    "html-502-from-a-gateway": Hostile(
        Answer(502, HTML, b"<html>Bad Gateway</html>"), "502 Bad Gateway (a gateway or overload",
        ("--max-retry-wait", "1")),
    "closes-every-connection": Hostile(
        Close(), "connection closed by the server without an answer after 2 retries",
        ("--max-retry-wait", "1")),
    "resets-every-connection": Hostile(
        Reset(), "connection reset by the server before a full answer after 2 retries",
        ("--max-retry-wait", "1")),
    "never-answers": Hostile(
        Stall(30), "timed out: no answer within 1 s (--request-timeout)",
        ("--request-timeout", "1")),
    "rate-limits-forever": Hostile(  # h11: 429 waits spend the run's budget (--max-run-wait)
        Answer(429, (("Retry-After", "120"),)),
        "still 429 Too Many Requests; not retried: waiting 120 s more would exceed the run's "
        "100 s budget for rate-limit waits", ("--max-run-wait", "100")),
    "unavailable-forever": Hostile(
        Answer(503, (("Retry-After", "1"),)), "503 Service Unavailable", ("--max-retry-wait", "2")),
}  # fmt: skip


@pytest.mark.parametrize("case", HOSTILE_SERVERS.values(), ids=HOSTILE_SERVERS)
def test_a_hostile_server_stops_the_run_with_one_environment_message(
    run_suite: RunSuite, suite_path: str, case: Hostile
) -> None:
    with scripted_server(then=case.step) as server:
        result = run_suite(
            suite_path, "--base-url", server.url("/api"), *case.args, env=CREDENTIALS, timeout=60
        )

    output = _output(result)
    assert result.ret == exitcodes.ENVIRONMENT_BROKEN, output[-2000:]
    [line] = [line for line in output.splitlines() if "environment broken" in line]
    assert server.url("/api/customers") in line, line
    assert case.message in line, line
    assert "Traceback" not in output
    assert "INTERNALERROR" not in output
    assert "not-used-here" not in output


def test_a_quota_exceeded_mid_run_is_environment_not_contract(
    run_suite: RunSuite, suite_path: str
) -> None:
    # An unpaced run against a small quota: the sandbox answers 429 with a Retry-After longer
    # than the run may wait. Tests end as ENVIRONMENT and the run says so in its exit status.
    config = SandboxConfig(
        client_id="team-ci", client_secret="quota-secret", rate_limit_per_minute=40
    )
    with EmbeddedSandbox(config) as sandbox:
        result = run_suite(
            suite_path, "--base-url", sandbox.base_url, "--hypothesis-profile", "dev",
            "--max-run-wait", "2",
            env={"SEQUENCE_CLIENT_ID": "team-ci", "SEQUENCE_CLIENT_SECRET": "quota-secret"},
        )  # fmt: skip

    output = _output(result)
    assert result.ret == exitcodes.ENVIRONMENT_BROKEN, output[-3000:]
    assert "failures: 0 contract, " in output, output[-3000:]
    assert "ENVIRONMENT, not a contract failure" in output
    assert "lower --rate-limit, raise --max-run-wait or retry later" in output

"""The contract suite as a user runs it: configuration, embedded sandbox, guards, failures."""

from __future__ import annotations

import html
import re
import socket
from urllib.parse import urlsplit

import pytest

from sequence_contract.sandbox import DEFAULT_CLIENT_ID, EmbeddedSandbox
from sequence_contract.suite import exitcodes
from tests.reporting.report_data import HtmlReport
from tests.suite.fixtures import SEPARATE_SANDBOX_CREDENTIALS, RunSuite
from tests.suite.servers import closed_port, html_server

pytestmark = pytest.mark.slow

QUICK = ("--hypothesis-profile", "dev")
SEPARATE_SANDBOX_ENV = dict(
    zip(("SEQUENCE_CLIENT_ID", "SEQUENCE_CLIENT_SECRET"), SEPARATE_SANDBOX_CREDENTIALS, strict=True)
)
# For targets that refuse the connection before any credential is read.
UNUSED_CREDENTIALS = {"SEQUENCE_CLIENT_ID": "someone", "SEQUENCE_CLIENT_SECRET": "not-used-here"}


def _output(result: pytest.RunResult) -> str:
    return "\n".join(result.outlines + result.errlines)


def _embedded_url(output: str) -> str:
    match = re.search(r"sequence-contract [\d.]+: (http://127\.0\.0\.1:\d+/api) \(embedded", output)
    assert match, f"run header names no embedded sandbox:\n{output[:2000]}"
    return match.group(1)


def test_clean_embedded_sandbox_passes_and_is_stopped(run_suite: RunSuite, suite_path: str) -> None:
    result = run_suite(suite_path, *QUICK)

    output = _output(result)
    assert result.ret == exitcodes.OK, output[-3000:]
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) >= 40, outcomes
    assert "failed" not in outcomes, outcomes
    assert "writes: allowed" in output
    assert "profile dev" in output
    assert "first contract failure" not in output
    url = urlsplit(_embedded_url(output))
    # The sandbox the run started must be gone with it.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((url.hostname, url.port), timeout=2).close()


def test_separately_started_sandbox_with_credentials_from_the_environment(
    run_suite: RunSuite, suite_path: str, separate_sandbox: EmbeddedSandbox
) -> None:
    result = run_suite(
        suite_path,
        *QUICK,
        "--base-url",
        separate_sandbox.base_url,
        env=SEPARATE_SANDBOX_ENV,
    )

    output = _output(result)
    assert result.ret == exitcodes.OK, output[-3000:]
    assert f"{separate_sandbox.base_url} [loopback]" in output
    assert SEPARATE_SANDBOX_CREDENTIALS[1] not in output


def test_version_and_expectations_come_from_options_and_environment(
    run_suite: RunSuite, suite_path: str
) -> None:
    result = run_suite(
        suite_path,
        "--collect-only",
        "--expect",
        "unknown-id-status=404",
        env={"SEQUENCE_VERSION": "2024-07-30", "SEQUENCE_PROFILE": "nightly"},
    )

    output = _output(result)
    assert result.ret == exitcodes.OK, output[-2000:]
    assert "API version 2024-07-30" in output
    assert "profile nightly: budget 15000 requests, 300 created customers" in output
    assert "expectations changed: unknown-id-status=404" in output


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (("--api-version", "2099-01-01"), {}, "--api-version 2099-01-01: no schemas for it"),
        (("--expect", "repeat-archive=maybe"), {}, "must be one of idempotent, client-error"),
        (("--expect", "no-such-thing=1"), {}, "--expect no-such-thing: unknown"),
        (("--hypothesis-profile", "weekly"), {}, "weekly"),
        (("--sandbox-fault", "no-such-fault"), {}, "no-such-fault"),
        (
            ("--base-url", "http://127.0.0.1:9/api"),
            {},
            "needs SEQUENCE_CLIENT_ID and SEQUENCE_CLIENT_SECRET",
        ),
        ((), {"SEQUENCE_CLIENT_ID": "only-the-id"}, "SEQUENCE_CLIENT_SECRET is not set"),
        (
            ("--base-url", "ftp://example/api"),
            {"SEQUENCE_CLIENT_ID": "a", "SEQUENCE_CLIENT_SECRET": "b"},
            "expected http(s)://host[:port]/api",
        ),
    ],
    ids=[
        "unknown-version",
        "bad-choice",
        "unknown-expectation",
        "unknown-profile",
        "unknown-fault",
        "missing-credentials",
        "half-credentials",
        "bad-scheme",
    ],
)
def test_usage_errors_are_one_readable_line(
    run_suite: RunSuite, suite_path: str, args: tuple[str, ...], env: dict[str, str], message: str
) -> None:
    result = run_suite(suite_path, *args, env=env)

    output = _output(result)
    assert result.ret == exitcodes.USAGE_ERROR, output[-2000:]
    assert message in output
    assert "Traceback" not in output


def test_unreachable_base_url_is_an_environment_failure(
    run_suite: RunSuite, suite_path: str
) -> None:
    result = run_suite(
        suite_path,
        "--base-url",
        f"http://127.0.0.1:{closed_port()}/api",
        env=UNUSED_CREDENTIALS,
    )

    output = _output(result)
    assert result.ret == exitcodes.ENVIRONMENT_BROKEN, output[-2000:]
    assert "environment broken" in output
    assert "connection refused" in output
    assert "Traceback" not in output


def test_tls_to_a_plain_http_server_is_an_environment_failure(
    run_suite: RunSuite, suite_path: str, separate_sandbox: EmbeddedSandbox
) -> None:
    result = run_suite(
        suite_path,
        "--base-url",
        separate_sandbox.base_url.replace("http://", "https://"),
        env=SEPARATE_SANDBOX_ENV,
    )

    output = _output(result)
    assert result.ret == exitcodes.ENVIRONMENT_BROKEN, output[-2000:]
    assert "TLS" in output
    assert "Traceback" not in output


def test_wrong_credentials_stop_the_run_at_the_first_call(
    run_suite: RunSuite, suite_path: str, separate_sandbox: EmbeddedSandbox
) -> None:
    result = run_suite(
        suite_path,
        "--base-url",
        separate_sandbox.base_url,
        env={"SEQUENCE_CLIENT_ID": "team-ci", "SEQUENCE_CLIENT_SECRET": "an-old-rotated-secret"},
    )

    output = _output(result)
    assert result.ret == exitcodes.ENVIRONMENT_BROKEN, output[-2000:]
    assert "answered 401" in output
    assert "Traceback" not in output
    assert "an-old-rotated-secret" not in output


def test_a_server_that_is_not_the_api_is_named_as_such(
    run_suite: RunSuite, suite_path: str
) -> None:
    with html_server() as base_url:
        result = run_suite(
            suite_path,
            "--base-url",
            base_url,
            env=UNUSED_CREDENTIALS,
        )

    output = _output(result)
    assert result.ret == exitcodes.ENVIRONMENT_BROKEN, output[-2000:]
    assert "text/html, not JSON" in output
    assert "Traceback" not in output


LIVE_TARGET_PLUGIN = """
from sequence_contract.suite import config
from sequence_contract.target import TargetKind

# Stands in for a production host without leaving the machine: the sandbox is on loopback.
config.classify = lambda base_url, embedded: TargetKind.EMBEDDED if embedded else TargetKind.LIVE
"""


def test_a_live_host_gets_a_read_only_run(
    run_suite: RunSuite,
    suite_path: str,
    separate_sandbox: EmbeddedSandbox,
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(pretend_live=LIVE_TARGET_PLUGIN)
    pytester.syspathinsert()
    before = separate_sandbox_customers(separate_sandbox)

    result = run_suite(
        suite_path,
        *QUICK,
        "-p",
        "pretend_live",
        "--base-url",
        separate_sandbox.base_url,
        env=SEPARATE_SANDBOX_ENV,
    )

    output = _output(result)
    assert result.ret == exitcodes.OK, output[-3000:]
    assert "READ-ONLY run" in output
    assert "read-only: generated cases send only GET, HEAD, OPTIONS; never sent: " in output
    assert "method probes (undeclared methods)" in output
    assert "[live]" in output
    # The report's coverage table lists every method sent, per path.
    overview = html.unescape(HtmlReport.read(pytester.path / "reports" / "report.html").overview)
    rows = re.findall(r'<tr class="sc-documented"><td>([A-Z]+) [^<]*</td><td>(\d+)</td>', overview)
    sent = {method for method, requests in rows if int(requests)}
    for methods in re.findall(r"other methods on [^<]*<br><small>([^<]*)</small>", overview):
        sent |= {part.split()[0] for part in methods.split(", ")}
    assert "GET" in sent, overview
    assert sent <= {"GET", "HEAD", "OPTIONS"}, f"a read-only run sent {sorted(sent)}"
    outcomes = result.parseoutcomes()
    assert outcomes.get("deselected", 0) > 30, outcomes
    assert outcomes.get("passed", 0) >= 1, outcomes
    assert separate_sandbox_customers(separate_sandbox) == before, "a read-only run changed data"


def test_allow_destructive_host_opens_writes_on_that_host(
    run_suite: RunSuite,
    suite_path: str,
    separate_sandbox: EmbeddedSandbox,
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(pretend_live=LIVE_TARGET_PLUGIN)
    pytester.syspathinsert()

    result = run_suite(
        suite_path,
        "--collect-only",
        "-p",
        "pretend_live",
        "--base-url",
        separate_sandbox.base_url,
        "--allow-destructive-host",
        "127.0.0.1",
        env=SEPARATE_SANDBOX_ENV,
    )

    output = _output(result)
    assert result.ret == exitcodes.OK, output[-2000:]
    assert "writes: allowed" in output
    assert "deselected" not in output


def separate_sandbox_customers(sandbox: EmbeddedSandbox) -> list[tuple[str, str | None]]:
    """(id, archivedAt) of every customer, archived included, read straight from the API."""
    import requests

    response = requests.get(
        sandbox.base_url + "/customers",
        params={"includeArchived": "true", "limit": 100},
        auth=SEPARATE_SANDBOX_CREDENTIALS,
        timeout=10,
    )
    response.raise_for_status()
    return sorted((item["id"], item.get("archivedAt")) for item in response.json()["items"])


def test_default_client_id_is_what_the_embedded_sandbox_uses() -> None:
    assert DEFAULT_CLIENT_ID == "sandbox-client-id"

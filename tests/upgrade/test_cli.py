"""`sequence-contract upgrade-check`: exit statuses, one readable message each, reports."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from sequence_contract.cli import main
from sequence_contract.sandbox import EmbeddedSandbox

FROM, TO = "2024-05-09", "2024-07-30"
SECRET = "not-the-sandbox-secret"

# (command line after `sequence-contract`, what stderr must say); all exit 2 before any request
BAD_COMMAND_LINES = [
    ([], "a command is required"),
    (["upgrade-check", "--to", TO], "the following arguments are required: --from"),
    (["upgrade-check", "--from", FROM, "--to", TO, "--bogus"], "unrecognized arguments: --bogus"),
    (["upgrade-check", "--from", FROM, "--to", TO, "--request-timeout", "0"], "must be > 0"),
    (
        ["upgrade-check", "--from", "2023-01-01", "--to", TO],
        "--from 2023-01-01: no schemas for this version; available: 2024-05-09, 2024-07-30",
    ),
    (
        ["upgrade-check", "--from", FROM, "--to", TO, "--base-url", "http://127.0.0.1:9/api"],
        "needs SEQUENCE_CLIENT_ID and SEQUENCE_CLIENT_SECRET",
    ),
    (
        ["upgrade-check", "--from", FROM, "--to", TO, "--base-url", "ftp://example.com/api"],
        "expected http(s)://host[:port]/api",
    ),
    (
        ["upgrade-check", "--from", FROM, "--to", TO, "--waivers", "no-such-file.yaml"],
        "--waivers no-such-file.yaml: cannot read",
    ),
]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        status = main(argv)
    except SystemExit as exit_:  # argparse ends bad command lines this way
        status = exit_.code if isinstance(exit_.code, int) else 2
    out, err = capsys.readouterr()
    return status, out, err


def _reports(tmp_path: Path) -> list[str]:
    return ["--html", str(tmp_path / "report.html"), "--json", str(tmp_path / "report.json")]


@pytest.mark.parametrize(
    ("argv", "message"), BAD_COMMAND_LINES, ids=[m for _, m in BAD_COMMAND_LINES]
)
def test_usage_error(
    argv: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, err = _run(argv, capsys)
    assert status == 2, f"{argv}: exit {status}, stderr {err!r}"
    assert message in err, f"{argv}: stderr {err!r}"
    assert "Traceback" not in err + out, f"{argv}: traceback shown"


def test_live_host_needs_permission(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SEQUENCE_CLIENT_ID", "someone")
    monkeypatch.setenv("SEQUENCE_CLIENT_SECRET", SECRET)
    argv = [
        "upgrade-check",
        "--from",
        FROM,
        "--to",
        TO,
        "--base-url",
        "https://eu.sequencehq.com/api",
        *_reports(tmp_path),
    ]
    status, _, err = _run(argv, capsys)
    assert status == 2, f"live host: exit {status}, stderr {err!r}"
    assert "--allow-destructive-host eu.sequencehq.com" in err, f"live host: {err!r}"


def test_unreachable_server(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SEQUENCE_CLIENT_ID", "someone")
    monkeypatch.setenv("SEQUENCE_CLIENT_SECRET", SECRET)
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    argv = [
        "upgrade-check",
        "--from",
        FROM,
        "--to",
        TO,
        "--base-url",
        f"http://127.0.0.1:{port}/api",
        *_reports(tmp_path),
    ]
    status, out, err = _run(argv, capsys)
    assert status == 3, f"unreachable: exit {status}, stderr {err!r}"
    assert err.startswith("sequence-contract upgrade-check: environment: "), f"unreachable: {err!r}"
    assert "connection refused" in err, f"unreachable: {err!r}"
    assert len(err.strip().splitlines()) == 1, f"unreachable: more than one line: {err!r}"
    assert out == "", f"unreachable: stdout {out!r}"


def test_bad_credentials(
    replay_sandbox: EmbeddedSandbox,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("SEQUENCE_CLIENT_ID", "sandbox-client-id")
    monkeypatch.setenv("SEQUENCE_CLIENT_SECRET", SECRET)
    argv = [
        "upgrade-check",
        "--from",
        FROM,
        "--to",
        TO,
        "--base-url",
        replay_sandbox.base_url,
        *_reports(tmp_path),
    ]
    status, out, err = _run(argv, capsys)
    assert status == 3, f"bad credentials: exit {status}, stderr {err!r}"
    assert "answered 401" in err, f"bad credentials: {err!r}"
    assert "SEQUENCE_CLIENT_SECRET" in err, f"bad credentials: no hint: {err!r}"
    assert SECRET not in out + err, "bad credentials: the secret reached the output"


def test_breaking_upgrade_fails_until_waived(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = ["upgrade-check", "--from", FROM, "--to", TO, *_reports(tmp_path)]
    status, out, err = _run(argv, capsys)
    assert status == 1, f"{FROM} -> {TO}: exit {status}, stderr {err!r}"
    assert "Result: FAIL" in out, f"{FROM} -> {TO}: {out[-300:]!r}"
    assert "BREAKING  operation-removed:DELETE /customers/{id}" in out, f"{FROM} -> {TO}: {out!r}"
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["result"] == "fail", f"JSON report: result {report['result']}"
    assert report["blocking"], "JSON report: nothing blocking"
    assert {r["version"] for r in report["replays"]} == {FROM, TO}, "JSON report: replays"

    waivers = tmp_path / "upgrade-waivers.yaml"
    entries = [{"id": i, "reason": "<b>accepted</b> & planned"} for i in report["blocking"]]
    entries.append({"id": "response-field-removed:Customer.fax", "reason": "stale"})
    waivers.write_text(json.dumps({"waivers": entries}), encoding="utf-8")  # JSON is YAML
    status, out, err = _run([*argv, "--waivers", str(waivers)], capsys)
    assert status == 0, f"all waived: exit {status}, stdout {out[-400:]!r}"
    assert "Result: PASS" in out, f"all waived: {out[-300:]!r}"
    assert "unused    response-field-removed:Customer.fax" in out, f"unused waiver: {out!r}"
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;accepted&lt;/b&gt; &amp; planned" in page, "HTML report: reason not escaped"
    assert "<b>accepted" not in page, "HTML report: markup from a waiver reached the page"


def test_version_against_itself_passes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, err = _run(
        ["upgrade-check", "--from", TO, "--to", TO, *_reports(tmp_path)], capsys
    )
    assert status == 0, f"{TO} -> {TO}: exit {status}, stderr {err!r}"
    assert "Documented changes: 0" in out, f"{TO} -> {TO}: {out!r}"
    assert "Observed changes: 0" in out, f"{TO} -> {TO}: {out!r}"

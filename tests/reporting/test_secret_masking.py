"""No credential reaches any output: a run against a sandbox that echoes them back, searched."""

from __future__ import annotations

import pytest

from tests.reporting.artifacts import (
    find_secret,
    read_all,
    read_text,
    readable_texts,
    secret_spellings,
)
from tests.reporting.fixtures import CLIENT_ID, CLIENT_SECRET, SuiteRun

pytestmark = pytest.mark.slow

SPELLINGS = secret_spellings(CLIENT_ID, CLIENT_SECRET)


@pytest.fixture(scope="module")
def every_output(broken_run: SuiteRun) -> dict[str, list[str]]:
    """Console and every file the run wrote, each in every readable form."""
    outputs = {"console (stdout)": broken_run.stdout, "console (stderr)": broken_run.stderr}
    outputs |= {
        str(path.relative_to(broken_run.workdir)): read_text(path) for path in broken_run.files()
    }
    return read_all(outputs)


def test_the_run_wrote_every_artifact_searched(broken_run: SuiteRun) -> None:
    written = {str(path.relative_to(broken_run.workdir)) for path in broken_run.files()}
    for expected in ("reports/report.html", "reports/junit.xml", "run.log"):
        assert expected in written, (
            f"{expected}: not written; the run wrote {sorted(written)}\n"
            + broken_run.console_tail()
        )
    assert broken_run.returncode == 1, broken_run.console_tail()


def test_the_sandbox_really_echoed_the_credentials(broken_run: SuiteRun) -> None:
    # Without an echo there is nothing to mask and the search below would prove nothing.
    report = "\n".join(readable_texts(read_text(broken_run.html))).lower()
    echoes = (
        "x-echo-authorization: basic [redacted]",
        "x-echo-client-secret: [redacted]",
        '"clientsecret": "[redacted]"',
        '"clientsecretbase64": "[redacted]"',
    )
    for echoed in echoes:
        assert echoed in report, f"the report shows no masked echo {echoed!r}"


@pytest.mark.parametrize("spelling", SPELLINGS, ids=SPELLINGS.keys())
def test_no_output_holds_the_secret(every_output: dict[str, list[str]], spelling: str) -> None:
    found = find_secret(every_output, {spelling: SPELLINGS[spelling]})
    assert found == [], "secret found in: " + ", ".join(found)


def test_the_search_finds_a_secret_when_one_is_there() -> None:
    # The search must see through each encoding the reports use, or its "nothing found"
    # means nothing.
    import base64
    import html
    import json

    leaks = {
        "plain": f"token {CLIENT_SECRET}",
        "html-escaped": html.escape(f"<td>{CLIENT_SECRET}</td>"),
        "data URI": "data:text/plain;charset=utf-8;base64,"
        + base64.b64encode(f"log: {CLIENT_SECRET}".encode()).decode(),
        "json blob": 'data-jsonblob="'
        + html.escape(json.dumps({"tests": [{"log": CLIENT_SECRET}]}))
        + '"',
        "other client pair": "Basic "
        + base64.b64encode(f"someone-else:{CLIENT_SECRET}".encode()).decode(),
    }
    for name, text in leaks.items():
        found = find_secret(read_all({name: text}), {"plain": CLIENT_SECRET})
        assert found, f"{name}: leak not found"
    assert not any(CLIENT_SECRET in t for t in readable_texts("[REDACTED] Basic [REDACTED]"))

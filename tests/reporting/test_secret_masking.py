"""No credential reaches any output: a run against a sandbox that echoes them back, searched."""

from __future__ import annotations

import pytest

from tests.reporting.artifacts import find_secret, read_text, readable_texts, secret_spellings
from tests.reporting.fixtures import CLIENT_ID, CLIENT_SECRET, SuiteRun

pytestmark = pytest.mark.slow

SPELLINGS = secret_spellings(CLIENT_ID, CLIENT_SECRET)


def _all_outputs(run: SuiteRun) -> dict[str, str]:
    outputs = {"console (stdout)": run.stdout, "console (stderr)": run.stderr}
    outputs |= {str(path.relative_to(run.workdir)): read_text(path) for path in run.files()}
    return outputs


def test_the_run_wrote_every_artifact_searched(broken_run: SuiteRun) -> None:
    written = {str(path.relative_to(broken_run.workdir)) for path in broken_run.files()}
    for expected in ("reports/report.html", "reports/junit.xml", "run.log"):
        assert expected in written, f"{expected}: not written; the run wrote {sorted(written)}"
    assert broken_run.returncode == 1, broken_run.stdout[-3000:]


def test_the_sandbox_really_echoed_the_credentials(broken_run: SuiteRun) -> None:
    # Without an echo there is nothing to mask and the search below would prove nothing.
    report = "\n".join(readable_texts(read_text(broken_run.html))).lower()
    for echoed in ("x-echo-authorization: [redacted]", '"clientsecret": "[redacted]"'):
        assert echoed in report, f"the report shows no masked echo {echoed!r}"


@pytest.mark.parametrize("spelling", SPELLINGS, ids=SPELLINGS.keys())
def test_no_output_holds_the_secret(broken_run: SuiteRun, spelling: str) -> None:
    found = find_secret(_all_outputs(broken_run), {spelling: SPELLINGS[spelling]})
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
        assert find_secret({name: text}, {"plain": CLIENT_SECRET}), f"{name}: leak not found"
    assert not any(CLIENT_SECRET in t for t in readable_texts("[REDACTED] Basic [REDACTED]"))

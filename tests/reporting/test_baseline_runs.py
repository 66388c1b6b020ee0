"""Nightly runs against a baseline: a fault switched on is marked new, switched off fixed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.reporting.fixtures import SuiteRun, run_suite

FAULT = "drop-required-field"


def nightly(workdir: Path, baseline: Path, *args: str) -> SuiteRun:
    workdir.mkdir(parents=True, exist_ok=True)
    return run_suite(
        # One test at a time: the runs compare failures, so each must find the same ones.
        workdir,
        "--hypothesis-profile",
        "dev",
        "--in-flight",
        "1",
        "-x",
        "--baseline",
        str(baseline),
        *args,
    )


def failures_in(baseline: Path) -> list[str]:
    return [entry["check"] for entry in json.loads(baseline.read_text())["failures"]]


def test_new_then_known_then_fixed(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"

    first = nightly(tmp_path / "1", baseline)
    assert first.returncode == 0, first.console_tail()
    assert "0 new, 0 known, 0 flaky, 0 fixed" in first.stdout
    assert failures_in(baseline) == []

    second = nightly(tmp_path / "2", baseline, "--sandbox-fault", FAULT, "--fail-on", "new")
    assert second.returncode == 1, second.console_tail()
    assert "1 new, 0 known" in second.stdout, second.console_tail()
    assert " NEW 1x [" in second.stdout
    assert len(failures_in(baseline)) == 1
    html = second.html.read_text(encoding="utf-8")
    assert "Against the baseline" in html
    assert "NEW [" in html

    third = nightly(tmp_path / "3", baseline, "--sandbox-fault", FAULT, "--fail-on", "new")
    assert third.returncode == 0, third.console_tail()  # failing, but known: the night is green
    assert "0 new, 1 known" in third.stdout, third.console_tail()

    fourth = nightly(tmp_path / "4", baseline)
    assert fourth.returncode == 0, fourth.console_tail()
    assert "0 new, 0 known, 0 flaky, 1 fixed" in fourth.stdout
    assert "FIXED [" in fourth.stdout
    assert failures_in(baseline) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--fail-on", "new"), "--fail-on new needs --baseline FILE"),
        (("--baseline", "{bad}"), "not a readable JSON file"),
    ],
)
def test_baseline_usage_errors(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    run = run_suite(tmp_path, *(arg.replace("{bad}", str(bad)) for arg in args))
    assert run.returncode == 4, run.console_tail()
    assert message in run.stdout + run.stderr

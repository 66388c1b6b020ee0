"""The GitHub Actions workflow: valid YAML, the three jobs, secrets only from the secret store."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

WORKFLOW = Path(__file__).resolve().parents[1] / ".github" / "workflows" / "contract.yml"
SECRET_VARIABLES = ("SEQUENCE_CLIENT_ID", "SEQUENCE_CLIENT_SECRET")


@pytest.fixture(scope="module")
def workflow() -> dict[str, Any]:
    loaded = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict), f"{WORKFLOW}: not a YAML mapping"
    return loaded


def _triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 reads a bare `on` key as the boolean True.
    triggers = workflow.get("on", workflow.get(True))
    assert isinstance(triggers, dict), "workflow: no `on:` triggers"
    return triggers


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(step.get("run", "") for step in job["steps"])


def _uploads_reports(job: dict[str, Any]) -> bool:
    return any(
        str(step.get("uses", "")).startswith("actions/upload-artifact@")
        and step.get("with", {}).get("path") == "reports/"
        and step.get("if") == "always()"
        for step in job["steps"]
    )


def test_the_workflow_matches_the_github_actions_schema() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(WORKFLOW),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_triggers(workflow: dict[str, Any]) -> None:
    triggers = _triggers(workflow)
    assert {"pull_request", "schedule", "workflow_dispatch"} <= set(triggers)
    assert triggers["schedule"][0]["cron"].count(" ") == 4
    assert "api_version" in triggers["workflow_dispatch"]["inputs"]


def test_the_pull_request_gate_runs_what_developers_run(workflow: dict[str, Any]) -> None:
    job = workflow["jobs"]["pr-gate"]
    assert "pull_request" in job["if"]
    assert "bash .ci/run" in _runs(job)
    assert (WORKFLOW.parents[2] / ".ci" / "run").is_file()
    assert _uploads_reports(job)


def test_the_nightly_job_uses_the_nightly_profile_and_keeps_reports(
    workflow: dict[str, Any],
) -> None:
    job = workflow["jobs"]["nightly"]
    assert "schedule" in job["if"]
    runs = _runs(job)
    assert re.search(r"pytest contract_tests .*--base-url", runs)
    assert "--hypothesis-profile nightly" in runs
    assert _uploads_reports(job)


def test_the_manual_job_tries_the_requested_api_version(workflow: dict[str, Any]) -> None:
    job = workflow["jobs"]["try-api-version"]
    assert "workflow_dispatch" in job["if"]
    assert job["env"]["API_VERSION"] == "${{ inputs.api_version }}"
    runs = _runs(job)
    assert '--api-version "$API_VERSION"' in runs
    assert "sequence-contract upgrade-check" in runs
    assert _uploads_reports(job)


def _step(job: dict[str, Any], uses: str, **with_: str) -> dict[str, Any] | None:
    for step in job["steps"]:
        given = step.get("with", {})
        if str(step.get("uses", "")).startswith(uses) and all(
            given.get(k) == v for k, v in with_.items()
        ):
            return step
    return None


def test_the_nightly_job_compares_with_the_previous_baseline(workflow: dict[str, Any]) -> None:
    job = workflow["jobs"]["nightly"]
    baseline = job["env"]["BASELINE"]
    download = _step(job, "actions/download-artifact@", name="contract-baseline")
    upload = _step(job, "actions/upload-artifact@", name="contract-baseline")
    assert download is not None, "nightly: the previous baseline is not downloaded"
    assert upload is not None, "nightly: the new baseline is not kept"
    # The file the suite reads and rewrites is the one downloaded and uploaded.
    assert download["with"]["path"] == baseline.rsplit("/", 1)[0] + "/"
    assert upload["with"]["path"] == baseline
    assert download["with"]["run-id"] == "${{ steps.previous.outputs.run_id }}"
    assert job["permissions"]["actions"] == "read"
    runs = _runs(job)
    assert '--baseline "$BASELINE" --fail-on new' in runs
    # Steps run in order: download before the suite, upload after it.
    order = [step.get("name", step.get("uses")) for step in job["steps"]]
    suite = next(i for i, step in enumerate(job["steps"]) if "--baseline" in step.get("run", ""))
    assert order.index(download["name"]) < suite < order.index(upload["name"])
    # Only a run with a verdict replaces the baseline (not an environment failure).
    assert "steps.suite.outputs.status == '0'" in upload["if"]
    assert "'10'" not in upload["if"]


@pytest.mark.parametrize("job_name", ["nightly", "try-api-version"])
def test_credentials_come_from_the_secret_store(workflow: dict[str, Any], job_name: str) -> None:
    job = workflow["jobs"][job_name]
    for variable in SECRET_VARIABLES:
        assert re.fullmatch(r"\$\{\{ secrets\.[A-Z_]+ \}\}", job["env"][variable]), (
            f"{job_name}: {variable} must come from secrets.*"
        )


def test_no_secret_or_input_is_pasted_into_a_command(workflow: dict[str, Any]) -> None:
    # Expressions in `run:` are pasted into the script before the shell sees it: a secret
    # would land in the logged script, an input could inject commands.
    for name, job in workflow["jobs"].items():
        runs = _runs(job)
        assert "${{" not in runs, f"{name}: an expression inside run:"
        assert "--client-secret" not in runs, f"{name}: a secret on a command line"

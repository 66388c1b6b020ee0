"""Start-up: importing the contract tests sends nothing; the suite's rules reach generated cases;
a file option outside the project is one readable line."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from sequence_contract.suite import exitcodes
from tests.suite.fixtures import REPO, RunSuite

# Every way a request could leave the process fails loudly, and the import says what it built.
IMPORT_WITHOUT_NETWORK = """
import socket, sys

def refuse(*args, **kwargs):
    sys.exit("a request was attempted at import")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.create_connection = refuse
socket.getaddrinfo = refuse

import contract_tests.test_generated as generated
import contract_tests.test_stateful as stateful
import contract_tests.test_error_answers
import contract_tests.test_version_header
import contract_tests.test_documented_examples

operations = [op.ok().label for op in generated.negative.get_all_operations()]
print("operations:", ", ".join(operations))
print("stateful:", stateful.TestCustomerWorkflow.__name__)
"""


def test_importing_the_contract_tests_sends_no_request() -> None:
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    completed = subprocess.run(
        [sys.executable, "-c", IMPORT_WITHOUT_NETWORK],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr[-3000:]
    assert "GET /customers/{id}" in completed.stdout
    assert "stateful: TestCustomerWorkflow" in completed.stdout


@pytest.mark.slow
def test_a_missing_version_echo_fails_generated_cases_through_the_registered_check(
    run_suite: RunSuite, suite_path: str
) -> None:
    result = run_suite(
        f"{suite_path}/test_generated.py",
        "--hypothesis-profile",
        "dev",
        "--sandbox-fault",
        "no-version-echo",
        "-k",
        "test_read_operation",
    )

    output = "\n".join(result.outlines + result.errlines)
    assert result.ret == exitcodes.CONTRACT_BROKEN, output[-3000:]
    result.assert_outcomes(failed=4)  # positive and negative reads of both operations
    # The grouped console summary: the suite's check, by name, with its "where: what".
    assert (
        "[Sequence-Version echo] GET /customers: response header Sequence-Version: None, "
        "expected the version in effect '2024-07-30'" in output
    ), output[-3000:]
    # The other operation's first failing case may be a coverage case with another method.
    assert re.search(
        r"\[Sequence-Version echo\] [A-Z]+ /customers/\{id\}.*: response header", output
    )


@pytest.mark.parametrize("option", ["--baseline", "--baseline-out"])
def test_a_file_outside_the_project_after_a_space_is_one_readable_line(
    tmp_path: Path, option: str
) -> None:
    """pytest reads `--baseline FILE` (an existing FILE outside the project) as a test path
    before it knows the option; unguarded, the run lost the project's settings and collected
    the wrong tests."""
    outside = tmp_path / "baseline.json"
    outside.write_text("{}")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", option, str(outside), "--collect-only", "-q"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )

    output = result.stdout + result.stderr
    assert result.returncode == exitcodes.USAGE_ERROR, output[-2000:]
    assert f"write {option}={outside}" in output
    assert "Traceback" not in output

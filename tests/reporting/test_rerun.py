"""How to rerun a failure: the command, and the seed of a random profile."""

from __future__ import annotations

import pytest

from sequence_contract.suite.config import Expectations, SuiteSettings
from sequence_contract.suite.reporting.rerun import RunSeed, choose_seed, rerun_command


def _settings(**changes: object) -> SuiteSettings:
    fields: dict[str, object] = {
        "base_url": None,
        "api_version": "2024-07-30",
        "credentials": None,
        "profile": "ci",
        "expectations": Expectations.from_pairs([]),
    }
    return SuiteSettings(**{**fields, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("profile", "given", "fixed"),
    [("ci", None, False), ("dev", None, False), ("nightly", None, True), ("ci", "42", True)],
)
def test_choose_seed(profile: str, given: str | None, fixed: bool) -> None:
    seed = choose_seed(profile, given)
    assert (seed is not None) is fixed
    if given is not None:
        assert seed == given


def test_a_random_profile_reruns_with_its_seed_and_faults() -> None:
    command = rerun_command(
        "contract_tests/test_generated.py::test_read_operation[GET /customers]",
        _settings(profile="nightly", sandbox_faults=("drop-required-field",)),
        RunSeed("nightly", "1234"),
    )
    assert command == (
        "pytest 'contract_tests/test_generated.py::test_read_operation[GET /customers]' "
        "--hypothesis-profile nightly --hypothesis-seed 1234 --sandbox-fault drop-required-field"
    )


def test_a_remote_run_reruns_against_the_same_host() -> None:
    command = rerun_command(
        "contract_tests/test_archive.py::test_x",
        _settings(base_url="https://sandbox.sequencehq.com/api", api_version="2024-05-09"),
        RunSeed("ci", None),
    )
    assert command.endswith(
        "--hypothesis-profile ci --api-version 2024-05-09 "
        "--base-url https://sandbox.sequencehq.com/api"
    )
    assert "derandomized" in RunSeed("ci", None).describe()

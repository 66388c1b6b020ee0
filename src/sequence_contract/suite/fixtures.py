"""Fixtures of the contract suite (session-scoped: schemathesis tests run under hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest

from sequence_contract.suite.expectations import Expectations
from sequence_contract.suite.runtime import SuiteRuntime, active


@pytest.fixture(scope="session")
def runtime() -> SuiteRuntime:
    return active()


@pytest.fixture(scope="session")
def expectations(runtime: SuiteRuntime) -> Expectations:
    return runtime.settings.expectations


@pytest.fixture
def customer(runtime: SuiteRuntime) -> dict[str, Any]:
    """A fresh, unarchived customer created by this run."""
    return runtime.create_customer()


@pytest.fixture(scope="session")
def shared_customer(runtime: SuiteRuntime) -> dict[str, Any]:
    """One customer for tests that only read it or must leave it untouched."""
    return runtime.create_customer()

"""Stateful: schemathesis follows the OpenAPI links create -> get / update / archive."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings

from sequence_contract.suite.generated import load_schema, prepare_case
from sequence_contract.suite.profiles import PROFILES
from sequence_contract.suite.runtime import active

RUNTIME = active()
PROFILE = PROFILES[RUNTIME.settings.profile]
_Base = load_schema(RUNTIME, None).as_state_machine()


class CustomerWorkflow(_Base):  # type: ignore[misc,valid-type]
    def before_call(self, case: Any) -> None:
        prepare_case(case, RUNTIME)

    def get_call_kwargs(self, case: Any) -> dict[str, Any]:
        return {"session": RUNTIME.session}


TestCustomerWorkflow = CustomerWorkflow.TestCase
TestCustomerWorkflow.settings = settings(
    max_examples=PROFILE.stateful_examples, stateful_step_count=PROFILE.stateful_max_steps
)
TestCustomerWorkflow.pytestmark = [pytest.mark.destructive]

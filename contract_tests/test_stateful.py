"""Stateful: schemathesis follows the OpenAPI links create -> get / update / archive.

Stateful runs send valid requests only: the strict view of the document (see test_generated.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings
from schemathesis import GenerationMode

from sequence_contract.suite.config import PROFILES
from sequence_contract.suite.generated import (
    admit,
    call_kwargs,
    conform_to_strict_view,
    contract_schema,
    excluded_for,
    prepare_case,
    suite_checks,
)
from sequence_contract.suite.runtime import SuiteRuntime


class CustomerWorkflow(contract_schema(GenerationMode.POSITIVE).as_state_machine()):  # type: ignore[misc]
    runtime: SuiteRuntime  # bound by the test's fixture before the machine runs

    def before_call(self, case: Any) -> None:
        admit(case, self.runtime, stateful=True)
        conform_to_strict_view(case, self.runtime.api_version)
        prepare_case(case, self.runtime)

    def get_call_kwargs(self, case: Any) -> dict[str, Any]:
        return call_kwargs(self.runtime)

    def validate_response(
        self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
    ) -> None:
        case.validate_response(
            response,
            additional_checks=[*(additional_checks or []), *suite_checks(self.runtime, None)],
            excluded_checks=excluded_for(case, self.runtime),
            headers=kwargs.get("headers"),
            transport_kwargs=kwargs,
            recorder=self.recorder,
        )


@pytest.mark.destructive
@pytest.mark.generated
class TestCustomerWorkflow(CustomerWorkflow.TestCase):  # type: ignore[misc,name-defined]
    @pytest.fixture(autouse=True)
    def _bind_runtime(self, runtime: SuiteRuntime) -> None:
        CustomerWorkflow.runtime = runtime
        profile = PROFILES[runtime.settings.profile]
        type(self).settings = settings(
            max_examples=profile.stateful_examples, stateful_step_count=profile.stateful_max_steps
        )

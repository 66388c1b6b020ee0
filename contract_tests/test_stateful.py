"""Stateful: schemathesis follows the OpenAPI links create -> get / update / archive."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings
from schemathesis import GenerationMode

from sequence_contract.suite.generated import (
    conform_to_strict_view,
    excluded_checks,
    load_schema,
    prepare_case,
    suite_checks,
)
from sequence_contract.suite.profiles import PROFILES
from sequence_contract.suite.runtime import active

RUNTIME = active()
PROFILE = PROFILES[RUNTIME.settings.profile]
EXCLUDED = excluded_checks(RUNTIME.api_version)
CHECKS = suite_checks(RUNTIME, None)
# Stateful runs send valid requests only: the strict view (see test_generated.py).
_Base = load_schema(RUNTIME, None, GenerationMode.POSITIVE).as_state_machine()


class CustomerWorkflow(_Base):  # type: ignore[misc,valid-type]
    def before_call(self, case: Any) -> None:
        conform_to_strict_view(case, RUNTIME.api_version)
        prepare_case(case, RUNTIME)

    def get_call_kwargs(self, case: Any) -> dict[str, Any]:
        return {"session": RUNTIME.session}

    def validate_response(
        self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
    ) -> None:
        case.validate_response(
            response,
            additional_checks=[*(additional_checks or []), *CHECKS],
            excluded_checks=EXCLUDED,
            transport_kwargs=kwargs,
        )


TestCustomerWorkflow = CustomerWorkflow.TestCase
TestCustomerWorkflow.settings = settings(
    max_examples=PROFILE.stateful_examples, stateful_step_count=PROFILE.stateful_max_steps
)
TestCustomerWorkflow.pytestmark = [pytest.mark.destructive]

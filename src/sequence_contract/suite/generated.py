"""The schemathesis side of the suite: the OpenAPI schema, configured for this run.

Configured at import of the test modules (after the plugin's `pytest_configure`), because eager
`parametrize` reads base URL, headers and parameters at collection time.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import GenerationMode

from sequence_contract.schemas import openapi_path
from sequence_contract.suite.profiles import PROFILES
from sequence_contract.suite.runtime import SuiteRuntime


def load_schema(runtime: SuiteRuntime, path_id: str | None) -> Any:
    """The run's OpenAPI document as a schemathesis schema, positive and negative modes."""
    schema = schemathesis.openapi.from_path(str(openapi_path(runtime.api_version)))
    profile = PROFILES[runtime.settings.profile]
    schema.config.update(
        base_url=runtime.base_url,
        basic_auth=(runtime.credentials.client_id, runtime.credentials.client_secret),
        # Random ids only ever reach 404: give the operations a customer of this run.
        parameters={"path.id": path_id} if path_id else None,
        request_timeout=runtime.settings.request_timeout,
    )
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        deterministic=profile.deterministic,
        # Negative cases keep valid auth so header and body validation is really reached;
        # auth is covered by the ignored_auth check and the example-based auth tests.
        with_security_parameters=False,
    )
    return schema


# Values a schema cannot call valid: opaque cursors the API issues, sort columns the docs leave
# open, references to other customers. A generated string there is not "valid data", so
# positive cases leave them out (example-based tests cover them with real values).
SEMANTIC_QUERY = ("after", "before", "sortBy")
SEMANTIC_BODY = ("parentId",)


def drop_semantic_values(case: Any) -> None:
    if not is_positive(case):
        return
    for name in SEMANTIC_QUERY:
        (case.query or {}).pop(name, None)
    if isinstance(case.body, dict):
        for name in SEMANTIC_BODY:
            case.body.pop(name, None)


def prepare_case(case: Any, runtime: SuiteRuntime) -> None:
    """What every generated case gets before it is sent: no invented semantic values, and a
    positive create carries the run's label (so cleanup and people can find it)."""
    drop_semantic_values(case)
    creates = case.method.upper() == "POST" and case.path == "/customers"
    if creates and is_positive(case) and isinstance(case.body, dict):
        case.body["label"] = runtime.label


def is_positive(case: Any) -> bool:
    return bool(case.meta is None or case.meta.generation.mode is GenerationMode.POSITIVE)

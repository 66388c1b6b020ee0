"""The schemathesis side of the suite: the OpenAPI schema, configured for this run.

Configured at import of the test modules (after the plugin's `pytest_configure`), because eager
`parametrize` reads base URL, headers and parameters at collection time.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import use_after_free

from sequence_contract.schemas import openapi_path
from sequence_contract.suite.probes import route_probes_through
from sequence_contract.suite.profiles import PROFILES
from sequence_contract.suite.runtime import SuiteRuntime


def load_schema(runtime: SuiteRuntime, path_id: str | None) -> Any:
    """The run's OpenAPI document as a schemathesis schema, positive and negative modes."""
    schema = schemathesis.openapi.from_path(str(openapi_path(runtime.api_version)))
    route_probes_through(runtime.session)  # checks' extra requests: paced, retried, counted
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
    pin_version(case, runtime.api_version)
    creates = case.method.upper() == "POST" and case.path == "/customers"
    if creates and is_positive(case) and isinstance(case.body, dict):
        case.body["label"] = runtime.label


def excluded_checks(version: str) -> list[Any]:
    """Built-in checks whose assumption the documented API contradicts, per version.

    Until 2024-07-30, DELETE /customers/{id} is documented as "Archive customer": the customer
    stays readable, with archivedAt set, which `use_after_free` would call a failure.
    """
    return [use_after_free] if version in ("2024-01-01", "2024-05-09") else []


def pin_version(case: Any, version: str) -> None:
    """Positive cases always name the version under test: without the header the API answers
    in the key's pinned (or the latest) version, which may not be the one whose schemas the
    run checks. Absence has its own example-based test; negative cases keep what was made."""
    if not is_positive(case):
        return
    headers = case.headers or {}
    if not any(name.lower() == "sequence-version" for name in headers):
        case.headers = {**headers, "Sequence-Version": version}


def consumes_customer(case: Any) -> bool:
    """Operations after which the customer is no longer an ordinary one (archive, delete)."""
    method = case.method.upper()
    return bool(
        (case.path == "/customers/{id}/archive" and method in ("POST", "PUT"))
        or (case.path == "/customers/{id}" and method == "DELETE")
    )


def is_positive(case: Any) -> bool:
    return bool(case.meta is None or case.meta.generation.mode is GenerationMode.POSITIVE)

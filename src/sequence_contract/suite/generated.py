"""The schemathesis side of the suite: the OpenAPI schema, configured for this run.

Configured at import of the test modules (after the plugin's `pytest_configure`), because eager
`parametrize` reads base URL, headers and parameters at collection time.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import hypothesis
import schemathesis
from schemathesis import GenerationMode
from schemathesis.config import ExtraDataSourcesConfig
from schemathesis.specs.openapi.checks import use_after_free

from sequence_contract.schemas import load_openapi, openapi_path, openapi_resolver
from sequence_contract.suite.acceptance import positive_acceptance_check
from sequence_contract.suite.methods import checks_to_skip, is_method_probe, method_semantics_check
from sequence_contract.suite.positive import drop_undocumented, strict_document
from sequence_contract.suite.probes import route_probes_through
from sequence_contract.suite.profiles import PROFILES
from sequence_contract.suite.runtime import SuiteRuntime

# Names the generation mode of every generated request, so traffic can be told apart later.
GENERATION_HEADER = "X-Sequence-Contract-Generation"
# Replaced by the suite's own checks (`suite_checks`): RFC 9110 method semantics and positive
# acceptance with a named grey zone. Both built-ins assume one tool's defaults.
REPLACED_CHECKS = ["positive_data_acceptance", "unsupported_method"]


def load_schema(runtime: SuiteRuntime, path_id: str | None, mode: GenerationMode) -> Any:
    """The run's OpenAPI document as a schemathesis schema generating `mode` cases.

    Positive cases come from the strict view of the document (`suite.positive`): values any
    careful implementation of the docs must accept. Negative cases come from the committed,
    tolerant document, so they still explore extra properties and odd strings."""
    version = runtime.api_version
    if mode is GenerationMode.POSITIVE:
        schema = schemathesis.openapi.from_dict(copy.deepcopy(strict_view(version)))
    else:
        schema = schemathesis.openapi.from_path(str(openapi_path(version)))
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
        modes=[mode],
        # The profile's cases per operation, shared by the positive and the negative test.
        max_examples=max(1, profile.max_examples // 2),
        deterministic=profile.deterministic,
        # Negative cases keep valid auth so header and body validation is really reached;
        # auth is covered by the ignored_auth check and the example-based auth tests.
        with_security_parameters=False,
    )
    schema.config.checks.update(excluded_check_names=REPLACED_CHECKS)
    if mode is GenerationMode.POSITIVE:
        # schemathesis fills request fields with objects from earlier responses (integration ids
        # with `isPending`, ...): response-only fields that the closed view refuses, which would
        # turn a positive case into a negative one.
        phases = schema.config.phases
        for phase in (phases.examples, phases.coverage, phases.fuzzing):
            phase.extra_data_sources = ExtraDataSourcesConfig(responses=False)
    return schema


@cache
def strict_view(version: str) -> dict[str, Any]:
    """The strict-positive view of the version's OpenAPI document (see `suite.positive`)."""
    return strict_document(load_openapi(version), openapi_resolver(version))


def conform_to_strict_view(case: Any, version: str) -> None:
    """Drop from a case's body what the strict view does not list. The state machine fills
    fields with objects from response examples (`isPending`, `lastSynced`), which would make a
    case meant to be valid an invalid one."""
    operation = strict_view(version)["paths"].get(case.path, {}).get(case.method.lower(), {})
    for media in operation.get("requestBody", {}).get("content", {}).values():
        if isinstance(case.body, dict | list):
            drop_undocumented(case.body, media.get("schema"))


def suite_checks(runtime: SuiteRuntime, path_id: str | None) -> list[Any]:
    """The suite's checks for generated cases, configured by the run's expectations."""
    expectations = runtime.settings.expectations
    return [
        positive_acceptance_check(runtime.api_version, expectations["grey-zone"]),
        method_semantics_check(
            expectations.statuses("unknown-method-status"), excuse_not_found=path_id is None
        ),
    ]


def excluded_for(case: Any, version: str) -> list[Any]:
    """Built-in checks that must not judge this case (per version and per case)."""
    return excluded_checks(version) + checks_to_skip(case)


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
    """What every generated case gets before it is sent: no invented semantic values, the
    version under test, a method probe that asks about the method alone, no empty query value
    in a negative case, the generation header, and on a positive create the run's label (so
    cleanup and people can find it)."""
    drop_semantic_values(case)
    if is_method_probe(case):
        # A method probe asks about the method alone; the rest is sent as a valid request
        # would be (the negative template's garbage version or query would be refused first).
        case.query = {}
        case.headers = {
            name: value
            for name, value in (case.headers or {}).items()
            if name.lower() != "sequence-version"
        }
    pin_version(case, runtime.api_version)
    drop_empty_query_values(case)
    case.headers = {**(case.headers or {}), GENERATION_HEADER: generation_label(case)}
    creates = case.method.upper() == "POST" and case.path == "/customers"
    if creates and is_positive(case) and isinstance(case.body, dict):
        case.body["label"] = runtime.label


def generation_label(case: Any) -> str:
    """What the generation header says: `positive`, `negative`, or `method-probe` (a method the
    path does not declare, whatever the rest of the request is)."""
    if is_method_probe(case):
        return "method-probe"
    return "positive" if is_positive(case) else "negative"


def drop_empty_query_values(case: Any) -> None:
    """Negative cases send no empty query value: `?billingStatus=` reads as absent on many
    servers (the sandbox's too), so it is neither clearly valid nor clearly invalid. A case
    whose only fault it was is no negative case at all and is skipped."""
    if is_positive(case) or not case.query:
        return
    empty = [name for name, value in case.query.items() if sends_nothing(value)]
    if not empty:
        return
    case.query = {name: value for name, value in case.query.items() if name not in empty}
    if is_positive(case):
        hypothesis.reject()


def sends_nothing(value: Any) -> bool:
    """An empty string, or a container of nothing but empty strings and containers: on the
    wire it is `name=` (or no parameter at all)."""
    if isinstance(value, str):
        return value == ""
    if isinstance(value, dict):
        return all(sends_nothing(key) and sends_nothing(item) for key, item in value.items())
    if isinstance(value, list):
        return all(sends_nothing(item) for item in value)
    return False


def excluded_checks(version: str) -> list[Any]:
    """Built-in checks whose assumption the documented API contradicts, per version.

    Until 2024-07-30, DELETE /customers/{id} is documented as "Archive customer": the customer
    stays readable, with archivedAt set, which `use_after_free` would call a failure.
    """
    return [use_after_free] if version in ("2024-01-01", "2024-05-09") else []


def pin_version(case: Any, version: str) -> None:
    """Every generated case names the version under test unless it sends a value of its own:
    without the header the API answers in the key's pinned (or the latest) version, whose
    shapes the run's schemas do not describe. The header is optional, so leaving it out is
    never what a negative case tests; absence has its own example-based test."""
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

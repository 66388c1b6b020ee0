"""The schemathesis side of the suite: the schemas (built from the document alone, so importing a
test module sends nothing) and how a generated case is admitted, prepared, sent and sized.
Positive cases come from the strict view (`suite.positive`), negative ones from the document.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import hypothesis
import pytest
import requests
import schemathesis
from requests.structures import CaseInsensitiveDict
from schemathesis import GenerationMode
from schemathesis.config import ExtraDataSourcesConfig
from schemathesis.specs.openapi.checks import ignored_auth, use_after_free
from schemathesis.transport.requests import REQUESTS_TRANSPORT

from sequence_contract.documents import documents
from sequence_contract.schemas import load_openapi, openapi_path, openapi_resolver
from sequence_contract.suite import stored  # noqa: F401 - registers stored_as_sent
from sequence_contract.suite.allotment import spread
from sequence_contract.suite.checks import (
    checks_to_skip,
    is_method_probe,
    method_semantics_check,
    positive_acceptance_check,
)
from sequence_contract.suite.config import PROFILES, collection_profile, collection_version
from sequence_contract.suite.positive import drop_undocumented, strict_document
from sequence_contract.suite.runtime import SuiteRuntime
from sequence_contract.target import SAFE_METHODS, run_label

# Opaque cursors, sort columns the docs leave open, other customers: no schema makes them valid.
SEMANTIC_QUERY = ("after", "before", "sortBy")
SEMANTIC_BODY = ("parentId",)
_SESSION_SLOT = "_sequence_contract_session"
SHARED_ID = "the-run-s-shared-customer"  # replaced on each call (see prepare_case)
GENERATION_HEADER = "X-Sequence-Contract-Generation"
# Replaced by the suite's own checks (`suite_checks`), which do not assume one tool's defaults.
REPLACED_CHECKS = ["positive_data_acceptance", "unsupported_method"]
# Read-only means read-only: what a run that may not write never sends (see `admit`).
READ_ONLY_EXCLUDED = ("method probes (undeclared methods)", "cases with an unsafe method")
# ignored_auth repeats every case twice more (most of a run's traffic); test_auth.py asks once.
ALWAYS_EXCLUDED = (ignored_auth,)
CREATE = "POST /customers"
# After these the customer is no longer an ordinary one (archive, delete).
CONSUMING = frozenset(
    {"POST /customers/{id}/archive", "PUT /customers/{id}/archive", "DELETE /customers/{id}"}
)


def contract_schema(mode: GenerationMode, *, shared_id: bool = False) -> Any:
    """The run's OpenAPI document as a schemathesis schema generating `mode` cases. With
    `shared_id`, every `{id}` is one fixed value that `send` replaces by a customer of the run."""
    version = collection_version()
    if mode is GenerationMode.POSITIVE:
        schema = schemathesis.openapi.from_dict(copy.deepcopy(strict_view(version)))
    else:
        schema = schemathesis.openapi.from_path(str(openapi_path(version)))
    schema.config.update(parameters={"path.id": SHARED_ID} if shared_id else None)
    schema.config.generation.update(
        modes=[mode],
        deterministic=PROFILES[collection_profile()].deterministic,
        # Valid auth, so validation is really reached; test_auth.py covers auth.
        with_security_parameters=False,
    )
    schema.config.checks.update(excluded_check_names=REPLACED_CHECKS)
    if mode is GenerationMode.POSITIVE:
        # Objects from earlier responses carry response-only fields the closed view refuses,
        # which would turn a positive case into a negative one.
        phases = schema.config.phases
        for phase in (phases.examples, phases.coverage, phases.fuzzing):
            phase.extra_data_sources = ExtraDataSourcesConfig(responses=False)
    return schema


@cache
def strict_view(version: str) -> dict[str, Any]:
    return strict_document(load_openapi(version), openapi_resolver(version))


def conform_to_strict_view(case: Any, version: str) -> None:
    """Drop from a case's body what the strict view does not list (the state machine fills in
    objects from response examples)."""
    operation = strict_view(version)["paths"].get(case.path, {}).get(case.method.lower(), {})
    for media in operation.get("requestBody", {}).get("content", {}).values():
        if isinstance(case.body, dict | list):
            drop_undocumented(case.body, media.get("schema"))


def call_kwargs(runtime: SuiteRuntime) -> dict[str, Any]:
    return {
        "base_url": runtime.base_url,
        "session": runtime.session,
        "headers": {"Authorization": runtime.authorization()},
        "timeout": runtime.settings.request_timeout,
    }


def suite_checks(runtime: SuiteRuntime, path_id: str | None) -> list[Any]:
    """The suite's checks that read the run's expectations (the others are registered)."""
    expectations = runtime.settings.expectations
    return [
        positive_acceptance_check(runtime.api_version, expectations["grey-zone"]),
        method_semantics_check(
            expectations.statuses("unknown-method-status"), excuse_not_found=path_id is None
        ),
    ]


def excluded_for(case: Any, runtime: SuiteRuntime) -> list[Any]:
    """Built-in checks that must not judge this case. Until 2024-07-30, DELETE /customers/{id}
    archives: the customer stays readable, which `use_after_free` would call a failure."""
    excluded = [*ALWAYS_EXCLUDED, *checks_to_skip(case)]
    if runtime.api_version in ("2024-01-01", "2024-05-09"):
        excluded.append(use_after_free)
    return excluded


def send(case: Any, runtime: SuiteRuntime, path_id: str | None) -> None:
    """Prepare the case, send it, and apply every check; the test `admit`s it first."""
    prepare_case(case, runtime, path_id)
    case.call_and_validate(
        **call_kwargs(runtime),
        additional_checks=suite_checks(runtime, path_id),
        excluded_checks=excluded_for(case, runtime),
    )


def admit(case: Any, runtime: SuiteRuntime, *, stateful: bool = False) -> None:
    """Discard a case a read-only run may not send; end the test as skipped, saying so, when
    the request budget is spent or the customer the case may create cannot be claimed."""
    if not sendable(case, runtime.settings.destructive):
        hypothesis.reject()
    if runtime.budget.exhausted:
        pytest.skip(f"sequence-contract: {budget_spent_reason(runtime.budget.max_requests)}")
    operation = _operation(case)
    # Generated cases leave the stateful run a customer per run of its machine.
    kept = 0 if stateful else runtime.settings.run_profile.stateful_examples
    if not stateful and is_positive(case) and operation in CONSUMING | {CREATE}:
        # Each creating operation keeps a fair share until it has used it, so that one
        # (archive takes a fresh customer per case) cannot use up what the others need.
        claimed = runtime.claim_customer(operation, creating_operations(runtime.api_version), kept)
    else:
        owner = "stateful" if stateful else f"{operation} (negative)"
        claimed = operation != CREATE or runtime.claim_customer(owner, (), kept)
    if not claimed:
        # Not a rejection: hypothesis would call the test unsatisfiable or the stateful run flaky.
        pytest.skip(
            f"sequence-contract: customer allowance of {runtime.budget.max_customers} spent "
            "(the profile's); the cases of this test may each create a customer"
        )


@cache
def creating_operations(version: str) -> tuple[str, ...]:
    """The version's operations whose positive cases each create a customer."""
    operations = (f"{method} {path}" for method, path, _ in documents(version).operations())
    return tuple(operation for operation in operations if operation in CONSUMING | {CREATE})


def prepare_case(case: Any, runtime: SuiteRuntime, path_id: str | None = None) -> None:
    """The run's customer for `{id}`, no empty query value, a method probe that asks about the
    method alone, the version under test, the generation header; on positive cases no invented
    semantic values, and on a create the run's label (so cleanup and people can find it)."""
    # Coverage cases of two operations, perhaps running at once, can share one body.
    case.body = copy.deepcopy(case.body)
    case.query = copy.deepcopy(case.query)
    path = case.path_parameters or {}
    if path_id and path.get("id") == SHARED_ID:
        case.path_parameters = {**path, "id": path_id}
    if case.query:
        # Many servers read an empty value as "not given": it proves nothing either way.
        case.query = {name: value for name, value in case.query.items() if not sends_nothing(value)}
    probe = is_method_probe(case)
    headers = CaseInsensitiveDict(case.headers or {})
    if probe:  # the rest is sent as a valid request would be (garbage would be refused first)
        headers.pop("Sequence-Version", None)
        case.query = {}
    # Without the header the API answers in the key's pinned (or the latest) version, whose
    # shapes the run's schemas do not describe. Absence has its own example-based test.
    headers.setdefault("Sequence-Version", runtime.api_version)
    label = "method-probe" if probe else "positive" if is_positive(case) else "negative"
    case.headers = {**headers, GENERATION_HEADER: label}
    if not is_positive(case):
        return
    for name in SEMANTIC_QUERY:
        (case.query or {}).pop(name, None)
    if isinstance(case.body, dict):
        for name in SEMANTIC_BODY:
            case.body.pop(name, None)
        if _operation(case) == CREATE:
            case.body["label"] = run_label(runtime.run_id)


def sends_nothing(value: Any) -> bool:
    """On the wire, as requests encodes a query value, it is `name=` or no parameter at all."""
    try:
        url = requests.Request("GET", "http://query/", params={"name": value}).prepare().url
    except (TypeError, ValueError):
        return False
    sent = parse_qsl(urlsplit(url or "").query, keep_blank_values=True)
    return all(text == "" for _, text in sent)


def sendable(case: Any, destructive: bool) -> bool:
    """Read-only means read-only: only safe methods where the run may not write."""
    return destructive or case.method.upper() in SAFE_METHODS


def budget_spent_reason(max_requests: int | None) -> str:
    return f"request budget of {max_requests} spent (--max-requests, or the profile's)"


def _operation(case: Any) -> str:
    return f"{case.method.upper()} {case.path}"


def consumes_customer(case: Any) -> bool:
    return _operation(case) in CONSUMING


def is_positive(case: Any) -> bool:
    return bool(case.meta is None or case.meta.generation.mode is GenerationMode.POSITIVE)


def coverage_cases(test: Callable[..., Any]) -> list[Any]:
    """The coverage-phase cases schemathesis attached to a test (hypothesis explicit examples)."""
    return [e.kwargs.get("case") for e in getattr(test, "hypothesis_explicit_examples", ())]


def size_generated_test(
    test: Callable[..., Any], keep: Callable[[Any], bool], coverage: int, random_cases: int
) -> None:
    """Keep `coverage` of the coverage cases that `keep` accepts (evenly spread) and allow
    `random_cases` random ones."""
    examples = getattr(test, "hypothesis_explicit_examples", ())
    kept = spread([e for e in examples if keep(e.kwargs.get("case"))], coverage)
    test.hypothesis_explicit_examples = kept  # type: ignore[attr-defined]
    hypothesis.settings(max_examples=random_cases)(test)


def route_probes_through(session: requests.Session) -> None:
    """From now on, a schemathesis request sent without a session (checks' own requests) uses
    `session`: paced, retried and counted. A later call (a new run) replaces the session."""
    transport: Any = REQUESTS_TRANSPORT
    setattr(transport, _SESSION_SLOT, session)
    if "send" in vars(transport):
        return  # already wrapped
    unwrapped_send = transport.send

    def send(case: Any, *, session: requests.Session | None = None, **kwargs: Any) -> Any:
        if session is None and kwargs.get("app") is None:
            session = getattr(transport, _SESSION_SLOT, None)
        return unwrapped_send(case, session=session, **kwargs)

    transport.send = send

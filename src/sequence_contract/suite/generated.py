"""The schemathesis side of the suite: the OpenAPI schemas, and how a generated case is sent.

The schemas are built from the version's document alone, so importing a test module sends
nothing. Everything that needs the running target (base URL, session, credentials, the ids of
customers to use) is passed on each call by `send`, from the session fixture's runtime.

Positive cases come from the strict view of the document (`suite.positive`): values any
careful implementation of the docs must accept. Negative cases come from the committed,
tolerant document, so they still explore extra properties and odd strings.
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
from schemathesis import GenerationMode
from schemathesis.config import ExtraDataSourcesConfig
from schemathesis.specs.openapi.checks import ignored_auth, use_after_free
from schemathesis.transport.requests import REQUESTS_TRANSPORT

from sequence_contract.documents import documents
from sequence_contract.schemas import load_openapi, openapi_path, openapi_resolver
from sequence_contract.suite import checks, stored  # noqa: F401 - registers the suite's rules
from sequence_contract.suite.acceptance import positive_acceptance_check
from sequence_contract.suite.allotment import spread
from sequence_contract.suite.config import PROFILES, collection_profile, collection_version
from sequence_contract.suite.methods import checks_to_skip, is_method_probe, method_semantics_check
from sequence_contract.suite.positive import drop_undocumented, strict_document
from sequence_contract.suite.runtime import SuiteRuntime
from sequence_contract.target import SAFE_METHODS

# Values a schema cannot call valid: opaque cursors the API issues, sort columns the docs leave
# open, references to other customers. A generated string there is not "valid data", so
# positive cases leave them out (example-based tests cover them with real values).
SEMANTIC_QUERY = ("after", "before", "sortBy")
SEMANTIC_BODY = ("parentId",)
_SESSION_SLOT = "_sequence_contract_session"
SHARED_ID = "the-run-s-shared-customer"  # replaced on each call (see prepare_case)
# Names the generation mode of every generated request, so traffic can be told apart later.
GENERATION_HEADER = "X-Sequence-Contract-Generation"
# Replaced by the suite's own checks (`suite_checks`): RFC 9110 method semantics and positive
# acceptance with a named grey zone. Both built-ins assume one tool's defaults.
REPLACED_CHECKS = ["positive_data_acceptance", "unsupported_method"]
# Read-only means read-only: what a run that may not write never sends (see `send`).
READ_ONLY_EXCLUDED = ("method probes (undeclared methods)", "cases with an unsafe method")
# ignored_auth repeats every case without and with wrong credentials (two requests more per
# case, most of a run's traffic): test_auth.py asks once per operation and kind instead.
ALWAYS_EXCLUDED = (ignored_auth,)


def contract_schema(mode: GenerationMode, *, shared_id: bool = False) -> Any:
    """The run's OpenAPI document as a schemathesis schema generating `mode` cases.

    With `shared_id`, every `{id}` is one fixed value that `send` replaces by a customer of
    the run: random ids only ever reach 404, and the id is not known before the run starts.
    """
    version = collection_version()
    if mode is GenerationMode.POSITIVE:
        schema = schemathesis.openapi.from_dict(copy.deepcopy(strict_view(version)))
    else:
        schema = schemathesis.openapi.from_path(str(openapi_path(version)))
    schema.config.update(parameters={"path.id": SHARED_ID} if shared_id else None)
    schema.config.generation.update(
        modes=[mode],
        # How many cases each test gets comes from the run's budget (`size_generated_test`).
        deterministic=PROFILES[collection_profile()].deterministic,
        # Negative cases keep valid auth so header and body validation is really reached;
        # auth is covered by the example-based auth tests (test_auth.py).
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


def call_kwargs(runtime: SuiteRuntime) -> dict[str, Any]:
    """Where and how a case is sent: the run's target, session, credentials and timeout."""
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


def send(case: Any, runtime: SuiteRuntime, path_id: str | None) -> None:
    """Prepare the case, send it, and apply every check (the suite's rules included). The
    test `admit`s the case first, before it spends anything on it."""
    prepare_case(case, runtime, path_id)
    case.call_and_validate(
        **call_kwargs(runtime),
        additional_checks=suite_checks(runtime, path_id),
        excluded_checks=excluded_for(case, runtime),
    )


def admit(case: Any, runtime: SuiteRuntime, *, stateful: bool = False) -> None:
    """Discard or stop a case before it costs anything.

    On a read-only run a case with an unsafe method (the coverage phase tries DELETE, PUT, ...
    on every path, with the real customer's id) is never sent: hypothesis discards it. A case
    that may create a customer (any create, even a negative one the server may accept, or a
    positive archive, which gets a fresh one) claims it first: when the allowance, less the
    customers earmarked for the example-based tests, the stateful run's and the other creating
    operations' fair shares, is used up, its test ends as skipped, saying so. So does a test
    once the request budget is spent."""
    if not sendable(case, runtime.settings.destructive):
        hypothesis.reject()
    stop_if_budget_spent(runtime)
    operation = f"{case.method.upper()} {case.path}"
    # Generated cases leave the stateful run a customer per run of its machine.
    kept = 0 if stateful else runtime.settings.run_profile.stateful_examples
    if stateful:
        claimed = not is_create(case) or runtime.claim_customer("stateful", (), kept)
    elif creates_customer(case):
        # Generated tests run at once: each creating operation keeps a fair share of the
        # allowance until it has used it, so that one (archive takes a fresh customer per
        # case) cannot use up what positive creates need.
        creating = creating_operations(runtime.api_version)
        claimed = runtime.claim_customer(operation, creating, kept)
    else:
        claimed = not is_create(case) or runtime.claim_customer(f"{operation} (negative)", (), kept)
    if not claimed:
        # Not a rejection: hypothesis would call a test whose every case it rejected
        # unsatisfiable, and a stateful run whose steps it once took and now rejects flaky.
        # The cases sent so far stand; the rest of the test is not run.
        pytest.skip(
            f"sequence-contract: customer allowance of {runtime.budget.max_customers} spent "
            "(the profile's); the cases of this test may each create a customer"
        )


@cache
def creating_operations(version: str) -> tuple[str, ...]:
    """The version's operations whose positive cases each create a customer."""
    return tuple(
        f"{method} {path}"
        for method, path, _ in documents(version).operations()
        if (method, path) == ("POST", "/customers") or _consumes(method, path)
    )


def prepare_case(case: Any, runtime: SuiteRuntime, path_id: str | None = None) -> None:
    """What every generated case gets before it is sent: the run's customer for `{id}`, no
    invented semantic values, a method probe that asks about the method alone, no empty query
    value, the version under test, the generation header, and on a positive create the run's
    label (so cleanup and people can find it)."""
    # Coverage cases of two operations can share one body (the documented example): changing
    # it in place would change what another test, perhaps running at once, sent.
    case.body = copy.deepcopy(case.body)
    case.query = copy.deepcopy(case.query)
    path = case.path_parameters or {}
    if path_id and path.get("id") == SHARED_ID:
        case.path_parameters = {**path, "id": path_id}
    if case.query:
        # An empty query value reads as "not given" on many servers (the docs say nothing;
        # HTML forms send them for every blank filter): it proves nothing either way, so it is
        # left out, and schemathesis re-judges whether the case is still negative.
        case.query = {name: value for name, value in case.query.items() if not sends_nothing(value)}
    if is_method_probe(case):
        # A method probe asks about the method alone; the rest is sent as a valid request
        # would be (the negative template's garbage version or query would be refused first).
        case.query = {}
        case.headers = {
            name: value
            for name, value in (case.headers or {}).items()
            if name.lower() != "sequence-version"
        }
    # Every case names the version under test unless it sends a value of its own: without
    # the header the API answers in the key's pinned (or the latest) version, whose shapes the
    # run's schemas do not describe. Absence has its own example-based test.
    headers = case.headers or {}
    if not any(name.lower() == "sequence-version" for name in headers):
        headers = {**headers, "Sequence-Version": runtime.api_version}
    case.headers = {**headers, GENERATION_HEADER: generation_label(case)}
    if not is_positive(case):
        return
    for name in SEMANTIC_QUERY:
        (case.query or {}).pop(name, None)
    if isinstance(case.body, dict):
        for name in SEMANTIC_BODY:
            case.body.pop(name, None)
        if case.method.upper() == "POST" and case.path == "/customers":
            case.body["label"] = runtime.customer_label


def generation_label(case: Any) -> str:
    """What the generation header says: `positive`, `negative`, or `method-probe` (a method the
    path does not declare, whatever the rest of the request is)."""
    if is_method_probe(case):
        return "method-probe"
    return "positive" if is_positive(case) else "negative"


def sends_nothing(value: Any) -> bool:
    """On the wire, as requests encodes a query value (a dict sends its keys, None nothing), it
    is `name=` or no parameter at all."""
    try:
        url = requests.Request("GET", "http://query/", params={"name": value}).prepare().url
    except (TypeError, ValueError):
        return False
    sent = parse_qsl(urlsplit(url or "").query, keep_blank_values=True)
    return all(text == "" for _, text in sent)


def excluded_for(case: Any, runtime: SuiteRuntime) -> list[Any]:
    """Built-in checks that must not judge this case.

    Until 2024-07-30, DELETE /customers/{id} is documented as "Archive customer": the customer
    stays readable, with archivedAt set, which `use_after_free` would call a failure. A 501 to
    a non-standard method probe is the RFC's answer, not a server error (`checks_to_skip`).
    """
    excluded = [*ALWAYS_EXCLUDED]
    if runtime.api_version in ("2024-01-01", "2024-05-09"):
        excluded.append(use_after_free)
    return excluded + checks_to_skip(case)


def sendable(case: Any, destructive: bool) -> bool:
    """Read-only means read-only: only safe methods where the run may not write."""
    return destructive or case.method.upper() in SAFE_METHODS


def stop_if_budget_spent(runtime: SuiteRuntime) -> None:
    if runtime.budget.exhausted:
        pytest.skip(f"sequence-contract: {budget_spent_reason(runtime.budget.max_requests)}")


def budget_spent_reason(max_requests: int | None) -> str:
    return f"request budget of {max_requests} spent (--max-requests, or the profile's)"


def creates_customer(case: Any) -> bool:
    """A positive create, or a positive archive (which gets a fresh customer)."""
    return is_positive(case) and (consumes_customer(case) or is_create(case))


def is_create(case: Any) -> bool:
    return bool(case.method.upper() == "POST" and case.path == "/customers")


# -- sizing a generated test from the budget (at collection, no network) ------------------


def coverage_cases(test: Callable[..., Any]) -> list[Any]:
    """The coverage-phase cases schemathesis attached to a generated test (as hypothesis
    explicit examples), in attachment order."""
    return [example.kwargs.get("case") for example in _explicit_examples(test)]


def size_generated_test(
    test: Callable[..., Any], keep: Callable[[Any], bool], coverage: int, random_cases: int
) -> int:
    """Keep `coverage` of the coverage cases that `keep` accepts (evenly spread) and allow
    `random_cases` random ones; returns how many coverage cases remain."""
    examples = [e for e in _explicit_examples(test) if keep(e.kwargs.get("case"))]
    kept = spread(examples, coverage)
    test.hypothesis_explicit_examples = kept  # type: ignore[attr-defined]
    hypothesis.settings(max_examples=random_cases)(test)
    return len(kept)


def _explicit_examples(test: Callable[..., Any]) -> list[Any]:
    return list(getattr(test, "hypothesis_explicit_examples", ()))


def consumes_customer(case: Any) -> bool:
    """Operations after which the customer is no longer an ordinary one (archive, delete)."""
    return _consumes(case.method.upper(), case.path)


def _consumes(method: str, path: str) -> bool:
    return (path == "/customers/{id}/archive" and method in ("POST", "PUT")) or (
        path == "/customers/{id}" and method == "DELETE"
    )


def is_positive(case: Any) -> bool:
    return bool(case.meta is None or case.meta.generation.mode is GenerationMode.POSITIVE)


def route_probes_through(session: requests.Session) -> None:
    """From now on, a schemathesis request sent without a session uses `session`.

    Some checks send requests of their own (`ignored_auth` repeats a request without and with
    wrong credentials, content-type checks send a control request) and drop the `session=` the
    test passed: without this they would bypass the rate limit and the retries, go uncounted,
    and turn a passing 429 or 503 into a false "auth not enforced". Idempotent; a later call
    (a new run in the same process) replaces the session.
    """
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

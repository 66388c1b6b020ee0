"""The schemathesis side of the suite: the OpenAPI schema, and how a generated case is sent.

The schema is built from the version's document alone, so importing a test module sends
nothing. Everything that needs the running target (base URL, session, credentials, the ids of
customers to use) is passed on each call by `send`, from the session fixture's runtime.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import hypothesis
import pytest
import requests
import schemathesis
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import ignored_auth, unsupported_method, use_after_free
from schemathesis.transport.requests import REQUESTS_TRANSPORT

from sequence_contract.schemas import openapi_path
from sequence_contract.suite import checks  # noqa: F401 - registers the suite's rules
from sequence_contract.suite.allotment import spread
from sequence_contract.suite.config import PROFILES, collection_profile, collection_version
from sequence_contract.suite.runtime import SuiteRuntime

# Values a schema cannot call valid: opaque cursors the API issues, sort columns the docs leave
# open, references to other customers. A generated string there is not "valid data", so
# positive cases leave them out (example-based tests cover them with real values).
SEMANTIC_QUERY = ("after", "before", "sortBy")
SEMANTIC_BODY = ("parentId",)
_SESSION_SLOT = "_sequence_contract_session"
SHARED_ID = "the-run-s-shared-customer"  # replaced on each call (see prepare_case)
# Read-only means read-only: only these methods are sent where the run may not write, and the
# checks that judge answers to the other methods are left out.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_ONLY_EXCLUDED = (unsupported_method,)
# ignored_auth repeats every case without and with wrong credentials (two requests more per
# case, most of a run's traffic): test_auth.py asks once per operation and kind instead.
ALWAYS_EXCLUDED = (ignored_auth,)


def contract_schema(*, shared_id: bool = False) -> Any:
    """The run's OpenAPI document as a schemathesis schema, positive and negative modes.

    With `shared_id`, every `{id}` is one fixed value that `send` replaces by a customer of
    the run: random ids only ever reach 404, and the id is not known before the run starts.
    """
    schema = schemathesis.openapi.from_path(str(openapi_path(collection_version())))
    schema.config.update(parameters={"path.id": SHARED_ID} if shared_id else None)
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        deterministic=PROFILES[collection_profile()].deterministic,
        # Negative cases keep valid auth so header and body validation is really reached;
        # auth is covered by the example-based auth tests (test_auth.py).
        with_security_parameters=False,
    )
    return schema


def call_kwargs(runtime: SuiteRuntime) -> dict[str, Any]:
    """Where and how a case is sent: the run's target, session, credentials and timeout."""
    return {
        "base_url": runtime.base_url,
        "session": runtime.session,
        "headers": {"Authorization": runtime.authorization()},
        "timeout": runtime.settings.request_timeout,
    }


def send(case: Any, runtime: SuiteRuntime, path_id: str | None) -> None:
    """Prepare the case, send it, and apply every check (the suite's rules included)."""
    admit(case, runtime)
    prepare_case(case, runtime, path_id)
    case.call_and_validate(**call_kwargs(runtime), excluded_checks=excluded_checks(runtime))


def admit(case: Any, runtime: SuiteRuntime, *, stateful: bool = False) -> None:
    """Discard or stop a case before it costs anything.

    On a read-only run a case with an unsafe method (the coverage phase tries DELETE, PUT, ...
    on every path, with the real customer's id) is never sent: hypothesis discards it. So is a
    case that would create a customer (a positive create, or a positive archive, which gets a
    fresh one) once the run's customer allowance is used up, less the customers earmarked for
    the example-based tests; the stateful run comes last and keeps one customer per example
    for itself (its archives use the customers it created).
    When the request budget is spent, the test ends as skipped, saying so."""
    if not sendable(case, runtime.settings.destructive):
        hypothesis.reject()
    stop_if_budget_spent(runtime)
    if stateful:
        creates, kept = is_positive(case) and is_create(case), 0
    else:
        creates, kept = creates_customer(case), runtime.settings.run_profile.stateful_examples
    if creates and not runtime.budget.can_create(1 + kept):
        hypothesis.reject()


def prepare_case(case: Any, runtime: SuiteRuntime, path_id: str | None = None) -> None:
    """What every generated case gets before it is sent: the run's customer for `{id}`, no
    invented semantic values, the version under test, and a positive create carries the run's
    label (so cleanup and people can find it)."""
    path = case.path_parameters or {}
    if path_id and path.get("id") == SHARED_ID:
        case.path_parameters = {**path, "id": path_id}
    if case.query and "" in case.query.values():
        # An empty query value reads as "not given" (the docs say nothing; HTML forms send
        # them for every blank filter): it proves nothing either way, so it is left out, and
        # schemathesis re-judges whether the case is still negative.
        case.query = {name: value for name, value in case.query.items() if value != ""}
    if not is_positive(case):
        return
    for name in SEMANTIC_QUERY:
        (case.query or {}).pop(name, None)
    if isinstance(case.body, dict):
        for name in SEMANTIC_BODY:
            case.body.pop(name, None)
    # Without the header the API answers in the key's pinned (or the latest) version, which
    # may not be the one whose schemas the run checks. Absence has its own example test.
    headers = case.headers or {}
    if not any(name.lower() == "sequence-version" for name in headers):
        case.headers = {**headers, "Sequence-Version": runtime.api_version}
    if case.method.upper() == "POST" and case.path == "/customers" and isinstance(case.body, dict):
        case.body["label"] = runtime.customer_label


def excluded_checks(runtime: SuiteRuntime) -> list[Any]:
    """Built-in checks the run leaves out (`READ_ONLY_EXCLUDED` on a read-only run).

    Until 2024-07-30, DELETE /customers/{id} is documented as "Archive customer": the customer
    stays readable, with archivedAt set, which `use_after_free` would call a failure.
    """
    excluded = [*ALWAYS_EXCLUDED]
    if runtime.api_version in ("2024-01-01", "2024-05-09"):
        excluded.append(use_after_free)
    return excluded if runtime.settings.destructive else [*excluded, *READ_ONLY_EXCLUDED]


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
    method = case.method.upper()
    return bool(
        (case.path == "/customers/{id}/archive" and method in ("POST", "PUT"))
        or (case.path == "/customers/{id}" and method == "DELETE")
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

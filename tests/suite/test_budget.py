"""The request budget: counting and refusing, the session's hook, and how a run shares it out."""

from __future__ import annotations

import threading

import pytest
import requests
from hypothesis.errors import FlakyStrategyDefinition

from sequence_contract.errors import error_behind
from sequence_contract.http import ContractSession, TrafficLog
from sequence_contract.http.budget import BudgetSpent, RequestBudget
from sequence_contract.redaction import Redactor
from sequence_contract.schemas import LATEST_VERSION
from sequence_contract.suite.allotment import plan, spread
from sequence_contract.suite.config import PROFILES, Expectations, SuiteSettings
from sequence_contract.suite.runtime import SuiteRuntime
from sequence_contract.target import Credentials, Target, TargetKind
from tests.suite.servers import closed_port


def test_the_budget_refuses_beyond_its_ceiling_and_counts_every_try() -> None:
    budget = RequestBudget(max_requests=3, reserve=1)
    budget.charge()
    budget.charge()
    assert budget.exhausted  # one left, and that one is the cleanup's reserve
    budget.charge()
    with pytest.raises(BudgetSpent, match="request budget of 3 spent"):
        budget.charge()
    budget.charge(refuse=False)  # a retry of a request under way is counted, not refused
    assert budget.requests == 4


def test_room_is_kept_to_archive_every_open_customer() -> None:
    budget = RequestBudget(max_requests=10, reserve=1)
    budget.customer_created()
    budget.customer_created()
    assert budget.requests_left == 10 - 1 - 2
    budget.customer_archived()  # archived by a test: no cleanup needed for it
    assert budget.requests_left == 10 - 1 - 1
    for _ in range(8):
        budget.charge()
    assert budget.exhausted


def test_cleanup_is_exempt_but_counted() -> None:
    budget = RequestBudget(max_requests=1)
    budget.charge()
    with budget.exempt():
        budget.charge()
    assert budget.requests == 2
    with pytest.raises(BudgetSpent):
        budget.charge()


def test_customer_allowance() -> None:
    budget = RequestBudget(max_customers=2)
    assert budget.can_create(2)
    budget.customer_created()
    assert budget.can_create()
    assert not budget.can_create(2)
    assert budget.describe() == "requests 0/unlimited, customers 1/2"


def test_no_limit_is_never_spent() -> None:
    budget = RequestBudget()
    for _ in range(1000):
        budget.charge()
    assert not budget.exhausted
    assert budget.requests_left is None


def test_the_session_asks_the_budget_before_it_sends() -> None:
    traffic = TrafficLog()
    budget = RequestBudget(max_requests=0)
    with (
        ContractSession(traffic=traffic, budget=budget) as session,
        pytest.raises(BudgetSpent),
    ):
        # A closed port: had the session tried to send, this would be TargetUnreachable.
        session.get(f"http://127.0.0.1:{closed_port()}/api/customers")
    assert traffic.total_requests == 0


def test_the_plan_spends_examples_first_then_spreads_the_rest_over_operations() -> None:
    shares = plan(
        max_requests=400,
        reserve=30,
        example_tests=50,
        stateful_requests=12,
        coverage_available={"GET /a": 100, "POST /a": 500, "GET /b": 10},
    )
    assert shares.example_requests == 100
    assert shares.stateful_requests == 12
    assert shares.generated_requests == 400 - 30 - 100 - 12
    cases = {name: s.coverage_cases + s.random_cases for name, s in shares.operations.items()}
    assert len(set(cases.values())) == 1, cases  # an even share each
    per_operation = next(iter(cases.values()))
    assert per_operation * 3 * 1.25 <= shares.generated_requests
    assert shares.operations["GET /b"].coverage_cases == 10  # all it has
    for share in shares.operations.values():
        assert share.random_cases >= per_operation // 4  # random cases keep a quarter


def test_a_budget_smaller_than_the_examples_leaves_one_random_case() -> None:
    shares = plan(
        max_requests=50, reserve=10, example_tests=60, stateful_requests=10,
        coverage_available={"GET /a": 10},
    )  # fmt: skip
    assert shares.generated_requests == 0
    assert shares.stateful_requests == 0
    assert shares.operations["GET /a"].coverage_cases == 0
    assert shares.operations["GET /a"].random_cases == 1


@pytest.mark.parametrize(("count", "expected"), [(0, []), (3, [0, 3, 6]), (20, list(range(10)))])
def test_spread_keeps_order_and_spacing(count: int, expected: list[int]) -> None:
    assert spread(list(range(10)), count) == expected


def test_profiles_are_budgets() -> None:
    assert PROFILES["ci"].max_requests == 400
    assert PROFILES["ci"].max_customers == 30
    # nightly fits in 10 minutes of the documented 1,500 requests a minute
    assert PROFILES["nightly"].max_requests <= 10 * 1500
    assert PROFILES["dev"].max_requests < PROFILES["ci"].max_requests


def _runtime(max_customers: int) -> SuiteRuntime:
    settings = SuiteSettings(
        base_url=None,
        api_version=LATEST_VERSION,
        credentials=None,
        profile="ci",
        expectations=Expectations.from_pairs([]),
    )
    target = Target("http://127.0.0.1:9/api", Credentials("id", "secret"), TargetKind.EMBEDDED)
    budget = RequestBudget(max_customers=max_customers)
    traffic = TrafficLog()
    session = ContractSession(traffic=traffic, budget=budget)
    return SuiteRuntime(settings, target, session, "run", Redactor(), traffic, budget)


def _create_answered(runtime: SuiteRuntime, status: int) -> None:
    """What the session's response hook sees for a POST /customers sent from this thread."""
    response = requests.Response()
    response.status_code = status
    response._content = b'{"id": "c-%d"}' % id(response)
    response.request = requests.Request("POST", runtime.base_url + "/customers").prepare()
    runtime.remember(response)


def test_a_claim_on_its_way_counts_against_the_allowance_of_other_threads() -> None:
    runtime = _runtime(max_customers=2)
    claimed_elsewhere = threading.Event()

    def other_thread() -> None:
        assert runtime.claim_customer("POST /customers", (), 0)
        claimed_elsewhere.set()  # its create is on the way: not answered yet

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert claimed_elsewhere.is_set()
    assert runtime.claim_customer("POST /customers", (), 0)  # 1 created-to-be + this one
    _create_answered(runtime, 201)  # this thread's create: its claim is settled
    assert runtime.budget.customers == 1
    assert not runtime.claim_customer("POST /customers", (), 0)  # the other's is still pending


def test_a_refused_create_settles_its_claim() -> None:
    runtime = _runtime(max_customers=1)
    assert runtime.claim_customer("POST /customers", (), 0)
    _create_answered(runtime, 400)
    assert runtime.budget.customers == 0
    assert runtime.claim_customer("POST /customers", (), 0)


def test_a_test_that_stopped_itself_is_found_behind_hypothesis_flaky_error() -> None:
    """The stateful run stops when the allowance is spent; hypothesis then calls the data
    flaky. The plugin reports the skip behind it, not a failure."""
    try:
        try:
            pytest.skip("customer allowance of 30 spent")
        except pytest.skip.Exception as stopped:
            raise FlakyStrategyDefinition("Inconsistent data generation!") from stopped
    except FlakyStrategyDefinition as flaky:
        error: BaseException = flaky
    found = error_behind(error, pytest.skip.Exception)
    assert found is not None
    assert str(found) == "customer allowance of 30 spent"
    assert error_behind(FlakyStrategyDefinition("on its own"), pytest.skip.Exception) is None
    group = ExceptionGroup("failures", [ValueError("x"), BudgetSpent("request budget spent")])
    assert isinstance(error_behind(group, BudgetSpent), BudgetSpent)

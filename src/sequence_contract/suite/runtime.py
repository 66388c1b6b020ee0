"""The live state of one contract run: the target, the HTTP session, what the run created.
Owned by the plugin's session fixture `runtime`; nothing here runs at import."""

from __future__ import annotations

import base64
import contextlib
import itertools
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from secrets import token_hex
from types import EllipsisType
from typing import Any

import requests

from sequence_contract.http import ContractSession, RateLimiter, RetryPolicy, TrafficLog
from sequence_contract.http.budget import RequestBudget
from sequence_contract.redaction import Redactor
from sequence_contract.suite import checks
from sequence_contract.suite.config import SuiteSettings
from sequence_contract.suite.reporting.rerun import RunSeed
from sequence_contract.target import (
    Credentials,
    Target,
    archive_method,
    customer_body,
    embedded_sandbox,
    preflight,
    remote_target,
)

MAX_PAGES = 20
EVENTUAL_SECONDS = 10.0
# Customers each creating generated operation may count on while the allowance lasts.
FAIR_SHARE = 3


class SetupFailed(AssertionError):
    """A request the test needed as a precondition (e.g. creating a customer) did not work."""


@dataclass
class SuiteRuntime:
    settings: SuiteSettings
    target: Target
    session: ContractSession
    run_id: str
    redactor: Redactor
    traffic: TrafficLog
    budget: RequestBudget = field(default_factory=RequestBudget)
    created: list[str] = field(default_factory=list)
    archived: set[str] = field(default_factory=set)
    cleanup_failures: list[str] = field(default_factory=list)
    # Customers each generated operation claimed (see `claim_customer`).
    generated_creates: Counter[str] = field(default_factory=Counter)
    # Per thread, a customer claimed whose create is on its way: it counts meanwhile.
    _claimed: dict[int, str] = field(default_factory=dict, repr=False)
    _serials: Iterator[int] = field(default_factory=lambda: itertools.count(1), repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def base_url(self) -> str:
        return self.target.base_url

    def __repr__(self) -> str:
        # Short, and no shared mutable state: hypothesis prints a failing case's arguments
        # (this one included) while other threads still send.
        return f"<SuiteRuntime {self.target.base_url} run {self.run_id}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    @property
    def credentials(self) -> Credentials:
        return self.target.credentials

    @property
    def api_version(self) -> str:
        return self.settings.api_version

    def authorization(self) -> str:
        pair = f"{self.credentials.client_id}:{self.credentials.client_secret}"
        return "Basic " + base64.b64encode(pair.encode()).decode()

    def request(
        self,
        method: str,
        path: str,
        *,
        auth: str | EllipsisType | None = ...,
        version: str | EllipsisType | None = ...,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one request; `auth`/`version` `...` send the run's own, None leaves them out."""
        sent: dict[str, str] = {"Accept": "application/json"}
        if auth is not None:
            sent["Authorization"] = self.authorization() if auth is ... else str(auth)
        if version is not None:
            sent["Sequence-Version"] = self.api_version if version is ... else str(version)
        sent.update(headers or {})
        return self.session.request(method, self.base_url + path, headers=sent, **kwargs)

    def claim_customer(self, operation: str, creating: Iterable[str], kept: int) -> bool:
        """May a case of `operation` create a customer? Yes while the allowance has room beyond
        `kept`, the claims on their way and the other `creating` operations' unused fair shares."""
        with self._lock:
            others = sum(
                FAIR_SHARE - min(FAIR_SHARE, self.generated_creates[other])
                for other in creating
                if other != operation
            )
            pending = sum(1 for thread in self._claimed if thread != threading.get_ident())
            if not self.budget.can_create(1 + kept + others + pending):
                return False
            self.generated_creates[operation] += 1
            self._claimed[threading.get_ident()] = operation
            return True

    def create_customer(self) -> dict[str, Any]:
        """Create a customer of this run and return its body; a failure is a setup failure."""
        body = customer_body(self.api_version, self.run_id, next(self._serials))
        response = self.request("POST", "/customers", json=body)
        if response.status_code != 201:
            raise SetupFailed(
                f"setup: POST /customers answered {response.status_code}, expected 201: "
                f"{self.redactor.text(response.text[:500])}"
            )
        created: dict[str, Any] = response.json()
        return created

    def existing_customer_id(self) -> str | None:
        """Some customer's id, for read-only runs that may not create one."""
        response = self.request("GET", "/customers", params={"limit": 1})
        try:
            items = response.json().get("items") or []
        except (ValueError, AttributeError):
            return None
        first = items[0].get("id") if items and isinstance(items[0], dict) else None
        return first if isinstance(first, str) else None

    def archive(self, customer_id: str, **kwargs: Any) -> requests.Response:
        method = archive_method(self.api_version)
        return self.request(method, f"/customers/{customer_id}/archive", **kwargs)

    def list_customer_ids(self, **params: Any) -> set[str]:
        """Ids of every customer the list returns for `params`, following `after` cursors."""
        ids: set[str] = set()
        query: dict[str, Any] = {"limit": 100, **params}
        for _ in range(MAX_PAGES):
            response = self.request("GET", "/customers", params=query)
            checks.status_in(self, response, {200}, "listing customers")
            page = checks.conforms(self, response, "list-customers-response")
            ids |= {item["id"] for item in page["items"]}
            after = page.get("pagination", {}).get("after")
            if not after or not page["items"]:
                return ids
            query = {**query, "after": after}
        return ids

    def get_customer(self, customer_id: str) -> dict[str, Any]:
        response = self.request("GET", f"/customers/{customer_id}")
        checks.status_in(self, response, {200}, "reading a customer this run created")
        body: dict[str, Any] = checks.conforms(self, response, "customer")
        return body

    def read_until(
        self, customer_id: str, written: Callable[[dict[str, Any]], bool]
    ) -> dict[str, Any]:
        """GET the customer; with read-after-write=eventual, poll until it shows what was
        `written` (10 s)."""
        body = self.get_customer(customer_id)
        if self.settings.expectations["read-after-write"] == "eventual":
            deadline = time.monotonic() + EVENTUAL_SECONDS
            while not written(body) and time.monotonic() < deadline:
                with self.session.network_wait():  # waiting on the server: others may run
                    time.sleep(0.5)
                body = self.get_customer(customer_id)
        return body

    def archive_leftovers(self) -> None:
        """Archive every customer this run created and did not archive: and no other.
        A few at once (--in-flight): against a far server the cleanup is all waiting."""

        def archive(customer_id: str) -> str | None:
            try:
                status = self.archive(customer_id).status_code
            except Exception as exc:  # the run is over: report, do not raise
                return f"{customer_id}: {self.redactor.text(str(exc))}"
            return f"{customer_id}: archive answered {status}" if status >= 300 else None

        leftovers = [customer for customer in self.created if customer not in self.archived]
        with ThreadPoolExecutor(max(1, self.settings.in_flight), "cleanup") as pool:
            self.cleanup_failures += [
                problem for problem in pool.map(archive, leftovers) if problem
            ]

    def remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """Every 201 from POST /customers (ours or schemathesis') is a customer of this run;
        every 2xx archive or delete of one of them means it needs no cleanup."""
        request = response.request
        path = (request.url or "").removeprefix(self.base_url).split("?")[0]
        if request.method == "POST" and path == "/customers":
            with self._lock:  # answered: the claim is settled (the hook runs in its thread)
                self._claimed.pop(threading.get_ident(), None)
            try:
                customer_id = response.json().get("id") if response.status_code == 201 else None
            except ValueError:
                return
            if isinstance(customer_id, str):
                with self._lock:
                    self.created.append(customer_id)
                self.budget.customer_created()
            return
        one_customer = path.startswith("/customers/") and len(path.split("/")) >= 3
        ends = path.endswith("/archive") or request.method == "DELETE"
        if one_customer and ends and 200 <= response.status_code < 300:
            customer_id = path.split("/")[2]
            with self._lock:
                first = customer_id in self.created and customer_id not in self.archived
                self.archived.add(customer_id)
            if first:
                self.budget.customer_archived()


@dataclass
class Run:
    """What a contract run knows before it sends anything: set up in `pytest_configure` and
    kept in `config.stash`; `runtime` is set while the session fixture holds one."""

    settings: SuiteSettings
    seed: RunSeed
    run_id: str = field(default_factory=lambda: time.strftime("%Y%m%d%H%M%S") + token_hex(3))
    redactor: Redactor = field(default_factory=Redactor)
    traffic: TrafficLog = field(default_factory=TrafficLog)
    started: float = field(default_factory=time.time)
    runtime: SuiteRuntime | None = None
    budget: RequestBudget = field(init=False)
    # The request (1 = the run's first) whose answer showed the run's first contract failure.
    first_failure_at: int | None = None

    def __post_init__(self) -> None:
        # Room for the requests in flight: one per generated test running, one for the main thread.
        self.budget = RequestBudget(
            max_requests=self.settings.request_budget,
            max_customers=self.settings.customer_budget,
            reserve=self.settings.in_flight + 1,
        )

    @property
    def base_url(self) -> str:
        return self.runtime.base_url if self.runtime else (self.settings.base_url or "")

    def authorization(self) -> str | None:
        return self.runtime.authorization() if self.runtime else None


@contextlib.contextmanager
def running(run: Run) -> Iterator[SuiteRuntime]:
    """Start the target (or check the remote one), yield the runtime, and archive what the run
    created when the block ends. Raises EnvironmentProblem or SandboxStartError."""
    settings, traffic = run.settings, run.traffic
    where: contextlib.AbstractContextManager[Target]
    if settings.embedded:
        where = embedded_sandbox(settings.credentials, settings.sandbox_faults)
    else:
        where = contextlib.nullcontext(remote_target(settings.base_url or "", settings.credentials))
    with where as target:
        run.redactor.add_credentials(target.credentials.client_id, target.credentials.client_secret)
        session = ContractSession(
            timeout_seconds=settings.request_timeout,
            rate_limiter=RateLimiter(settings.effective_rate_limit),
            retry_policy=RetryPolicy(
                max_wait_seconds=settings.max_retry_wait,
                run_wait_seconds=settings.max_run_wait,
            ),
            traffic=traffic,
            budget=run.budget,
        )
        runtime = SuiteRuntime(
            settings, target, session, run.run_id, run.redactor, traffic, session.budget
        )
        session.hooks["response"].append(runtime.remember)
        with session:
            with traffic.collect():  # the run's traffic, no test's
                preflight(session, target, (settings.api_version,))
            try:
                yield runtime
            finally:
                if settings.destructive:
                    # Cleanup is no test's traffic, and the budget's reserve is for it.
                    with traffic.collect(), session.budget.exempt():
                        runtime.archive_leftovers()

"""Concurrent clients against a sandbox, for a bounded time and request count; then a check
that nothing was lost.

Each client repeats one customer's life: create, read, update, list, archive. Every request
is timed. Afterwards every customer a client saw created must be listed and readable, carry
its last update, and carry exactly the `archivedAt` its archive answered (or none).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests

from sequence_contract.sandbox.messages import basic_header


@dataclass(frozen=True)
class LoadSettings:
    base_url: str  # ends in /api
    client_id: str
    client_secret: str = field(repr=False)
    clients: int = 8
    seconds: float = 20.0
    max_requests: int = 200_000
    request_timeout: float = 10.0


@dataclass(frozen=True)
class Sample:
    operation: str
    status: int | None  # None: no answer (connection error or timeout)
    seconds: float


@dataclass
class SeenCustomer:
    """What the clients were told about one customer they created."""

    legal_name: str
    archived_at: str | None = None


@dataclass
class LoadResult:
    clients: int
    elapsed_seconds: float
    samples: list[Sample]
    label: str
    customers: dict[str, SeenCustomer]
    problems: list[str] = field(default_factory=list)  # from the consistency check

    @property
    def requests(self) -> int:
        return len(self.samples)

    @property
    def throughput(self) -> float:
        return self.requests / self.elapsed_seconds if self.elapsed_seconds else 0.0

    @property
    def server_errors(self) -> int:
        return sum(1 for s in self.samples if s.status is not None and s.status >= 500)

    @property
    def no_answer(self) -> int:
        return sum(1 for s in self.samples if s.status is None)

    @property
    def statuses(self) -> Counter[int | None]:
        return Counter(s.status for s in self.samples)

    def latency_ms(self, percentile: float, operation: str | None = None) -> float:
        times = sorted(
            s.seconds for s in self.samples if operation is None or s.operation == operation
        )
        return 1000 * nearest_rank(times, percentile) if times else 0.0

    @property
    def archived(self) -> int:
        return sum(1 for c in self.customers.values() if c.archived_at is not None)


def nearest_rank(sorted_values: list[float], percentile: float) -> float:
    """The nearest-rank percentile (p50, p90, p99) of values sorted ascending."""
    rank = max(1, -(-len(sorted_values) * percentile // 100))  # ceil without floats drifting
    return sorted_values[int(rank) - 1]


class _Budget:
    """Shared by all clients: stop at the deadline or after `max_requests`, whichever first."""

    def __init__(self, seconds: float, max_requests: int) -> None:
        self.deadline = time.monotonic() + seconds
        self._left = max_requests
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._left <= 0 or time.monotonic() >= self.deadline:
                return False
            self._left -= 1
            return True


class _Client:
    def __init__(self, settings: LoadSettings, label: str, budget: _Budget) -> None:
        self.settings = settings
        self.label = label
        self.budget = budget
        self.samples: list[Sample] = []
        self.customers: dict[str, SeenCustomer] = {}
        self.session = requests.Session()
        self.session.headers["Authorization"] = basic_header(
            settings.client_id, settings.client_secret
        )

    def call(self, operation: str, method: str, path: str, **kwargs: Any) -> Any:
        """The JSON answer of a 2xx, or None (also when the budget is spent: nothing sent)."""
        if not self.budget.take():
            raise _BudgetSpent
        started = time.perf_counter()
        try:
            response = self.session.request(
                method, self.settings.base_url + path,
                timeout=self.settings.request_timeout, **kwargs,
            )  # fmt: skip
            status: int | None = response.status_code
            body = response.json() if 200 <= response.status_code < 300 else None
        except (requests.RequestException, ValueError):
            status, body = None, None
        self.samples.append(Sample(operation, status, time.perf_counter() - started))
        return body

    def run(self) -> None:
        try:
            while True:
                self.journey()
        except _BudgetSpent:
            return
        finally:
            self.session.close()

    def journey(self) -> None:
        name = f"Load {uuid.uuid4().hex[:12]}"
        created = self.call("create", "POST", "/customers", json=_body(name, self.label))
        if not isinstance(created, dict) or "id" not in created:
            return
        customer_id = created["id"]
        self.customers[customer_id] = SeenCustomer(name)
        self.call("get", "GET", f"/customers/{customer_id}")
        renamed = name + " (updated)"
        if self.call("update", "PUT", f"/customers/{customer_id}", json=_body(renamed, self.label)):
            self.customers[customer_id].legal_name = renamed
        self.call("list", "GET", "/customers", params={"label": self.label, "limit": 20})
        archived = self.call("archive", "POST", f"/customers/{customer_id}/archive")
        if isinstance(archived, dict):
            self.customers[customer_id].archived_at = archived.get("archivedAt")


class _BudgetSpent(Exception):
    pass


def _body(legal_name: str, label: str) -> dict[str, Any]:
    return {
        "legalName": legal_name,
        "label": label,
        "address": {"line1": "1 Load Street", "town": "London", "postcode": "E1 6AN",
                    "country": "GB"},
        "taxStatus": "TAXED",
        "contacts": [{"name": "Load Tester", "email": "load@example.com",
                      "billingPreference": "PRIMARY"}],
    }  # fmt: skip


def run_load(settings: LoadSettings) -> LoadResult:
    """Drive the sandbox, then check it; returns the figures and any consistency problem."""
    label = f"load-{uuid.uuid4().hex[:10]}"
    budget = _Budget(settings.seconds, settings.max_requests)
    clients = [_Client(settings, label, budget) for _ in range(settings.clients)]
    threads = [threading.Thread(target=client.run, daemon=True) for client in clients]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        # Each client stops at the deadline; a request in flight ends within its timeout.
        thread.join(settings.seconds + settings.request_timeout + 5)
    elapsed = time.monotonic() - started
    samples = [sample for client in clients for sample in client.samples]
    customers = {cid: c for client in clients for cid, c in client.customers.items()}
    result = LoadResult(settings.clients, elapsed, samples, label, customers)
    result.problems = check_consistency(settings, label, customers)
    return result


def check_consistency(
    settings: LoadSettings, label: str, customers: dict[str, SeenCustomer]
) -> list[str]:
    """Where the store disagrees with what the clients were told, one line each."""
    session = requests.Session()
    session.headers["Authorization"] = basic_header(settings.client_id, settings.client_secret)
    problems: list[str] = []
    try:
        listed = _list_all(session, settings.base_url, label)
        missing, extra = set(customers) - set(listed), set(listed) - set(customers)
        problems += [f"{cid}: created (201) but not listed" for cid in sorted(missing)]
        problems += [f"{cid}: listed but no client saw it created" for cid in sorted(extra)]
        for customer_id, expected in customers.items():
            response = session.get(f"{settings.base_url}/customers/{customer_id}", timeout=30)
            if response.status_code != 200:
                problems.append(f"{customer_id}: GET answered {response.status_code}")
                continue
            stored = response.json()
            if stored.get("legalName") != expected.legal_name:
                problems.append(f"{customer_id}: legalName {stored.get('legalName')!r}, "
                                f"last update said {expected.legal_name!r}")  # fmt: skip
            if stored.get("archivedAt") != expected.archived_at:
                problems.append(f"{customer_id}: archivedAt {stored.get('archivedAt')!r}, "
                                f"the archive answered {expected.archived_at!r}")  # fmt: skip
    except requests.RequestException as exc:
        problems.append(f"consistency check could not read the sandbox: {exc}")
    finally:
        session.close()
    return problems


def _list_all(session: requests.Session, base_url: str, label: str) -> set[str]:
    ids: set[str] = set()
    params: dict[str, Any] = {"label": label, "includeArchived": "true", "limit": 100}
    for _ in range(10_000):
        page = session.get(f"{base_url}/customers", params=params, timeout=30).json()
        ids |= {item["id"] for item in page["items"]}
        after = page.get("pagination", {}).get("after")
        if not after or not page["items"]:
            break
        params = {**params, "after": after}
    return ids

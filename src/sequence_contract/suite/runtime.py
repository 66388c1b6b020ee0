"""The live state of one contract run: the target, the HTTP session, what the run created.

The contract test modules read it at import time (schemathesis builds its tests then), so it is
published through `activate()` / `active()` by the pytest plugin, once per process.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Final

import requests

from sequence_contract.http import ContractSession, RateLimiter, RetryPolicy, TrafficLog
from sequence_contract.redaction import Redactor
from sequence_contract.suite.customers import ARCHIVE_METHOD, new_customer_body, run_label
from sequence_contract.suite.preflight import preflight
from sequence_contract.suite.settings import Credentials, SuiteSettings


class _Default:
    def __repr__(self) -> str:
        return "DEFAULT"


DEFAULT: Final = _Default()
EMBEDDED_RATE_LIMIT = 1_000_000  # "as a well-behaved client would send it"


class SetupFailed(AssertionError):
    """A request the test needed as a precondition (e.g. creating a customer) did not work."""


@dataclass
class SuiteRuntime:
    settings: SuiteSettings
    run_id: str = field(
        default_factory=lambda: time.strftime("%Y%m%d%H%M%S") + secrets.token_hex(3)
    )
    redactor: Redactor = field(default_factory=Redactor)
    traffic: TrafficLog = field(default_factory=TrafficLog)
    created: list[str] = field(default_factory=list)
    archived: set[str] = field(default_factory=set)
    cleanup_failures: list[str] = field(default_factory=list)
    _sandbox: Any = None
    _base_url: str | None = None
    _credentials: Credentials | None = None
    _session: ContractSession | None = None
    _serial: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> SuiteRuntime:
        self._credentials = self.settings.credentials
        if self.settings.embedded:
            self._start_embedded_sandbox()
        else:
            self._base_url = (self.settings.base_url or "").rstrip("/")
        assert self._credentials is not None
        self.redactor.add_credentials(self._credentials.client_id, self._credentials.client_secret)
        self._session = ContractSession(
            timeout_seconds=self.settings.request_timeout,
            rate_limiter=RateLimiter(self.settings.effective_rate_limit),
            retry_policy=RetryPolicy(
                max_wait_seconds=self.settings.max_retry_wait,
                run_wait_seconds=self.settings.max_run_wait,
            ),
            traffic=self.traffic,
        )
        self._session.hooks["response"].append(self._remember_created)
        preflight(self)
        return self

    def stop(self) -> None:
        try:
            if self._session is not None and self.settings.destructive:
                self.archive_leftovers()
        finally:
            if self._session is not None:
                self._session.close()
            if self._sandbox is not None:
                self._sandbox.stop()
                self._sandbox = None

    def _start_embedded_sandbox(self) -> None:
        from sequence_contract.sandbox import (
            DEFAULT_CLIENT_ID,
            DEFAULT_CLIENT_SECRET,
            EmbeddedSandbox,
            SandboxConfig,
        )

        credentials = self._credentials or Credentials(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)
        config = SandboxConfig(
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            faults=self.settings.sandbox_faults,
            # The suite is this sandbox's only client: its quota must not slow a nightly run.
            rate_limit_per_minute=EMBEDDED_RATE_LIMIT,
        )
        self._sandbox = EmbeddedSandbox(config).start()
        self._base_url = self._sandbox.base_url
        self._credentials = Credentials(config.client_id, config.client_secret)

    # -- facts ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._base_url is not None, "runtime not started"
        return self._base_url

    @property
    def session(self) -> ContractSession:
        assert self._session is not None, "runtime not started"
        return self._session

    @property
    def credentials(self) -> Credentials:
        assert self._credentials is not None, "runtime not started"
        return self._credentials

    @property
    def api_version(self) -> str:
        return self.settings.api_version

    @property
    def label(self) -> str:
        return run_label(self.run_id)

    def authorization(self) -> str:
        pair = f"{self.credentials.client_id}:{self.credentials.client_secret}"
        return "Basic " + base64.b64encode(pair.encode()).decode()

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- requests -------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        auth: str | _Default | None = DEFAULT,
        version: str | _Default | None = DEFAULT,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send one request; `auth`/`version` DEFAULT send the run's own, None leaves them out."""
        sent: dict[str, str] = {"Accept": "application/json"}
        if auth is DEFAULT:
            sent["Authorization"] = self.authorization()
        elif isinstance(auth, str):
            sent["Authorization"] = auth
        if version is DEFAULT:
            sent["Sequence-Version"] = self.api_version
        elif isinstance(version, str):
            sent["Sequence-Version"] = version
        sent.update(headers or {})
        return self.session.request(method, self.url(path), headers=sent, **kwargs)

    def create_customer(self, **overrides: Any) -> dict[str, Any]:
        """Create a customer of this run and return its body; a failure is a setup failure."""
        with self._lock:
            self._serial += 1
            serial = self._serial
        body = {**new_customer_body(self.api_version, self.run_id, serial), **overrides}
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
        method = ARCHIVE_METHOD[self.api_version]
        return self.request(method, f"/customers/{customer_id}/archive", **kwargs)

    def archive_leftovers(self) -> None:
        """Archive every customer this run created and did not archive: and no other."""
        for customer_id in list(self.created):
            if customer_id in self.archived:
                continue
            try:
                response = self.archive(customer_id)
            except Exception as exc:  # the run is over: report, do not raise
                self.cleanup_failures.append(f"{customer_id}: {self.redactor.text(str(exc))}")
                continue
            if response.status_code >= 300:
                self.cleanup_failures.append(
                    f"{customer_id}: archive answered {response.status_code}"
                )

    def _remember_created(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        # Every 201 from POST /customers (ours or schemathesis') is a customer of this run;
        # every 2xx archive of one of them means it needs no cleanup.
        request = response.request
        path = (request.url or "").removeprefix(self.base_url).split("?")[0]
        if request.method == "POST" and path == "/customers" and response.status_code == 201:
            try:
                customer_id = response.json().get("id")
            except ValueError:
                return
            if isinstance(customer_id, str):
                with self._lock:
                    self.created.append(customer_id)
        elif _ends_customer(request.method, path, response.status_code):
            with self._lock:
                self.archived.add(path.split("/")[2])


def _ends_customer(method: str | None, path: str, status: int) -> bool:
    """A 2xx archive or delete of one customer: nothing left to clean up."""
    one_customer = path.startswith("/customers/") and len(path.split("/")) >= 3
    ends = path.endswith("/archive") or method == "DELETE"
    return one_customer and ends and 200 <= status < 300


_ACTIVE: SuiteRuntime | None = None


def activate(runtime: SuiteRuntime | None) -> None:
    global _ACTIVE
    _ACTIVE = runtime


def active() -> SuiteRuntime:
    """The runtime of this run; the contract tests cannot be imported without one."""
    if _ACTIVE is None:
        raise RuntimeError(
            "the sequence-contract plugin did not start a run: run the contract suite with "
            "`pytest contract_tests` from the project root (the root conftest.py loads the plugin)"
        )
    return _ACTIVE

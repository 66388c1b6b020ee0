"""`ContractSession`: a requests.Session with a default timeout, a client-side rate limit,
safe retries, and a record of every exchange."""

from __future__ import annotations

import time
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from sequence_contract.http.errors import (
    RateLimitExhausted,
    RequestTimedOut,
    TargetUnreachable,
)
from sequence_contract.http.exchange import Exchange, TrafficLog
from sequence_contract.http.ratelimit import RateLimiter
from sequence_contract.http.retry import RetryPolicy


class ContractSession(requests.Session):
    """Every request of the suite goes through here (schemathesis gets it as `session=`)."""

    def __init__(
        self,
        *,
        timeout_seconds: float = 30.0,
        rate_limiter: RateLimiter | None = None,
        retry_policy: RetryPolicy | None = None,
        traffic: TrafficLog | None = None,
    ) -> None:
        super().__init__()
        self.timeout_seconds = timeout_seconds
        self.rate_limiter = rate_limiter or RateLimiter(per_minute=0)
        self.traffic = traffic if traffic is not None else TrafficLog()
        self._waits: list[float] = []
        adapter = HTTPAdapter(max_retries=(retry_policy or RetryPolicy()).build(self._waits.append))
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def request(
        self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("timeout", self.timeout_seconds)
        # Redirects would hide what the API really answered; a contract test wants the first reply.
        kwargs.setdefault("allow_redirects", False)
        method_text = method.decode() if isinstance(method, bytes) else method
        url_text = url.decode() if isinstance(url, bytes) else url
        waited = self.rate_limiter.acquire()
        self._waits.clear()
        started = time.monotonic()
        try:
            response = super().request(method, url, *args, **kwargs)
        except requests.Timeout as exc:
            self._record_error(method_text, url_text, started, "timed out")
            raise RequestTimedOut(
                f"{method_text.upper()} {url_text}: no answer within "
                f"{kwargs['timeout']} s (request timeout)"
            ) from exc
        except (requests.ConnectionError, requests.exceptions.RetryError) as exc:
            self._record_error(method_text, url_text, started, "unreachable")
            raise TargetUnreachable(
                f"{method_text.upper()} {url_text}: {_connection_reason(exc)}"
            ) from exc
        retries = _retry_count(response)
        waited += sum(self._waits)
        self.traffic.record(
            Exchange(
                method=method_text.upper(),
                url=response.request.url or url_text,
                request_headers=dict(response.request.headers),
                request_body=_as_bytes(response.request.body),
                status=response.status_code,
                response_headers=dict(response.headers),
                response_body=response.content,
                elapsed_seconds=time.monotonic() - started,
                retries=retries,
                waited_seconds=waited,
            )
        )
        if response.status_code == 429:
            raise RateLimitExhausted(
                f"{method_text.upper()} {url_text}: still 429 Too Many Requests after "
                f"{retries} retries ({waited:.1f} s waited); lower --rate-limit or retry later"
            )
        return response

    def _record_error(self, method: str, url: str, started: float, error: str) -> None:
        self.traffic.record(
            Exchange(
                method=method.upper(),
                url=url,
                request_headers={},
                request_body=None,
                status=None,
                response_headers={},
                response_body=b"",
                elapsed_seconds=time.monotonic() - started,
                waited_seconds=sum(self._waits),
                error=error,
            )
        )


def _retry_count(response: requests.Response) -> int:
    retries = getattr(response.raw, "retries", None)
    history = getattr(retries, "history", ()) or ()
    return len(history)


def _as_bytes(body: object) -> bytes | None:
    if body is None:
        return None
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode()
    return None  # a stream or file: not kept


def _connection_reason(exc: Exception) -> str:
    """The innermost readable reason of a requests/urllib3 connection error."""
    text = str(exc)
    for marker in (
        "Failed to resolve",
        "Name or service not known",
        "Connection refused",
        "CERTIFICATE_VERIFY_FAILED",
        "SSLError",
        "Connection aborted",
        "RemoteDisconnected",
        "Max retries exceeded",
    ):
        if marker in text:
            if marker == "Max retries exceeded" and "NewConnectionError" not in text:
                return "connection dropped after every retry"
            return {
                "Failed to resolve": "DNS lookup failed",
                "Name or service not known": "DNS lookup failed",
                "Connection refused": "connection refused",
                "CERTIFICATE_VERIFY_FAILED": "TLS certificate verification failed",
                "SSLError": "TLS handshake failed",
                "Connection aborted": "connection closed by the server",
                "RemoteDisconnected": "connection closed by the server",
                "Max retries exceeded": "cannot connect",
            }[marker]
    return text.splitlines()[0][:200] if text else type(exc).__name__

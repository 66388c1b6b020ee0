"""Failures of the environment, kept apart from contract failures, and one readable reason for a
failed connection: a test that ends in one of these learnt nothing about the contract."""

from __future__ import annotations

import http.client
import socket
import ssl

from urllib3.exceptions import (
    NameResolutionError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
    TimeoutError,
)

from sequence_contract.errors import SequenceContractError, causes, error_behind


class EnvironmentProblem(SequenceContractError):
    """The API could not be asked: unreachable, too slow, or rate limited beyond patience."""


class TargetUnreachable(EnvironmentProblem):
    """No connection could be made (DNS, refused, TLS) or it dropped after every retry."""


class RequestTimedOut(EnvironmentProblem):
    """The server did not answer within the per-request timeout."""


class RateLimitExhausted(EnvironmentProblem):
    """The server kept answering 429 after every retry the policy allows."""


class ServiceUnavailable(EnvironmentProblem):
    """502, 503 or 504 after every allowed retry, or to a request that may not be repeated."""


def environment_problem_behind(error: BaseException | None) -> EnvironmentProblem | None:
    return error_behind(error, EnvironmentProblem)


def is_timeout(error: BaseException) -> bool:
    """True when the server was too slow, however the error was wrapped."""
    return any(
        isinstance(cause, TimeoutError | ReadTimeoutError | socket.timeout)
        and not isinstance(cause, NewConnectionError)
        for cause in causes(error)
    )


_DNS = "DNS lookup failed: is the host name right?"
_TLS = "TLS handshake failed (is it an https URL for a plain-http server?)"
_CUT = "connection closed by the server in the middle of the answer"
# Most specific first: RemoteDisconnected is a ConnectionResetError.
_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (NameResolutionError, _DNS),
    (socket.gaierror, _DNS),
    (ssl.SSLCertVerificationError, "TLS certificate verification failed"),
    (ConnectionRefusedError, "connection refused: nothing listens there"),
    (SSLError, _TLS),
    (ssl.SSLError, _TLS),
    (NewConnectionError, "cannot connect"),
    (http.client.RemoteDisconnected, "connection closed by the server without an answer"),
    (http.client.IncompleteRead, _CUT),
    (ConnectionResetError, "connection reset by the server before a full answer"),
    (BrokenPipeError, "connection closed by the server while the request was sent"),
)


def connection_reason(error: BaseException) -> str:
    chain = list(causes(error))
    for kind, reason in _REASONS:
        if any(isinstance(cause, kind) for cause in chain):
            return reason
    text = str(error)
    if "Connection broken" in text or "IncompleteRead" in text:
        return _CUT
    first_line = text.splitlines()[0][:200] if text else ""
    return f"connection failed: {first_line or type(error).__name__}"

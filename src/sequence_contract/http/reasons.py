"""One readable reason for a failed connection, found in requests' and urllib3's error chain."""

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

from sequence_contract.errors import causes


def is_timeout(error: BaseException) -> bool:
    """True when the request failed because the server was too slow, however it was wrapped."""
    return any(
        isinstance(cause, TimeoutError | ReadTimeoutError | socket.timeout)
        and not isinstance(cause, NewConnectionError)
        for cause in causes(error)
    )


# (cause type, reason) pairs, most specific first.
_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (NameResolutionError, "DNS lookup failed: is the host name right?"),
    (socket.gaierror, "DNS lookup failed: is the host name right?"),
    (ssl.SSLCertVerificationError, "TLS certificate verification failed"),
    (ConnectionRefusedError, "connection refused: nothing listens there"),
    (SSLError, "TLS handshake failed (is it an https URL for a plain-http server?)"),
    (ssl.SSLError, "TLS handshake failed (is it an https URL for a plain-http server?)"),
    (NewConnectionError, "cannot connect"),
    # RemoteDisconnected is a ConnectionResetError: the more specific one first.
    (http.client.RemoteDisconnected, "connection closed by the server without an answer"),
    (http.client.IncompleteRead, "connection closed by the server in the middle of the answer"),
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
        return "connection closed by the server in the middle of the answer"
    first_line = text.splitlines()[0][:200] if text else ""
    return f"connection failed: {first_line or type(error).__name__}"

"""Auth: missing or wrong credentials accepted, 5xx or the wrong status for bad credentials."""

import base64
import binascii
from dataclasses import replace

from sequence_contract.sandbox.auth import basic_header
from sequence_contract.sandbox.exchange import SandboxExchange
from sequence_contract.sandbox.faults.model import (
    Fault,
    FaultServices,
    archive_method,
    crashed,
    error_of,
)
from sequence_contract.sandbox.responses import ApiResponse


def _authorize(exchange: SandboxExchange, services: FaultServices) -> None:
    exchange.headers["authorization"] = basic_header(services.client_id, services.client_secret)


def _client_id_of(authorization: str) -> str | None:
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, _ = decoded.partition(":")
    return client_id if colon else None


def _secret_not_checked(exchange: SandboxExchange, services: FaultServices) -> None:
    given = exchange.headers.get("authorization")
    if given is not None and _client_id_of(given) == services.client_id:
        _authorize(exchange, services)


def _missing_accepted(exchange: SandboxExchange, services: FaultServices) -> None:
    if not exchange.headers.get("authorization", "").strip():
        _authorize(exchange, services)


def _archive_unguarded(exchange: SandboxExchange, services: FaultServices) -> None:
    if exchange.method == archive_method(exchange):
        _authorize(exchange, services)


def _missing_auth_crashes(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    if response.status == 401 and not exchange.headers.get("authorization", "").strip():
        return crashed(response)
    return response


def _forbidden_not_unauthorized(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    error = error_of(response)
    if response.status != 401 or error is None:
        return response
    headers = {k: v for k, v in response.headers.items() if k.lower() != "www-authenticate"}
    body = {"error": {**error, "type": "Forbidden"}}
    return replace(response, status=403, body=body, headers=headers)


FAULTS = (
    Fault(
        "ignore-auth",
        "auth",
        "Any credentials, or none, are accepted.",
        before_request=_authorize,
    ),
    Fault(
        "accept-wrong-secret",
        "auth",
        "The client id is checked but any secret is accepted.",
        before_request=_secret_not_checked,
    ),
    Fault(
        "accept-missing-credentials",
        "auth",
        "A request without Authorization is served (wrong credentials still get 401).",
        before_request=_missing_accepted,
    ),
    Fault(
        "archive-skips-auth",
        "auth",
        "Archive accepts any credentials or none; the other operations check them.",
        before_request=_archive_unguarded,
    ),
    Fault(
        "500-on-missing-auth",
        "auth",
        "A request without Authorization gets a 500 instead of a 401.",
        transform_response=_missing_auth_crashes,
    ),
    Fault(
        "403-for-bad-credentials",
        "auth",
        "Missing or wrong credentials get 403 Forbidden instead of the documented 401.",
        transform_response=_forbidden_not_unauthorized,
    ),
)

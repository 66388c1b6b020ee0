"""Auth: missing or wrong credentials accepted, 5xx or the wrong status for bad credentials."""

from dataclasses import replace

from sequence_contract.sandbox.auth import basic_credentials, basic_header
from sequence_contract.sandbox.faults.model import (
    FaultServices,
    archive_method,
    crashed,
    error_of,
    fault,
    without_header,
)
from sequence_contract.sandbox.messages import ApiResponse, SandboxExchange


@fault("ignore-auth", "auth", "before_request")
def _authorize(exchange: SandboxExchange, services: FaultServices) -> None:
    """Any credentials, or none, are accepted."""
    exchange.headers["authorization"] = basic_header(services.client_id, services.client_secret)


@fault("accept-wrong-secret", "auth", "before_request")
def _secret_not_checked(exchange: SandboxExchange, services: FaultServices) -> None:
    """The client id is checked but any secret is accepted."""
    credentials = basic_credentials(exchange.headers.get("authorization", ""))
    if credentials is not None and credentials[0] == services.client_id:
        _authorize(exchange, services)


@fault("accept-missing-credentials", "auth", "before_request")
def _missing_accepted(exchange: SandboxExchange, services: FaultServices) -> None:
    """A request without Authorization is served (wrong credentials still get 401)."""
    if not exchange.headers.get("authorization", "").strip():
        _authorize(exchange, services)


@fault("archive-skips-auth", "auth", "before_request")
def _archive_unguarded(exchange: SandboxExchange, services: FaultServices) -> None:
    """Archive accepts any credentials or none; the other operations check them."""
    if exchange.method == archive_method(exchange):
        _authorize(exchange, services)


@fault("500-on-missing-auth", "auth")
def _missing_auth_crashes(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """A request without Authorization gets a 500 instead of a 401."""
    if response.status == 401 and not exchange.headers.get("authorization", "").strip():
        return crashed(response)
    return response


@fault("403-for-bad-credentials", "auth")
def _forbidden_not_unauthorized(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Missing or wrong credentials get 403 Forbidden instead of the documented 401."""
    error = error_of(response)
    if response.status != 401 or error is None:
        return response
    forbidden = replace(response, status=403, body={"error": {**error, "type": "Forbidden"}})
    return without_header(forbidden, "www-authenticate")

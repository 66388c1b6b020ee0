"""Faults for the report tests: a server that leaks what it received. They break no
documented contract (extra headers and error fields are allowed); the report tests use them
to prove that the suite's reports mask what a server sends back."""

import base64
from dataclasses import replace
from urllib.parse import quote

from sequence_contract.sandbox.auth import basic_credentials
from sequence_contract.sandbox.faults.model import error_of, fault, with_error
from sequence_contract.sandbox.messages import ApiResponse, SandboxExchange

ECHO_AUTHORIZATION_HEADER = "X-Echo-Authorization"
ECHO_SECRET_HEADER = "X-Echo-Client-Secret"


@fault("echo-credentials", "reporting")
def _echo_credentials(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Every answer echoes the credentials it received in headers; error bodies repeat the
    secret plain and base64-encoded."""
    authorization = exchange.headers.get("authorization", "")
    if not authorization:
        return response
    # A token of another scheme counts as the secret.
    token = authorization.strip().partition(" ")[2].strip()
    client_id, secret = basic_credentials(authorization) or ("", token)
    headers = {ECHO_AUTHORIZATION_HEADER: authorization, ECHO_SECRET_HEADER: quote(secret, safe="")}
    echoed = replace(response, headers={**response.headers, **headers})
    error = error_of(response)
    if error is None:
        return echoed
    echo = {
        "authorization": authorization,
        "clientId": client_id,
        "clientSecret": secret,
        "clientSecretBase64": base64.b64encode(secret.encode()).decode("ascii"),
    }
    message = f"{error.get('message', '')} (received secret {secret})"
    return with_error(echoed, message=message, echo=echo)

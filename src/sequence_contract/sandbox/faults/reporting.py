"""Faults for the report tests: a server that leaks what it received. They break no
documented contract (extra headers and error fields are allowed); the report tests use them
to prove that the suite's reports mask what a server sends back."""

import base64
import binascii
from dataclasses import replace
from urllib.parse import quote

from sequence_contract.sandbox.exchange import SandboxExchange
from sequence_contract.sandbox.faults.model import Fault
from sequence_contract.sandbox.responses import ApiResponse

ECHO_AUTHORIZATION_HEADER = "X-Echo-Authorization"
ECHO_SECRET_HEADER = "X-Echo-Client-Secret"


def _basic_secret(authorization: str) -> tuple[str, str]:
    """(client id, secret) of a Basic header, or the raw token as secret for other schemes."""
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return "", token.strip()
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return "", ""
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def _echo_credentials(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    # A leaky server, to prove that the suite's reports mask what a server sends back: the
    # credentials in headers (as received, and the secret URL-encoded), and in error bodies
    # plain and base64-encoded.
    authorization = exchange.headers.get("authorization", "")
    if not authorization:
        return response
    client_id, secret = _basic_secret(authorization)
    headers = {
        **response.headers,
        ECHO_AUTHORIZATION_HEADER: authorization,
        ECHO_SECRET_HEADER: quote(secret, safe=""),
    }
    body = response.body
    if response.status >= 400 and isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = dict(body["error"])
        error["message"] = f"{error.get('message', '')} (received secret {secret})"
        error["echo"] = {
            "authorization": authorization,
            "clientId": client_id,
            "clientSecret": secret,
            "clientSecretBase64": base64.b64encode(secret.encode()).decode("ascii"),
        }
        body = {**body, "error": error}
    return replace(response, headers=headers, body=body)


FAULTS = (
    Fault(
        "echo-credentials",
        "reporting",
        "Every answer echoes the credentials it received in headers; error bodies "
        "repeat the secret plain and base64-encoded.",
        transform_response=_echo_credentials,
    ),
)

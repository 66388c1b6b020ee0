"""HTTP Basic authentication with the configured client id and secret.

Messages never quote the header or any part of it: it carries the secret.
"""

import base64
import hmac

from sequence_contract.sandbox.errors import unauthorized


def basic_header(client_id: str, client_secret: str) -> str:
    """The Authorization header value for these credentials."""
    token = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode("ascii")
    return f"Basic {token}"


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(client id, secret) of a Basic Authorization header; None if it is not one."""
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except ValueError:  # binascii.Error, UnicodeDecodeError, and non-ASCII text in the token
        return None
    client_id, colon, secret = decoded.partition(":")
    return (client_id, secret) if colon else None


def authenticate(header: str | None, client_id: str, client_secret: str) -> str:
    """The client id of a valid Basic Authorization header; raises a 401 ApiError otherwise."""
    if header is None or not header.strip():
        raise unauthorized("Missing Authorization header; send Basic base64(clientId:clientSecret)")
    if header.strip().partition(" ")[0].lower() != "basic":
        raise unauthorized("The Authorization scheme must be Basic")
    credentials = basic_credentials(header)
    if credentials is None:
        raise unauthorized("The Authorization header is not valid Basic credentials")
    given_id, given_secret = credentials
    # Both comparisons always run, in constant time, so timing reveals neither part.
    id_matches = hmac.compare_digest(given_id.encode(), client_id.encode())
    secret_matches = hmac.compare_digest(given_secret.encode(), client_secret.encode())
    if not (id_matches & secret_matches):
        raise unauthorized("The client id or secret is not recognised")
    return given_id

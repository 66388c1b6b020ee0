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


def authenticate(header: str | None, client_id: str, client_secret: str) -> str:
    """The client id of a valid Basic Authorization header; raises a 401 ApiError otherwise."""
    if header is None or not header.strip():
        raise unauthorized("Missing Authorization header; send Basic base64(clientId:clientSecret)")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic":
        raise unauthorized("The Authorization scheme must be Basic")
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except ValueError:  # binascii.Error, UnicodeDecodeError, and non-ASCII text in the token
        raise unauthorized("The Authorization header is not valid Basic credentials") from None
    given_id, colon, given_secret = decoded.partition(":")
    if not colon:
        raise unauthorized("The Authorization header is not valid Basic credentials")
    # Both comparisons always run, in constant time, so timing reveals neither part.
    id_matches = hmac.compare_digest(given_id.encode(), client_id.encode())
    secret_matches = hmac.compare_digest(given_secret.encode(), client_secret.encode())
    if not (id_matches & secret_matches):
        raise unauthorized("The client id or secret is not recognised")
    return given_id

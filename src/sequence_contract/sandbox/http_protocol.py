"""Requests too broken to reach the app still get Sequence's error envelope.

uvicorn answers what h11 cannot parse (a bare CR or a NUL in a header, a header line without a
colon, two Content-Lengths, a request line or headers over its size limit, ...) with a
plain-text 400 before the ASGI app sees anything. This protocol sends the API's JSON envelope
and `Sequence-Version` instead, with h11's status hint (431 for a request head too large).
Messages never quote the request: the broken line may be the Authorization header.
"""

import json
import sys

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from sequence_contract.sandbox.errors import INVALID_HTTP_REQUEST, REQUEST_TOO_LARGE, envelope
from sequence_contract.sandbox.responses import JSON_CONTENT_TYPE, VERSION_HEADER
from sequence_contract.sandbox.versions import DEFAULT_VERSION

_ANSWERS = {
    400: (b"Bad Request", INVALID_HTTP_REQUEST, "The request is not valid HTTP/1.1"),
    431: (
        b"Request Header Fields Too Large",
        REQUEST_TOO_LARGE,
        "The request line or headers are too large",
    ),
}


class EnvelopeH11Protocol(H11Protocol):
    def send_400_response(self, msg: str) -> None:
        # uvicorn calls this inside `except h11.RemoteProtocolError`: the error in hand says
        # which 4xx h11 would choose.
        error = sys.exc_info()[1]
        status = getattr(error, "error_status_hint", 400)
        reason, error_type, message = _ANSWERS.get(status, _ANSWERS[400])
        body = json.dumps(envelope(error_type, message)).encode()
        headers = [
            (b"content-type", JSON_CONTENT_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            (VERSION_HEADER.lower().encode(), DEFAULT_VERSION.encode()),
            (b"connection", b"close"),
        ]
        response = h11.Response(
            status_code=status if status in _ANSWERS else 400, headers=headers, reason=reason
        )
        for event in (response, h11.Data(data=body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()

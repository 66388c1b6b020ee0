"""Requests as raw bytes on a socket: for what `requests` refuses to send (a CR in a header,
`..` in a path, two Content-Lengths) or would normalise away."""

from __future__ import annotations

import contextlib
import json
import socket
from dataclasses import dataclass
from typing import Any

from sequence_contract.sandbox.config import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from sequence_contract.sandbox.messages import basic_header
from tests.sandbox.client import VERSION
from tests.tooling.wire import Reader, WireError

AUTHORIZATION = f"Authorization: {basic_header(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET)}".encode()


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]  # names lower-cased
    body: bytes
    next_answer: str | None  # with read_after: the start line of a further response, if any

    def json(self) -> Any:
        return json.loads(self.body)

    def describe(self) -> str:
        heads = "\n".join(f"  {name}: {value}" for name, value in self.headers.items())
        return f"\n-> {self.status}\n{heads}\n  {self.body[:1000]!r}"


def build(
    method: str,
    target: bytes | str,
    *lines: bytes,
    body: bytes | None = None,
    auth: bool = True,
    json_body: bool = True,
) -> bytes:
    """One HTTP/1.1 request: the default credentials and version header unless `lines` give
    their own, `lines` sent exactly as given, and a Content-Length unless `lines` frame the
    body."""
    target_bytes = target.encode() if isinstance(target, str) else target
    head = [method.encode() + b" " + target_bytes + b" HTTP/1.1", b"Host: 127.0.0.1"]
    given = {line.split(b":", 1)[0].strip().lower() for line in lines}
    if auth and b"authorization" not in given:
        head.append(AUTHORIZATION)
    if b"sequence-version" not in given:
        head.append(b"Sequence-Version: " + VERSION.encode())
    framed = any(
        line.lower().startswith((b"content-length", b"transfer-encoding")) for line in lines
    )
    if body is not None and json_body:
        head.append(b"Content-Type: application/json")
    if body is not None and not framed:
        head.append(b"Content-Length: " + str(len(body)).encode())
    head += lines
    return b"\r\n".join(head) + b"\r\n\r\n" + (body or b"")


def send(port: int, data: bytes, *, read_after: bool = False, timeout: float = 10) -> RawResponse:
    """Send `data` and read one response; with `read_after`, then wait (a second at most) for
    a further response on the same connection: there should be none."""
    method = data.split(b" ", 1)[0].decode("latin-1")
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        # The server may answer (413, 431) and close before reading everything.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(data)
        reader = Reader(sock.makefile("rb"))
        answer = reader.read(response_to=method)
        assert answer is not None, "the server closed the connection without an answer"
        next_answer = None
        if read_after:
            sock.settimeout(1)
            with contextlib.suppress(OSError, WireError):
                further = reader.read(response_to="GET")
                next_answer = further.start_line if further is not None else None
        reader.stream.close()
    headers = {name.lower(): value for name, value in answer.headers}
    return RawResponse(answer.status, headers, answer.body, next_answer)

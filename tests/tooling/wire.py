"""HTTP/1.1 messages read from and written to raw sockets, for servers that misbehave on purpose.

Deliberately small: request and response heads, `Content-Length` and chunked bodies. A
misbehaving server needs the socket itself (to reset or cut a connection), which no HTTP
library hands out.
"""

from __future__ import annotations

import contextlib
import socket
import struct
from dataclasses import dataclass, field
from typing import BinaryIO

MAX_HEAD_BYTES = 64 * 1024
NO_BODY_STATUSES = frozenset({204, 304})


class WireError(Exception):
    """The peer sent something that is not an HTTP/1.1 message, or closed in the middle of one."""


@dataclass(frozen=True)
class Message:
    """A request or a response: start line, headers in order, the whole (de-chunked) body."""

    start_line: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    @property
    def method(self) -> str:
        return self.start_line.split(" ", 1)[0].upper()

    @property
    def target(self) -> str:
        parts = self.start_line.split(" ")
        return parts[1] if len(parts) > 1 else ""

    @property
    def status(self) -> int:
        parts = self.start_line.split(" ")
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0

    def to_bytes(self) -> bytes:
        """The message with a `Content-Length` body (chunking undone), ready to send."""
        kept = [
            (key, value)
            for key, value in self.headers
            if key.lower() not in ("content-length", "transfer-encoding")
        ]
        if self.body or self.header("content-length") is not None:
            kept.append(("Content-Length", str(len(self.body))))
        head = "".join(f"{key}: {value}\r\n" for key, value in kept)
        return f"{self.start_line}\r\n{head}\r\n".encode("latin-1") + self.body


@dataclass
class Reader:
    """Reads messages one after another from a connection (keep-alive)."""

    stream: BinaryIO
    _head_limit: int = field(default=MAX_HEAD_BYTES)

    def read(self, *, response_to: str | None = None) -> Message | None:
        """The next message; None if the peer closed cleanly before sending any of it.

        `response_to` is the request method when reading a response (HEAD has no body)."""
        lines: list[str] = []
        size = 0
        while True:
            raw = self.stream.readline(self._head_limit + 1)
            if not raw:
                if lines:
                    raise WireError("connection closed in the middle of the head")
                return None
            size += len(raw)
            if size > self._head_limit:
                raise WireError(f"head larger than {self._head_limit} bytes")
            line = raw.decode("latin-1").rstrip("\r\n")
            if not line:
                if lines:
                    break
                continue  # tolerate blank lines before a message
            lines.append(line)
        start, *header_lines = lines
        headers = tuple(_split_header(line) for line in header_lines)
        message = Message(start, headers)
        return Message(start, headers, self._body(message, response_to))

    def _body(self, message: Message, response_to: str | None) -> bytes:
        if response_to is not None and (
            response_to == "HEAD" or message.status in NO_BODY_STATUSES or message.status < 200
        ):
            return b""
        if (message.header("transfer-encoding") or "").lower().endswith("chunked"):
            return self._chunked()
        length = message.header("content-length")
        if length is None:
            if response_to is not None:
                return self.stream.read()  # a response without length ends with the connection
            return b""
        if not length.strip().isdigit():
            raise WireError(f"Content-Length {length!r} is not a number")
        return self._exactly(int(length))

    def _chunked(self) -> bytes:
        body = bytearray()
        while True:
            size_line = self.stream.readline(1024).split(b";")[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError as exc:
                raise WireError(f"bad chunk size {size_line!r}") from exc
            if size == 0:
                while self.stream.readline(1024).strip():
                    pass  # trailers
                return bytes(body)
            body += self._exactly(size)
            self.stream.readline(3)

    def _exactly(self, size: int) -> bytes:
        data = self.stream.read(size)
        if len(data) < size:
            raise WireError(f"connection closed after {len(data)} of {size} body bytes")
        return data


def _split_header(line: str) -> tuple[str, str]:
    name, colon, value = line.partition(":")
    if not colon:
        raise WireError(f"not a header line: {line[:80]!r}")
    return name.strip(), value.strip()


def response(
    status: int, reason: str, body: bytes = b"", headers: tuple[tuple[str, str], ...] = ()
) -> Message:
    """A response message; `to_bytes()` adds the Content-Length."""
    return Message(
        f"HTTP/1.1 {status} {reason}", (*headers, ("Content-Length", str(len(body)))), body
    )


def reset(sock: socket.socket) -> None:
    """Close with a TCP reset (RST), as a crashed server or a middlebox does."""
    with contextlib.suppress(OSError):  # already gone
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()

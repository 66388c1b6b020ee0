"""A loopback server that answers each request with the next step of a script.

Steps can answer, reset or close the connection, stall, or cut a body short: the network
failures a client must survive, one at a time and in a known order.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.tooling.wire import Message, Reader, WireError, reset, response


@dataclass(frozen=True)
class Answer:
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b"{}"


@dataclass(frozen=True)
class Reset:
    """A TCP reset instead of an answer."""


@dataclass(frozen=True)
class Close:
    """The connection closed (FIN) instead of an answer."""


@dataclass(frozen=True)
class Stall:
    """Nothing for this long, then the connection closes."""

    seconds: float


@dataclass(frozen=True)
class CutBody:
    """A head announcing `declared` body bytes, `sent` of them, then (after `pause`) a close."""

    declared: int
    sent: bytes
    pause: float = 0.0


Step = Answer | Reset | Close | Stall | CutBody
REASONS = {200: "OK", 201: "Created", 429: "Too Many Requests", 502: "Bad Gateway",
           503: "Service Unavailable", 504: "Gateway Timeout"}  # fmt: skip


class ScriptedServer:
    def __init__(self, steps: list[Step], then: Step) -> None:
        self._steps = list(steps)
        self._then = then
        self._lock = threading.Lock()
        self.received: list[Message] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    @property
    def methods(self) -> list[str]:
        return [message.method for message in self.received]

    def serve(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._connection, args=(client,), daemon=True).start()

    def close(self) -> None:
        self._listener.close()

    def _next(self, request: Message) -> Step:
        with self._lock:
            self.received.append(request)
            return self._steps.pop(0) if self._steps else self._then

    def _connection(self, client: socket.socket) -> None:
        stream = client.makefile("rb")
        try:
            reader = Reader(stream)
            while (request := reader.read()) is not None:
                step = self._next(request)
                if isinstance(step, Answer):
                    reason = REASONS.get(step.status, "Whatever")
                    client.sendall(
                        response(step.status, reason, step.body, step.headers).to_bytes()
                    )
                    continue
                if isinstance(step, Stall):
                    time.sleep(step.seconds)
                elif isinstance(step, CutBody):
                    head = f"HTTP/1.1 200 OK\r\nContent-Length: {step.declared}\r\n\r\n"
                    client.sendall(head.encode() + step.sent)
                    time.sleep(step.pause)
                elif isinstance(step, Reset):
                    stream.close()
                    reset(client)
                return
        except (OSError, WireError):
            return
        finally:
            stream.close()
            client.close()


@contextmanager
def scripted_server(*steps: Step, then: Step = Answer(200)) -> Iterator[ScriptedServer]:
    """Serve `steps` one per request, then `then` for every further request."""
    server = ScriptedServer(list(steps), then)
    threading.Thread(target=server.serve, daemon=True).start()
    try:
        yield server
    finally:
        server.close()

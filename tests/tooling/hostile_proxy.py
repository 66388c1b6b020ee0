"""A loopback HTTP proxy that behaves like a bad network in front of an API.

It relays requests to an upstream server (the embedded sandbox, usually) and, at random but
reproducibly (seeded), instead:
- answers 429 with a `Retry-After` itself (the request never reaches the API),
- answers 503 itself (never reaches the API),
- resets the connection before forwarding (never reaches the API),
- forwards, then resets the connection instead of relaying the answer (the API acted),
- relays the answer and then closes the keep-alive connection (saying so in the answer).

The 503 and the two resets apply only to `drop_methods` (by default every method). Whether a
client may repeat a request after them depends on the method: that is what the proxy tests.

`python -m tests.tooling.proxy_cli --upstream http://127.0.0.1:8080` runs one.
"""

from __future__ import annotations

import contextlib
import random
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urlsplit

from tests.tooling.wire import Message, Reader, WireError, reset, response

EVERY_METHOD: frozenset[str] = frozenset()
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
UPSTREAM_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Hostility:
    """How often each misbehaviour happens, as a fraction of requests (0 to 1)."""

    throttle: float = 0.0
    retry_after: tuple[str | None, ...] = ("1",)  # picked at random; None: no header
    unavailable: float = 0.0
    reset_before: float = 0.0
    reset_after: float = 0.0
    close_after: float = 0.0
    drop_methods: frozenset[str] = EVERY_METHOD  # empty: every method
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("throttle", "unavailable", "reset_before", "reset_after", "close_after"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name}: a fraction from 0 to 1, got {value}")
        if not self.retry_after:
            raise ValueError("retry_after: give at least one choice (None for no header)")

    def may_drop(self, method: str) -> bool:
        return not self.drop_methods or method in self.drop_methods


# What the proxy did with a request, as counted in `HostileProxy.actions`.
FORWARDED = "forwarded"
THROTTLED = "answered 429"
UNAVAILABLE = "answered 503"
RESET_BEFORE = "reset before forwarding"
RESET_AFTER = "reset after forwarding"
CLOSED_AFTER = "closed after answering"


@dataclass
class HostileProxy:
    """The proxy on a loopback port, in background threads; a context manager."""

    upstream: str  # http://host:port (a path in it is ignored)
    hostility: Hostility = field(default_factory=Hostility)
    host: str = "127.0.0.1"
    port: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    _random: random.Random = field(init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _listener: socket.socket | None = field(default=None, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, repr=False)
    _connections: set[socket.socket] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        self._random = random.Random(self.hostility.seed)
        parts = urlsplit(self.upstream)
        if parts.scheme != "http" or not parts.hostname or not parts.port:
            raise ValueError(f"upstream {self.upstream!r}: expected http://host:port")
        self._upstream_address = (parts.hostname, parts.port)

    def url(self, path: str = "") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def start(self) -> HostileProxy:
        listener = socket.create_server((self.host, self.port))
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept_loop, name="hostile-proxy", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            for connection in list(self._connections):
                with contextlib.suppress(OSError):  # already closed
                    connection.shutdown(socket.SHUT_RDWR)  # wakes the thread reading it

    def __enter__(self) -> HostileProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _accept_loop(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # stopped
            with self._lock:
                self._connections.add(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _decide(self, method: str) -> tuple[str, str | None]:
        """What to do with a request, and the Retry-After to send if it is throttled."""
        with self._lock:
            roll = self._random.random()
            retry_after = self._random.choice(self.hostility.retry_after)
        h = self.hostility
        for action, fraction, any_method in (
            (THROTTLED, h.throttle, True),
            (UNAVAILABLE, h.unavailable, False),
            (RESET_BEFORE, h.reset_before, False),
            (RESET_AFTER, h.reset_after, False),
        ):
            if roll < fraction and (any_method or h.may_drop(method)):
                return action, retry_after
            roll -= fraction
        return FORWARDED, retry_after

    def _serve(self, client: socket.socket) -> None:
        stream = client.makefile("rb")
        try:
            reader = Reader(stream)
            while not self._stopping.is_set():
                request = reader.read()
                if request is None:
                    return
                action, retry_after = self._decide(request.method)
                self._count(action)
                if action == THROTTLED:
                    client.sendall(_throttled(retry_after).to_bytes())
                elif action == UNAVAILABLE:
                    client.sendall(response(503, "Service Unavailable", b"busy").to_bytes())
                elif action == RESET_BEFORE:
                    stream.close()  # the socket really closes only once its files are closed
                    reset(client)
                    return
                else:
                    answer = _forward(self._upstream_address, request)
                    if action == RESET_AFTER:
                        stream.close()
                        reset(client)
                        return
                    if self._closes_after():
                        # Said in the answer, as servers ending keep-alive do: closing without
                        # it races the client's next request, which may be a create.
                        self._count(CLOSED_AFTER)
                        client.sendall(_with_connection(answer, "close").to_bytes())
                        client.shutdown(socket.SHUT_RDWR)
                        return
                    client.sendall(answer.to_bytes())
        except (OSError, WireError):
            return  # the client or upstream went away: nothing to relay to
        finally:
            with self._lock:
                self._connections.discard(client)
            stream.close()
            client.close()

    def _closes_after(self) -> bool:
        with self._lock:
            return self._random.random() < self.hostility.close_after

    def _count(self, action: str) -> None:
        with self._lock:
            self.actions[action] += 1


HOP_BY_HOP = frozenset({"connection", "keep-alive"})


def _forward(address: tuple[str, int], request: Message) -> Message:
    """The upstream's answer, over a connection of its own: reusing one would race the
    upstream's keep-alive timeout, and that is not a fault the proxy was asked for."""
    with socket.create_connection(address, UPSTREAM_TIMEOUT_SECONDS) as upstream:
        stream = upstream.makefile("rb")
        try:
            upstream.sendall(_with_connection(request, "close").to_bytes())
            answer = Reader(stream).read(response_to=request.method)
        finally:
            stream.close()
    if answer is None:
        raise WireError("upstream closed without an answer")
    return _with_connection(answer, None)


def _with_connection(message: Message, value: str | None) -> Message:
    """The message without hop-by-hop headers; with `Connection: value` if one is given."""
    headers = tuple((k, v) for k, v in message.headers if k.lower() not in HOP_BY_HOP)
    if value is not None:
        headers += (("Connection", value),)
    return Message(message.start_line, headers, message.body)


def _throttled(retry_after: str | None) -> Message:
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)
    if retry_after is not None:
        headers += (("Retry-After", retry_after),)
    body = b'{"error": {"type": "TooManyRequests", "message": "slow down (hostile proxy)"}}'
    return response(429, "Too Many Requests", body, headers)

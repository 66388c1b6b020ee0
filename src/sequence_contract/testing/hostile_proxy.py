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

`python -m sequence_contract.testing.hostile_proxy --upstream http://127.0.0.1:8080` runs one.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import select
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urlsplit

from sequence_contract.testing.wire import Message, Reader, WireError, reset, response

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
        upstream = _Upstream(self._upstream_address)
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
                    answer = upstream.exchange(request)
                    if action == RESET_AFTER:
                        stream.close()
                        reset(client)
                        return
                    if self._closes_after():
                        # Said in the answer, as servers ending keep-alive do: closing without
                        # it races the client's next request, which may be a create.
                        self._count(CLOSED_AFTER)
                        client.sendall(_with_close(answer).to_bytes())
                        client.shutdown(socket.SHUT_RDWR)
                        return
                    client.sendall(answer.to_bytes())
        except (OSError, WireError):
            return  # the client or upstream went away: nothing to relay to
        finally:
            upstream.close()
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


class _Upstream:
    """The proxy's connection to the upstream server for one client connection."""

    def __init__(self, address: tuple[str, int]) -> None:
        self._address = address
        self._sock: socket.socket | None = None
        self._reader: Reader | None = None

    def exchange(self, request: Message) -> Message:
        if self._sock is not None and _closed_by_peer(self._sock):
            self.close()  # the upstream's keep-alive timeout: not a fault the proxy planned
        if self._sock is None:
            self._sock = socket.create_connection(self._address, UPSTREAM_TIMEOUT_SECONDS)
            self._reader = Reader(self._sock.makefile("rb"))
        assert self._reader is not None
        self._sock.sendall(request.to_bytes())
        answer = self._reader.read(response_to=request.method)
        if answer is None:
            raise WireError("upstream closed without an answer")
        if (answer.header("connection") or "").lower() == "close":
            self.close()
        return answer

    def close(self) -> None:
        if self._reader is not None:
            self._reader.stream.close()
        if self._sock is not None:
            self._sock.close()
        self._sock, self._reader = None, None


def _closed_by_peer(sock: socket.socket) -> bool:
    """Between two exchanges nothing should arrive: readable means the peer closed."""
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable)


def _with_close(answer: Message) -> Message:
    headers = tuple((k, v) for k, v in answer.headers if k.lower() != "connection")
    return Message(answer.start_line, (*headers, ("Connection", "close")), answer.body)


def _throttled(retry_after: str | None) -> Message:
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/json"),)
    if retry_after is not None:
        headers += (("Retry-After", retry_after),)
    body = b'{"error": {"type": "TooManyRequests", "message": "slow down (hostile proxy)"}}'
    return response(429, "Too Many Requests", body, headers)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sequence_contract.testing.hostile_proxy",
        description="Relay HTTP to an upstream server, misbehaving like a bad network.",
    )
    parser.add_argument("--upstream", required=True, help="http://host:port of the real server")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free)")
    for name in ("throttle", "unavailable", "reset-before", "reset-after", "close-after"):
        parser.add_argument(f"--{name}", type=float, default=0.0, metavar="FRACTION")
    parser.add_argument("--idempotent-drops-only", action="store_true",
                        help="503s and resets only for idempotent methods")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        hostility = Hostility(
            throttle=args.throttle,
            unavailable=args.unavailable,
            reset_before=args.reset_before,
            reset_after=args.reset_after,
            close_after=args.close_after,
            drop_methods=IDEMPOTENT_METHODS if args.idempotent_drops_only else EVERY_METHOD,
            seed=args.seed,
        )
        proxy = HostileProxy(args.upstream, hostility, port=args.port).start()
    except (ValueError, OSError) as exc:
        print(f"hostile_proxy: error: {exc}", file=sys.stderr)
        return 2
    print(f"hostile proxy on {proxy.url()} -> {args.upstream} (Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        proxy.stop()
    print(", ".join(f"{action}: {n}" for action, n in proxy.actions.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

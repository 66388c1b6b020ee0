"""The sandbox as an ASGI app, and serving it with uvicorn in a background thread.

Requests too broken to reach the app still get Sequence's error envelope: uvicorn answers
what h11 cannot parse (a bare CR or a NUL in a header, a header line without a colon, two
Content-Lengths, a request line or headers over its size limit, ...) with a plain-text 400
before the app sees anything; `EnvelopeH11Protocol` sends the API's JSON envelope and
`Sequence-Version` instead, with h11's status hint (431 for a request head too large).
Messages never quote the request: the broken line may be the Authorization header.
"""

import asyncio
import json
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import h11
import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount
from uvicorn.protocols.http.h11_impl import H11Protocol

from sequence_contract.sandbox.config import SandboxConfig
from sequence_contract.sandbox.errors import (
    INVALID_HTTP_REQUEST,
    REQUEST_TOO_LARGE,
    SandboxError,
    SandboxStartError,
    envelope,
)
from sequence_contract.sandbox.messages import JSON_CONTENT_TYPE, VERSION_HEADER
from sequence_contract.sandbox.pipeline import Pipeline
from sequence_contract.sandbox.routing import API_PREFIX
from sequence_contract.sandbox.store import Store
from sequence_contract.sandbox.versions import DEFAULT_VERSION

START_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 10.0


def create_app(config: SandboxConfig) -> Starlette:
    """The sandbox as a Starlette app. Its store opens now (so a bad `db_path` fails here)
    and closes at lifespan shutdown, deleting a temporary database; `app.state.store`."""
    store = Store.open(config.db_path, seed=config.seed)
    pipeline = Pipeline(config, store)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            store.close()

    # One mount at the root: the pipeline does its own routing, so every method and path
    # (including unknown ones) gets the API's JSON envelope rather than Starlette's defaults.
    app = Starlette(routes=[Mount("", app=pipeline)], lifespan=lifespan)
    # A target the mount cannot match (absolute-form `GET http://host/api/...`) too.
    app.router.default = pipeline
    app.state.store = store
    return app


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


def _bind(host: str, port: int) -> socket.socket:
    """A bound socket, so that port 0 works and the real port is known before serving."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP;
    # without it, keep-alive clients wait ~40 ms per request (Nagle vs delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise SandboxStartError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.setblocking(False)
    return sock


class EmbeddedSandbox:
    """The sandbox on a loopback port; a context manager that starts and stops it.

    `with EmbeddedSandbox() as sandbox: requests.get(f"{sandbox.base_url}/customers", ...)`
    """

    def __init__(
        self,
        config: SandboxConfig = SandboxConfig(),  # noqa: B008 - frozen, so sharing it is safe
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.config = config
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._store: Store | None = None
        self._error: BaseException | None = None

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>/api`; the port is the real one once started."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{API_PREFIX}"

    def start(self, timeout: float = START_TIMEOUT_SECONDS) -> "EmbeddedSandbox":
        """Serve in a background thread; return once it accepts requests."""
        if self._thread is not None:
            raise SandboxStartError("this sandbox is already started")
        app = create_app(self.config)
        self._store = app.state.store
        try:
            sock = _bind(self.host, self.port)
        except SandboxStartError:
            self._store.close()
            raise
        self.port = sock.getsockname()[1]
        self._server = uvicorn.Server(
            uvicorn.Config(
                app,
                log_level="warning",
                access_log=False,
                lifespan="on",
                server_header=False,
                timeout_graceful_shutdown=5,
                # uvicorn closes idle keep-alive connections after 5 s by default; a slow client
                # (a busy CI machine) that reuses one just then sees its POST reset, which the
                # suite rightly cannot repeat. Idle connections stay open longer here.
                timeout_keep_alive=75,
                http=EnvelopeH11Protocol,  # unparsable requests get the envelope too
            )
        )
        self._error = None
        self._thread = threading.Thread(
            target=self._serve, args=(self._server, sock), name="sequence-sandbox", daemon=True
        )
        self._thread.start()
        self._wait_until_started(timeout)
        return self

    def _serve(self, server: uvicorn.Server, sock: socket.socket) -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as exc:  # SystemExit too: uvicorn exits on startup failure
            self._error = exc
        finally:
            sock.close()

    def _wait_until_started(self, timeout: float) -> None:
        assert self._server is not None
        assert self._thread is not None
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                error = self._error
                self._reset()
                raise SandboxStartError(
                    f"sandbox on {self.host}:{self.port} stopped during startup: {error!r}"
                ) from error
            if time.monotonic() > deadline:
                self.stop()
                raise SandboxStartError(
                    f"sandbox on {self.host}:{self.port} not ready within {timeout} s"
                )
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving and close the store (deleting a temporary database). Idempotent.

        Re-raises an error the server thread ended with."""
        server, thread = self._server, self._thread
        if server is not None and thread is not None:
            server.should_exit = True
            thread.join(STOP_TIMEOUT_SECONDS)
            if thread.is_alive():
                server.force_exit = True
                thread.join(STOP_TIMEOUT_SECONDS)
        error = self._error
        self._reset()
        if error is not None:
            raise SandboxError(f"the sandbox server thread failed: {error!r}") from error

    def _reset(self) -> None:
        if self._store is not None:
            self._store.close()
        self._server = self._thread = self._store = None

    def __enter__(self) -> "EmbeddedSandbox":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

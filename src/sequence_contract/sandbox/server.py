"""The sandbox as an ASGI app, served by uvicorn in a background thread. Every answer carries
`Sequence-Version`; anything unexpected is a 500 envelope, logged without credentials."""

import asyncio
import hmac
import json
import logging
import math
import socket
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any

import h11
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from sequence_contract.redaction import Redactor
from sequence_contract.sandbox.config import SandboxConfig, SandboxError, SandboxStartError
from sequence_contract.sandbox.faults import FaultServices, resolve_faults
from sequence_contract.sandbox.messages import (
    INVALID_HTTP_REQUEST,
    JSON_CONTENT_TYPE,
    REQUEST_TOO_LARGE,
    VERSION_HEADER,
    ApiError,
    ApiResponse,
    SandboxExchange,
    basic_credentials,
    envelope,
    internal_error,
    too_many_requests,
    unauthorized,
)
from sequence_contract.sandbox.store import Clock, Store, utc_now
from sequence_contract.sandbox.validation import check_head, read_json_body
from sequence_contract.sandbox.versions import (
    API_PREFIX,
    DEFAULT_VERSION,
    OperationCall,
    match_route,
    resolve_version,
)

START_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 10.0
WINDOW_SECONDS = 60.0
logger = logging.getLogger("sequence_contract.sandbox")


class SlidingWindowLimiter:
    """Requests per minute per API key, counted over a sliding 60-second window."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._limit = per_minute
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def acquire(self, key: str) -> int | None:
        """Count one request for `key`: None if allowed, else whole seconds to wait."""
        with self._lock:
            now = self._clock()
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - WINDOW_SECONDS:
                hits.popleft()
            if len(hits) >= self._limit:
                return max(1, math.ceil(hits[0] + WINDOW_SECONDS - now))
            hits.append(now)
            return None


def authenticate(header: str | None, client_id: str, client_secret: str) -> str:
    """The client id of a valid Basic Authorization header; raises a 401 ApiError otherwise.
    Messages never quote the header: it carries the secret."""
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


class Pipeline:
    """The ASGI application behind every path. Its order, where Sequence's is not documented:
    framing (400) and target length (414), 401, 429, 400 (version), 404/405, body, operation."""

    def __init__(self, config: SandboxConfig, store: Store, clock: Clock = utc_now) -> None:
        self._config = config
        self._faults = resolve_faults(config.faults)
        self._limiter = SlidingWindowLimiter(config.rate_limit_per_minute)
        self._services = FaultServices(store, clock, config.client_id, config.client_secret)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1003})
            return
        request = Request(scope, receive)
        try:
            response = await self._respond(request)
        except Exception as exc:  # the last resort: never let an exception escape as a crash
            redactor = Redactor()
            redactor.add_credentials(self._config.client_id, self._config.client_secret)
            if authorization := request.headers.get("authorization"):
                # The caller's credentials, right or wrong, are secrets too.
                redactor.add(authorization.strip().partition(" ")[2].strip())
                if given := basic_credentials(authorization):
                    redactor.add_credentials(*given)
            logger.error(
                "unexpected error on %s %s, answered 500:\n%s",
                request.method,
                redactor.text(request.scope["path"][:200]),
                redactor.text("".join(traceback.format_exception(exc))),
            )
            response = internal_error().to_response()
            response.headers[VERSION_HEADER] = DEFAULT_VERSION
        await response.to_starlette()(scope, receive, send)

    async def _respond(self, request: Request) -> ApiResponse:
        exchange = SandboxExchange(
            request.method.upper(),
            request.scope["path"],
            dict(request.query_params),
            dict(request.headers),  # ASGI's lower-case names; Headers gives a first value
        )
        for fault in self._faults:
            if fault.before_request is not None:
                fault.before_request(exchange, self._services)
        try:
            response = await self._dispatch(exchange, request)
        except ApiError as error:
            response = error.to_response()
        version = exchange.version.name if exchange.version is not None else DEFAULT_VERSION
        response.headers[VERSION_HEADER] = version
        for fault in self._faults:
            if fault.transform_response is not None:
                response = fault.transform_response(exchange, response)
        return response

    async def _dispatch(self, exchange: SandboxExchange, request: Request) -> ApiResponse:
        check_head(request.scope, exchange.headers)
        client_id = authenticate(
            exchange.headers.get("authorization"),
            self._config.client_id,
            self._config.client_secret,
        )
        wait = self._limiter.acquire(client_id)
        if wait is not None:
            raise too_many_requests(wait, self._config.rate_limit_per_minute)
        exchange.version = resolve_version(exchange.headers.get("sequence-version"))
        matched = match_route(exchange.path)
        if matched is None:
            raise ApiError(404, "NotFound", f"No such path: {exchange.path[:200]}")
        route, params = matched
        operation = exchange.version.find(route, exchange.method)
        if operation is None:
            allow = ", ".join(exchange.version.methods_for(route))
            raise ApiError(
                405,
                "MethodNotAllowed",
                f"{exchange.method} is not allowed on this path; allowed: {allow}",
                headers={"Allow": allow},
            )
        exchange.operation = operation.name
        exchange.path_params = params
        for fault in self._faults:
            if fault.replace_response is not None:
                replaced = await fault.replace_response(exchange, self._services)
                if replaced is not None:
                    return replaced
        body: Any = None
        if operation.takes_body:
            body = await read_json_body(
                exchange.headers, request.stream(), self._config.max_body_bytes
            )
            for fault in self._faults:
                if fault.check_body is not None:
                    fault.check_body(exchange, body)
        services = self._services
        call = OperationCall(
            exchange.version, params, exchange.query, body, services.store, services.clock
        )
        return await operation.handler(call)


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
    400: (INVALID_HTTP_REQUEST, "The request is not valid HTTP/1.1"),
    431: (REQUEST_TOO_LARGE, "The request line or headers are too large"),
}


class EnvelopeH11Protocol(H11Protocol):
    """What h11 cannot parse (a bare CR, two Content-Lengths, a head too large, ...) gets the
    API's envelope and `Sequence-Version` rather than uvicorn's plain-text 400. Messages never
    quote the request: the broken line may be the Authorization header."""

    def send_400_response(self, msg: str) -> None:
        # uvicorn calls this inside `except h11.RemoteProtocolError`: the error in hand says
        # which 4xx h11 would choose.
        status = getattr(sys.exc_info()[1], "error_status_hint", 400)
        status = status if status in _ANSWERS else 400
        error_type, message = _ANSWERS[status]
        body = json.dumps(envelope(error_type, message)).encode()
        headers = [
            (b"content-type", JSON_CONTENT_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            (VERSION_HEADER.lower().encode(), DEFAULT_VERSION.encode()),
            (b"connection", b"close"),
        ]
        reason = HTTPStatus(status).phrase.encode()
        response = h11.Response(status_code=status, headers=headers, reason=reason)
        for event in (response, h11.Data(data=body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()


class EmbeddedSandbox:
    """The sandbox on a loopback port; a context manager that starts and stops it:
    `with EmbeddedSandbox() as sandbox: requests.get(f"{sandbox.base_url}/customers", ...)`"""

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
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP;
        # without it, keep-alive clients wait ~40 ms per request (Nagle vs delayed ACK).
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:  # bound here, so that port 0 works and the real port is known before serving
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(128)
        except OSError as exc:
            sock.close()
            self._store.close()
            where = f"{self.host}:{self.port}"
            raise SandboxStartError(f"cannot listen on {where}: {exc.strerror or exc}") from exc
        sock.setblocking(False)
        self.port = sock.getsockname()[1]
        server = self._server = uvicorn.Server(
            uvicorn.Config(
                app,
                log_level="warning",
                access_log=False,
                lifespan="on",
                server_header=False,
                timeout_graceful_shutdown=5,
                # uvicorn's default of 5 s resets the POST of a slow client that reuses an idle
                # connection just then, which the suite rightly cannot repeat.
                timeout_keep_alive=75,
                http=EnvelopeH11Protocol,  # unparsable requests get the envelope too
            )
        )
        thread = self._thread = threading.Thread(
            target=self._serve, args=(server, sock), name="sequence-sandbox", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive():
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
        return self

    def _serve(self, server: uvicorn.Server, sock: socket.socket) -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as exc:  # SystemExit too: uvicorn exits on startup failure
            self._error = exc
        finally:
            sock.close()

    def stop(self) -> None:
        """Stop serving and close the store (deleting a temporary database), idempotently;
        re-raises an error the server thread ended with."""
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
        self._server = self._thread = self._store = self._error = None

    def __enter__(self) -> "EmbeddedSandbox":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

"""The path of every request: faults, auth, rate limit, version, route, body, operation.

Order (where Sequence's is not documented, this is the sandbox's choice): ambiguous framing
(400, connection closed) and an overlong target (414) before 401 before 429 before 400
(version) before 404/405 (path) before 415/413/400 (body) before the operation's own answers.
Every answer, errors included, carries `Sequence-Version`. Anything unexpected becomes a 500
envelope, logged without credentials.
"""

import logging
import traceback
from typing import Any

from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from sequence_contract.redaction import Redactor
from sequence_contract.sandbox import routing
from sequence_contract.sandbox.auth import authenticate, basic_credentials
from sequence_contract.sandbox.body import check_framing, check_target_length, read_json_body
from sequence_contract.sandbox.config import SandboxConfig
from sequence_contract.sandbox.errors import (
    ApiError,
    internal_error,
    method_not_allowed,
    not_found,
    too_many_requests,
)
from sequence_contract.sandbox.faults import FaultServices, resolve_faults
from sequence_contract.sandbox.messages import VERSION_HEADER, ApiResponse, SandboxExchange
from sequence_contract.sandbox.ratelimit import SlidingWindowLimiter
from sequence_contract.sandbox.store import Store
from sequence_contract.sandbox.timestamps import Clock, utc_now
from sequence_contract.sandbox.versions import DEFAULT_VERSION, OperationCall, resolve_version

logger = logging.getLogger("sequence_contract.sandbox")


def _exchange_of(request: Request) -> SandboxExchange:
    headers: dict[str, str] = {}
    for name, value in request.headers.items():
        headers.setdefault(name.lower(), value)
    return SandboxExchange(
        method=request.method.upper(),
        path=request.scope["path"],
        query=dict(request.query_params),
        headers=headers,
    )


class Pipeline:
    """The ASGI application behind every path."""

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
        raw_authorization = request.headers.get("authorization")
        try:
            response = await self._respond(request)
        except Exception as exc:  # the last resort: never let an exception escape as a crash
            self._log_unexpected(request, exc, raw_authorization)
            response = internal_error().to_response()
            response.headers[VERSION_HEADER] = DEFAULT_VERSION
        await response.to_starlette()(scope, receive, send)

    async def _respond(self, request: Request) -> ApiResponse:
        exchange = _exchange_of(request)
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
        check_framing(exchange.headers)
        check_target_length(request.scope)
        client_id = authenticate(
            exchange.headers.get("authorization"),
            self._config.client_id,
            self._config.client_secret,
        )
        wait = self._limiter.acquire(client_id)
        if wait is not None:
            raise too_many_requests(wait, self._config.rate_limit_per_minute)
        exchange.version = resolve_version(exchange.headers.get("sequence-version"))
        matched = routing.match_route(exchange.path)
        if matched is None:
            raise not_found(f"No such path: {exchange.path[:200]}")
        route, params = matched
        operation = exchange.version.find(route, exchange.method)
        if operation is None:
            raise method_not_allowed(exchange.method, exchange.version.methods_for(route))
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

    def _log_unexpected(self, request: Request, exc: Exception, authorization: str | None) -> None:
        redactor = Redactor()
        redactor.add_credentials(self._config.client_id, self._config.client_secret)
        if authorization:
            # The caller's credentials, right or wrong, are secrets too.
            redactor.add(authorization)
            redactor.add(authorization.strip().partition(" ")[2].strip())
            given = basic_credentials(authorization)
            if given is not None and given[1]:
                redactor.add_credentials(*given)
        logger.error(
            "unexpected error on %s %s, answered 500:\n%s",
            request.method,
            redactor.text(request.scope["path"][:200]),
            redactor.text("".join(traceback.format_exception(exc))),
        )

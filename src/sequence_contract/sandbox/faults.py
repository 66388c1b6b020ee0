"""Deliberate misbehaviour, switched on by name, to prove the contract suite catches it.

A fault is a small named function (or two) with a description and a kind. It can
(a) change the request before the API sees it (`before_request`),
(b) answer instead of the API once the request is authenticated and routed
    (`replace_response`; returning None lets the API answer), or
(c) transform the API's answer, errors included (`transform_response`).
Faults apply in the order they are configured. FAULTS is read-only; add entries here.
"""

import base64
import binascii
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, Literal
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool

from sequence_contract.sandbox.auth import basic_header
from sequence_contract.sandbox.errors import UNRECOGNISED_API_VERSION, internal_error
from sequence_contract.sandbox.exceptions import UnknownFaultError
from sequence_contract.sandbox.exchange import Exchange
from sequence_contract.sandbox.responses import ApiResponse
from sequence_contract.sandbox.store import Store
from sequence_contract.sandbox.timestamps import Clock, format_timestamp

FaultKind = Literal["shape", "status", "auth", "version", "archive", "benign"]

CUSTOMER_OPERATIONS = frozenset(
    {"createCustomer", "getCustomer", "updateCustomer", "archiveCustomer"}
)


@dataclass(frozen=True)
class FaultServices:
    """What a fault may use besides the exchange."""

    store: Store
    clock: Clock
    client_id: str
    client_secret: str


RequestHook = Callable[[Exchange, FaultServices], None]
ReplaceHook = Callable[[Exchange, FaultServices], Awaitable[ApiResponse | None]]
TransformHook = Callable[[Exchange, ApiResponse], ApiResponse]


@dataclass(frozen=True)
class Fault:
    name: str
    kind: FaultKind
    description: str
    before_request: RequestHook | None = None
    replace_response: ReplaceHook | None = None
    transform_response: TransformHook | None = None


def _is_success(response: ApiResponse) -> bool:
    return 200 <= response.status < 300 and isinstance(response.body, dict)


def _without_legal_name(exchange: Exchange, response: ApiResponse) -> ApiResponse:
    if not _is_success(response):
        return response
    body: dict[str, Any] = dict(response.body)
    if exchange.operation in CUSTOMER_OPERATIONS:
        body.pop("legalName", None)
    elif exchange.operation == "listCustomers" and isinstance(body.get("items"), list):
        body["items"] = [
            {k: v for k, v in item.items() if k != "legalName"} for item in body["items"]
        ]
    return replace(response, body=body)


def _accept_any_credentials(exchange: Exchange, services: FaultServices) -> None:
    exchange.headers["authorization"] = basic_header(services.client_id, services.client_secret)


def _version_error_as_500(exchange: Exchange, response: ApiResponse) -> ApiResponse:
    body = response.body
    is_version_error = (
        response.status == 400
        and isinstance(body, dict)
        and isinstance(body.get("error"), dict)
        and body["error"].get("type") == UNRECOGNISED_API_VERSION
    )
    if not is_version_error:
        return response
    crashed = internal_error().to_response()
    return replace(crashed, headers={**response.headers, **crashed.headers})


async def _archive_without_storing(
    exchange: Exchange, services: FaultServices
) -> ApiResponse | None:
    if exchange.operation != "archiveCustomer" or exchange.version is None:
        return None
    record = await run_in_threadpool(services.store.get, exchange.path_params["id"])
    if record is None:
        return None  # the API answers 404 as usual
    if record.archived_at is None:
        record = replace(record, archived_at=format_timestamp(services.clock()))
    return ApiResponse(200, exchange.version.render_customer(record))


ECHO_AUTHORIZATION_HEADER = "X-Echo-Authorization"
ECHO_SECRET_HEADER = "X-Echo-Client-Secret"


def _basic_secret(authorization: str) -> tuple[str, str]:
    """(client id, secret) of a Basic header, or the raw token as secret for other schemes."""
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return "", token.strip()
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return "", ""
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def _echo_credentials(exchange: Exchange, response: ApiResponse) -> ApiResponse:
    # A leaky server, to prove that the suite's reports mask what a server sends back: the
    # credentials in headers (as received, and the secret URL-encoded), and in error bodies
    # plain and base64-encoded.
    authorization = exchange.headers.get("authorization", "")
    if not authorization:
        return response
    client_id, secret = _basic_secret(authorization)
    headers = {
        **response.headers,
        ECHO_AUTHORIZATION_HEADER: authorization,
        ECHO_SECRET_HEADER: quote(secret, safe=""),
    }
    body = response.body
    if response.status >= 400 and isinstance(body, dict) and isinstance(body.get("error"), dict):
        error = dict(body["error"])
        error["message"] = f"{error.get('message', '')} (received secret {secret})"
        error["echo"] = {
            "authorization": authorization,
            "clientId": client_id,
            "clientSecret": secret,
            "clientSecretBase64": base64.b64encode(secret.encode()).decode("ascii"),
        }
        body = {**body, "error": error}
    return replace(response, headers=headers, body=body)


FAULTS: Mapping[str, Fault] = MappingProxyType(
    {
        fault.name: fault
        for fault in (
            Fault(
                "drop-required-field",
                "shape",
                "Customer responses (and list items) lack the required legalName.",
                transform_response=_without_legal_name,
            ),
            Fault(
                "ignore-auth",
                "auth",
                "Any credentials, or none, are accepted.",
                before_request=_accept_any_credentials,
            ),
            Fault(
                "500-on-unknown-version",
                "version",
                "An unrecognised Sequence-Version gets a 500 instead of a 400.",
                transform_response=_version_error_as_500,
            ),
            Fault(
                "archive-not-persisted",
                "archive",
                "Archive answers with archivedAt set but stores nothing.",
                replace_response=_archive_without_storing,
            ),
            Fault(
                "echo-credentials",
                "auth",
                "Every answer echoes the credentials it received in headers; error bodies "
                "repeat the secret plain and base64-encoded.",
                transform_response=_echo_credentials,
            ),
        )
    }
)


def resolve_faults(names: Iterable[str]) -> tuple[Fault, ...]:
    """The faults for these names, in order, without repeats; UnknownFaultError otherwise."""
    names = tuple(names)
    unknown = [name for name in names if name not in FAULTS]
    if unknown:
        raise UnknownFaultError(
            f"unknown fault(s): {', '.join(unknown)}; known faults: {', '.join(sorted(FAULTS))}"
        )
    return tuple(FAULTS[name] for name in dict.fromkeys(names))

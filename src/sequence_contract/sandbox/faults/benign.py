"""Benign variants: answers that differ from the sandbox's usual ones in ways the contract
allows, and stricter servers that refuse what the docs leave open. The suite must pass each."""

import asyncio
import gzip
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from copy import deepcopy
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from sequence_contract.sandbox.faults import (
    FaultServices,
    error_answer,
    fault,
    is_success,
    register,
    without_header,
)
from sequence_contract.sandbox.messages import (
    INVALID_VALUE,
    JSON_CONTENT_TYPE,
    ApiError,
    ApiResponse,
    Problem,
    SandboxExchange,
    raw_response,
    too_many_requests,
    validation_failed,
)
from sequence_contract.sandbox.validation import join
from sequence_contract.sandbox.versions import REQUEST_SCHEMA
from sequence_contract.schemas import inlined_schema

LATENCY_SECONDS = 0.02
RATE_LIMIT_EVERY = 150  # one routed request in this many is answered 429
RETRY_AFTER_SECONDS = 1
TIMESTAMP_FIELDS = frozenset({"createdAt", "updatedAt", "archivedAt", "lastSynced"})
OFFSET = timezone(timedelta(hours=1))
CHUNK_BYTES = 64
USER_DATA = frozenset({"customProperties"})  # the customer's own keys: not API structure


def _walk(value: Any, visit: Callable[[dict[str, Any]], None]) -> Any:
    """`visit(obj)` on every JSON object inside `value` (but not inside user data), depth
    first; returns `value`."""
    if isinstance(value, dict):
        for key, child in value.items():
            if key not in USER_DATA:
                _walk(child, visit)
        visit(value)
    elif isinstance(value, list):
        for child in value:
            _walk(child, visit)
    return value


def _add_fields(obj: dict[str, Any]) -> None:
    if "id" in obj:
        obj["object"] = "customer" if "legalName" in obj else "resource"
    if "line1" in obj:
        obj["formatted"] = obj["line1"]
    if "totalResultSize" in obj or "after" in obj:
        obj["hasMore"] = "after" in obj
    if "type" in obj and "message" in obj:
        obj["requestId"] = "req_0000000000000001"
        obj["docs"] = "https://docs.sequencehq.com/reference/errors"


@fault("extra-response-fields", "benign")
def _extra_fields(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Answers carry undocumented fields: in customers, addresses, pagination and errors."""
    if not isinstance(response.body, dict):
        return response
    copied = replace(response, body=deepcopy(response.body))
    _walk(copied.body, _add_fields)
    if is_success(copied):
        copied.body["_links"] = {"self": exchange.path}
    return copied


def _reversed(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _reversed(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed(item) for item in value]
    return value


@fault("reordered-keys", "benign")
def _reorder(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Every JSON object lists its keys in reverse order."""
    return response if response.body is None else replace(response, body=_reversed(response.body))


def _as_json_bytes(response: ApiResponse, content_type: str) -> ApiResponse | None:
    """A JSON answer sent as bytes with this content type; None for other answers."""
    if response.body is None or response.raw is not None:
        return None
    return raw_response(response, None, content_type)


@fault("content-type-charset-variant", "benign")
def _charset_variant(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Content-Type is application/json;charset=UTF-8 (no space, upper-case charset)."""
    return _as_json_bytes(response, "application/json;charset=UTF-8") or response


@fault("content-type-without-charset", "benign")
def _without_charset(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Content-Type is plain application/json (JSON is UTF-8 anyway)."""
    return _as_json_bytes(response, "application/json") or response


@fault("extra-response-headers", "benign")
def _extra_headers(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Answers carry undocumented headers (X-Request-Id, Cache-Control, Server-Timing, ...)."""
    extra = {
        "X-Request-Id": "req_0000000000000001",
        "Cache-Control": "no-store",
        "Vary": "Accept-Encoding, Sequence-Version",
        "Server-Timing": "app;dur=1.2",
        "X-RateLimit-Limit": "1500",
        "Strict-Transport-Security": "max-age=31536000",
    }
    return replace(response, headers={**response.headers, **extra})


@fault(
    "added-latency",
    "benign",
    "replace_response",
    f"Every routed request is answered {LATENCY_SECONDS * 1000:.0f} ms later.",
)
async def _delay(exchange: SandboxExchange, services: FaultServices) -> ApiResponse | None:
    await asyncio.sleep(LATENCY_SECONDS)
    return None


@fault("gzip-responses", "benign")
def _gzip(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Bodies are gzip-compressed (Content-Encoding: gzip) when the client accepts gzip."""
    sent = _as_json_bytes(response, JSON_CONTENT_TYPE)
    if sent is None or "gzip" not in exchange.headers.get("accept-encoding", "").lower():
        return response
    headers = {**sent.headers, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
    return replace(sent, raw=gzip.compress(sent.raw or b"", mtime=0), headers=headers)


@fault("chunked-responses", "benign")
def _chunked(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Bodies are streamed with chunked transfer encoding, no Content-Length."""
    sent = _as_json_bytes(response, JSON_CONTENT_TYPE)
    return response if sent is None else replace(sent, chunk_size=CHUNK_BYTES)


def _shift(obj: dict[str, Any]) -> None:
    for name in TIMESTAMP_FIELDS & obj.keys():
        try:
            moment = datetime.fromisoformat(obj[name]).astimezone(OFFSET)
        except (TypeError, ValueError):
            continue  # not a timestamp the sandbox wrote: left as it is
        obj[name] = moment.isoformat(timespec="microseconds")


@fault("timestamp-variants", "benign")
def _timestamp_variants(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Timestamps carry microseconds and a +01:00 offset (the same instants)."""
    if not is_success(response):
        return response
    return replace(response, body=_walk(deepcopy(response.body), _shift))


@fault(
    "rate-limited-now-and-then",
    "benign",
    "replace_response",
    f"One routed request in {RATE_LIMIT_EVERY} is answered 429 with Retry-After: "
    f"{RETRY_AFTER_SECONDS}.",
)
async def _now_and_then_429(
    exchange: SandboxExchange, services: FaultServices
) -> ApiResponse | None:
    count = services.state.get("routed", 0) + 1
    services.state["routed"] = count
    if count % RATE_LIMIT_EVERY:
        return None
    return too_many_requests(RETRY_AFTER_SECONDS).to_response()


# --- Stricter than the docs, as a careful production server may be (the docs call most fields
# "string" and never say unknown fields are accepted). Each refusal stays within the documented
# error contract: 400 validationError, or 501 for a method the server does not know (RFC 9110).

EMAIL_FIELDS = frozenset({"email", "billingEmails"})
URL_FIELDS = frozenset({"url"})
# The pattern HTML forms use for type=email, with a dot required in the domain, as most
# production validators do.
EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
MAX_TEXT_LENGTH = 100
UNUSUAL_CATEGORIES = frozenset({"Cf", "Co", "Cn", "Zl", "Zp"})
# The methods this server knows (RFC 9110 and PATCH); anything else is not implemented.
KNOWN_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}
)
NOT_IMPLEMENTED = "NotImplemented"

# One rule on one string: (the field's name, its text) -> a problem message, or None.
TextRule = Callable[[str | None, str], str | None]


def _texts(value: Any, path: str, name: str | None) -> Iterator[tuple[str, str | None, str]]:
    """(key, field name, text) for every string in a JSON value, object keys included."""
    if isinstance(value, str):
        yield path, name, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield join(path, key), None, str(key)
            yield from _texts(item, join(path, key), str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, join(path, index), name)


def _refusal(rule: TextRule, texts: Iterable[tuple[str, str | None, str]]) -> ApiError | None:
    """A 400 validationError for the texts (key, field name, text) that break `rule`."""
    found = [Problem(INVALID_VALUE, m, key) for key, name, text in texts if (m := rule(name, text))]
    return validation_failed(found) if found else None


def strict(name: str, description: str | None = None) -> Callable[[TextRule], TextRule]:
    """Register a stricter-server variant: the decorated rule on every string of a body and
    every query value."""

    def add(rule: TextRule) -> TextRule:
        def check_body(exchange: SandboxExchange, body: Any) -> None:
            if refused := _refusal(rule, _texts(body, "", None)):
                raise refused

        async def check_query(
            exchange: SandboxExchange, services: FaultServices
        ) -> ApiResponse | None:
            refused = _refusal(rule, ((key, key, text) for key, text in exchange.query.items()))
            return refused.to_response() if refused else None

        hooks = {"replace_response": check_query, "check_body": check_body}
        register(name, "benign", description or rule.__doc__, **hooks)
        return rule

    return add


@strict("refuse-control-characters")
def _control_characters(name: str | None, text: str) -> str | None:
    """Strings, keys and query values with control characters are refused (400)."""
    if any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in text):
        return "must not contain control characters"
    return None


@strict(
    "cap-string-lengths",
    f"Strings and query values over {MAX_TEXT_LENGTH} characters are refused (400).",
)
def _too_long(name: str | None, text: str) -> str | None:
    if len(text) > MAX_TEXT_LENGTH:
        return f"must be at most {MAX_TEXT_LENGTH} characters"
    return None


@strict("refuse-blank-strings")
def _blank(name: str | None, text: str) -> str | None:
    """Empty, blank or space-padded strings and query values are refused (400)."""
    if not text.strip():
        return "must not be empty or blank"
    if text != text.strip():
        return "must not start or end with white space"
    return None


@strict("refuse-unusual-unicode")
def _unusual(name: str | None, text: str) -> str | None:
    """Text outside the Basic Multilingual Plane, format and private-use characters are
    refused, as 3-byte UTF-8 storage would (400)."""
    for char in text:
        if ord(char) > 0xFFFF or unicodedata.category(char) in UNUSUAL_CATEGORIES:
            return f"contains a character this server does not store (U+{ord(char):04X})"
    return None


@strict("validate-email-format")
def _email(name: str | None, text: str) -> str | None:
    """Emails (body and the list filter) must look like email addresses (400
    validationError)."""
    if name in EMAIL_FIELDS and not EMAIL.match(text):
        return "must be an email address"
    return None


@strict("validate-url-format")
def _url(name: str | None, text: str) -> str | None:
    """A customer's url must be an http(s) URL with a host (400 validationError)."""
    if name not in URL_FIELDS:
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return "must be an http(s) URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an http(s) URL"
    return None


@cache
def documented_request_schema(version: str) -> dict[str, Any]:
    return inlined_schema(version, REQUEST_SCHEMA)


def unknown_fields(value: Any, schema: Any, path: str = "") -> Iterator[str]:
    """Keys of `value` that the documented request schema does not list (maps excepted)."""
    if not isinstance(schema, dict):
        return
    for part in schema.get("allOf", []):
        yield from unknown_fields(value, part, path)
    properties = schema.get("properties")
    if isinstance(value, dict) and isinstance(properties, dict):
        for key, item in value.items():
            if key in properties:
                yield from unknown_fields(item, properties[key], join(path, key))
            elif "additionalProperties" not in schema:
                yield join(path, key)
    items = schema.get("items")
    if isinstance(value, list) and isinstance(items, dict):
        for index, item in enumerate(value):
            yield from unknown_fields(item, items, join(path, index))


@fault("refuse-unknown-fields", "benign", "check_body")
def _refuse_unknown_fields(exchange: SandboxExchange, body: Any) -> None:
    """Create and update refuse fields the docs do not list (400 validationError)."""
    if exchange.version is not None:
        schema = documented_request_schema(exchange.version.name)
        unknown = [
            Problem(INVALID_VALUE, "is not a field of this request", key)
            for key in unknown_fields(body, schema)
        ]
        if unknown:
            raise validation_failed(unknown)


@fault("unknown-method-501", "benign")
def _not_implemented(exchange: SandboxExchange, response: ApiResponse) -> ApiResponse:
    """Methods outside standard HTTP (QUERY, PROPFIND, ...) are answered 501 NotImplemented."""
    if response.status != 405 or exchange.method in KNOWN_METHODS:
        return response
    error = ApiError(501, NOT_IMPLEMENTED, f"{exchange.method[:20]} is not implemented")
    return without_header(error_answer(response, error), "allow")

"""Benign variants that behave like a careful production server, stricter than the docs.

Sequence's docs call most request fields "string" and never say that unknown fields are
accepted; a real billing API may well refuse what its docs leave open. Each variant refuses one
more kind of input, always within the documented error contract: 400 `validationError` in the
error envelope (with the `Sequence-Version` echo the pipeline adds), or 501 for a method the
server does not recognise (RFC 9110 15.6.2). The contract suite must pass every one of them:
its positive requests are unambiguously valid, and grey-zone values may be refused with 400.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from sequence_contract.sandbox.errors import ApiError, Problem, validation_failed
from sequence_contract.sandbox.faults.model import (
    FaultServices,
    error_answer,
    fault,
    register,
    without_header,
)
from sequence_contract.sandbox.messages import ApiResponse, SandboxExchange
from sequence_contract.sandbox.validation import INVALID_VALUE, join
from sequence_contract.schemas import inlined_schema

REQUEST_SCHEMA = "create-or-update-customer-request"
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

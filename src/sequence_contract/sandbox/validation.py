"""A request's framing and body read within the sandbox's limits, then checked against the
version's schemas (bodies by its JSON Schema, query parameters by its OpenAPI document). Every
problem is a 4xx ApiError; one 400 lists every bad field by dotted path or parameter name."""

import json
import re
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from functools import cache, partial
from typing import Any, NoReturn

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from starlette.requests import ClientDisconnect
from starlette.types import Scope

from sequence_contract import schemas
from sequence_contract.documents import documents
from sequence_contract.sandbox.messages import (
    INVALID_HTTP_REQUEST,
    INVALID_TYPE,
    INVALID_VALUE,
    REQUEST_TOO_LARGE,
    REQUIRED,
    ApiError,
    Problem,
    validation_failed,
)

_JSON_TYPES = ("null", "boolean", "number", "string", "array", "object")
_LISTED_VALUES = 12  # longer enums are described by their schema instead of listed
# Longer digit strings are refused before int() sees them (it refuses thousands of digits).
_INTEGER = re.compile(r"[+-]?[0-9]{1,20}", re.ASCII)


def join(key: str | None, name: str | int) -> str:
    """A field's dotted path, as error keys name it (`contacts.0.email`)."""
    return f"{key}.{name}" if key else str(name)


def _type_of(value: object) -> str:
    """The JSON type of a parsed value ("number" for integers too)."""
    return next(t for t in _JSON_TYPES if Draft202012Validator.TYPE_CHECKER.is_type(value, t))


def _problems(error: ValidationError, key: str | None) -> list[Problem]:
    """The error as problems at `key`; `required` names each missing field on its own."""
    value: Any = error.validator_value
    if error.validator == "required":
        # Inside `if`/`then`: required only because of a sibling value (the country).
        given = error.instance if isinstance(error.instance, Mapping) else {}
        message = "is required"
        if "then" in error.relative_schema_path:
            message += f" when country is {given.get('country')}"
        return [Problem(REQUIRED, message, join(key, name)) for name in value if name not in given]
    if error.validator == "type":
        got = _type_of(error.instance)
        if key is None:
            return [Problem(INVALID_TYPE, f"The request body must be a JSON object (got {got})")]
        expected = value if isinstance(value, str) else " or ".join(value)
        return [Problem(INVALID_TYPE, f"must be of type {expected} (got {got})", key)]
    return [Problem(INVALID_VALUE, _value_message(error), key)]


def _value_message(error: ValidationError) -> str:
    value: Any = error.validator_value
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    match error.validator:
        case "enum" if len(value) <= _LISTED_VALUES:
            return f"must be one of {', '.join(map(str, value))}"
        case "enum":
            description = str(schema.get("description", "")).rstrip(".")
            suffix = f" ({description})" if description else ""
            return f"is not one of the {len(value)} allowed values{suffix}"
        case "const":
            return f"must be {value}"
        case "minLength" if value == 1:
            return "must not be empty"
        case "minimum":
            return f"must be at least {value}"
        case "maximum":
            return f"must be at most {value}"
        case "contains" if schema.get("description"):
            # The schema's own words say what the list must contain.
            return str(schema["description"]).split(". ")[0]
        case "pattern" if schema.get("examples"):
            return f"has the wrong format, e.g. {schema['examples'][0]}"
    return error.message


def _unstorable_text(value: object, key: str | None = None) -> Iterator[Problem]:
    """Strings with unpaired surrogates: valid JSON escapes, but not Unicode a store keeps."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            yield Problem(INVALID_VALUE, "contains an unpaired Unicode surrogate", key)
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _unstorable_text(name, key)
            yield from _unstorable_text(item, join(key, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unstorable_text(item, join(key, index))


def _from_errors(errors: Iterable[ValidationError], prefix: str | None = None) -> list[Problem]:
    collected = list(errors)
    paths = [tuple(error.absolute_path) for error in collected]
    found: list[Problem] = []
    for error, path in zip(collected, paths, strict=True):
        # "No matching item" says nothing new while an item itself is broken.
        if error.validator == "contains" and any(
            len(other) > len(path) and other[: len(path)] == path for other in paths
        ):
            continue
        key = ".".join(str(part) for part in path) or None
        found.extend(_problems(error, join(prefix, key) if key else prefix))
    return found


def check_body(version: str, schema: str, body: Any) -> None:
    """Raise one 400 validationError listing every way `body` breaks the version's schema."""
    errors = schemas.validator_for(version, schema).iter_errors(body)
    # The first problem of each field (its type before its value), in the order found.
    found: dict[str | None, Problem] = {}
    for problem in [*_from_errors(errors), *_unstorable_text(body)]:
        found.setdefault(problem.key, problem)
    if found:
        raise validation_failed(found.values())


@cache
def _query_validators(version: str, path: str, method: str) -> dict[str, Draft202012Validator]:
    return {
        parameter["name"]: Draft202012Validator(parameter.get("schema", {}))
        for parameter in documents(version).parameters(method, path)
        if parameter.get("in") == "query"
    }


def read_query(
    version: str, path: str, method: str, params: Mapping[str, str], problems: list[Problem]
) -> dict[str, Any]:
    """The documented query parameters that were given (an empty value counts as not given),
    typed and checked by their schemas; problems are added to `problems`. Others are ignored."""
    values: dict[str, Any] = {}
    for name, validator in _query_validators(version, path, method).items():
        raw = params.get(name)
        if not raw:
            continue
        # The text as the JSON value its schema types; the text itself if it is none.
        kind = validator.schema.get("type") if isinstance(validator.schema, dict) else None
        value: object = raw
        if kind == "integer" and _INTEGER.fullmatch(raw):
            value = int(raw)
        elif kind == "boolean" and raw.lower() in ("true", "false"):
            value = raw.lower() == "true"
        errors = list(validator.iter_errors(value))
        problems.extend(_from_errors(errors, name))
        if not errors:
            values[name] = value
    return values


# --- framing and body

# Path plus query. Sequence's own limit is not documented; 8 KiB is a common front-end limit
# (and below uvicorn's 16 KiB head limit, which only applies to heads that arrive in pieces,
# so without this the answer to a 20 KiB URL would depend on TCP segmentation).
MAX_TARGET_BYTES = 8192
MAX_DEPTH = 32
# After a 413 the rest of the body is read and dropped, up to this many times the limit, so
# that the client finishes sending and can read the answer instead of a reset connection.
DRAIN_FACTOR = 8


def check_head(scope: Scope, headers: Mapping[str, str]) -> None:
    """Refuse ambiguous framing and overlong targets, ahead of auth and routing."""
    if "content-length" in headers and "transfer-encoding" in headers:
        # The classic request-smuggling set-up: the connection is closed after the answer
        # (RFC 9112 section 6.3), so that bytes after the body are never read as a request.
        raise ApiError(
            400,
            INVALID_HTTP_REQUEST,
            "Send either Content-Length or Transfer-Encoding, not both",
            headers={"Connection": "close"},
        )
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
    length = len(raw_path) + len(scope.get("query_string", b""))
    if length > MAX_TARGET_BYTES:
        raise ApiError(
            414,
            REQUEST_TOO_LARGE,
            f"The path and query are {length} bytes long; the limit is {MAX_TARGET_BYTES}",
        )


_unsupported = partial(ApiError, 415, "UnsupportedMediaType")
_invalid = partial(ApiError, 400, "InvalidJson")


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


async def read_json_body(
    headers: Mapping[str, str], chunks: AsyncIterator[bytes], max_bytes: int
) -> Any:
    """The body as JSON: 415 unless declared as `application/json` (optionally with
    `charset=utf-8`), 413 if too large, 400 if missing, empty, not UTF-8 or not JSON
    (NaN and Infinity included), or nested deeper than MAX_DEPTH."""
    content_type = headers.get("content-type")
    if content_type is not None:
        media_type, *params = (part.strip() for part in content_type.split(";"))
        if media_type.lower() != "application/json":
            raise _unsupported("The Content-Type must be application/json")
        for param in params:
            name, _, value = param.partition("=")
            charset = value.strip().strip('"').lower()
            if name.strip().lower() == "charset" and charset not in ("utf-8", "utf8"):
                raise _unsupported("The only accepted charset is utf-8")
    too_large = ApiError(
        413, "PayloadTooLarge", f"The request body is larger than {max_bytes} bytes"
    )
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes * DRAIN_FACTOR:
        raise too_large  # not worth draining: the connection gets closed instead
    raw, seen = bytearray(), 0
    try:
        async for chunk in chunks:
            seen += len(chunk)
            if seen > max_bytes * DRAIN_FACTOR:
                break
            if seen <= max_bytes:
                raw.extend(chunk)
    except ClientDisconnect:
        raise _invalid("The client disconnected before sending the whole body") from None
    if seen > max_bytes:
        raise too_large
    if content_type is None and raw:
        raise _unsupported("Missing Content-Type; send application/json")
    # No body at all is a bad request (400, as documented), not a media type problem.
    if not raw.strip():
        raise _invalid("The request body is empty; send a JSON object")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _invalid(f"The request body is not valid UTF-8 (byte {exc.start})") from None
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise _invalid(f"The JSON is nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise _invalid(f"The request body is not valid JSON: {exc.msg} at {exc.pos}") from None
    except ValueError as exc:  # NaN/Infinity, integers too long to convert
        raise _invalid(f"The request body is not valid JSON: {exc}") from None
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise _invalid(f"The JSON is nested deeper than {MAX_DEPTH} levels")
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)
    return document

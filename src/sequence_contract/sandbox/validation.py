"""Request validation against the version's own schemas, each problem named by its path.

Bodies are checked with the version's JSON Schema and query parameters with the schemas
its OpenAPI document gives them, so the value sets (countries, states, enums) and the
documented rules live in `schemas/` only. One 400 lists every bad field, by dotted path
(`address.country`, `contacts.0.email`) or parameter name.
"""

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from sequence_contract import schemas
from sequence_contract.documents import documents
from sequence_contract.sandbox.errors import Problem, validation_failed

REQUIRED = "required"
INVALID_TYPE = "invalidType"
INVALID_VALUE = "invalidValue"

_LISTED_VALUES = 12  # longer enums are described by their schema instead of listed
# Longer digit strings are refused before int() sees them (it refuses thousands of digits).
_INTEGER = re.compile(r"[+-]?[0-9]{1,20}", re.ASCII)


def join(key: str | None, name: str | int) -> str:
    """A field's dotted path, as error keys name it (`contacts.0.email`)."""
    return f"{key}.{name}" if key else str(name)


def _type_of(value: object) -> str:
    """The JSON type of a parsed value."""
    if isinstance(value, bool) or value is None:
        return "null" if value is None else "boolean"
    if isinstance(value, int | float):
        return "number"
    kinds: dict[type, str] = {dict: "object", list: "array", str: "string"}
    return kinds.get(type(value), type(value).__name__)


def _allowed(schema: Mapping[str, Any], values: list[Any]) -> str:
    if len(values) <= _LISTED_VALUES:
        return "must be one of " + ", ".join(str(value) for value in values)
    description = str(schema.get("description", "")).rstrip(".")
    return f"is not one of the {len(values)} allowed values" + (
        f" ({description})" if description else ""
    )


def _problems(error: ValidationError, key: str | None) -> list[Problem]:
    """The error as problems at `key`; `required` names each missing field on its own."""
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    value: Any = error.validator_value
    match error.validator:
        case "required":
            # Inside `if`/`then`: required only because of a sibling value (the country).
            condition = "then" in error.relative_schema_path
            given = error.instance if isinstance(error.instance, Mapping) else {}
            country = given.get("country")
            message = f"is required when country is {country}" if condition else "is required"
            return [
                Problem(REQUIRED, message, join(key, name)) for name in value if name not in given
            ]
        case "type":
            if key is None:
                message = f"The request body must be a JSON object (got {_type_of(error.instance)})"
                return [Problem(INVALID_TYPE, message)]
            expected = value if isinstance(value, str) else " or ".join(value)
            message = f"must be of type {expected} (got {_type_of(error.instance)})"
            return [Problem(INVALID_TYPE, message, key)]
        case "enum":
            return [Problem(INVALID_VALUE, _allowed(schema, value), key)]
        case "const":
            return [Problem(INVALID_VALUE, f"must be {value}", key)]
        case "minLength" if value == 1:
            return [Problem(INVALID_VALUE, "must not be empty", key)]
        case "minimum":
            return [Problem(INVALID_VALUE, f"must be at least {value}", key)]
        case "maximum":
            return [Problem(INVALID_VALUE, f"must be at most {value}", key)]
        case "contains" if schema.get("description"):
            # The schema's own words say what the list must contain.
            return [Problem(INVALID_VALUE, str(schema["description"]).split(". ")[0], key)]
        case "pattern" if schema.get("examples"):
            return [
                Problem(INVALID_VALUE, f"has the wrong format, e.g. {schema['examples'][0]}", key)
            ]
    return [Problem(INVALID_VALUE, error.message, key)]


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


def _one_per_key(found: Iterable[Problem]) -> list[Problem]:
    """The first problem of each field (its type before its value), in the order found."""
    kept: dict[str | None, Problem] = {}
    for problem in found:
        kept.setdefault(problem.key, problem)
    return list(kept.values())


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
    found = _one_per_key([*_from_errors(errors), *_unstorable_text(body)])
    if found:
        raise validation_failed(found)


@cache
def _query_schemas(
    version: str, path: str, method: str
) -> dict[str, tuple[dict[str, Any], Draft202012Validator]]:
    return {
        parameter["name"]: (
            parameter.get("schema", {}),
            Draft202012Validator(parameter.get("schema", {})),
        )
        for parameter in documents(version).parameters(method, path)
        if parameter.get("in") == "query"
    }


def _typed(raw: str, schema: Mapping[str, Any]) -> object:
    """The parameter's text as the JSON value its schema types; the text itself if it is none."""
    if schema.get("type") == "integer" and _INTEGER.fullmatch(raw):
        return int(raw)
    if schema.get("type") == "boolean" and raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    return raw


def read_query(
    version: str, path: str, method: str, params: Mapping[str, str], problems: list[Problem]
) -> dict[str, Any]:
    """The documented query parameters that were given (an empty value counts as not given),
    typed and checked by their schemas; problems are added to `problems`. Others are ignored."""
    values: dict[str, Any] = {}
    for name, (schema, validator) in _query_schemas(version, path, method).items():
        raw = params.get(name)
        if not raw:
            continue
        value = _typed(raw, schema)
        errors = list(validator.iter_errors(value))
        problems.extend(_from_errors(errors, name))
        if not errors:
            values[name] = value
    return values

"""The strict-positive view of an OpenAPI document (what any careful implementation of the docs
must accept: positive cases draw from it; negative ones keep the tolerant document), and the
grey zone inside it that a careful server may still refuse (the `grey-zone` expectation).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from sequence_contract.documents import HTTP_METHODS
from sequence_contract.schemas import inline_references

if TYPE_CHECKING:
    from referencing._core import Resolver

JsonSchema = dict[str, Any]

# C0 controls, DEL and C1 controls: never printable text.
TEXT_PATTERN = "^[^\\x00-\\x1f\\x7f-\\x9f]*$"
TEXT_MAX_LENGTH = 255
# Free strings by field name; 254 is RFC 5321's limit for a forward path.
STRING_RULES: dict[str | None, JsonSchema] = {
    "email": {"format": "email", "maxLength": 254},
    "billingEmails": {"format": "email", "maxLength": 254},
    "url": {"format": "uri", "maxLength": 2048},
}
ARRAY_MAX_ITEMS = 10
INT32_MAX = 2**31 - 1  # an integer the docs give no range for: 0 to this
MAP_KEY = {"type": "string", "minLength": 1, "maxLength": 64, "pattern": TEXT_PATTERN}

# Longer text is valid in the view but a careful server may cap it (a postcode of 200 letters).
PLAIN_MAX_LENGTH = 100
# General categories a careful server may refuse: format characters (zero-width, bidi marks),
# private use, unassigned, line and paragraph separators.
UNUSUAL_CATEGORIES = frozenset({"Cf", "Co", "Cn", "Zl", "Zp"})
# Outside the Basic Multilingual Plane (emoji, historic scripts): storage that is not full UTF-8
# (MySQL's utf8) refuses these.
BMP_END = 0xFFFF

_STRING_CONSTRAINTS = frozenset({"enum", "const", "format", "pattern"})
_INTEGER_BOUNDS = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"})


def strict_schema(schema: Any, *, name: str | None = None, required: bool = True) -> Any:
    """The strict view of one request schema (references already inlined); `name` is the
    property (or parameter) it describes, `required` whether it must be present."""
    if not isinstance(schema, dict):
        return schema
    strict: JsonSchema = {
        key: [strict_schema(item, name=name, required=required) for item in value]
        if key in ("allOf", "anyOf", "oneOf") and isinstance(value, list)
        else value  # conditions (if, not, ...) stay: constraining them changes what they match
        for key, value in schema.items()
    }
    kind = strict.get("type")
    if kind == "object" or "properties" in strict:
        needed = set(strict.get("required", []))
        if "properties" in strict:
            strict["properties"] = {
                prop: strict_schema(sub, name=prop, required=prop in needed)
                for prop, sub in strict["properties"].items()
            }
        extra = strict.get("additionalProperties")
        if extra is None:
            strict["additionalProperties"] = False
        elif isinstance(extra, dict):
            strict["additionalProperties"] = strict_schema(extra, name=name, required=True)
            strict.setdefault("propertyNames", dict(MAP_KEY))
    if kind == "array":
        strict["items"] = strict_schema(strict.get("items", {}), name=name, required=True)
        strict["maxItems"] = min(strict.get("maxItems", ARRAY_MAX_ITEMS), ARRAY_MAX_ITEMS)
    if kind == "integer" and not _INTEGER_BOUNDS & strict.keys():
        strict.update(minimum=0, maximum=INT32_MAX)
    if kind == "string" and not _STRING_CONSTRAINTS & strict.keys():
        strict.update(
            STRING_RULES.get(name, {"pattern": TEXT_PATTERN, "maxLength": TEXT_MAX_LENGTH})
        )
        if required:
            strict["minLength"] = max(strict.get("minLength", 0), 1)
    return strict


def strict_document(document: Mapping[str, Any], resolver: Resolver[Any]) -> dict[str, Any]:
    """The whole OpenAPI document with its schema files inlined, and request bodies and
    parameters in the strict view. Self-contained: load it with `from_dict`."""
    inlined: dict[str, Any] = inline_references(dict(document), resolver)
    for path_item in inlined.get("paths", {}).values():
        _strict_parameters(path_item.get("parameters", []))
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            _strict_parameters(operation.get("parameters", []))
            for media in operation.get("requestBody", {}).get("content", {}).values():
                if "schema" in media:
                    media["schema"] = strict_schema(media["schema"])
    _strict_parameters(inlined.get("components", {}).get("parameters", {}).values())
    return inlined


def _strict_parameters(parameters: Any) -> None:
    for parameter in parameters:
        if isinstance(parameter, dict) and "schema" in parameter:
            parameter["schema"] = strict_schema(
                parameter["schema"],
                name=parameter.get("name"),
                required=bool(parameter.get("required", False)),
            )


def drop_undocumented(value: Any, schema: Any, where: str = "$") -> list[str]:
    """Remove, in place, every property of `value` that the closed `schema` does not list;
    returns where each one was. (schemathesis fills some request fields with objects from
    response examples, which carry response-only fields.)"""
    removed: list[str] = []
    if not isinstance(schema, dict):
        return removed
    for part in schema.get("allOf", []):
        removed += drop_undocumented(value, part, where)
    if isinstance(value, dict) and isinstance(schema.get("properties"), dict):
        properties = schema["properties"]
        if schema.get("additionalProperties") is False:
            for key in [key for key in value if key not in properties]:
                del value[key]
                removed.append(f"{where}.{key}")
        for key, item in value.items():
            if key in properties:
                removed += drop_undocumented(item, properties[key], f"{where}.{key}")
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            removed += drop_undocumented(item, schema["items"], f"{where}[{index}]")
    return removed


def grey_values(value: Any, where: str = "$") -> Iterator[str]:
    """Each value inside `value` that a careful server may refuse though the strict view allows
    it, as "where: why" (e.g. "$.address.line2: empty")."""
    if isinstance(value, str):
        reason = grey_reason(value)
        if reason:
            yield f"{where}: {reason}"
    elif isinstance(value, dict):
        for key, item in value.items():
            key_reason = grey_reason(str(key))
            if key_reason:
                yield f"{where} key {key!r}: {key_reason}"
            yield from grey_values(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from grey_values(item, f"{where}[{index}]")


def grey_reason(text: str) -> str | None:
    """Why a careful server may refuse this text, or None for plain text."""
    if text == "":
        return "empty"
    if not text.strip():
        return "blank"
    if text != text.strip():
        return "leading or trailing white space"
    if len(text) > PLAIN_MAX_LENGTH:
        return f"{len(text)} characters (more than {PLAIN_MAX_LENGTH})"
    for char in text:
        if ord(char) > BMP_END or unicodedata.category(char) in UNUSUAL_CATEGORIES:
            return f"unusual character U+{ord(char):04X}"
    return None

"""The strict-positive view of the OpenAPI documents, and the grey zone around it."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from sequence_contract.schemas import available_versions, load_openapi, openapi_resolver
from sequence_contract.suite.positive import (
    PLAIN_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TEXT_PATTERN,
    drop_undocumented,
    grey_reason,
    grey_values,
    strict_document,
)

VERSIONS = available_versions()
BODY_PATH = ("/customers", "post")


def _view(version: str) -> dict[str, Any]:
    return strict_document(load_openapi(version), openapi_resolver(version))


def _body_schema(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    schema: dict[str, Any] = document["paths"][path][method]["requestBody"]["content"][
        "application/json"
    ]["schema"]
    return schema


def _validator(version: str) -> Draft202012Validator:
    schema = _body_schema(_view(version), *BODY_PATH)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _objects(schema: Any, where: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object schema with documented properties, outside conditions (if/contains)."""
    if not isinstance(schema, dict):
        return
    if "properties" in schema and schema.get("type") == "object":
        yield where, schema
        for name, sub in schema["properties"].items():
            yield from _objects(sub, f"{where}.{name}")
    for key in ("items", "additionalProperties"):
        yield from _objects(schema.get(key), f"{where}[]")


def _document_example(version: str) -> dict[str, Any]:
    raw = load_openapi(version)
    media = raw["paths"]["/customers"]["post"]["requestBody"]["content"]["application/json"]
    ref = next(iter(media["examples"].values()))["$ref"]
    example: dict[str, Any] = raw["components"]["examples"][ref.rsplit("/", 1)[1]]["value"]
    return example


@pytest.mark.parametrize("version", VERSIONS)
def test_request_objects_are_closed_and_maps_stay_maps(version: str) -> None:
    for path, method in (BODY_PATH, ("/customers/{id}", "put")):
        objects = dict(_objects(_body_schema(_view(version), path, method)))
        assert objects
        for where, schema in objects.items():
            assert schema.get("additionalProperties") is False, where
    properties = _body_schema(_view(version), *BODY_PATH)["properties"]
    assert properties["url"]["format"] == "uri"  # jsonschema checks uri only with rfc3987
    if version == "2024-07-30":
        custom = _body_schema(_view(version), *BODY_PATH)["properties"]["customProperties"]
        assert custom["additionalProperties"]["pattern"] == TEXT_PATTERN
        assert custom["propertyNames"]["minLength"] == 1


@pytest.mark.parametrize("version", VERSIONS)
def test_responses_stay_tolerant_readers(version: str) -> None:
    responses = json.dumps(
        [
            operation["responses"]
            for path_item in _view(version)["paths"].values()
            for operation in path_item.values()
            if isinstance(operation, dict) and "responses" in operation
        ]
    )
    assert '"additionalProperties": false' not in responses
    assert TEXT_PATTERN.replace("\\", "\\\\") not in responses


@pytest.mark.parametrize("version", VERSIONS)
def test_the_view_is_self_contained(version: str) -> None:
    refs = [
        value
        for key, value in _walk(_view(version))
        if key == "$ref" and not str(value).startswith("#/components/")
    ]
    assert refs == []


def _walk(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


@pytest.mark.parametrize("version", VERSIONS)
def test_the_documented_example_is_unambiguously_valid(version: str) -> None:
    example = _document_example(version)
    assert [error.message for error in _validator(version).iter_errors(example)] == []


@pytest.mark.parametrize(
    ("change", "keyword"),
    [
        (lambda body: body.update({"<ð~\U0009ad73\U0002be48": "x"}), "additionalProperties"),
        (lambda body: body["contacts"][0].update(email="*¶\t\x00¬"), "format"),
        (lambda body: body["contacts"][0].update(name="Ada\x07"), "pattern"),
        (lambda body: body["address"].update(postcode=""), "minLength"),
        (lambda body: body.update(legalName="A" * (TEXT_MAX_LENGTH + 1)), "maxLength"),
        (lambda body: body["address"].update(floor="3"), "additionalProperties"),
    ],
    ids=["unknown field", "email", "control char", "empty postcode", "long", "nested"],
)
def test_what_a_careful_server_may_refuse_is_outside_the_view(change: Any, keyword: str) -> None:
    body = copy.deepcopy(_document_example("2024-07-30"))
    change(body)
    keywords = {error.validator for error in _validator("2024-07-30").iter_errors(body)}
    keywords |= {
        sub.validator
        for error in _validator("2024-07-30").iter_errors(body)
        for sub in error.context or []
    }
    assert keyword in keywords


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Müller GmbH", None),
        ("北京 有限公司", None),
        ("", "empty"),
        ("   ", "blank"),
        (" Ada", "leading or trailing white space"),
        ("A" * (PLAIN_MAX_LENGTH + 1), f"{PLAIN_MAX_LENGTH + 1} characters"),
        ("Ada\u200b", "unusual character U+200B"),
        ("Ada \U0001f600", "unusual character U+1F600"),
        ("\ue000", "unusual character U+E000"),
    ],
)
def test_grey_reasons(text: str, reason: str | None) -> None:
    found = grey_reason(text)
    assert found == reason if reason is None else found is not None and found.startswith(reason)


def test_grey_values_name_where_they_are() -> None:
    body = {"legalName": "Ada", "address": {"line2": ""}, "customProperties": {"\u200b": "x"}}
    assert list(grey_values(body, "body")) == [
        "body.address.line2: empty",
        "body.customProperties key '\\u200b': unusual character U+200B",
    ]


def test_response_only_fields_are_dropped_from_a_positive_body() -> None:
    schema = _body_schema(_view("2024-07-30"), *BODY_PATH)
    body = copy.deepcopy(_document_example("2024-07-30"))
    body["integrationIds"][0]["isPending"] = False
    body["createdAt"] = "2024-03-28T16:47:00Z"
    removed = drop_undocumented(body, schema)
    assert sorted(removed) == ["$.createdAt", "$.integrationIds[0].isPending"]
    assert body == _document_example("2024-07-30")

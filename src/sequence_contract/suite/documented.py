"""Facts the contract tests read from the run's OpenAPI document (local `$ref`s resolved)."""

from __future__ import annotations

from typing import Any

from sequence_contract.schemas import load_openapi
from sequence_contract.suite.customers import ARCHIVE_METHOD

ARCHIVE_PATH = "/customers/{id}/archive"


def resolve(document: dict[str, Any], node: Any) -> Any:
    """Follow `#/...` references until `node` is not one (file references are left alone)."""
    while isinstance(node, dict) and str(node.get("$ref", "")).startswith("#/"):
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def operation(version: str, method: str, path: str) -> dict[str, Any]:
    document = load_openapi(version)
    item = resolve(document, document["paths"][path])
    found: dict[str, Any] = resolve(document, item[method.lower()])
    return found


def archive_versions(version: str) -> list[str]:
    """The `Sequence-Version` values documented for the archive operation of `version`."""
    document = load_openapi(version)
    item = document["paths"][ARCHIVE_PATH]
    method = ARCHIVE_METHOD[version].lower()
    for parameter in [*item.get("parameters", []), *item[method].get("parameters", [])]:
        parameter = resolve(document, parameter)
        if parameter.get("in") == "header" and parameter["name"].lower() == "sequence-version":
            return list(parameter["schema"]["enum"])
    raise LookupError(f"schemas/{version}/openapi.json: archive has no Sequence-Version parameter")


def response_examples(version: str) -> dict[str, tuple[str | None, Any]]:
    """`METHOD path status #n` -> (schema `$ref`, example) for every documented response example."""
    document = load_openapi(version)
    found: dict[str, tuple[str | None, Any]] = {}
    for path, item in document["paths"].items():
        for method, op in resolve(document, item).items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            for status, response in op["responses"].items():
                response = resolve(document, response)
                for media in response.get("content", {}).values():
                    examples = [
                        resolve(document, e).get("value")
                        for e in media.get("examples", {}).values()
                    ]
                    if "example" in media:
                        examples.append(media["example"])
                    ref = media.get("schema", {}).get("$ref")
                    for index, example in enumerate(examples):
                        found[f"{method.upper()} {path} {status} #{index}"] = (ref, example)
    return found

"""One API version's contract documents, `$ref`s followed offline through the registry of
`schemas.folder_registry`."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urljoin

from referencing.exceptions import Unresolvable

from sequence_contract import schemas
from sequence_contract.errors import SequenceContractError

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_MAX_REF_HOPS = 32  # a chain longer than this is a cycle


class DocumentError(SequenceContractError):
    """A `$ref` in a version's documents leads nowhere."""


@dataclass(frozen=True)
class Node:
    """A schema (or OpenAPI object) with its `$ref`s followed."""

    contents: dict[str, Any]
    base: str  # the URI of the document it came from
    root: str | None  # the schema a `$ref` entered whole ("Customer"), else None


class VersionDocuments:
    """The OpenAPI document and JSON Schemas of one version, loaded into one registry."""

    def __init__(self, version: str, openapi_file: Path | None = None) -> None:
        """The package's documents of `version`, or those next to `openapi_file`."""
        self.version = version
        path = (openapi_file or schemas.openapi_path(version)).resolve()
        self.openapi = schemas.read_document(path)
        self.openapi_uri = path.as_uri()
        self._resolver = schemas.folder_registry(path.parent).resolver()

    def resolve(self, node: Any, base: str) -> Node:
        """Follow `node`'s `$ref` chain; sibling keywords of a `$ref` are kept (2020-12)."""
        if not isinstance(node, dict):
            return Node({}, base, None)
        root: str | None = None
        for _ in range(_MAX_REF_HOPS):
            ref = node.get("$ref")
            if not isinstance(ref, str):
                return Node(node, base, root)
            target = urljoin(base, ref)
            document, fragment = urldefrag(target)
            try:
                contents = self._resolver.lookup(target).contents
            except Unresolvable as exc:
                raise DocumentError(
                    f"{self.version}: $ref {ref!r} (from {base.rsplit('/', 1)[-1]}) leads nowhere"
                ) from exc
            if not isinstance(contents, dict):
                raise DocumentError(f"{self.version}: $ref {ref!r} is not an object")
            name = _root_name(document, fragment)
            if name is not None:
                root = name
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            node = {**contents, **siblings}
            base = document
        raise DocumentError(
            f"{self.version}: $ref chain from {base.rsplit('/', 1)[-1]} does not end"
        )

    def follow(self, node: Any) -> dict[str, Any]:
        """A node of the OpenAPI document with its `$ref`s followed ({} for a non-object)."""
        return self.resolve(node, self.openapi_uri).contents

    def operations(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(METHOD, path template, operation object) in document order."""
        for path, item in (self.openapi.get("paths") or {}).items():
            item = self.follow(item)
            for method in HTTP_METHODS:
                if isinstance(item.get(method), dict):
                    yield method.upper(), path, self.follow(item[method])

    def parameters(self, method: str, path: str) -> list[dict[str, Any]]:
        """The operation's parameters, those of its path item included."""
        item = self.follow(self.openapi["paths"][path])
        operation = self.follow(item[method.lower()])
        raw = [*item.get("parameters", []), *operation.get("parameters", [])]
        return [self.follow(parameter) for parameter in raw]

    def response_examples(self) -> dict[str, tuple[str | None, Any]]:
        """`METHOD path status #n` -> (schema `$ref`, example) for every documented example."""
        found: dict[str, tuple[str | None, Any]] = {}
        for method, path, operation in self.operations():
            for status, response in operation.get("responses", {}).items():
                for media in self.follow(response).get("content", {}).values():
                    examples = [
                        self.follow(e).get("value") for e in media.get("examples", {}).values()
                    ]
                    if "example" in media:
                        examples.append(media["example"])
                    ref = media.get("schema", {}).get("$ref")
                    for index, example in enumerate(examples):
                        found[f"{method} {path} {status} #{index}"] = (ref, example)
        return found


@functools.cache
def documents(version: str) -> VersionDocuments:
    """The package's documents of `version`, read once per process."""
    return VersionDocuments(version)


def _root_name(document: str, fragment: str) -> str | None:
    """`customer.schema.json` -> "Customer"; `#/components/schemas/X` -> "X"."""
    if fragment.startswith("/components/schemas/"):
        return fragment.rsplit("/", 1)[-1]
    if fragment:
        return None
    filename = document.rsplit("/", 1)[-1]
    if not filename.endswith(schemas.SCHEMA_SUFFIX):
        return None
    stem = filename.removesuffix(schemas.SCHEMA_SUFFIX)
    return "".join(part[:1].upper() + part[1:] for part in stem.replace("_", "-").split("-"))

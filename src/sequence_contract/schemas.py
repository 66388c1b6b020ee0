"""JSON Schemas and OpenAPI documents per API version: one folder each, whose files' relative
`$ref`s resolve against the folder, on disk and in the offline registry built here."""

from __future__ import annotations

import json
import re
import reprlib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match, relevance
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from sequence_contract.errors import SequenceContractError

if TYPE_CHECKING:
    from referencing._core import Resolver  # the type behind Registry.resolver()

LATEST_VERSION: str = "2024-07-30"
PUBLISHED_VERSIONS: tuple[str, ...] = ("2024-01-01", "2024-05-09", "2024-07-30")

_PACKAGE_DIR = Path(__file__).resolve().parent
_VERSION_FOLDER = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
SCHEMA_SUFFIX = ".schema.json"
_OPENAPI_FILE = "openapi.json"


class SchemaNotFoundError(SequenceContractError):
    """An API version or schema name this package does not ship; the message lists what exists."""


class SchemaViolationError(SequenceContractError):
    """An instance does not match its schema; `violations` holds one "where: what" line each."""

    def __init__(self, version: str, name: str, violations: list[str]) -> None:
        self.version = version
        self.name = name
        self.violations = violations
        count = f"{len(violations)} violation" + ("" if len(violations) == 1 else "s")
        lines = "\n".join(f"  {line}" for line in violations)
        super().__init__(f"not a valid {name} ({version}), {count}:\n{lines}")


def schemas_root() -> Path:
    """The folder holding one sub-folder per API version."""
    # A wheel carries the folder inside the package; a source checkout keeps it at the top.
    candidates = (_PACKAGE_DIR / "_schemas", _PACKAGE_DIR.parent.parent / "schemas")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    looked = " and ".join(str(path) for path in candidates)
    raise SchemaNotFoundError(f"no schemas folder: looked for {looked}")


def available_versions() -> tuple[str, ...]:
    """API versions that have a schema folder, oldest first."""
    root = schemas_root()
    return tuple(
        sorted(
            path.name
            for path in root.iterdir()
            if path.is_dir() and _VERSION_FOLDER.match(path.name)
        )
    )


def _version_dir(version: str) -> Path:
    versions = available_versions()
    if version not in versions:
        shipped = ", ".join(versions) or "none"
        if version in PUBLISHED_VERSIONS:
            reason = f"Sequence publishes {version!r} but this package has no schemas for it"
        else:
            reason = f"unknown API version {version!r}"
        raise SchemaNotFoundError(f"{reason}; versions with schemas: {shipped}")
    return schemas_root() / version


def read_document(path: Path) -> dict[str, Any]:
    """A JSON object from a file; a clear error if it is none."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SequenceContractError(f"{path}: cannot read JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise SequenceContractError(f"{path}: expected a JSON object")
    return document


def openapi_path(version: str) -> Path:
    """Path of the version's OpenAPI document; its `$ref`s are relative to its folder."""
    path = _version_dir(version) / _OPENAPI_FILE
    if not path.is_file():
        raise SchemaNotFoundError(f"version {version} has no {_OPENAPI_FILE} in {path.parent}")
    return path


def openapi_resolver(version: str) -> Resolver[Any]:
    """Resolves the `$ref`s of the version's OpenAPI document into its schema files, offline."""
    return registry(version).resolver(base_uri=openapi_path(version).as_uri())


def load_openapi(version: str) -> dict[str, Any]:
    """The version's OpenAPI document as parsed JSON, external `$ref`s left as they are."""
    return read_document(openapi_path(version))


# Annotations may sit beside a `$ref`; anything else beside it is combined with `allOf`.
_ANNOTATIONS = frozenset({"title", "description", "examples", "$comment", "default"})
_DROPPED = frozenset({"$id", "$schema", "$defs", "$comment"})


def inline_references(node: Any, resolver: Resolver[Any], depth: int = 0) -> Any:
    """`node` with every `$ref` replaced by what it names, resolved by `resolver` (offline);
    `#/components/...` references are kept for schemathesis to resolve in the document."""
    if depth > 64:
        raise SequenceContractError("schema references nest deeper than 64 levels (recursive?)")
    if isinstance(node, list):
        return [inline_references(item, resolver, depth + 1) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and not ref.startswith("#/components/"):
        resolved = resolver.lookup(ref)
        target = inline_references(resolved.contents, resolved.resolver, depth + 1)
        siblings = {
            key: inline_references(value, resolver, depth + 1)
            for key, value in node.items()
            if key != "$ref" and key not in _DROPPED
        }
        if not siblings:
            return target
        if not isinstance(target, dict) or (target.keys() & siblings.keys()) - _ANNOTATIONS:
            return {**siblings, "allOf": [target]}
        return {**target, **siblings}
    return {
        key: inline_references(value, resolver, depth + 1)
        for key, value in node.items()
        if key not in _DROPPED
    }


def inlined_schema(version: str, name: str) -> dict[str, Any]:
    """Schema `name` with every reference replaced by what it names: one self-contained
    document, e.g. to derive a stricter view from."""
    uri = (_version_dir(version) / f"{name}{SCHEMA_SUFFIX}").as_uri()
    resolved = registry(version).resolver().lookup(uri)
    inlined: dict[str, Any] = inline_references(resolved.contents, resolved.resolver)
    return inlined


def schema_names(version: str) -> tuple[str, ...]:
    """Names accepted by `validator_for`, e.g. "customer", "error", sorted."""
    folder = _version_dir(version)
    files = folder.glob(f"*{SCHEMA_SUFFIX}")
    return tuple(sorted(path.name.removesuffix(SCHEMA_SUFFIX) for path in files))


def registry(version: str) -> Registry[Any]:
    return folder_registry(_version_dir(version))


@cache
def folder_registry(folder: Path) -> Registry[Any]:
    """Every JSON file in `folder` under its file URI: the project's one offline `$ref` resolver."""
    resources = []
    for path in sorted(folder.resolve().glob("*.json")):
        uri = path.as_uri()
        # The files name themselves relatively; anchoring `$id` here makes their `$ref`s
        # resolve against this folder whatever the caller's working directory.
        contents = {**read_document(path), "$id": uri}
        resources.append((uri, Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources)


@cache
def validator_for(version: str, name: str) -> Draft202012Validator:
    """A draft 2020-12 validator for one schema, format checks on, resolving offline."""
    names = schema_names(version)
    if name not in names:
        raise SchemaNotFoundError(
            f"no schema {name!r} in version {version}; schemas: {', '.join(names)}"
        )
    uri = (_version_dir(version) / f"{name}{SCHEMA_SUFFIX}").as_uri()
    resources = registry(version)
    return Draft202012Validator(
        resources.contents(uri),
        registry=resources,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


_SHORT = reprlib.Repr()
_SHORT.maxlist = 6
_SHORT.maxdict = 4
_SHORT.maxstring = _SHORT.maxother = 80
_SHORT.maxlevel = 3


def _shorten(value: object) -> str:
    text = _SHORT.repr(value)
    if isinstance(value, list) and len(value) > _SHORT.maxlist:
        text += f" ({len(value)} values)"
    return text


def _describe(error: ValidationError) -> str:
    """One "where: what" line; long values are abbreviated so the line stays readable."""
    message = error.message
    # The offending value, and long enum lists, are the parts that can run to pages.
    values = [error.instance]
    if isinstance(error.validator_value, list):
        values.append(error.validator_value)
    for value in values:
        full = repr(value)
        if len(full) > 100 and full in message:
            message = message.replace(full, _shorten(value))
    schema = error.schema if isinstance(error.schema, dict) else {}
    examples = schema.get("examples")
    if error.validator == "pattern" and isinstance(examples, list) and examples:
        message += f" (expected e.g. {examples[0]!r})"
    description = schema.get("description")
    if "the given schema" in message and isinstance(description, str):
        # jsonschema cannot say what "the given schema" asks for; the schema's own words can.
        message += f" ({description})"
    return f"{error.json_path}: {message}"


def violations(version: str, name: str, instance: object) -> list[str]:
    """Every way `instance` breaks schema `name`, best match first; [] when it is valid."""
    try:
        errors = list(validator_for(version, name).iter_errors(instance))
    except Unresolvable as exc:
        # A packaging fault, not the instance's: say which reference is broken.
        raise SequenceContractError(
            f"schema {name!r} ({version}) refers to {exc.ref!r}, which is not in {schemas_root()}"
        ) from None
    if not errors:
        return []
    best = best_match(errors)
    ordered = [best, *(e for e in sorted(errors, key=relevance, reverse=True) if e is not best)]
    return [_describe(error) for error in ordered]


def check(version: str, name: str, instance: object) -> None:
    """Raise `SchemaViolationError` unless `instance` matches schema `name`."""
    found = violations(version, name, instance)
    if found:
        raise SchemaViolationError(version, name, found)

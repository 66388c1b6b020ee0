"""The JSON Schemas of the contract: cases as data, the module's interface, the files' rules."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from sequence_contract import schemas
from sequence_contract.documents import DocumentError, documents
from sequence_contract.errors import SequenceContractError
from sequence_contract.schemas import (
    LATEST_VERSION,
    PUBLISHED_VERSIONS,
    SchemaNotFoundError,
    SchemaViolationError,
    available_versions,
    check,
    openapi_path,
    schema_names,
    schemas_root,
    validator_for,
    violations,
)

CASES = Path(__file__).parent / "schema_cases"
CASE_KEYS = {
    "positive": {"version", "schema", "why", "instance"},
    "negative": {"version", "schema", "why", "instance", "expect"},
}
SHIPPED = ("2024-05-09", "2024-07-30")


def case_files(kind: str) -> list[Path]:
    return sorted((CASES / kind).glob("*.json"))


def load_case(path: Path, kind: str) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    assert set(case) == CASE_KEYS[kind], (
        f"{path.name}: keys must be {sorted(CASE_KEYS[kind])}, got {sorted(case)}"
    )
    assert path.stem.startswith(f"{case['version']}_"), (
        f"{path.name}: the file name must start with its version {case['version']}_"
    )
    return case


@pytest.mark.parametrize("path", case_files("positive"), ids=lambda p: p.stem)
def test_positive_case_is_valid(path: Path) -> None:
    case = load_case(path, "positive")
    found = violations(case["version"], case["schema"], case["instance"])
    assert found == [], f"{path.name}: should be valid ({case['why']}), got:\n" + "\n".join(found)


@pytest.mark.parametrize("path", case_files("negative"), ids=lambda p: p.stem)
def test_negative_case_is_reported_first(path: Path) -> None:
    case = load_case(path, "negative")
    found = violations(case["version"], case["schema"], case["instance"])
    assert found, f"{path.name}: should be rejected ({case['why']}), but it is valid"
    assert case["expect"] in found[0], (
        f"{path.name}: best match should contain {case['expect']!r}, got:\n" + "\n".join(found)
    )


@pytest.mark.parametrize("version", SHIPPED)
def test_every_schema_has_positive_and_negative_cases(version: str) -> None:
    for kind in ("positive", "negative"):
        covered = {
            load_case(path, kind)["schema"]
            for path in case_files(kind)
            if path.stem.startswith(f"{version}_")
        }
        missing = set(schema_names(version)) - covered
        assert not missing, f"{version}: no {kind} case for {sorted(missing)}"


# --- the module's interface -----------------------------------------------------------------


def test_shipped_versions() -> None:
    assert available_versions() == SHIPPED
    assert available_versions()[-1] == LATEST_VERSION
    assert set(available_versions()) <= set(PUBLISHED_VERSIONS)


@pytest.mark.parametrize(
    ("version", "names"),
    [
        (
            "2024-05-09",
            (
                "address",
                "create-or-update-customer-request",
                "customer",
                "error",
                "integration-id",
                "list-customer-item",
                "list-customers-response",
            ),
        ),
        (
            "2024-07-30",
            (
                "address",
                "contact",
                "create-or-update-customer-request",
                "customer",
                "error",
                "integration-id",
                "list-customer-item",
                "list-customers-response",
                "organization",
            ),
        ),
    ],
)
def test_schema_names(version: str, names: tuple[str, ...]) -> None:
    assert schema_names(version) == names


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        (
            "2099-01-01",
            "unknown API version '2099-01-01'; versions with schemas: 2024-05-09, 2024-07-30",
        ),
        ("2024-01-01", "Sequence publishes '2024-01-01' but this package has no schemas for it"),
        ("../2024-07-30", "unknown API version '../2024-07-30'"),
    ],
)
def test_unknown_version_says_what_exists(version: str, expected: str) -> None:
    for call in (lambda: validator_for(version, "customer"), lambda: openapi_path(version)):
        with pytest.raises(SchemaNotFoundError) as raised:
            call()
        assert expected in str(raised.value)


def test_unknown_schema_name_lists_the_names() -> None:
    with pytest.raises(SchemaNotFoundError) as raised:
        validator_for(LATEST_VERSION, "customers")
    assert "no schema 'customers' in version 2024-07-30; schemas: address, contact," in str(
        raised.value
    )


def test_errors_share_the_package_base() -> None:
    assert issubclass(SchemaNotFoundError, SequenceContractError)
    assert issubclass(SchemaViolationError, SequenceContractError)


def test_check_raises_with_the_violations() -> None:
    bad = {"error": {"message": "no type", "errors": [{"code": 7, "message": "x"}]}}
    with pytest.raises(SchemaViolationError) as raised:
        check(LATEST_VERSION, "error", bad)
    assert raised.value.violations == violations(LATEST_VERSION, "error", bad)
    assert len(raised.value.violations) == 2
    assert str(raised.value).startswith("not a valid error (2024-07-30), 2 violations:\n")
    assert "  $.error.errors[0].code: 7 is not of type 'string'" in str(raised.value)


def test_check_accepts_a_valid_instance() -> None:
    check(LATEST_VERSION, "error", {"error": {"type": "T", "message": "m"}})


def test_long_values_are_abbreviated() -> None:
    (line,) = violations(
        LATEST_VERSION, "address", {"line1": "a", "town": "b", "postcode": "c", "country": "??"}
    )
    assert line.startswith(
        "$.country: '??' is not one of ['AD', 'AE', 'AF', 'AG', 'AI', 'AL', ...]"
    )
    assert line.endswith("(250 values)")


def test_validator_is_cached_and_checks_formats() -> None:
    validator = validator_for(LATEST_VERSION, "customer")
    assert validator is validator_for(LATEST_VERSION, "customer")
    assert validator.format_checker is not None
    assert "email" in validator.format_checker.checkers


def test_schemas_root_prefers_the_packaged_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package_dir = tmp_path / "site-packages" / "sequence_contract"
    (package_dir / "_schemas").mkdir(parents=True)
    monkeypatch.setattr(schemas, "_PACKAGE_DIR", package_dir)
    assert schemas_root() == package_dir / "_schemas"


def test_schemas_root_says_where_it_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schemas, "_PACKAGE_DIR", tmp_path / "src" / "sequence_contract")
    with pytest.raises(SchemaNotFoundError, match=r"no schemas folder: looked for .*_schemas and "):
        schemas_root()


def test_source_checkout_uses_the_repository_folder() -> None:
    assert schemas_root() == Path(__file__).resolve().parents[1] / "schemas"


# --- rules every schema file follows --------------------------------------------------------


def schema_files() -> list[Path]:
    return sorted(
        path
        for version in SHIPPED
        for path in (schemas_root() / version).glob("*.json")
        if path.name != "openapi.json"
    )


def walk(node: object, where: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every JSON object in a document with its location."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from walk(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{where}[{index}]")


def file_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


@pytest.mark.parametrize("path", schema_files(), ids=file_id)
def test_schema_file_is_draft_2020_12_named_after_itself(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == path.name, f"{file_id(path)}: $id must be the file name"
    assert path.name.endswith((".schema.json", ".defs.json"))


@pytest.mark.parametrize("version", SHIPPED)
def test_every_ref_resolves_offline(version: str) -> None:
    # Built here, apart from the module, so a resolution bug there cannot hide one here.
    folder = schemas_root() / version
    files = [path for path in folder.glob("*.json") if path.name != "openapi.json"]
    registry: Registry[Any] = Registry().with_resources(
        (path.as_uri(), Resource.from_contents(json.loads(path.read_text()), DRAFT202012))
        for path in files
    )
    refs = 0
    for path in files:
        resolver = registry.resolver(base_uri=path.as_uri())
        for where, node in walk(json.loads(path.read_text())):
            if "$ref" in node:
                refs += 1
                resolved = resolver.lookup(node["$ref"]).contents
                assert isinstance(resolved, dict), (
                    f"{path.name} {where}: {node['$ref']} is not a schema"
                )
    assert refs > 10


@pytest.mark.parametrize(
    "path", [*schema_files(), *(schemas_root() / v / "openapi.json" for v in SHIPPED)], ids=file_id
)
def test_nothing_closed_and_nothing_nullable(path: Path) -> None:
    for where, node in walk(json.loads(path.read_text(encoding="utf-8"))):
        assert node.get("additionalProperties") is not False, (
            f"{file_id(path)} {where}: closed object"
        )
        assert node.get("unevaluatedProperties") is not False, (
            f"{file_id(path)} {where}: closed object"
        )
        assert "nullable" not in node, f"{file_id(path)} {where}: nullable"
        types = node.get("type")
        as_list = types if isinstance(types, list) else [types]
        assert "null" not in as_list, f"{file_id(path)} {where}: null type"


def test_list_item_is_the_customer_without_contacts_and_status() -> None:
    customer = validator_for(LATEST_VERSION, "customer").schema
    item = validator_for(LATEST_VERSION, "list-customer-item").schema
    assert isinstance(customer, dict)
    assert isinstance(item, dict)
    dropped = {"contacts", "status"}
    assert item["properties"] == {
        k: v for k, v in customer["properties"].items() if k not in dropped
    }
    assert item["required"] == [name for name in customer["required"] if name not in dropped]


def test_a_broken_reference_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "sequence_contract" / "_schemas" / "2099-01-01"
    folder.mkdir(parents=True)
    broken: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "thing.schema.json",
    }
    broken["properties"] = {"part": {"$ref": "missing.schema.json"}}
    (folder / "thing.schema.json").write_text(json.dumps(broken))
    monkeypatch.setattr(schemas, "_PACKAGE_DIR", tmp_path / "sequence_contract")
    with pytest.raises(
        SequenceContractError,
        match=re.escape("'thing' (2099-01-01) refers to 'missing.schema.json'"),
    ):
        violations("2099-01-01", "thing", {"part": 1})


@pytest.mark.parametrize(
    ("version", "reference", "base", "expected"),
    [
        ("2024-07-30", "common.defs.json#/$defs/taxStatus", None, "TAXED"),
        ("2024-05-09", "address.schema.json#/$defs/stateCode", None, "QC"),
        # Relative to the file it appears in, as the validators resolve it.
        ("2024-07-30", "#/$defs/countryCode", "address.schema.json", "XK"),
    ],
)
def test_resolve_follows_a_reference_through_the_registry(
    version: str, reference: str, base: str | None, expected: str
) -> None:
    docs = documents(version)
    base_uri = (schemas_root() / version / base).as_uri() if base else docs.openapi_uri
    found = docs.resolve({"$ref": reference}, base_uri).contents
    assert found["type"] == "string"
    assert expected in found["enum"]


def test_resolve_names_a_reference_that_leads_nowhere() -> None:
    docs = documents("2024-07-30")
    with pytest.raises(
        DocumentError, match=re.escape("'nothing.json#/x' (from openapi.json) lead")
    ):
        docs.resolve({"$ref": "nothing.json#/x"}, docs.openapi_uri)


@pytest.mark.parametrize("version", SHIPPED)
def test_2024_05_09_documents_fewer_states_than_2024_07_30(version: str) -> None:
    docs = documents(version)
    ref = {"$ref": "address.schema.json#/$defs/stateCode"}
    states = set(docs.resolve(ref, docs.openapi_uri).contents["enum"])
    territories = {"NT", "NU", "YT"}
    assert territories <= states if version == "2024-07-30" else not territories & states

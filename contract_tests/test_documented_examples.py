"""Offline: the documented examples satisfy the schemas the suite checks responses against."""

from __future__ import annotations

import pytest

from sequence_contract.documents import documents
from sequence_contract.schemas import violations
from sequence_contract.suite.config import collection_version
from sequence_contract.target import ARCHIVE_PATH

VERSION = collection_version()
EXAMPLES = documents(VERSION).response_examples()


def _schema_name(ref: str | None) -> str | None:
    """`customer.schema.json` -> `customer`; None for inline or component schemas."""
    if not ref or not ref.endswith(".schema.json"):
        return None
    return ref.rsplit("/", 1)[-1].removesuffix(".schema.json")


def test_the_archive_response_example_is_documented() -> None:
    archive = [key for key in EXAMPLES if f" {ARCHIVE_PATH} 200 " in key]
    assert archive, f"schemas/{VERSION}/openapi.json: no documented example of the archive response"


@pytest.mark.parametrize("key", EXAMPLES)
def test_documented_example_validates(key: str) -> None:
    ref, example = EXAMPLES[key]
    name = _schema_name(ref)
    assert name is not None, f"{key}: example has no file schema to check against ({ref})"
    found = violations(VERSION, name, example)
    assert found == [], f"{key}: the documented example does not validate: {found}"

"""The parts of a schema violation a person needs: JSON path, failing keyword, offending value."""

from __future__ import annotations

import reprlib
from dataclasses import dataclass

from jsonschema.exceptions import best_match

from sequence_contract.schemas import validator_for

_SHORT = reprlib.Repr()
_SHORT.maxstring = 40
_SHORT.maxother = 60
_SHORT.maxdict = 4
_SHORT.maxlist = 4
_SHORT.maxlevel = 1


@dataclass(frozen=True)
class SchemaDetail:
    schema: str
    json_path: str
    keyword: str
    value: str  # the offending value, abbreviated
    message: str

    def rows(self) -> tuple[tuple[str, str], ...]:
        return (
            ("schema", self.schema),
            ("JSON path", self.json_path),
            ("keyword", self.keyword),
            ("offending value", self.value),
        )


def first_violation(version: str, schema: str, instance: object) -> SchemaDetail:
    """The best-matching violation of `instance` (the one `schemas.violations` lists first)."""
    error = best_match(validator_for(version, schema).iter_errors(instance))
    if error is None:
        return SchemaDetail(schema, "$", "(none)", _SHORT.repr(instance), "valid")
    return SchemaDetail(
        schema=schema,
        json_path=error.json_path,
        keyword=str(error.validator),
        value=_SHORT.repr(error.instance),
        message=error.message,
    )

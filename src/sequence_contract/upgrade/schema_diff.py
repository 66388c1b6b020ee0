"""Two JSON Schemas compared as a client of the old one meets them (see `diff.py`)."""

from __future__ import annotations

import json
from typing import Any

from sequence_contract.documents import Node, VersionDocuments
from sequence_contract.upgrade.recorder import REQUEST, RESPONSE, Recorder, Where

_MAX_DEPTH = 40

# Keywords that change what is valid; their changes are reported as constraints.
_CONSTRAINT_KEYWORDS = """
    minLength maxLength pattern format minimum maximum exclusiveMinimum exclusiveMaximum
    multipleOf minItems maxItems uniqueItems minProperties maxProperties contains minContains
    maxContains if then else not allOf anyOf oneOf dependentRequired dependentSchemas
    propertyNames prefixItems
"""
_CONSTRAINTS = tuple(_CONSTRAINT_KEYWORDS.split())
# A lower bound going up, or an upper bound going down, rejects values that passed before.
_LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
_UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")


class SchemaDiffer:
    """Compares a schema of the old documents with its counterpart in the new ones."""

    def __init__(self, old: VersionDocuments, new: VersionDocuments, record: Recorder) -> None:
        self.old = old
        self.new = new
        self.record = record

    def compare(
        self, old_raw: Any, new_raw: Any, old_base: str, new_base: str, where: Where, depth: int = 0
    ) -> None:
        """Report every change from `old_raw` to `new_raw`, values found at `where`."""
        if depth > _MAX_DEPTH:
            return
        old = self.old.resolve(old_raw, old_base)
        new = self.new.resolve(new_raw, new_base)
        # Name the value after the schema the old client knows it by.
        name = old.root or new.root or where.name
        here = Where(where.direction, name, where.operation, where.path, where.status)
        if not self._types(old.contents, new.contents, here):
            return
        self._enum(old.contents, new.contents, here)
        self._constraints(old.contents, new.contents, here)
        self._properties(old, new, here, depth)
        old_items, new_items = old.contents.get("items"), new.contents.get("items")
        if isinstance(old_items, dict) and isinstance(new_items, dict):
            self.compare(
                old_items, new_items, old.base, new.base, here.child("[]", "[]"), depth + 1
            )
        old_extra = old.contents.get("additionalProperties")
        new_extra = new.contents.get("additionalProperties")
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            self.compare(
                old_extra, new_extra, old.base, new.base, here.child(".*", ".*"), depth + 1
            )

    def _types(self, old: dict[str, Any], new: dict[str, Any], where: Where) -> bool:
        """Report a type change; False when the types share nothing (nothing more to compare)."""
        old_types, new_types = _types(old), _types(new)
        if old_types == new_types:
            return True
        if where.direction == RESPONSE:
            # Fewer possible types in a response is fine; more is not.
            breaking = old_types is not None and (new_types is None or not new_types <= old_types)
        else:
            breaking = new_types is not None and (old_types is None or not old_types <= new_types)
        self.record.emit(
            f"{where.direction}-type-changed",
            where.name,
            where.operation,
            breaking,
            f"{where.name}: type {_type_text(old_types)} became {_type_text(new_types)}",
            before=_type_text(old_types),
            after=_type_text(new_types),
            where=where,
        )
        return old_types is None or new_types is None or bool(old_types & new_types)

    def _enum(self, old: dict[str, Any], new: dict[str, Any], where: Where) -> None:
        old_values, new_values = _enum_values(old), _enum_values(new)
        if old_values == new_values:
            return
        direction = where.direction
        if old_values is None or new_values is None:
            # An enum appears (requests: values rejected) or goes (responses: any value).
            breaking = (new_values is None) if direction == RESPONSE else (old_values is None)
            kind = "enum-removed" if new_values is None else "enum-added"
            text = "no longer limited to a list" if new_values is None else "now limited to a list"
            self.record.emit(
                f"{direction}-{kind}",
                where.name,
                where.operation,
                breaking,
                f"{where.name}: values {text}",
                before=_enum_list(old_values),
                after=_enum_list(new_values),
                where=where,
            )
            return
        old_list, new_list = _enum_list(old_values) or [], _enum_list(new_values) or []
        added = [v for v in new_list if v not in old_list]
        removed = [v for v in old_list if v not in new_list]
        if added:
            text = (
                "responses may carry values it did not before"
                if direction == RESPONSE
                else "requests may use new values"
            )
            self.record.emit(
                f"{direction}-enum-value-added",
                where.name,
                where.operation,
                direction == RESPONSE,
                f"{where.name}: {text}: {_join(added)}",
                after=added,
                where=where,
            )
        if removed:
            text = (
                "requests may no longer use"
                if direction == REQUEST
                else "responses no longer carry"
            )
            self.record.emit(
                f"{direction}-enum-value-removed",
                where.name,
                where.operation,
                direction == REQUEST,
                f"{where.name}: {text}: {_join(removed)}",
                before=removed,
                where=where,
            )

    def _constraints(self, old: dict[str, Any], new: dict[str, Any], where: Where) -> None:
        for keyword in _CONSTRAINTS:
            before, after = old.get(keyword), new.get(keyword)
            if before == after:
                continue
            breaking = where.direction == REQUEST and _tightens(keyword, before, after)
            if keyword == "format" and "string" not in (_types(new) or {"string"}):
                breaking = False  # int32, double...: size hints, not a rule on the value
            if isinstance(before, dict | list) or isinstance(after, dict | list):
                text = f"{where.name}: the {keyword} rule changed (see before/after)"
            else:
                text = f"{where.name}: {keyword} {_short(before)} became {_short(after)}"
            self.record.emit(
                f"{where.direction}-constraint-changed",
                f"{where.name}#{keyword}",
                where.operation,
                breaking,
                text,
                before=before,
                after=after,
                where=where,
            )

    def _properties(self, old: Node, new: Node, where: Where, depth: int) -> None:
        old_props = old.contents.get("properties") or {}
        new_props = new.contents.get("properties") or {}
        old_required = set(old.contents.get("required") or [])
        new_required = set(new.contents.get("required") or [])
        direction = where.direction
        for prop in old_props:
            child = where.child(f".{prop}", f".{prop}")
            if prop not in new_props:
                was = "required" if prop in old_required else "optional"
                text = "responses" if direction == RESPONSE else "requests (it may be ignored)"
                self.record.emit(
                    f"{direction}-field-removed",
                    child.name,
                    where.operation,
                    True,
                    f"{child.name}: removed from {text}; it was {was}",
                    before=was,
                    where=child,
                )
                continue
            was_required, is_required = prop in old_required, prop in new_required
            if was_required and not is_required:
                breaking = direction == RESPONSE
                text = "may now be absent" if breaking else "no longer required"
                self.record.emit(
                    f"{direction}-field-made-optional",
                    child.name,
                    where.operation,
                    breaking,
                    f"{child.name}: {text}",
                    before="required",
                    after="optional",
                    where=child,
                )
            elif is_required and not was_required:
                breaking = direction == REQUEST
                text = "now required" if breaking else "now always present"
                self.record.emit(
                    f"{direction}-field-made-required",
                    child.name,
                    where.operation,
                    breaking,
                    f"{child.name}: {text}",
                    before="optional",
                    after="required",
                    where=child,
                )
            self.compare(old_props[prop], new_props[prop], old.base, new.base, child, depth + 1)
        for prop in new_props:
            if prop in old_props:
                continue
            child = where.child(f".{prop}", f".{prop}")
            if direction == REQUEST and prop in new_required:
                self.record.emit(
                    "request-field-added-required",
                    child.name,
                    where.operation,
                    True,
                    f"{child.name}: new field, required in requests",
                    after="required",
                    where=child,
                )
            else:
                required = prop in new_required
                text = "new in responses" if direction == RESPONSE else "new optional field"
                self.record.emit(
                    f"{direction}-field-added",
                    child.name,
                    where.operation,
                    False,
                    f"{child.name}: {text}",
                    after="required" if required else "optional",
                    where=child,
                )


def _types(schema: dict[str, Any]) -> frozenset[str] | None:
    """The JSON types a schema allows; None when it does not say (any type)."""
    declared = schema.get("type")
    if isinstance(declared, str):
        types = {declared}
    elif isinstance(declared, list):
        types = {str(t) for t in declared}
    elif "properties" in schema:
        types = {"object"}
    elif "items" in schema:
        types = {"array"}
    else:
        return None
    if "number" in types:
        types.add("integer")  # every integer is a number
    return frozenset(types)


def _type_text(types: frozenset[str] | None) -> str:
    if types is None:
        return "any"
    shown = sorted(types - {"integer"}) if "number" in types else sorted(types)
    return "|".join(shown)


def _enum_values(schema: dict[str, Any]) -> frozenset[str] | None:
    if isinstance(schema.get("enum"), list):
        return frozenset(json.dumps(v, sort_keys=True) for v in schema["enum"])
    if "const" in schema:
        return frozenset({json.dumps(schema["const"], sort_keys=True)})
    return None


def _enum_list(values: frozenset[str] | None) -> list[Any] | None:
    if values is None:
        return None
    return [json.loads(v) for v in sorted(values)]


def _tightens(keyword: str, before: Any, after: Any) -> bool:
    """Would a request valid before be rejected now? Unknown kinds of change count as yes."""
    if after is None or before is None or keyword not in (*_LOWER_BOUNDS, *_UPPER_BOUNDS):
        return after is not None
    if not (isinstance(before, int | float) and isinstance(after, int | float)):
        return False
    return after > before if keyword in _LOWER_BOUNDS else after < before


def _join(values: list[Any]) -> str:
    return ", ".join(str(v) for v in values)


def _short(value: Any) -> str:
    text = "absent" if value is None else json.dumps(value, sort_keys=True)
    return text if len(text) <= 60 else text[:57] + "..."

"""Documented changes: the two versions' OpenAPI documents and JSON Schemas, compared.

Each change is judged from the side of a client written against the old version. The rules,
request and response being mirror images of each other:

- a field removed, a type changed, an operation removed or moved: breaking both ways;
- responses: a field that may now be absent, or an enum that may now carry a value the client
  has never seen, is breaking; a new field is not (clients must ignore unknown fields);
- requests: a new required field or parameter, or an enum value no longer accepted, is
  breaking; a new optional one is not;
- a different success status is breaking; error statuses added or removed are reported only.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sequence_contract.upgrade.documents import Node, VersionDocuments
from sequence_contract.upgrade.model import DOCUMENTED, Change, ChangeSet

REQUEST = "request"
RESPONSE = "response"
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
VERSION_HEADER = "sequence-version"
# Stands for "the version this document describes" in the version header's enum, which
# names the document's own version: pinning another version is the upgrade, not a change.
PINNED_VERSION = "<the document's own version>"
_MAX_DEPTH = 40

# Keywords that change what is valid; their changes are reported as constraints.
_CONSTRAINTS = (
    "minLength", "maxLength", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "multipleOf", "minItems", "maxItems", "uniqueItems", "minProperties",
    "maxProperties", "contains", "minContains", "maxContains", "if", "then", "else", "not",
    "allOf", "anyOf", "oneOf", "dependentRequired", "dependentSchemas", "propertyNames",
    "prefixItems",
)
# A lower bound going up, or an upper bound going down, rejects values that passed before.
_LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
_UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")


@dataclass(frozen=True)
class _Where:
    direction: str
    name: str  # e.g. "Customer.address.state"
    operation: str  # e.g. "GET /customers/{id}"
    path: str  # JSON path of the value in a body, e.g. "$.address.state"
    status: str = ""  # responses: the status code


@dataclass(frozen=True)
class _Operation:
    method: str
    path: str
    item: dict[str, Any]  # the path item (for path-level parameters)
    operation: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def diff_versions(old: str, new: str) -> list[Change]:
    """Every documented change from version `old` to version `new`, breaking ones first."""
    return diff_documents(VersionDocuments(old), VersionDocuments(new))


def diff_documents(old: VersionDocuments, new: VersionDocuments) -> list[Change]:
    """Every change between two sets of documents (e.g. drafts outside the package)."""
    return _Differ(old, new).run()


class _Differ:
    def __init__(self, old: VersionDocuments, new: VersionDocuments) -> None:
        self.old = old
        self.new = new
        self.found = ChangeSet()

    def run(self) -> list[Change]:
        old_ops = _operations(self.old.openapi)
        new_ops = _operations(self.new.openapi)
        removed = {key: op for key, op in old_ops.items() if key not in new_ops}
        added = {key: op for key, op in new_ops.items() if key not in old_ops}
        for before, after in _pair_moved(removed, added):
            del removed[(before.method, _template(before.path))]
            del added[(after.method, _template(after.path))]
            self._moved(before, after)
            self._operation(before, after)
        for op in removed.values():
            self._emit("operation-removed", op.label, op.label, True,
                       f"{op.label}: the operation no longer exists", before=op.label)
        for op in added.values():
            self._emit("operation-added", op.label, op.label, False,
                       f"{op.label}: new operation", after=op.label)
        for key, op in old_ops.items():
            if key in new_ops:
                self._operation(op, new_ops[key])
        return self.found.items()

    # -- operations ---------------------------------------------------------------------

    def _moved(self, before: _Operation, after: _Operation) -> None:
        if _template(before.path) == _template(after.path):
            self._emit("operation-method-changed", after.path, after.label, True,
                       f"{after.path}: method {before.method} became {after.method}",
                       before=before.method, after=after.method, seen=(before.label,))
        else:
            self._emit("operation-path-changed", before.label, after.label, True,
                       f"{before.label}: moved to {after.label}",
                       before=before.label, after=after.label)

    def _operation(self, old: _Operation, new: _Operation) -> None:
        self._parameters(old, new)
        self._request_body(old, new)
        self._responses(old, new)

    def _parameters(self, old: _Operation, new: _Operation) -> None:
        old_params = self._parameter_map(self.old, old)
        new_params = self._parameter_map(self.new, new)
        label = new.label
        for key, param in old_params.items():
            subject = f"{label} {key[0]}.{key[1]}"
            if key not in new_params:
                self._emit("request-parameter-removed", subject, label, True,
                           f"{subject}: parameter no longer documented (may be rejected or "
                           "ignored)", before=key[1])
                continue
            now = new_params[key]
            was_required, is_required = bool(param.get("required")), bool(now.get("required"))
            if is_required and not was_required:
                self._emit("request-parameter-made-required", subject, label, True,
                           f"{subject}: parameter now required", before=False, after=True)
            elif was_required and not is_required:
                self._emit("request-parameter-made-optional", subject, label, False,
                           f"{subject}: parameter now optional", before=True, after=False)
            where = _Where(REQUEST, subject, label, "")
            self._schema(
                self._parameter_schema(self.old, key, param),
                self._parameter_schema(self.new, key, now),
                self.old.openapi_uri, self.new.openapi_uri, where, 0,
            )
        for key, param in new_params.items():
            if key in old_params:
                continue
            subject = f"{label} {key[0]}.{key[1]}"
            if param.get("required"):
                self._emit("request-parameter-added-required", subject, label, True,
                           f"{subject}: new required parameter", after=key[1])
            else:
                self._emit("request-parameter-added", subject, label, False,
                           f"{subject}: new optional parameter", after=key[1])

    def _parameter_map(
        self, docs: VersionDocuments, op: _Operation
    ) -> dict[tuple[str, str], dict[str, Any]]:
        params: dict[tuple[str, str], dict[str, Any]] = {}
        # Operation-level parameters override path-level ones of the same name and place.
        for raw in [*op.item.get("parameters", []), *op.operation.get("parameters", [])]:
            param = docs.resolve(raw, docs.openapi_uri).contents
            place, name = str(param.get("in", "")), str(param.get("name", ""))
            if place == "header":
                name = name.lower()  # HTTP header names are case-insensitive
            params[(place, name)] = param
        return params

    @staticmethod
    def _parameter_schema(
        docs: VersionDocuments, key: tuple[str, str], param: dict[str, Any]
    ) -> dict[str, Any]:
        schema = param.get("schema")
        if not isinstance(schema, dict):
            return {}
        if key == ("header", VERSION_HEADER):
            schema = docs.resolve(schema, docs.openapi_uri).contents
            if isinstance(schema.get("enum"), list):
                pinned = [PINNED_VERSION if v == docs.version else v for v in schema["enum"]]
                schema = {**schema, "enum": pinned}
        return schema

    def _request_body(self, old: _Operation, new: _Operation) -> None:
        label = new.label
        old_body = self._body(self.old, old.operation.get("requestBody"))
        new_body = self._body(self.new, new.operation.get("requestBody"))
        if old_body is None and new_body is None:
            return
        if old_body is None:
            assert new_body is not None
            required = bool(new_body.contents.get("required"))
            self._emit("request-body-added", label, label, required,
                       f"{label}: now takes a request body"
                       + (" (required)" if required else " (optional)"), after=required)
            return
        if new_body is None:
            self._emit("request-body-removed", label, label, True,
                       f"{label}: no longer takes a request body (one sent may be rejected)")
            return
        if new_body.contents.get("required") and not old_body.contents.get("required"):
            self._emit("request-body-made-required", label, label, True,
                       f"{label}: the request body is now required")
        self._content(old_body, new_body, _Where(REQUEST, label, label, "$"))

    def _body(self, docs: VersionDocuments, raw: Any) -> Node | None:
        if raw is None:
            return None
        return docs.resolve(raw, docs.openapi_uri)

    def _responses(self, old: _Operation, new: _Operation) -> None:
        label = new.label
        old_codes = {str(k): v for k, v in old.operation.get("responses", {}).items()}
        new_codes = {str(k): v for k, v in new.operation.get("responses", {}).items()}
        old_ok = sorted(c for c in old_codes if c.startswith("2"))
        new_ok = sorted(c for c in new_codes if c.startswith("2"))
        pairs = [(code, code) for code in old_codes if code in new_codes]
        if old_ok != new_ok:
            self._emit("status-code-changed", label, label, True,
                       f"{label}: success status {'/'.join(old_ok) or 'none'} became "
                       f"{'/'.join(new_ok) or 'none'}", before=old_ok, after=new_ok)
            if len(old_ok) == 1 and len(new_ok) == 1:
                pairs.append((old_ok[0], new_ok[0]))
        for code in sorted(set(old_codes) - set(new_codes)):
            if not code.startswith("2"):
                self._emit("response-status-removed", f"{label} {code}", label, False,
                           f"{label}: status {code} no longer documented", before=code)
        for code in sorted(set(new_codes) - set(old_codes)):
            if not code.startswith("2"):
                self._emit("response-status-added", f"{label} {code}", label, False,
                           f"{label}: may now answer {code}", after=code)
        for old_code, new_code in pairs:
            before = self.old.resolve(old_codes[old_code], self.old.openapi_uri)
            after = self.new.resolve(new_codes[new_code], self.new.openapi_uri)
            where = _Where(RESPONSE, f"{label} {new_code}", label, "$", new_code)
            self._headers(before, after, where)
            self._content(before, after, where)

    def _headers(self, old: Node, new: Node, where: _Where) -> None:
        old_headers = {str(k).lower(): v for k, v in old.contents.get("headers", {}).items()}
        new_headers = {str(k).lower(): v for k, v in new.contents.get("headers", {}).items()}
        for name in sorted(set(old_headers) - set(new_headers)):
            self._emit("response-header-removed", f"{where.name} {name}", where.operation, True,
                       f"{where.name}: header {name} no longer sent", before=name)
        for name in sorted(set(new_headers) - set(old_headers)):
            self._emit("response-header-added", f"{where.name} {name}", where.operation, False,
                       f"{where.name}: new header {name}", after=name)

    def _content(self, old: Node, new: Node, where: _Where) -> None:
        old_media = old.contents.get("content", {}) or {}
        new_media = new.contents.get("content", {}) or {}
        for media in sorted(set(old_media) - set(new_media)):
            self._emit(f"{where.direction}-media-type-removed", f"{where.name} {media}",
                       where.operation, True, f"{where.name}: {media} body no longer used",
                       before=media)
        for media in sorted(set(new_media) - set(old_media)):
            self._emit(f"{where.direction}-media-type-added", f"{where.name} {media}",
                       where.operation, where.direction == RESPONSE and not old_media,
                       f"{where.name}: {media} body is new", after=media)
        for media in sorted(set(old_media) & set(new_media)):
            old_schema = (old_media[media] or {}).get("schema", {})
            new_schema = (new_media[media] or {}).get("schema", {})
            self._schema(old_schema, new_schema, old.base, new.base, where, 0)

    # -- schemas --------------------------------------------------------------------------

    def _schema(
        self, old_raw: Any, new_raw: Any, old_base: str, new_base: str, where: _Where, depth: int
    ) -> None:
        if depth > _MAX_DEPTH:
            return
        old = self.old.resolve(old_raw, old_base)
        new = self.new.resolve(new_raw, new_base)
        # Name the value after the schema the old client knows it by.
        name = old.root or new.root or where.name
        here = _Where(where.direction, name, where.operation, where.path, where.status)
        if not self._types(old.contents, new.contents, here):
            return
        self._enum(old.contents, new.contents, here)
        self._constraints(old.contents, new.contents, here)
        self._properties(old, new, here, depth)
        old_items, new_items = old.contents.get("items"), new.contents.get("items")
        if isinstance(old_items, dict) and isinstance(new_items, dict):
            self._schema(old_items, new_items, old.base, new.base,
                         _child(here, "[]", "[]"), depth + 1)
        old_extra = old.contents.get("additionalProperties")
        new_extra = new.contents.get("additionalProperties")
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            self._schema(old_extra, new_extra, old.base, new.base,
                         _child(here, ".*", ".*"), depth + 1)

    def _types(self, old: dict[str, Any], new: dict[str, Any], where: _Where) -> bool:
        """Report a type change; False when the types share nothing (nothing more to compare)."""
        old_types, new_types = _types(old), _types(new)
        if old_types == new_types:
            return True
        if where.direction == RESPONSE:
            # Fewer possible types in a response is fine; more is not.
            breaking = old_types is not None and (new_types is None or not new_types <= old_types)
        else:
            breaking = new_types is not None and (old_types is None or not old_types <= new_types)
        self._emit(f"{where.direction}-type-changed", where.name, where.operation, breaking,
                   f"{where.name}: type {_type_text(old_types)} became {_type_text(new_types)}",
                   before=_type_text(old_types), after=_type_text(new_types), where=where)
        return old_types is None or new_types is None or bool(old_types & new_types)

    def _enum(self, old: dict[str, Any], new: dict[str, Any], where: _Where) -> None:
        old_values, new_values = _enum_values(old), _enum_values(new)
        if old_values == new_values:
            return
        direction = where.direction
        if old_values is None or new_values is None:
            # An enum appears (requests: values rejected) or goes (responses: any value).
            breaking = (new_values is None) if direction == RESPONSE else (old_values is None)
            kind = "enum-removed" if new_values is None else "enum-added"
            text = "no longer limited to a list" if new_values is None else "now limited to a list"
            self._emit(f"{direction}-{kind}", where.name, where.operation, breaking,
                       f"{where.name}: values {text}",
                       before=_enum_list(old_values), after=_enum_list(new_values), where=where)
            return
        old_list, new_list = _enum_list(old_values) or [], _enum_list(new_values) or []
        added = [v for v in new_list if v not in old_list]
        removed = [v for v in old_list if v not in new_list]
        if added:
            text = ("responses may carry values it did not before" if direction == RESPONSE
                    else "requests may use new values")
            self._emit(f"{direction}-enum-value-added", where.name, where.operation,
                       direction == RESPONSE, f"{where.name}: {text}: {_join(added)}",
                       after=added, where=where)
        if removed:
            text = ("requests may no longer use" if direction == REQUEST
                    else "responses no longer carry")
            self._emit(f"{direction}-enum-value-removed", where.name, where.operation,
                       direction == REQUEST, f"{where.name}: {text}: {_join(removed)}",
                       before=removed, where=where)

    def _constraints(self, old: dict[str, Any], new: dict[str, Any], where: _Where) -> None:
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
            self._emit(f"{where.direction}-constraint-changed", f"{where.name}#{keyword}",
                       where.operation, breaking, text, before=before, after=after, where=where)

    def _properties(self, old: Node, new: Node, where: _Where, depth: int) -> None:
        old_props = old.contents.get("properties") or {}
        new_props = new.contents.get("properties") or {}
        old_required = set(old.contents.get("required") or [])
        new_required = set(new.contents.get("required") or [])
        direction = where.direction
        for prop in old_props:
            child = _child(where, f".{prop}", f".{prop}")
            if prop not in new_props:
                was = "required" if prop in old_required else "optional"
                text = "responses" if direction == RESPONSE else "requests (it may be ignored)"
                self._emit(f"{direction}-field-removed", child.name, where.operation, True,
                           f"{child.name}: removed from {text}; it was {was}",
                           before=was, where=child)
                continue
            was_required, is_required = prop in old_required, prop in new_required
            if was_required and not is_required:
                breaking = direction == RESPONSE
                text = "may now be absent" if breaking else "no longer required"
                self._emit(f"{direction}-field-made-optional", child.name, where.operation,
                           breaking, f"{child.name}: {text}", before="required",
                           after="optional", where=child)
            elif is_required and not was_required:
                breaking = direction == REQUEST
                text = "now required" if breaking else "now always present"
                self._emit(f"{direction}-field-made-required", child.name, where.operation,
                           breaking, f"{child.name}: {text}", before="optional",
                           after="required", where=child)
            self._schema(old_props[prop], new_props[prop], old.base, new.base, child, depth + 1)
        for prop in new_props:
            if prop in old_props:
                continue
            child = _child(where, f".{prop}", f".{prop}")
            if direction == REQUEST and prop in new_required:
                self._emit("request-field-added-required", child.name, where.operation, True,
                           f"{child.name}: new field, required in requests",
                           after="required", where=child)
            else:
                required = prop in new_required
                text = "new in responses" if direction == RESPONSE else "new optional field"
                self._emit(f"{direction}-field-added", child.name, where.operation, False,
                           f"{child.name}: {text}",
                           after="required" if required else "optional", where=child)

    # -- output ---------------------------------------------------------------------------

    def _emit(
        self,
        kind: str,
        subject: str,
        operation: str,
        breaking: bool,
        description: str,
        *,
        before: Any = None,
        after: Any = None,
        seen: tuple[str, ...] = (),
        where: _Where | None = None,
    ) -> None:
        pointers: tuple[str, ...] = ()
        if where is not None and where.direction == RESPONSE and where.path:
            pointers = (f"{where.operation} {where.status} {where.path}",)
        self.found.add(
            Change(
                id=f"{kind}:{subject}",
                kind=kind,
                subject=subject,
                origin=DOCUMENTED,
                breaking=breaking,
                description=description,
                location=_location(operation, where),
                before=before,
                after=after,
                seen_in=(operation, *seen),
                pointers=pointers,
            )
        )


def _operations(openapi: dict[str, Any]) -> dict[tuple[str, str], _Operation]:
    found: dict[tuple[str, str], _Operation] = {}
    for path, item in (openapi.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                op = _Operation(method.upper(), str(path), item, operation)
                found[(op.method, _template(op.path))] = op
    return found


def _pair_moved(
    removed: dict[tuple[str, str], _Operation], added: dict[tuple[str, str], _Operation]
) -> list[tuple[_Operation, _Operation]]:
    """Pairs of (gone, new) operations that are one operation moved.

    Same path with one method gone and one new: the method changed. Same method and
    operationId on another path: the path changed.
    """
    pairs: list[tuple[_Operation, _Operation]] = []
    used: set[int] = set()
    for template in sorted({key[1] for key in removed}):
        gone = [op for key, op in removed.items() if key[1] == template]
        new = [op for key, op in added.items() if key[1] == template]
        if len(gone) == 1 and len(new) == 1:
            pairs.append((gone[0], new[0]))
            used |= {id(gone[0]), id(new[0])}
    for gone_op in removed.values():
        op_id = gone_op.operation.get("operationId")
        if id(gone_op) in used or not op_id:
            continue
        for new_op in added.values():
            if (id(new_op) not in used and new_op.method == gone_op.method
                    and new_op.operation.get("operationId") == op_id):
                pairs.append((gone_op, new_op))
                used |= {id(gone_op), id(new_op)}
                break
    return pairs


def _template(path: str) -> str:
    """`/customers/{id}` and `/customers/{customerId}` are the same path."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def _child(where: _Where, name_suffix: str, path_suffix: str) -> _Where:
    path = f"{where.path}{path_suffix}" if where.path else ""
    return _Where(where.direction, f"{where.name}{name_suffix}", where.operation, path,
                  where.status)


def _location(operation: str, where: _Where | None) -> str:
    if where is None:
        return operation
    body = f"{where.status} response" if where.direction == RESPONSE else "request"
    return f"{operation} {body}: {where.name}" + (f" ({where.path})" if where.path else "")


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
    numbers = (int, float)
    if keyword in _LOWER_BOUNDS:
        if after is None:
            return False
        return before is None or (isinstance(before, numbers) and isinstance(after, numbers)
                                  and after > before)
    if keyword in _UPPER_BOUNDS:
        if after is None:
            return False
        return before is None or (isinstance(before, numbers) and isinstance(after, numbers)
                                  and after < before)
    return after is not None


def _join(values: list[Any]) -> str:
    return ", ".join(str(v) for v in values)


def _short(value: Any) -> str:
    text = "absent" if value is None else json.dumps(value, sort_keys=True)
    return text if len(text) <= 60 else text[:57] + "..."

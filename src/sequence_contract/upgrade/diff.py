"""Documented changes: the two versions' documents compared, each change judged for a client
of the old version (requests and responses are mirror images; see the README)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from sequence_contract.documents import Node, VersionDocuments
from sequence_contract.upgrade.model import DOCUMENTED, Change, merged

REQUEST = "request"
RESPONSE = "response"
VERSION_HEADER = "sequence-version"
# Stands for the document's own version in the version header's enum: pinning another
# version is the upgrade, not a change.
PINNED_VERSION = "<the document's own version>"
_MAX_DEPTH = 40
# Keywords that change what is valid; their changes are reported as constraints.
_CONSTRAINT_KEYWORDS = """
    minLength maxLength pattern format minimum maximum exclusiveMinimum exclusiveMaximum
    multipleOf minItems maxItems uniqueItems minProperties maxProperties contains minContains
    maxContains if then else not allOf anyOf oneOf dependentRequired dependentSchemas
    propertyNames prefixItems
"""
_CONSTRAINTS = _CONSTRAINT_KEYWORDS.split()
# A lower bound going up, or an upper bound going down, rejects values that passed before.
_LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")
_UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
# kind: (text in responses, text in requests, breaking in responses, breaking in requests)
_RULES: dict[str, tuple[str, str, bool, bool]] = {
    "field-made-optional": ("may now be absent", "no longer required", True, False),
    "field-made-required": ("now always present", "now required", False, True),
    "field-added": ("new in responses", "new optional field", False, False),
    "enum-removed": (
        "values no longer limited to a list",
        "values no longer limited to a list",
        True,
        False,
    ),
    "enum-added": ("values now limited to a list", "values now limited to a list", False, True),
    "enum-value-added": (
        "responses may carry values it did not before",
        "requests may use new values",
        True,
        False,
    ),
    "enum-value-removed": ("responses no longer carry", "requests may no longer use", False, True),
}


@dataclass(frozen=True)
class _Operation:
    method: str
    path: str
    operation: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class Where:
    """A value in a request or response: its name for change ids, and its JSON path."""

    direction: str
    name: str  # e.g. "Customer.address.state"
    operation: str  # e.g. "GET /customers/{id}"
    path: str  # JSON path of the value in a body, e.g. "$.address.state"; "" for parameters
    status: str = ""  # responses: the status code

    def child(self, suffix: str) -> Where:
        """A property (`.x`), the array items (`[]`) or any other property (`.*`)."""
        path = f"{self.path}{suffix}" if self.path else ""
        return Where(self.direction, f"{self.name}{suffix}", self.operation, path, self.status)


def diff_versions(old: str, new: str) -> list[Change]:
    """Every documented change from version `old` to version `new`, breaking ones first."""
    return diff_documents(VersionDocuments(old), VersionDocuments(new))


def diff_documents(old: VersionDocuments, new: VersionDocuments) -> list[Change]:
    """Every change between two sets of documents (e.g. drafts outside the package)."""
    return _Differ(old, new).run()


def template_key(path: str) -> str:
    """`/customers/{id}` and `/customers/{customerId}` are the same path."""
    return re.sub(r"\{[^}]*\}", "{}", path)


class _Differ:
    def __init__(self, old: VersionDocuments, new: VersionDocuments) -> None:
        self.old, self.new = old, new
        self.found: list[Change] = []

    def _emit(
        self,
        kind: str,
        name: str,
        operation: str,
        breaking: bool,
        text: str,
        before: Any = None,
        after: Any = None,
        *,
        suffix: str = "",
        seen: tuple[str, ...] = (),
        where: Where | None = None,
    ) -> None:
        """Record change `<kind>:<name><suffix>`, described as "<name>: <text>"."""
        location = operation
        pointers: tuple[str, ...] = ()
        if where is not None:
            response = where.direction == RESPONSE
            body = f"{where.status} response" if response else REQUEST
            location = f"{operation} {body}: {where.name}"
            if where.path:
                location += f" ({where.path})"
                part = where.status if response else REQUEST
                pointers = (f"{where.operation} {part} {where.path}",)
        self.found.append(
            Change(
                f"{kind}:{name}{suffix}",
                kind,
                name + suffix,
                DOCUMENTED,
                breaking,
                f"{name}: {text}",
                location,
                before,
                after,
                (operation, *seen),
                pointers,
            )
        )

    def _at(
        self, where: Where, kind: str, breaking: bool, text: str, *args: Any, **kw: Any
    ) -> None:
        """A change of the value at `where`, named after it."""
        kind = f"{where.direction}-{kind}"
        self._emit(kind, where.name, where.operation, breaking, text, *args, where=where, **kw)

    def _rule(self, where: Where, kind: str, before: Any, after: Any, detail: str = "") -> None:
        """A change whose text and verdict `_RULES` gives for each direction."""
        on_response, on_request, breaks_response, breaks_request = _RULES[kind]
        response = where.direction == RESPONSE
        text = (on_response if response else on_request) + detail
        breaking = breaks_response if response else breaks_request
        self._at(where, kind, breaking, text, before, after)

    def _gone_and_new(
        self,
        kind: str,
        name: str,
        operation: str,
        old: Any,
        new: Any,
        texts: str,
        breaks: tuple[bool, bool],
    ) -> None:
        """`<kind>-removed` and `<kind>-added` for each key of `old` or `new` alone."""
        gone_text, new_text = texts.split("|")
        for key in sorted(set(old) - set(new)):
            text = gone_text.format(key)
            self._emit(f"{kind}-removed", name, operation, breaks[0], text, key, suffix=f" {key}")
        for key in sorted(set(new) - set(old)):
            text = new_text.format(key)
            self._emit(
                f"{kind}-added", name, operation, breaks[1], text, None, key, suffix=f" {key}"
            )

    def run(self) -> list[Change]:
        old_ops, new_ops = _operations(self.old), _operations(self.new)
        removed = {key: op for key, op in old_ops.items() if key not in new_ops}
        added = {key: op for key, op in new_ops.items() if key not in old_ops}
        for was, now in _pair_moved(removed, added):
            if template_key(was.path) == template_key(now.path):
                text = f"method {was.method} became {now.method}"
                kind, name, seen = "operation-method-changed", now.path, (was.label,)
                self._emit(kind, name, now.label, True, text, was.method, now.method, seen=seen)
            else:
                text, kind = f"moved to {now.label}", "operation-path-changed"
                self._emit(kind, was.label, now.label, True, text, was.label, now.label)
            self._compare_operation(was, now)
        for op in removed.values():
            text = "the operation no longer exists"
            self._emit("operation-removed", op.label, op.label, True, text, op.label)
        for op in added.values():
            self._emit(
                "operation-added", op.label, op.label, False, "new operation", None, op.label
            )
        for key, op in old_ops.items():
            if key in new_ops:
                self._compare_operation(op, new_ops[key])
        return merged(self.found)

    def _compare_operation(self, old: _Operation, new: _Operation) -> None:
        self._parameters(old, new)
        label = new.label
        old_body = _follow(self.old, old.operation.get("requestBody"))
        new_body = _follow(self.new, new.operation.get("requestBody"))
        if old_body is None and new_body is not None:
            required = bool(new_body.contents.get("required"))
            text = "now takes a request body" + (" (required)" if required else " (optional)")
            self._emit("request-body-added", label, label, required, text, None, required)
        elif new_body is None and old_body is not None:
            text = "no longer takes a request body (one sent may be rejected)"
            self._emit("request-body-removed", label, label, True, text)
        elif old_body is not None and new_body is not None:
            if new_body.contents.get("required") and not old_body.contents.get("required"):
                text = "the request body is now required"
                self._emit("request-body-made-required", label, label, True, text)
            self._content(old_body, new_body, Where(REQUEST, label, label, "$"))
        self._responses(old, new)

    def _parameters(self, old: _Operation, new: _Operation) -> None:
        old_params, new_params = _parameter_map(self.old, old), _parameter_map(self.new, new)
        label = new.label
        for key in {**old_params, **new_params}:
            subject = f"{label} {key[0]}.{key[1]}"
            param, now = old_params.get(key), new_params.get(key)
            was = bool(param and param.get("required"))
            required = bool(now and now.get("required"))
            now_is = "required" if required else "optional"
            if now is None:
                text = "parameter no longer documented (may be rejected or ignored)"
                self._emit("request-parameter-removed", subject, label, True, text, key[1])
            elif param is None:
                kind = "request-parameter-added" + ("-required" if required else "")
                text = f"new {now_is} parameter"
                self._emit(kind, subject, label, required, text, None, key[1])
            else:
                if was != required:
                    kind, text = f"request-parameter-made-{now_is}", f"parameter now {now_is}"
                    self._emit(kind, subject, label, required, text, was, required)
                self._schema(
                    _parameter_schema(self.old, key, param),
                    _parameter_schema(self.new, key, now),
                    self.old.openapi_uri,
                    self.new.openapi_uri,
                    Where(REQUEST, subject, label, ""),
                )

    def _responses(self, old: _Operation, new: _Operation) -> None:
        label = new.label
        old_codes = {str(k): v for k, v in old.operation.get("responses", {}).items()}
        new_codes = {str(k): v for k, v in new.operation.get("responses", {}).items()}
        old_ok = sorted(c for c in old_codes if c.startswith("2"))
        new_ok = sorted(c for c in new_codes if c.startswith("2"))
        pairs = [(code, code) for code in old_codes if code in new_codes]
        if old_ok != new_ok:
            text = f"success status {'/'.join(old_ok) or 'none'} became "
            text += "/".join(new_ok) or "none"
            self._emit("status-code-changed", label, label, True, text, old_ok, new_ok)
            if len(old_ok) == 1 and len(new_ok) == 1:
                pairs.append((old_ok[0], new_ok[0]))
        old_errors = [c for c in old_codes if not c.startswith("2")]
        new_errors = [c for c in new_codes if not c.startswith("2")]
        texts = "status {} no longer documented|may now answer {}"
        self._gone_and_new(
            "response-status", label, label, old_errors, new_errors, texts, (False, False)
        )
        for old_code, new_code in pairs:
            before = self.old.resolve(old_codes[old_code], self.old.openapi_uri)
            after = self.new.resolve(new_codes[new_code], self.new.openapi_uri)
            where = Where(RESPONSE, f"{label} {new_code}", label, "$", new_code)
            old_headers = {str(k).lower() for k in before.contents.get("headers", {})}
            new_headers = {str(k).lower() for k in after.contents.get("headers", {})}
            texts = "header {} no longer sent|new header {}"
            self._gone_and_new(
                "response-header", where.name, label, old_headers, new_headers, texts, (True, False)
            )
            self._content(before, after, where)

    def _content(self, old: Node, new: Node, where: Where) -> None:
        old_media = old.contents.get("content", {}) or {}
        new_media = new.contents.get("content", {}) or {}
        kind, texts = f"{where.direction}-media-type", "{} body no longer used|{} body is new"
        breaks = (True, where.direction == RESPONSE and not old_media)
        self._gone_and_new(kind, where.name, where.operation, old_media, new_media, texts, breaks)
        for media in sorted(set(old_media) & set(new_media)):
            old_schema = (old_media[media] or {}).get("schema", {})
            new_schema = (new_media[media] or {}).get("schema", {})
            self._schema(old_schema, new_schema, old.base, new.base, where)

    def _schema(
        self, old_raw: Any, new_raw: Any, old_base: str, new_base: str, where: Where, depth: int = 0
    ) -> None:
        """Every change from schema `old_raw` to `new_raw`, values found at `where`."""
        if depth > _MAX_DEPTH:
            return
        old = self.old.resolve(old_raw, old_base)
        new = self.new.resolve(new_raw, new_base)
        # Name the value after the schema the old client knows it by.
        name = old.root or new.root or where.name
        here = replace(where, name=name)
        if not self._types(old.contents, new.contents, here):
            return
        self._enums(old.contents, new.contents, here)
        self._constraints(old.contents, new.contents, here)
        self._properties(old, new, here, depth)
        for keyword, suffix in (("items", "[]"), ("additionalProperties", ".*")):
            old_sub, new_sub = old.contents.get(keyword), new.contents.get(keyword)
            if isinstance(old_sub, dict) and isinstance(new_sub, dict):
                self._schema(old_sub, new_sub, old.base, new.base, here.child(suffix), depth + 1)

    def _types(self, old: dict[str, Any], new: dict[str, Any], where: Where) -> bool:
        """Report a type change; False when the types share nothing (nothing more to compare)."""
        old_types, new_types = _types(old), _types(new)
        if old_types == new_types:
            return True
        # Fewer possible types in a response is fine, more is not; the reverse in requests.
        wider, narrower = (new_types, old_types)
        if where.direction != RESPONSE:
            wider, narrower = narrower, wider
        breaking = narrower is not None and (wider is None or not wider <= narrower)
        before, after = _type_text(old_types), _type_text(new_types)
        self._at(where, "type-changed", breaking, f"type {before} became {after}", before, after)
        return old_types is None or new_types is None or bool(old_types & new_types)

    def _enums(self, old: dict[str, Any], new: dict[str, Any], where: Where) -> None:
        old_list, new_list = _enum(old), _enum(new)
        if old_list == new_list:
            return
        if old_list is None or new_list is None:
            # An enum appears (requests: values rejected) or goes (responses: any value).
            kind = "enum-removed" if new_list is None else "enum-added"
            self._rule(where, kind, old_list, new_list)
            return
        added = [v for v in new_list if v not in old_list]
        removed = [v for v in old_list if v not in new_list]
        if added:
            self._rule(where, "enum-value-added", None, added, f": {_join(added)}")
        if removed:
            self._rule(where, "enum-value-removed", removed, None, f": {_join(removed)}")

    def _constraints(self, old: dict[str, Any], new: dict[str, Any], where: Where) -> None:
        for keyword in _CONSTRAINTS:
            before, after = old.get(keyword), new.get(keyword)
            if before == after:
                continue
            breaking = where.direction == REQUEST and _tightens(keyword, before, after)
            if keyword == "format" and "string" not in (_types(new) or {"string"}):
                breaking = False  # int32, double...: size hints, not a rule on the value
            if isinstance(before, dict | list) or isinstance(after, dict | list):
                text = f"the {keyword} rule changed (see before/after)"
            else:
                text = f"{keyword} {_short(before)} became {_short(after)}"
            kind = "constraint-changed"
            self._at(where, kind, breaking, text, before, after, suffix=f"#{keyword}")

    def _properties(self, old: Node, new: Node, where: Where, depth: int) -> None:
        old_props = old.contents.get("properties") or {}
        new_props = new.contents.get("properties") or {}
        old_required = set(old.contents.get("required") or [])
        new_required = set(new.contents.get("required") or [])
        response = where.direction == RESPONSE
        for prop in old_props:
            child = where.child(f".{prop}")
            was = "required" if prop in old_required else "optional"
            if prop not in new_props:
                text = "responses" if response else "requests (it may be ignored)"
                self._at(child, "field-removed", True, f"removed from {text}; it was {was}", was)
                continue
            now = "required" if prop in new_required else "optional"
            if was != now:
                self._rule(child, f"field-made-{now}", was, now)
            self._schema(old_props[prop], new_props[prop], old.base, new.base, child, depth + 1)
        for prop in new_props:
            if prop in old_props:
                continue
            child = where.child(f".{prop}")
            now = "required" if prop in new_required else "optional"
            if not response and now == "required":
                text = "new field, required in requests"
                self._at(child, "field-added-required", True, text, None, now)
            else:
                self._rule(child, "field-added", None, now)


def _operations(docs: VersionDocuments) -> dict[tuple[str, str], _Operation]:
    """By method and path template."""
    return {
        (method, template_key(str(path))): _Operation(method, str(path), op)
        for method, path, op in docs.operations()
    }


def _pair_moved(
    removed: dict[tuple[str, str], _Operation], added: dict[tuple[str, str], _Operation]
) -> list[tuple[_Operation, _Operation]]:
    """Takes out of `removed` and `added` the operations that moved (method or path changed)."""
    pairs: list[tuple[_Operation, _Operation]] = []
    for template in sorted({key[1] for key in removed}):
        gone = [key for key in removed if key[1] == template]
        new = [key for key in added if key[1] == template]
        if len(gone) == 1 and len(new) == 1:
            pairs.append((removed.pop(gone[0]), added.pop(new[0])))
    for key, gone_op in list(removed.items()):
        op_id = gone_op.operation.get("operationId")
        moved = [
            k
            for k, op in added.items()
            if op_id and op.method == gone_op.method and op.operation.get("operationId") == op_id
        ]
        if moved:
            pairs.append((removed.pop(key), added.pop(moved[0])))
    return pairs


def _follow(docs: VersionDocuments, raw: Any) -> Node | None:
    return None if raw is None else docs.resolve(raw, docs.openapi_uri)


def _parameter_map(docs: VersionDocuments, op: _Operation) -> dict[tuple[str, str], dict[str, Any]]:
    params: dict[tuple[str, str], dict[str, Any]] = {}
    # Operation-level parameters override path-level ones of the same name and place.
    for param in docs.parameters(op.method, op.path):
        place, name = str(param.get("in", "")), str(param.get("name", ""))
        params[(place, name.lower() if place == "header" else name)] = param
    return params


def _parameter_schema(
    docs: VersionDocuments, key: tuple[str, str], param: dict[str, Any]
) -> dict[str, Any]:
    schema = param.get("schema")
    if not isinstance(schema, dict):
        return {}
    if key == ("header", VERSION_HEADER):
        schema = docs.follow(schema)
        if isinstance(schema.get("enum"), list):
            pinned = [PINNED_VERSION if v == docs.version else v for v in schema["enum"]]
            schema = {**schema, "enum": pinned}
    return schema


def _types(schema: dict[str, Any]) -> frozenset[str] | None:
    """The JSON types a schema allows; None when it does not say (any type)."""
    declared = schema.get("type")
    if isinstance(declared, str | list):
        types = {declared} if isinstance(declared, str) else {str(t) for t in declared}
    elif "properties" in schema or "items" in schema:
        types = {"object" if "properties" in schema else "array"}
    else:
        return None
    if "number" in types:
        types.add("integer")  # every integer is a number
    return frozenset(types)


def _type_text(types: frozenset[str] | None) -> str:
    if types is None:
        return "any"
    return "|".join(sorted(types - {"integer"}) if "number" in types else sorted(types))


def _enum(schema: dict[str, Any]) -> list[Any] | None:
    """The values an `enum` or `const` allows, in a stable order; None when neither is set."""
    values = schema["enum"] if isinstance(schema.get("enum"), list) else None
    values = [schema["const"]] if values is None and "const" in schema else values
    if values is None:
        return None
    texts = {json.dumps(v, sort_keys=True) for v in values}
    return [json.loads(t) for t in sorted(texts)]


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

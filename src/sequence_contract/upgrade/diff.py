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

import re
from dataclasses import dataclass
from typing import Any

from sequence_contract.documents import Node, VersionDocuments
from sequence_contract.upgrade.model import Change
from sequence_contract.upgrade.recorder import REQUEST, RESPONSE, Recorder, Where
from sequence_contract.upgrade.schema_diff import SchemaDiffer

VERSION_HEADER = "sequence-version"
# Stands for "the version this document describes" in the version header's enum, which
# names the document's own version: pinning another version is the upgrade, not a change.
PINNED_VERSION = "<the document's own version>"


@dataclass(frozen=True)
class _Operation:
    method: str
    path: str
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
        self.record = Recorder()
        self.schemas = SchemaDiffer(old, new, self.record)

    def run(self) -> list[Change]:
        old_ops = _operations(self.old)
        new_ops = _operations(self.new)
        removed = {key: op for key, op in old_ops.items() if key not in new_ops}
        added = {key: op for key, op in new_ops.items() if key not in old_ops}
        for before, after in _pair_moved(removed, added):
            del removed[(before.method, _template(before.path))]
            del added[(after.method, _template(after.path))]
            self._moved(before, after)
            self._operation(before, after)
        for op in removed.values():
            self.record.emit(
                "operation-removed",
                op.label,
                op.label,
                True,
                f"{op.label}: the operation no longer exists",
                before=op.label,
            )
        for op in added.values():
            self.record.emit(
                "operation-added",
                op.label,
                op.label,
                False,
                f"{op.label}: new operation",
                after=op.label,
            )
        for key, op in old_ops.items():
            if key in new_ops:
                self._operation(op, new_ops[key])
        return self.record.found.items()

    # -- operations ---------------------------------------------------------------------

    def _moved(self, before: _Operation, after: _Operation) -> None:
        if _template(before.path) == _template(after.path):
            self.record.emit(
                "operation-method-changed",
                after.path,
                after.label,
                True,
                f"{after.path}: method {before.method} became {after.method}",
                before=before.method,
                after=after.method,
                seen=(before.label,),
            )
        else:
            self.record.emit(
                "operation-path-changed",
                before.label,
                after.label,
                True,
                f"{before.label}: moved to {after.label}",
                before=before.label,
                after=after.label,
            )

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
                self.record.emit(
                    "request-parameter-removed",
                    subject,
                    label,
                    True,
                    f"{subject}: parameter no longer documented (may be rejected or ignored)",
                    before=key[1],
                )
                continue
            now = new_params[key]
            was_required, is_required = bool(param.get("required")), bool(now.get("required"))
            if was_required != is_required:
                now_is = "required" if is_required else "optional"
                self.record.emit(
                    f"request-parameter-made-{now_is}",
                    subject,
                    label,
                    is_required,
                    f"{subject}: parameter now {now_is}",
                    before=was_required,
                    after=is_required,
                )
            where = Where(REQUEST, subject, label, "")
            self.schemas.compare(
                self._parameter_schema(self.old, key, param),
                self._parameter_schema(self.new, key, now),
                self.old.openapi_uri,
                self.new.openapi_uri,
                where,
            )
        for key, param in new_params.items():
            if key in old_params:
                continue
            subject = f"{label} {key[0]}.{key[1]}"
            required = bool(param.get("required"))
            self.record.emit(
                "request-parameter-added-required" if required else "request-parameter-added",
                subject,
                label,
                required,
                f"{subject}: new {'required' if required else 'optional'} parameter",
                after=key[1],
            )

    def _parameter_map(
        self, docs: VersionDocuments, op: _Operation
    ) -> dict[tuple[str, str], dict[str, Any]]:
        params: dict[tuple[str, str], dict[str, Any]] = {}
        # Operation-level parameters override path-level ones of the same name and place.
        for param in docs.parameters(op.method, op.path):
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
            self.record.emit(
                "request-body-added",
                label,
                label,
                required,
                f"{label}: now takes a request body"
                + (" (required)" if required else " (optional)"),
                after=required,
            )
            return
        if new_body is None:
            self.record.emit(
                "request-body-removed",
                label,
                label,
                True,
                f"{label}: no longer takes a request body (one sent may be rejected)",
            )
            return
        if new_body.contents.get("required") and not old_body.contents.get("required"):
            self.record.emit(
                "request-body-made-required",
                label,
                label,
                True,
                f"{label}: the request body is now required",
            )
        self._content(old_body, new_body, Where(REQUEST, label, label, "$"))

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
            self.record.emit(
                "status-code-changed",
                label,
                label,
                True,
                f"{label}: success status {'/'.join(old_ok) or 'none'} became "
                f"{'/'.join(new_ok) or 'none'}",
                before=old_ok,
                after=new_ok,
            )
            if len(old_ok) == 1 and len(new_ok) == 1:
                pairs.append((old_ok[0], new_ok[0]))
        for code in sorted(set(old_codes) - set(new_codes)):
            if not code.startswith("2"):
                self.record.emit(
                    "response-status-removed",
                    f"{label} {code}",
                    label,
                    False,
                    f"{label}: status {code} no longer documented",
                    before=code,
                )
        for code in sorted(set(new_codes) - set(old_codes)):
            if not code.startswith("2"):
                self.record.emit(
                    "response-status-added",
                    f"{label} {code}",
                    label,
                    False,
                    f"{label}: may now answer {code}",
                    after=code,
                )
        for old_code, new_code in pairs:
            before = self.old.resolve(old_codes[old_code], self.old.openapi_uri)
            after = self.new.resolve(new_codes[new_code], self.new.openapi_uri)
            where = Where(RESPONSE, f"{label} {new_code}", label, "$", new_code)
            self._headers(before, after, where)
            self._content(before, after, where)

    def _headers(self, old: Node, new: Node, where: Where) -> None:
        old_headers = {str(k).lower(): v for k, v in old.contents.get("headers", {}).items()}
        new_headers = {str(k).lower(): v for k, v in new.contents.get("headers", {}).items()}
        for name in sorted(set(old_headers) - set(new_headers)):
            self.record.emit(
                "response-header-removed",
                f"{where.name} {name}",
                where.operation,
                True,
                f"{where.name}: header {name} no longer sent",
                before=name,
            )
        for name in sorted(set(new_headers) - set(old_headers)):
            self.record.emit(
                "response-header-added",
                f"{where.name} {name}",
                where.operation,
                False,
                f"{where.name}: new header {name}",
                after=name,
            )

    def _content(self, old: Node, new: Node, where: Where) -> None:
        old_media = old.contents.get("content", {}) or {}
        new_media = new.contents.get("content", {}) or {}
        for media in sorted(set(old_media) - set(new_media)):
            self.record.emit(
                f"{where.direction}-media-type-removed",
                f"{where.name} {media}",
                where.operation,
                True,
                f"{where.name}: {media} body no longer used",
                before=media,
            )
        for media in sorted(set(new_media) - set(old_media)):
            self.record.emit(
                f"{where.direction}-media-type-added",
                f"{where.name} {media}",
                where.operation,
                where.direction == RESPONSE and not old_media,
                f"{where.name}: {media} body is new",
                after=media,
            )
        for media in sorted(set(old_media) & set(new_media)):
            old_schema = (old_media[media] or {}).get("schema", {})
            new_schema = (new_media[media] or {}).get("schema", {})
            self.schemas.compare(old_schema, new_schema, old.base, new.base, where)


def _operations(docs: VersionDocuments) -> dict[tuple[str, str], _Operation]:
    found: dict[tuple[str, str], _Operation] = {}
    for method, path, operation in docs.operations():
        op = _Operation(method, str(path), operation)
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
            if (
                id(new_op) not in used
                and new_op.method == gone_op.method
                and new_op.operation.get("operationId") == op_id
            ):
                pairs.append((gone_op, new_op))
                used |= {id(gone_op), id(new_op)}
                break
    return pairs


def _template(path: str) -> str:
    """`/customers/{id}` and `/customers/{customerId}` are the same path."""
    return re.sub(r"\{[^}]*\}", "{}", path)

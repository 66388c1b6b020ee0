"""Which documented operation a request belongs to, read from the run's OpenAPI document."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from sequence_contract.documents import documents

UNDOCUMENTED = "not documented"


@dataclass(frozen=True)
class DocumentedOperation:
    method: str  # upper case
    path: str  # the template, e.g. /customers/{id}/archive
    documented_statuses: tuple[str, ...]  # as written: "200", "4XX", "default"

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


def documented_operations(version: str) -> list[DocumentedOperation]:
    return [
        DocumentedOperation(method, path, tuple(str(code) for code in op.get("responses", {})))
        for method, path, op in documents(version).operations()
    ]


def status_documented(status: int, documented: tuple[str, ...]) -> bool:
    text = str(status)
    return any(
        code == text or (code.upper().endswith("XX") and code[0] == text[0]) or code == "default"
        for code in documented
    )


class OperationMatcher:
    """Maps a request (method, URL) to "METHOD /template"; unknown ones are named as such."""

    def __init__(self, operations: list[DocumentedOperation], base_url: str) -> None:
        self.operations = {operation.name: operation for operation in operations}
        self._base_path = urlsplit(base_url).path.rstrip("/")
        templates = sorted({operation.path for operation in operations}, key=_specificity)
        self._templates = [(template, _template_regex(template)) for template in templates]

    def path_of(self, url: str) -> str:
        path = urlsplit(url).path
        if self._base_path and path.startswith(self._base_path):
            path = path[len(self._base_path) :]
        return path or "/"

    def template_of(self, url: str) -> str | None:
        path = self.path_of(url)
        for template, pattern in self._templates:
            if pattern.fullmatch(path):
                return template
        return None

    def row_name(self, method: str, url: str) -> str:
        """The coverage row: the operation, or all undocumented methods of a path together."""
        template = self.template_of(url)
        name = f"{method.upper()} {template or self.path_of(url)}"
        if name in self.operations:
            return name
        return f"other methods on {template}" if template else "other paths"

    def name(self, method: str, url: str) -> str:
        """ "POST /customers/{id}/archive", or "GET /customers/{id}/archive (not documented)"."""
        template = self.template_of(url)
        name = f"{method.upper()} {template or self.path_of(url)}"
        if name not in self.operations:
            return f"{name} ({UNDOCUMENTED})" if template else f"{method.upper()} other path"
        return name


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))


def _specificity(template: str) -> tuple[int, int]:
    # Literal segments win over parameters: /customers/search before /customers/{id}.
    return (template.count("{"), -len(template))

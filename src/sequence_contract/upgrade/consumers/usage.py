"""`--consumer FILE`s read (Pact or HAR, told by content), and what each call uses: its
documented operation, version, and fields.

Field paths are JSON paths with named keys and `[]` for "any element of the array"
(`$.items[].email`), the paths the documents' changes point at (`Change.pointers`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from sequence_contract.documents import documents
from sequence_contract.upgrade.consumers.model import PACT, ConsumerFile, Interaction

BASE_PATH = "/api"


@dataclass(frozen=True)
class Call:
    """An interaction with what it uses, in the terms of its version's documents."""

    interaction: Interaction
    version: str
    operation: str | None = None  # "GET /customers/{id}"; None when not a documented one
    sent: frozenset[str] = frozenset()  # request body paths, e.g. "$.address.line1"
    params: frozenset[str] = frozenset()  # "query.limit", "header.sequence-version"
    relied: frozenset[str] = frozenset()  # response body paths the code relies on
    relied_headers: frozenset[str] = frozenset()  # lower-case response header names
    problem: str = ""  # why it cannot be judged (unknown operation, other version, ...)

    @property
    def label(self) -> str:
        return self.interaction.label

    @property
    def shown(self) -> str:
        """The documented operation, else the call as recorded."""
        return self.operation or f"{self.interaction.method} {self.interaction.path}"


def calls_of(files: Iterable[ConsumerFile], from_version: str, to_version: str) -> tuple[Call, ...]:
    return tuple(call_of(i, from_version, to_version) for file in files for i in file.interactions)


def call_of(interaction: Interaction, from_version: str, to_version: str) -> Call:
    version = interaction.headers.get("sequence-version", "").strip() or from_version
    if interaction.skip:
        return Call(interaction, version, problem=f"not an HTTP call: {interaction.skip}")
    if version not in (from_version, to_version):
        return Call(
            interaction,
            version,
            problem=f"sends Sequence-Version {version}; this check compares "
            f"{from_version} -> {to_version}",
        )
    operation, problem = find_operation(interaction.method, interaction.path, version)
    if operation is None:
        return Call(interaction, version, problem=problem)
    params = {f"query.{name}" for name, _ in interaction.query}
    params |= {f"header.{name}" for name in interaction.headers}
    return Call(
        interaction,
        version,
        operation,
        sent=frozenset(leaf_paths(interaction.body))
        if interaction.body is not None
        else frozenset(),
        params=frozenset(params),
        relied=frozenset(leaf_paths(interaction.response_body))
        if interaction.response_body is not None
        else frozenset(),
        # A recording holds every header the server sent; only a Pact says which matter.
        relied_headers=frozenset(interaction.response_headers)
        if interaction.kind == PACT
        else frozenset(),
    )


def find_operation(method: str, path: str, version: str) -> tuple[str | None, str]:
    """("GET /customers/{id}", "") or (None, why not)."""
    wanted = api_path(path)
    matches = [t for t in _templates(version) if _fits(t[1], wanted)]
    # The most literal template wins: `/customers/{id}/archive` before `/customers/{id}/{x}`.
    matches.sort(key=lambda t: -sum(not s.startswith("{") for s in t[1].split("/")))
    for op_method, template in matches:
        if op_method == method.upper():
            return f"{op_method} {template}", ""
    shown = f"{method.upper()} {wanted}"
    if matches:
        others = sorted({m for m, t in matches if t == matches[0][1]})
        return None, (
            f"{shown}: the {version} documents have no {method.upper()} on "
            f"{matches[0][1]} (only {', '.join(others)})"
        )
    return None, f"{shown}: not an operation of the {version} documents"


def api_path(path: str) -> str:
    """`https://host/api/customers/1?x` or `/api/customers/1` -> `/customers/1`."""
    path = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/]*", "", path).split("?", 1)[0]
    index = path.find(BASE_PATH + "/")
    if index >= 0:
        path = path[index + len(BASE_PATH) :]
    return "/" + path.strip("/")


def leaf_paths(value: Any, path: str = "$") -> list[str]:
    """Paths of the values a body holds; `[]` stands for every element of an array."""
    if isinstance(value, dict) and value:
        return [p for key, child in value.items() for p in leaf_paths(child, f"{path}.{key}")]
    if isinstance(value, list) and value:
        return list(dict.fromkeys(p for child in value for p in leaf_paths(child, f"{path}[]")))
    return [path]


@cache
def _templates(version: str) -> tuple[tuple[str, str], ...]:
    return tuple((method, str(path)) for method, path, _ in documents(version).operations())


def _fits(template: str, path: str) -> bool:
    want, have = template.strip("/").split("/"), path.strip("/").split("/")
    return len(want) == len(have) and all(
        (w.startswith("{") and w.endswith("}") and h) or w == h
        for w, h in zip(want, have, strict=True)
    )

"""Waivers: changes a team has accepted, in a YAML or TOML file (`waivers: [{id, reason}]`);
ids may hold `*` and `?`. A waiver matching nothing is reported as unused."""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sequence_contract.errors import UsageError

_KEYS = frozenset({"id", "reason"})


@dataclass(frozen=True)
class Waiver:
    id: str
    reason: str
    where: str  # "<file>: waiver N", for messages

    def matches(self, change_id: str) -> bool:
        # Only `*` and `?` are wildcards: `[` stands for itself, as in `integrationIds[]`.
        return fnmatch.fnmatchcase(change_id, self.id.replace("[", "[[]"))


def load_waivers(path: Path) -> tuple[Waiver, ...]:
    """The file's waivers; a usage error naming the entry when one is malformed."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--waivers {path}: cannot read: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else yaml.safe_load(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        hint = " (quote an id that starts with '*')" if "alias" in str(exc) else ""
        raise UsageError(f"{path}: not valid YAML/TOML: {first_line}{hint}") from exc
    entries = data.get("waivers") if isinstance(data, dict) else data
    if data is None or entries is None:
        return ()
    if not isinstance(entries, list):
        raise UsageError(f"{path}: expected a list of waivers (or a 'waivers:' key holding one)")
    return tuple(_waiver(path, number, entry) for number, entry in enumerate(entries, 1))


def _waiver(path: Path, number: int, entry: Any) -> Waiver:
    where = f"{path}: waiver {number}"
    if not isinstance(entry, dict):
        raise UsageError(f"{where}: expected a mapping with 'id' and 'reason'")
    unknown = sorted(str(k) for k in entry if k not in _KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(unknown)} (use id, reason)")
    change_id, reason = entry.get("id"), entry.get("reason")
    if not isinstance(change_id, str) or not change_id.strip():
        raise UsageError(f"{where}: 'id' must be a non-empty change id or pattern")
    if not isinstance(reason, str) or not reason.strip():
        # A waiver without a reason is a decision nobody can review later.
        raise UsageError(f"{where} ({change_id}): 'reason' must say why it is accepted")
    return Waiver(change_id.strip(), reason.strip(), where)

"""One upgrade check, start to end: diff the documents, replay on a server, apply waivers."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sequence_contract import schemas
from sequence_contract.errors import UsageError
from sequence_contract.target import (
    Credentials,
    Target,
    classify,
    destructive_allowed,
    embedded_sandbox,
    preflight,
    remote_target,
)
from sequence_contract.upgrade.consumers.matching import BREAKS, NOT_VERIFIABLE, PASSES
from sequence_contract.upgrade.consumers.model import ConsumerFile, read_consumers
from sequence_contract.upgrade.consumers.usage import Call, ConsumerUsage, Verified, calls_of, judge
from sequence_contract.upgrade.consumers.verify import verify_calls
from sequence_contract.upgrade.diff import diff_versions
from sequence_contract.upgrade.model import Change
from sequence_contract.upgrade.replay import Replay, compare_replays, open_session, replay
from sequence_contract.upgrade.waivers import Waiver


@dataclass(frozen=True)
class ReplaySettings:
    base_url: str | None = None  # None: an embedded sandbox started for the check
    credentials: Credentials | None = None
    allow_destructive_host: str | None = None
    request_timeout: float = 30.0


@dataclass
class UpgradeCheck:
    """The verdict: which changes block the upgrade, and all a report needs to say why."""

    from_version: str
    to_version: str
    documented: tuple[Change, ...]
    waivers: tuple[Waiver, ...] = ()
    waiver_file: Path | None = None
    target: str = ""  # "" when nothing was replayed
    observed: tuple[Change, ...] = ()
    replays: tuple[Replay, ...] = ()
    notes: list[str] = field(default_factory=list)
    consumers: ConsumerUsage | None = None

    @property
    def changes(self) -> tuple[Change, ...]:
        found = self.consumers.found if self.consumers else ()
        return self.documented + self.observed + found

    @cached_property
    def waived(self) -> dict[str, Waiver]:
        """Change id -> the first waiver matching it."""
        matches = ((c.id, [w for w in self.waivers if w.matches(c.id)]) for c in self.changes)
        return {change_id: found[0] for change_id, found in matches if found}

    @property
    def unused_waivers(self) -> tuple[Waiver, ...]:
        return tuple(w for w in self.waivers if not any(w.matches(c.id) for c in self.changes))

    @cached_property
    def blocking(self) -> tuple[Change, ...]:
        """Breaking, not waived, not predicted (observed), affecting a call (consumer files)."""
        unwaived = [
            c for c in self.changes if c.breaking and not c.expected and c.id not in self.waived
        ]
        return tuple(c for c in unwaived if self.consumers is None or self.consumers.affects(c))

    @property
    def passed(self) -> bool:
        return not self.blocking


def interaction_rows(check: UpgradeCheck) -> list[dict[str, Any]]:
    """Each consumer call's result as the JSON report gives it (`result`, `why`, ...)."""
    found = []
    for call in check.consumers.calls if check.consumers else ():
        outcome, why = _judged(check, call)
        found.append(
            {
                "source": call.interaction.source,
                "description": call.interaction.description,
                "operation": call.shown,
                "version": call.version,
                "result": outcome,
                "why": why,
                "affectedBy": [{"id": i.change_id, "where": i.why} for i in call.impacts],
                "sends": sorted(call.sent | call.params),
                "reliesOn": sorted(call.relied | {f"header {h}" for h in call.relied_headers}),
            }
        )
    return found


def _judged(check: UpgradeCheck, call: Call) -> tuple[str, list[str]]:
    """The call's outcome; why: "<change id>: <where: what>" lines, or the reason."""
    blocking = {c.id for c in check.blocking}
    broken = [i for i in call.change_ids if i in blocking]
    live = call.live
    if broken:
        # The change ids with their "where: what", then what the live replay saw.
        described = {c.id: c.description for c in check.changes}
        whys = {i.change_id: f" ({i.why})" for i in call.impacts}
        lines = [f"{i}: {described.get(i, '')}{whys.get(i, '')}" for i in broken]
        shown = {described.get(i) for i in broken}
        lines += [
            f"live on {check.to_version}: {m.where}: {m.what}"
            for m in (live.mismatches if live else ())
            if f"{m.where}: {m.what}" not in shown  # not already a blocking change itself
        ]
        return BREAKS, lines
    notes = [f"{i}: waived" for i in call.change_ids if i in check.waived]
    if call.version == check.to_version != check.from_version:
        notes.append(f"already sends {check.to_version}: the documented changes do not apply")
    if call.problem:
        return NOT_VERIFIABLE, [call.problem]
    if live is None:
        return NOT_VERIFIABLE, ["not replayed (--documents-only)", *notes]
    if live.outcome == NOT_VERIFIABLE:
        return NOT_VERIFIABLE, [live.reason, *notes]
    return PASSES, [*notes, *live.notes]


def summary_line(check: UpgradeCheck) -> str:
    found = interaction_rows(check)
    broken = sum(r["result"] == BREAKS for r in found)
    noun = "interaction breaks" if len(found) == 1 else "interactions break"
    return f"{broken} of {len(found)} {noun} on {check.to_version}"


def run_upgrade_check(
    from_version: str,
    to_version: str,
    *,
    replay_on: ReplaySettings | None = ReplaySettings(),  # frozen: sharing the default is safe
    waivers: Sequence[Waiver] = (),
    waiver_file: Path | None = None,
    consumers: Sequence[Path] = (),
) -> UpgradeCheck:
    """The whole check; `replay_on=None` compares the documents only."""
    shipped = schemas.available_versions()
    for option, version in (("--from", from_version), ("--to", to_version)):
        if version not in shipped:
            raise UsageError(
                f"{option} {version}: no schemas for this version; available: {', '.join(shipped)}"
            )
    files = read_consumers(consumers)
    calls = calls_of(files, from_version, to_version)
    documented = tuple(diff_versions(from_version, to_version))
    check = UpgradeCheck(from_version, to_version, documented, tuple(waivers), waiver_file)
    verified = _replay(check, replay_on, files, calls) if replay_on is not None else None
    if from_version == to_version:
        check.notes.append(f"{from_version} is compared with itself: any change is noise")
    for run in check.replays:
        if skipped := [o.step for o in run.observations if o.status is None]:
            check.notes.append(f"{run.version}: steps not run: {', '.join(skipped)}")
    if files:
        changes = [*documented, *check.observed]
        check.consumers = judge(files, calls, changes, to_version, verified)
    return check


def _replay(
    check: UpgradeCheck,
    settings: ReplaySettings,
    files: tuple[ConsumerFile, ...],
    calls: tuple[Call, ...],
) -> Verified | None:
    """The version replay (where writes are allowed) and the consumer calls' verification."""
    # Where writes are not allowed, consumer calls may still be replayed read-only;
    # the generic replay (it creates and archives) may not.
    writes = _writes_allowed(settings)
    versions = (check.from_version, check.to_version)
    verified = None
    with _target(settings, allowed=writes or bool(files)) as target:
        check.target = "embedded sandbox" if target.embedded else target.base_url
        with open_session(target, settings.request_timeout) as session:
            preflight(session, target, versions)
            run_id = f"upgrade-{secrets.token_hex(4)}"
            if writes:
                check.replays = tuple(
                    replay(session, target, v, f"{run_id}-{n}") for n, v in enumerate(versions, 1)
                )
            else:
                check.notes.append(
                    f"{target.base_url} does not allow writes: the version replay was "
                    "skipped; consumer calls were replayed read-only (GET, HEAD, OPTIONS)"
                )
            if files:
                verified = verify_calls(
                    session, target, calls, versions[1], f"{run_id}-3", writes_allowed=writes
                )
    if check.replays:
        check.observed = tuple(
            compare_replays(check.replays[0], check.replays[1], check.documented)
        )
    return verified


def _target(settings: ReplaySettings, *, allowed: bool) -> AbstractContextManager[Target]:
    """The target; a usage error when the check must write there and may not."""
    if settings.base_url is None:
        return embedded_sandbox()
    target = remote_target(settings.base_url, settings.credentials)
    # The replay creates, updates and archives customers: never on a live account unasked.
    if not allowed:
        host = urlsplit(target.base_url).hostname
        raise UsageError(
            f"--base-url {settings.base_url}: the replay creates and archives customers, and "
            f"{host} is not a sandbox; pass --allow-destructive-host {host} if that is intended"
        )
    return nullcontext(target)


def _writes_allowed(settings: ReplaySettings) -> bool:
    if settings.base_url is None:
        return True
    kind = classify(settings.base_url, embedded=False)
    return destructive_allowed(settings.base_url, kind, settings.allow_destructive_host)

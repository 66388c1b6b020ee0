"""One upgrade check, start to end: diff the documents, replay on a server, apply waivers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
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
from sequence_contract.upgrade.consumers.files import read_consumers
from sequence_contract.upgrade.consumers.judge import ConsumerUsage, judge
from sequence_contract.upgrade.consumers.usage import calls_of
from sequence_contract.upgrade.consumers.verify import Verified, verify_calls
from sequence_contract.upgrade.diff import diff_versions
from sequence_contract.upgrade.gate import UpgradeCheck
from sequence_contract.upgrade.model import Change
from sequence_contract.upgrade.observed import compare_replays
from sequence_contract.upgrade.replay import Replay, new_run_id, open_session, replay
from sequence_contract.upgrade.waivers import Waiver, apply_waivers


@dataclass(frozen=True)
class ReplaySettings:
    base_url: str | None = None  # None: an embedded sandbox started for the check
    credentials: Credentials | None = None
    allow_destructive_host: str | None = None
    request_timeout: float = 30.0


def check_versions(from_version: str, to_version: str) -> None:
    """Usage error unless both versions have schemas in this package."""
    shipped = schemas.available_versions()
    for option, version in (("--from", from_version), ("--to", to_version)):
        if version not in shipped:
            raise UsageError(
                f"{option} {version}: no schemas for this version; available: {', '.join(shipped)}"
            )


def run_upgrade_check(
    from_version: str,
    to_version: str,
    *,
    replay_on: ReplaySettings | None = ReplaySettings(),  # frozen: sharing the default is safe
    waivers: Sequence[Waiver] = (),
    waiver_file: Path | None = None,
    consumers: Sequence[Path] = (),
) -> UpgradeCheck:
    """The whole check; `replay_on=None` compares the documents only. With `consumers`
    (Pact or HAR files), only changes that touch their calls block, and the calls are
    replayed under `to_version` too."""
    check_versions(from_version, to_version)
    files = read_consumers(consumers)
    calls = calls_of(files, from_version, to_version)
    verified: Verified | None = None
    documented = diff_versions(from_version, to_version)
    observed: list[Change] = []
    replays: tuple[Replay, ...] = ()
    target_text = ""
    notes: list[str] = []
    if replay_on is not None:
        # Where writes are not allowed, consumer calls may still be replayed read-only;
        # the generic replay (it creates and archives) may not.
        writes = _writes_allowed(replay_on)
        with _target(replay_on, writes=writes or not files) as target:
            target_text = "embedded sandbox" if target.embedded else target.base_url
            session = open_session(target, replay_on.request_timeout)
            with session:
                preflight(session, target, (from_version, to_version))
                run_id = new_run_id()
                if writes:
                    replays = (
                        replay(session, target, from_version, f"{run_id}-1"),
                        replay(session, target, to_version, f"{run_id}-2"),
                    )
                else:
                    notes.append(
                        f"{target.base_url} does not allow writes: the version replay was "
                        "skipped; consumer calls were replayed read-only (GET, HEAD, OPTIONS)"
                    )
                if files:
                    verified = verify_calls(
                        session, target, calls, to_version, f"{run_id}-3", writes_allowed=writes
                    )
        if replays:
            observed = compare_replays(replays[0], replays[1], documented)
    usage: ConsumerUsage | None = None
    if files:
        usage = judge(
            files,
            calls,
            [*documented, *observed],
            to_version,
            verified.results if verified else None,
            tuple(verified.created) if verified else (),
            verified.requests if verified else 0,
        )
    found = usage.found if usage else ()
    outcome = apply_waivers(waivers, [*documented, *observed, *found])
    return UpgradeCheck(
        from_version=from_version,
        to_version=to_version,
        target=target_text,
        documented=tuple(documented),
        observed=tuple(observed),
        waivers=outcome,
        waiver_file=waiver_file,
        replays=replays,
        notes=(*notes, *_notes(from_version, to_version, replays)),
        consumers=usage,
    )


@contextmanager
def _target(settings: ReplaySettings, *, writes: bool = True) -> Iterator[Target]:
    if settings.base_url is None:
        with embedded_sandbox() as target:
            yield target
        return
    target = remote_target(settings.base_url, settings.credentials)
    # The replay creates, updates and archives customers: never on a live account unasked.
    # `writes=False`: the caller sends only GET, HEAD and OPTIONS, so any host will do.
    if writes and not destructive_allowed(
        target.base_url, target.kind, settings.allow_destructive_host
    ):
        host = urlsplit(target.base_url).hostname
        raise UsageError(
            f"--base-url {settings.base_url}: the replay creates and archives customers, and "
            f"{host} is not a sandbox; pass --allow-destructive-host {host} if that is intended"
        )
    yield target


def _writes_allowed(settings: ReplaySettings) -> bool:
    if settings.base_url is None:
        return True
    kind = classify(settings.base_url, embedded=False)
    return destructive_allowed(settings.base_url, kind, settings.allow_destructive_host)


def _notes(from_version: str, to_version: str, replays: tuple[Replay, ...]) -> tuple[str, ...]:
    notes = []
    if from_version == to_version:
        notes.append(f"{from_version} is compared with itself: any change is noise")
    for run in replays:
        skipped = [o.step for o in run.observations if o.status is None]
        if skipped:
            notes.append(f"{run.version}: steps not run: {', '.join(skipped)}")
    return tuple(notes)

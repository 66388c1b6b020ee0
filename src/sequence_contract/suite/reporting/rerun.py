"""How to run a failure again: the command, and for generated cases the seed and the example."""

from __future__ import annotations

import secrets
import shlex
from dataclasses import dataclass

from sequence_contract.schemas import LATEST_VERSION
from sequence_contract.suite.config import PROFILES, SuiteSettings


@dataclass(frozen=True)
class RunSeed:
    """The hypothesis seed of the run: fixed per test (derandomized) or one seed for the run."""

    profile: str
    seed: str | None  # None: derandomized profile, or hypothesis picks per test

    @property
    def deterministic(self) -> bool:
        return PROFILES[self.profile].deterministic if self.profile in PROFILES else False

    def describe(self) -> str:
        if self.deterministic:
            return f"derandomized (profile {self.profile}: the same cases on every run)"
        if self.seed is None:
            return "random per test (no seed was fixed)"
        return f"{self.seed} (replay with --hypothesis-seed={self.seed})"


def choose_seed(profile: str, given: object) -> str | None:
    """The seed to force for this run: the given one, or a fresh one for a random profile
    (else hypothesis picks one per test and, under schemathesis, prints none to replay)."""
    if given is not None:
        return str(given)
    return None if RunSeed(profile, None).deterministic else str(secrets.randbelow(2**32))


def rerun_command(test: str, settings: SuiteSettings, seed: RunSeed) -> str:
    parts = ["pytest", test, "--hypothesis-profile", seed.profile]
    if seed.seed is not None and not seed.deterministic:
        parts += ["--hypothesis-seed", seed.seed]
    if settings.api_version != LATEST_VERSION:
        parts += ["--api-version", settings.api_version]
    if settings.base_url:
        parts += ["--base-url", settings.base_url]
    for fault in settings.sandbox_faults:
        parts += ["--sandbox-fault", fault]
    return " ".join(shlex.quote(part) for part in parts)


def replay_lines(
    test: str, settings: SuiteSettings, seed: RunSeed, generated: bool
) -> list[tuple[str, str]]:
    """(label, text) rows for a failure entry's "replay" block."""
    rows = [("rerun", rerun_command(test, settings, seed))]
    if generated:
        rows += [
            ("seed", seed.describe()),
            (
                "example",
                "the failing case's requests are shown below; each has a curl command "
                "that sends it again",
            ),
        ]
    return rows

"""Run sizes: hypothesis profiles plus the few knobs schemathesis reads outside them."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, settings

DEFAULT_PROFILE = "ci"


@dataclass(frozen=True)
class RunProfile:
    name: str
    max_examples: int
    stateful_max_steps: int
    stateful_examples: int
    deterministic: bool
    purpose: str


PROFILES: dict[str, RunProfile] = {
    profile.name: profile
    for profile in (
        RunProfile(
            "ci",
            max_examples=30,
            stateful_max_steps=8,
            stateful_examples=15,
            deterministic=True,
            purpose="every change: shape, status, header and auth breaks, same cases each run",
        ),
        RunProfile(
            "nightly",
            max_examples=1000,
            stateful_max_steps=20,
            stateful_examples=200,
            deterministic=False,
            purpose="nightly against the sandbox: >= 1,000 cases per operation, new cases each run",
        ),
        RunProfile(
            "dev",
            max_examples=5,
            stateful_max_steps=4,
            stateful_examples=3,
            deterministic=True,
            purpose="a quick look while editing",
        ),
    )
}


def register_hypothesis_profiles() -> None:
    """Register our profiles with hypothesis (replacing its built-in `ci`)."""
    for profile in PROFILES.values():
        settings.register_profile(
            profile.name,
            max_examples=profile.max_examples,
            stateful_step_count=profile.stateful_max_steps,
            derandomize=profile.deterministic,
            # Network round trips make wall-clock deadlines meaningless here.
            deadline=None,
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.filter_too_much,
                HealthCheck.data_too_large,
            ],
            print_blob=True,
        )

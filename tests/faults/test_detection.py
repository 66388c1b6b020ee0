"""The suite notices every fault of the sandbox's catalogue and passes every benign variant.

Each case runs the contract suite as a user would (a fresh pytest process, the embedded
sandbox with one fault, the `ci` profile and its request budget, `-x`). The runs go two at a
time in the background as soon as the first case asks; every case then waits for its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from benchmarks.detection import RunOutcome, SuiteRunner, Verdict

from sequence_contract.sandbox.faults import benign_variants, contract_faults

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
PARALLEL_RUNS = 2  # CI has two cores; each run is one busy process (suite and sandbox)
OUTPUT_TAIL_LINES = 40
# Faults the suite is known to miss, with why (none today). Strict: once the suite catches one,
# its xfail fails and the entry must go.
KNOWN_GAPS: dict[str, str] = {}
FAULT_NAMES = [
    pytest.param(f.name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[f.name]))
    if f.name in KNOWN_GAPS
    else f.name
    for f in contract_faults()
]
BENIGN_NAMES = [variant.name for variant in benign_variants()]

SuiteRuns = dict[str, "Future[RunOutcome]"]


def _variants_selected(request: pytest.FixtureRequest) -> list[str]:
    """The variants of this module's selected cases, in run order (so -k runs only those)."""
    names = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if getattr(item, "module", None) is request.module and callspec is not None:
            names.append(callspec.params["variant"])
    return list(dict.fromkeys(names))


@pytest.fixture(scope="module")
def suite_runs(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SuiteRuns]:
    runner = SuiteRunner(REPO, profile="ci", stop_at_first=True)
    workdir = tmp_path_factory.mktemp("suite-runs")
    with ThreadPoolExecutor(max_workers=PARALLEL_RUNS) as pool:
        runs = {
            name: pool.submit(runner.run, name, workdir / name)
            for name in _variants_selected(request)
        }
        yield runs
        for run in runs.values():
            run.cancel()


def _explain(outcome: RunOutcome) -> str:
    log = (outcome.workdir or Path()) / "output.txt"
    output = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    tail = "\n".join(output.splitlines()[-OUTPUT_TAIL_LINES:])
    return (
        f"exit {outcome.exit_code} ({outcome.verdict.value}), first failure "
        f"{outcome.first_failure}, {outcome.requests} requests, {outcome.seconds:.1f} s; "
        f"last lines of the run:\n{tail}"
    )


def _outcome(suite_runs: SuiteRuns, variant: str) -> RunOutcome:
    return suite_runs[variant].result()


@pytest.mark.parametrize("variant", FAULT_NAMES)
def test_the_suite_detects_the_fault(suite_runs: SuiteRuns, variant: str) -> None:
    outcome = _outcome(suite_runs, variant)

    assert outcome.verdict is Verdict.DETECTED, (
        f"fault {variant}: the suite did not report a broken contract (exit 1); "
        + _explain(outcome)
    )
    assert outcome.first_failure, f"fault {variant}: exit 1 without a failing test named"


@pytest.mark.parametrize("variant", BENIGN_NAMES)
def test_the_suite_passes_the_benign_variant(suite_runs: SuiteRuns, variant: str) -> None:
    outcome = _outcome(suite_runs, variant)

    assert outcome.verdict is Verdict.PASSED, (
        f"benign variant {variant}: the suite failed; " + _explain(outcome)
    )

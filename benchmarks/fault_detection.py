"""How well does the contract suite notice a broken API? And how well does the peer?

Runs the contract suite (a fresh pytest process, embedded sandbox, the whole run) once per
fault of the sandbox's catalogue and once per benign variant, and prints per variant: detected
or not, by which test, seconds, requests to the first failure and in all; then the detection
rate, the false positives on benign variants and the wall time. With `--peer`,
`schemathesis run` (all checks, same OpenAPI document, credentials and base URL, every phase)
runs against the same variants and is printed side by side.

    python benchmarks/fault_detection.py                     # the suite, every variant
    python benchmarks/fault_detection.py --peer --jobs 2     # and the peer
    python benchmarks/fault_detection.py --faults ignore-auth,gzip-responses --repeat 3

Exit status 0 when the suite detected every fault and passed every benign variant (and the
clean sandbox), 1 otherwise, 4 for a bad option.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from detection import PeerRunner, RunOutcome, SuiteRunner, Verdict
from detection.peer_runner import baseline_entries
from detection.table import Row, render, summarise, totals
from sequence_contract.sandbox.faults import FAULTS, benign_variants, contract_faults
from sequence_contract.suite.config import PROFILES

PROJECT_ROOT = Path(__file__).resolve().parents[1]
USAGE_ERROR = 4
PEER_NOTE = (
    "Peer: schemathesis run, all checks and phases (stateful included), the same OpenAPI "
    "document, base URL and credentials, {examples} examples per operation, deterministic, "
    "each run to its end. It gets no help with ids: its random ids only reach 404, "
    "and only the document's links (create -> get/update/archive) lead it to a real "
    "customer. That is the point of the comparison. Its failures on the clean sandbox are "
    "accepted with its own --baseline, so a fault counts only if it adds a failure."
)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--faults",
        default="",
        help="comma-separated fault or benign variant names (default: all of them)",
    )
    parser.add_argument(
        "--profile",
        default="ci",
        choices=sorted(PROFILES),
        help="the suite's run profile; the peer gets the same examples per operation",
    )
    parser.add_argument("--jobs", type=int, default=1, help="runs at the same time (default 1)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per variant; medians shown")
    parser.add_argument("--peer", action="store_true", help="also run schemathesis run")
    parser.add_argument("--workdir", type=Path, help="keep run outputs here (default: temporary)")
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.repeat < 1:
        parser.error("--jobs and --repeat must be at least 1")
    return args


def selected(names: str) -> list[str]:
    """The variants to run, catalogue order; raises ValueError naming unknown ones."""
    everything = [fault.name for fault in (*contract_faults(), *benign_variants())]
    if not names.strip():
        return everything
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    unknown = [name for name in wanted if name not in everything]
    if unknown:
        raise ValueError(
            f"--faults: unknown {', '.join(unknown)}; known: {', '.join(sorted(everything))}"
        )
    return [name for name in everything if name in wanted]


def run_all(
    variants: Sequence[str],
    tools: dict[str, Callable[[str | None, Path], RunOutcome]],
    workdir: Path,
    jobs: int,
    repeat: int,
) -> dict[tuple[str, str], list[RunOutcome]]:
    """Every (tool, variant, repeat) run, `jobs` at a time; progress on stderr."""
    plan = [(tool, name, n) for name in variants for tool in tools for n in range(repeat)]
    results: dict[tuple[str, str], list[RunOutcome]] = {}

    def one(job: tuple[str, str, int]) -> RunOutcome:
        tool, name, n = job
        outcome = tools[tool](name, workdir / tool / f"{name}-{n}")
        print(
            f"  {tool:<5} {name:<34} {outcome.verdict.value:<11} {outcome.seconds:6.1f} s",
            file=sys.stderr,
            flush=True,
        )
        return outcome

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for (tool, name, _), outcome in zip(plan, pool.map(one, plan), strict=True):
            results.setdefault((tool, name), []).append(outcome)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
        variants = selected(args.faults)
    except ValueError as exc:
        print(f"fault_detection: {exc}", file=sys.stderr)
        return USAGE_ERROR
    # The peer probes with requests uvicorn calls invalid; the in-process sandboxes' warnings
    # about them are noise here (uvicorn resets its loggers' levels on every start).
    logging.disable(logging.WARNING)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="fault-detection-") as temporary:
        workdir = (args.workdir or Path(temporary)).resolve()
        # Whole runs: requests to the first failure and in all (the self-test stops at the first).
        suite = SuiteRunner(PROJECT_ROOT, profile=args.profile, stop_at_first=False)
        tools: dict[str, Callable[[str | None, Path], RunOutcome]] = {"suite": suite.run}
        print(f"clean sandbox first (profile {args.profile}) ...", file=sys.stderr)
        clean = {"suite": suite.run(None, workdir / "suite" / "clean")}
        peer = None
        if args.peer:
            examples = PROFILES[args.profile].max_examples
            peer = PeerRunner(
                PROJECT_ROOT,
                baseline=workdir / "peer-baseline.json",
                max_examples=examples,
                stop_at_first=False,
            )
            clean["peer"] = peer.record_baseline(workdir / "peer" / "clean")
            tools["peer"] = peer.run
        for tool, outcome in clean.items():
            print(
                f"  {tool:<5} clean: {outcome.verdict.value} ({outcome.seconds:.1f} s)",
                file=sys.stderr,
            )
        results = run_all(variants, tools, workdir, args.jobs, args.repeat)
    rows = [
        Row(name, FAULTS[name].kind, {tool: results[(tool, name)] for tool in tools})
        for name in variants
    ]
    print(render(rows, list(tools)))
    print()
    for tool in tools:
        print(totals(rows, tool))
    suite_clean = clean["suite"]
    print(
        f"suite on the clean sandbox: {suite_clean.verdict.value} "
        f"({suite_clean.seconds:.1f} s, {suite_clean.requests} requests)"
    )
    if peer is not None:
        accepted = baseline_entries(peer.baseline)
        print(
            f"peer on the clean sandbox: {len(accepted)} failure(s), accepted as its baseline"
            + (f": {'; '.join(accepted)}" if accepted else "")
        )
        print(PEER_NOTE.format(examples=peer.max_examples))
    print(
        f"profile {args.profile}, jobs {args.jobs}, repeat {args.repeat}; "
        f"benchmark wall time {time.monotonic() - started:.0f} s"
    )
    return 0 if _suite_is_perfect(rows, suite_clean) else 1


def _suite_is_perfect(rows: Sequence[Row], clean: RunOutcome) -> bool:
    if clean.verdict is not Verdict.PASSED:
        return False
    for row in rows:
        first = summarise(row.runs["suite"])[0]
        wanted = Verdict.PASSED if row.kind == "benign" else Verdict.DETECTED
        if first.verdict is not wanted:
            return False
    return True


if __name__ == "__main__":
    sys.exit(main())

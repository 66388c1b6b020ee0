"""The detection table: per variant, what each tool found; then totals."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from .outcome import RunOutcome, Verdict

SUITE_PREFIX = "contract_tests/"


@dataclass(frozen=True)
class Row:
    """One variant: its name, class, and each tool's runs (repeats of the same run)."""

    variant: str
    kind: str
    runs: Mapping[str, Sequence[RunOutcome]]  # tool -> runs


def summarise(runs: Sequence[RunOutcome]) -> tuple[RunOutcome, float, int | None, bool]:
    """The first run, the median seconds, the median requests, and whether repeats disagreed."""
    first = runs[0]
    seconds = statistics.median(run.seconds for run in runs)
    flaky = len({run.verdict for run in runs}) > 1
    return first, seconds, _median(run.requests for run in runs), flaky


def _median(counts: Iterable[int | None]) -> int | None:
    known = [count for count in counts if count is not None]
    return int(statistics.median(known)) if known else None


def _requests(runs: Sequence[RunOutcome]) -> str:
    """`to the first failure / in all` (medians), or just `in all` when nothing failed."""
    total = _median(run.requests for run in runs)
    to_first = _median(run.requests_to_first for run in runs)
    if total is None:
        return ""
    return f"{to_first} / {total}" if to_first is not None else str(total)


def _mark(run: RunOutcome, benign: bool, flaky: bool) -> str:
    if run.verdict is Verdict.DETECTED:
        mark = "FALSE POSITIVE" if benign else "yes"
    elif run.verdict is Verdict.PASSED:
        mark = "passed" if benign else "MISSED"
    else:
        mark = f"{run.verdict.value} (exit {run.exit_code})"
    return mark + (" (flaky)" if flaky else "")


def _by(run: RunOutcome) -> str:
    if run.verdict is Verdict.DETECTED:
        return (run.first_failure or "?").removeprefix(SUITE_PREFIX).replace("|", "/")
    if run.verdict in (Verdict.ENVIRONMENT, Verdict.ERROR):
        return run.detail.replace("|", "/")[:120]
    return ""


def render(rows: Sequence[Row], tools: Sequence[str]) -> str:
    """A Markdown table: variant, class, then per tool: verdict, by what, seconds, requests
    (to the first failure / in all)."""
    header = ["variant", "class"]
    for tool in tools:
        header += [
            f"{tool}",
            f"{tool}: first failure",
            f"{tool} s",
            f"{tool} requests (first / all)",
        ]
    lines = [_line(header), _line(["---"] * len(header))]
    for row in rows:
        cells = [row.variant, row.kind]
        for tool in tools:
            runs = row.runs.get(tool, ())
            if not runs:
                cells += ["-", "", "", ""]
                continue
            first, seconds, _, flaky = summarise(runs)
            cells += [
                _mark(first, row.kind == "benign", flaky),
                _by(first),
                f"{seconds:.1f}",
                _requests(runs),
            ]
        lines.append(_line(cells))
    return "\n".join(lines)


def totals(rows: Sequence[Row], tool: str) -> str:
    """One line: detection rate on faults, false positives on benign variants, wall time."""
    faults = [row for row in rows if row.kind != "benign" and row.runs.get(tool)]
    benign = [row for row in rows if row.kind == "benign" and row.runs.get(tool)]
    detected = sum(1 for row in faults if summarise(row.runs[tool])[0].detected)
    false_positives = sum(1 for row in benign if summarise(row.runs[tool])[0].detected)
    wall = sum(summarise(row.runs[tool])[1] for row in (*faults, *benign))
    rate = f"{100 * detected / len(faults):.0f}%" if faults else "n/a"
    return (
        f"{tool}: detected {detected}/{len(faults)} faults ({rate}); false positives "
        f"{false_positives}/{len(benign)} benign variants; wall time {wall:.0f} s "
        "(sum of the runs' medians)"
    )


def _line(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"

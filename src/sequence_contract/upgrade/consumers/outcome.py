"""One row per consumer call for the console, the JSON and the HTML report."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sequence_contract.upgrade.consumers.judge import (
    BREAKS,
    NOT_VERIFIABLE,
    PASSES,
    CallVerdict,
)

if TYPE_CHECKING:  # the gate imports this module's callers
    from sequence_contract.upgrade.gate import UpgradeCheck


@dataclass(frozen=True)
class Row:
    verdict: CallVerdict
    outcome: str  # PASSES, BREAKS, NOT_VERIFIABLE
    why: tuple[str, ...]  # BREAKS: "<change id>: <where: what>"; else the reason or notes

    @property
    def operation(self) -> str:
        interaction = self.verdict.call.interaction
        return self.verdict.call.operation or f"{interaction.method} {interaction.path}"


def rows(check: UpgradeCheck) -> list[Row]:
    if check.consumers is None:
        return []
    blocking = {c.id for c in check.blocking}
    return [_row(check, v, blocking) for v in check.consumers.verdicts]


def _row(check: UpgradeCheck, verdict: CallVerdict, blocking: set[str]) -> Row:
    whys = {i.change_id: i.why for i in verdict.impacts}
    described = {c.id: c.description for c in check.changes}
    broken = [i for i in verdict.change_ids if i in blocking]
    if broken:
        # The change ids with their "where: what", then what the live replay saw.
        lines = [
            f"{i}: {described.get(i, '')}" + (f" ({whys[i]})" if i in whys else "") for i in broken
        ]
        mismatches = verdict.live.mismatches if verdict.live else ()
        shown = {described.get(i) for i in broken}
        lines += [
            f"live on {check.to_version}: {m.where}: {m.what}"
            for m in mismatches
            if f"{m.where}: {m.what}" not in shown  # not already a blocking change itself
        ]
        return Row(verdict, BREAKS, tuple(lines))
    waived = [i for i in verdict.change_ids if i in check.waivers.waived]
    notes = [f"{i}: waived" for i in waived]
    if verdict.call.version == check.to_version != check.from_version:
        notes.append(f"already sends {check.to_version}: the documented changes do not apply")
    live = verdict.live
    if verdict.call.problem:
        return Row(verdict, NOT_VERIFIABLE, (verdict.call.problem,))
    if live is None:
        return Row(verdict, NOT_VERIFIABLE, ("not replayed (--documents-only)", *notes))
    if live.outcome == NOT_VERIFIABLE:
        return Row(verdict, NOT_VERIFIABLE, (live.reason, *notes))
    return Row(verdict, PASSES, (*notes, *live.notes))


def summary_line(check: UpgradeCheck) -> str:
    found = rows(check)
    broken = sum(r.outcome == BREAKS for r in found)
    noun = "interaction breaks" if len(found) == 1 else "interactions break"
    return f"{broken} of {len(found)} {noun} on {check.to_version}"


def console_lines(check: UpgradeCheck) -> list[str]:
    usage = check.consumers
    if usage is None:
        return []
    lines = ["Consumer files:"]
    for file in usage.files:
        lines.append(f"  {file.path}: {file.format}, {len(file.interactions)} interaction(s)")
        lines += [f"    note: {n}" for n in file.notes]
    if usage.replayed:
        lines.append(
            f"  live verification on {check.to_version}: {usage.requests} request(s), "
            f"{len(usage.created)} customer(s) created"
        )
    lines += ["", "Your calls:"]
    for row in rows(check):
        tag = {BREAKS: "BREAKS", PASSES: "passes"}.get(row.outcome, "not verifiable")
        lines.append(f"  {tag:<15} {row.operation}  ({row.verdict.call.label})")
        lines += [f"                  {w}" for w in row.why if w]
    return lines


def as_json(check: UpgradeCheck) -> dict[str, Any] | None:
    usage = check.consumers
    if usage is None:
        return None
    return {
        "files": [
            {
                "path": f.path,
                "format": f.format,
                "interactions": len(f.interactions),
                "notes": list(f.notes),
            }
            for f in usage.files
        ],
        "replayed": usage.replayed,
        "requests": usage.requests,
        "createdCustomers": list(usage.created),
        "summary": summary_line(check),
        "interactions": [_row_json(r) for r in rows(check)],
        "found": [c.as_json() for c in usage.found],
    }


def _row_json(row: Row) -> dict[str, Any]:
    call = row.verdict.call
    return {
        "source": call.interaction.source,
        "description": call.interaction.description,
        "operation": row.operation,
        "version": call.version,
        "result": row.outcome,
        "why": list(row.why),
        "affectedBy": [{"id": i.change_id, "where": i.why} for i in row.verdict.impacts],
        "sends": sorted(call.sent | call.params),
        "reliesOn": sorted(call.relied | {f"header {h}" for h in call.relied_headers}),
    }


def html_section(check: UpgradeCheck) -> str:
    usage = check.consumers
    if usage is None:
        return ""
    files = "".join(
        f"<li><code>{_e(f.path)}</code>: {_e(f.format)}, {len(f.interactions)} interaction(s)"
        + "".join(f'<br><span class="muted">{_e(n)}</span>' for n in f.notes)
        + "</li>"
        for f in usage.files
    )
    body = []
    for row in rows(check):
        tag = {BREAKS: "blocking", PASSES: "ok"}.get(row.outcome, "expected")
        why = "<br>".join(_e(w) for w in row.why if w)
        body.append(
            f'<tr><td><span class="tag {tag}">{_e(row.outcome)}</span></td>'
            f"<td><code>{_e(row.operation)}</code></td>"
            f"<td>{_e(row.verdict.call.label)}</td><td>{why}</td></tr>"
        )
    table = (
        "<table><tr><th>Result</th><th>Operation</th><th>Interaction</th><th>Why</th></tr>"
        + "".join(body)
        + "</table>"
    )
    return f"<h2>Your calls: {_e(summary_line(check))}</h2><ul>{files}</ul>{table}"


def _e(text: str) -> str:
    return html.escape(text, quote=True)

"""The upgrade check told three ways: the console summary, JSON for machines, and one
self-contained HTML page for people."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from sequence_contract.upgrade.check import Row, UpgradeCheck, rows, summary_line
from sequence_contract.upgrade.consumers.matching import BREAKS, PASSES
from sequence_contract.upgrade.consumers.model import ConsumerFile
from sequence_contract.upgrade.model import Change

REPORT_FORMAT = 1


# -- console -----------------------------------------------------------------------------


def summary(check: UpgradeCheck, written: Sequence[str] = ()) -> str:
    """What blocks the upgrade first, everything else one line each."""
    lines = [f"Upgrade check: Sequence-Version {check.from_version} -> {check.to_version}"]
    if check.target:
        lines.append(f"Replayed on: {check.target}")
    lines += [f"Note: {note}" for note in check.notes]
    breaking = [c for c in check.documented if c.breaking]
    waived = [c for c in breaking if check.waiver_for(c)]
    lines += [
        "",
        f"Documented changes: {len(check.documented)} ({len(breaking)} breaking, "
        f"{len(waived)} of them waived)",
    ]
    for change in breaking:
        if check.affects(change):
            lines += _entry(check, change)
        else:
            lines.append(f"  info      {change.id}  (breaking; does not affect your calls)")
    lines += [f"  ok        {c.id}" for c in check.documented if not c.breaking]
    expected = [c for c in check.observed if c.expected]
    lines += [
        "",
        f"Observed changes: {len(check.observed)} ({len(expected)} predicted by the documents, "
        f"{len(check.observed) - len(expected)} not)"
        if check.replays
        else "Observed changes: not replayed",
    ]
    for change in check.observed:
        if change.expected:
            lines.append(f"  expected  {change.id}  <- {', '.join(change.explained_by)}")
        elif change.breaking and not check.affects(change):
            lines.append(
                f"  info      {change.id}  (not in the documents; does not affect your calls)"
            )
        elif change.breaking:
            lines += _entry(check, change, "  (not in the documents)")
        else:
            lines.append(f"  ok        {change.id}  (not in the documents)")
    if check.waiver_file is not None:
        used = len({w.where for w in check.waivers.waived.values()})
        unused = check.waivers.unused
        lines += ["", f"Waivers: {check.waiver_file}: {used} used, {len(unused)} unused"]
        lines += [f"  unused    {w.id}  ({w.where})" for w in unused]
    if check.consumers is not None:
        lines += ["", "Consumer files:"]
        for file in check.consumers.files:
            lines.append(f"  {file.path}: {_counts(file)}")
            lines += [f"    note: {n}" for n in file.notes]
        if check.consumers.replayed:
            lines.append(
                f"  live verification on {check.to_version}: {check.consumers.requests} "
                f"request(s), {len(check.consumers.created)} customer(s) created"
            )
        lines += ["", "Your calls:"]
        for row in rows(check):
            tag = {BREAKS: "BREAKS", PASSES: "passes"}.get(row.outcome, "not verifiable")
            lines.append(f"  {tag:<15} {row.call.shown}  ({row.call.label})")
            lines += [f"                  {w}" for w in row.why if w]
    if written:
        lines += ["", "Reports: " + ", ".join(written)]
    lines.append("")
    blocking = check.blocking
    if blocking:
        count = f"{len(blocking)} breaking change" + ("s" if len(blocking) != 1 else "")
        affecting = " affecting your calls" if check.consumers is not None else ""
        lines.append(f"Result: FAIL: {count}{affecting} neither expected nor waived")
    else:
        yours = " that affects your calls" if check.consumers is not None else ""
        lines.append(f"Result: PASS: no breaking change{yours} left unwaived")
    if check.consumers is not None:
        lines.append(summary_line(check))
    return "\n".join(lines)


def _entry(check: UpgradeCheck, change: Change, extra: str = "") -> list[str]:
    waiver = check.waiver_for(change)
    tag = "waived  " if waiver else "BREAKING"
    lines = [f"  {tag}  {change.id}{extra}", f"            {change.description}"]
    if waiver:
        lines.append(f"            waived: {waiver.reason}")
    return lines


# -- JSON --------------------------------------------------------------------------------


def json_text(check: UpgradeCheck) -> str:
    return json.dumps(as_json(check), indent=2, sort_keys=False, default=str) + "\n"


def as_json(check: UpgradeCheck) -> dict[str, Any]:
    return {
        "format": REPORT_FORMAT,
        "from": check.from_version,
        "to": check.to_version,
        "target": check.target,
        "result": "pass" if check.passed else "fail",
        "blocking": [c.id for c in check.blocking],
        "notes": list(check.notes),
        "documented": [_change_json(check, c) for c in check.documented],
        "observed": [_change_json(check, c) for c in check.observed],
        "waivers": {
            "file": str(check.waiver_file) if check.waiver_file else None,
            "unused": [asdict(w) for w in check.waivers.unused],
        },
        "replays": [
            {
                "version": replay.version,
                "label": replay.label,
                "createdCustomers": list(replay.created),
                "steps": [asdict(o) for o in replay.observations],
            }
            for replay in check.replays
        ],
        "consumers": _consumers_json(check),
    }


def _change_json(check: UpgradeCheck, change: Change) -> dict[str, Any]:
    data = change.as_json()
    waiver = check.waiver_for(change)
    data["waived"] = {"by": waiver.id, "reason": waiver.reason} if waiver else None
    data["blocking"] = change in check.blocking
    if check.consumers is not None:
        data["affectsYou"] = check.consumers.affects(change)
    return data


def _consumers_json(check: UpgradeCheck) -> dict[str, Any] | None:
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
    call = row.call
    return {
        "source": call.interaction.source,
        "description": call.interaction.description,
        "operation": row.call.shown,
        "version": call.version,
        "result": row.outcome,
        "why": list(row.why),
        "affectedBy": [{"id": i.change_id, "where": i.why} for i in call.impacts],
        "sends": sorted(call.sent | call.params),
        "reliesOn": sorted(call.relied | {f"header {h}" for h in call.relied_headers}),
    }


# -- HTML --------------------------------------------------------------------------------

_STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:.5em 0}
th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}code{font:12px ui-monospace,monospace;word-break:break-all}
.verdict{padding:.6em 1em;border-radius:4px;font-weight:bold}
.fail{background:#fde2e1;color:#8a1c12}.pass{background:#e1f5e4;color:#1d5e2a}
.tag{font-size:11px;padding:0 .4em;border-radius:3px;white-space:nowrap}
.blocking{background:#c62828;color:#fff}.waived{background:#8d6e00;color:#fff}
.expected{background:#546e7a;color:#fff}.ok{background:#2e7d32;color:#fff}
.muted{color:#666}
"""


def html_text(check: UpgradeCheck) -> str:
    verdict = (
        "PASS: no breaking change left unwaived"
        if check.passed
        else f"FAIL: {len(check.blocking)} breaking change(s) neither expected nor waived"
    )
    title = _e(f"Upgrade check {check.from_version} → {check.to_version}")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{title}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{title}</h1>",
        f'<p class="verdict {"pass" if check.passed else "fail"}">{_e(verdict)}</p>',
        f"<p>Replayed on: {_e(check.target or 'not replayed')}</p>",
        *(f'<p class="muted">Note: {_e(n)}</p>' for n in check.notes),
        _consumers_html(check),
        "<h2>Blocking</h2>",
        _changes(check, check.blocking, "Nothing blocks the upgrade."),
        "<h2>Documented changes</h2>",
        '<p class="muted">From the two versions\' OpenAPI documents and JSON Schemas.</p>',
        _changes(check, check.documented, "The documents describe no change."),
        "<h2>Observed changes</h2>",
        '<p class="muted">From replaying the same operations once per version. '
        '"Expected" means a documented change predicts it.</p>',
        _changes(check, check.observed, "The replay observed no difference.")
        if check.replays
        else "<p>Not replayed.</p>",
        _unused_html(check),
        _replays_html(check),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _table(head: Iterable[str], rows: Iterable[str], empty: str = "") -> str:
    """A table of `rows` (each `<tr>...</tr>`), or `empty` when there is none."""
    body = "".join(rows)
    if not body and empty:
        return f"<p>{_e(empty)}</p>"
    return f"<table><tr>{''.join(f'<th>{h}</th>' for h in head)}</tr>{body}</table>"


def _changes(check: UpgradeCheck, changes: Iterable[Change], empty: str) -> str:
    head = ("Verdict", "Change", "What", "Before", "After", "Seen in")
    return _table(head, (_change_row(check, c) for c in changes), empty)


_ROW_TAGS = {BREAKS: "blocking", PASSES: "ok"}


def _change_row(check: UpgradeCheck, change: Change) -> str:
    waiver = check.waiver_for(change)
    if waiver:
        tag, label, note = "waived", "waived", f"waived: {waiver.reason}"
    elif change.expected:
        tag, label, note = "expected", "expected", "predicted by " + ", ".join(change.explained_by)
    elif change.breaking:
        tag, label, note = "blocking", "breaking", ""
    else:
        tag, label, note = "ok", "ok", ""
    what = _e(change.description) + (f'<br><span class="muted">{_e(note)}</span>' if note else "")
    seen = _lines(change.seen_in)
    return (
        f'<tr><td><span class="tag {tag}">{label}</span></td>'
        f"<td><code>{_e(change.id)}</code></td><td>{what}</td>"
        f"<td><code>{_e(_value(change.before))}</code></td>"
        f"<td><code>{_e(_value(change.after))}</code></td><td>{seen}</td></tr>"
    )


def _consumers_html(check: UpgradeCheck) -> str:
    if check.consumers is None:
        return ""
    files = "".join(
        f"<li><code>{_e(f.path)}</code>: {_e(_counts(f))}"
        + "".join(f'<br><span class="muted">{_e(n)}</span>' for n in f.notes)
        + "</li>"
        for f in check.consumers.files
    )
    body = [
        f'<tr><td><span class="tag {_ROW_TAGS.get(row.outcome, "expected")}">'
        f"{_e(row.outcome)}</span></td><td><code>{_e(row.call.shown)}</code></td>"
        f"<td>{_e(row.call.label)}</td><td>{_lines(row.why)}</td></tr>"
        for row in rows(check)
    ]
    head = ("Result", "Operation", "Interaction", "Why")
    return f"<h2>Your calls: {_e(summary_line(check))}</h2><ul>{files}</ul>{_table(head, body)}"


def _unused_html(check: UpgradeCheck) -> str:
    if check.waiver_file is None:
        return ""
    rows = (
        f"<tr><td><code>{_e(w.id)}</code></td><td>{_e(w.reason)}</td><td>{_e(w.where)}</td></tr>"
        for w in check.waivers.unused
    )
    body = _table(("Waiver", "Reason", "Where"), rows, "Every waiver matched a change.")
    return f"<h2>Unused waivers ({_e(str(check.waiver_file))})</h2>{body}"


def _replays_html(check: UpgradeCheck) -> str:
    replays = check.replays
    if not replays:
        return ""
    by_step = [{o.step: o for o in r.observations} for r in replays]
    rows = []
    for step in dict.fromkeys(s for steps in by_step for s in steps):
        cells = ""
        for found in (steps.get(step) for steps in by_step):
            if found is None:
                cells += "<td></td>"
            elif found.status is None:
                cells += f'<td class="muted">not run: {_e(found.note or "")}</td>'
            else:
                cells += f"<td><code>{_e(found.operation)}</code> → {found.status}</td>"
        rows.append(f"<tr><td>{_e(step)}</td>{cells}</tr>")
    labels = "; ".join(f"{r.version}: {r.label}" for r in replays)
    return (
        f'<h2>Replay steps</h2><p class="muted">Customers created are labelled '
        f"{_e(labels)}.</p>{_table(['Step', *(_e(r.version) for r in replays)], rows)}"
    )


def _counts(file: ConsumerFile) -> str:
    return f"{file.format}, {len(file.interactions)} interaction(s)"


def _value(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _lines(lines: Iterable[str]) -> str:
    return "<br>".join(_e(line) for line in lines if line)


def _e(text: str) -> str:
    return html.escape(text, quote=True)

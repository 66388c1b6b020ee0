"""The upgrade check as files: JSON for machines, one self-contained HTML page for people."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable
from typing import Any

from sequence_contract.upgrade.consumers import outcome as consumer_outcome
from sequence_contract.upgrade.gate import UpgradeCheck
from sequence_contract.upgrade.model import Change
from sequence_contract.upgrade.replay import Replay

REPORT_FORMAT = 1


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
            "unused": [
                {"id": w.id, "reason": w.reason, "where": w.where} for w in check.waivers.unused
            ],
        },
        "replays": [_replay_json(r) for r in check.replays],
        "consumers": consumer_outcome.as_json(check),
    }


def json_text(check: UpgradeCheck) -> str:
    return json.dumps(as_json(check), indent=2, sort_keys=False, default=str) + "\n"


def _change_json(check: UpgradeCheck, change: Change) -> dict[str, Any]:
    data = change.as_json()
    waiver = check.waiver_for(change)
    data["waived"] = {"by": waiver.id, "reason": waiver.reason} if waiver else None
    data["blocking"] = change in check.blocking
    if check.consumers is not None:
        data["affectsYou"] = check.consumers.affects(change)
    return data


def _replay_json(replay: Replay) -> dict[str, Any]:
    return {
        "version": replay.version,
        "label": replay.label,
        "createdCustomers": list(replay.created),
        "steps": [
            {
                "step": o.step,
                "operation": o.operation,
                "status": o.status,
                "headers": o.headers,
                "shape": o.shape,
                "note": o.note or None,
            }
            for o in replay.observations
        ],
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
    verdict_class = "pass" if check.passed else "fail"
    verdict = (
        "PASS: no breaking change left unwaived"
        if check.passed
        else f"FAIL: {len(check.blocking)} breaking change(s) neither expected nor waived"
    )
    title = f"Upgrade check {check.from_version} → {check.to_version}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="verdict {verdict_class}">{_e(verdict)}</p>',
        f"<p>Replayed on: {_e(check.target or 'not replayed')}</p>",
        *(f'<p class="muted">Note: {_e(n)}</p>' for n in check.notes),
        consumer_outcome.html_section(check),
        "<h2>Blocking</h2>",
        _table(check, check.blocking, "Nothing blocks the upgrade."),
        "<h2>Documented changes</h2>",
        '<p class="muted">From the two versions\' OpenAPI documents and JSON Schemas.</p>',
        _table(check, check.documented, "The documents describe no change."),
        "<h2>Observed changes</h2>",
        '<p class="muted">From replaying the same operations once per version. '
        '"Expected" means a documented change predicts it.</p>',
        _table(check, check.observed, "The replay observed no difference.")
        if check.replays
        else "<p>Not replayed.</p>",
        _unused(check),
        _replays(check.replays),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _table(check: UpgradeCheck, changes: Iterable[Change], empty: str) -> str:
    rows = [_row(check, c) for c in changes]
    if not rows:
        return f"<p>{_e(empty)}</p>"
    head = (
        "<tr><th>Verdict</th><th>Change</th><th>What</th><th>Before</th><th>After</th>"
        "<th>Seen in</th></tr>"
    )
    return f"<table>{head}{''.join(rows)}</table>"


def _row(check: UpgradeCheck, change: Change) -> str:
    waiver = check.waiver_for(change)
    if waiver:
        tag, note = "waived", f"waived: {waiver.reason}"
    elif change.expected:
        tag, note = "expected", "predicted by " + ", ".join(change.explained_by)
    elif change.breaking:
        tag, note = "blocking", ""
    else:
        tag, note = "ok", ""
    what = _e(change.description) + (f'<br><span class="muted">{_e(note)}</span>' if note else "")
    seen = "<br>".join(_e(s) for s in change.seen_in)
    label = "breaking" if change.breaking and tag == "blocking" else tag
    return (
        f'<tr><td><span class="tag {tag}">{_e(label)}</span></td>'
        f"<td><code>{_e(change.id)}</code></td><td>{what}</td>"
        f"<td><code>{_e(_value(change.before))}</code></td>"
        f"<td><code>{_e(_value(change.after))}</code></td><td>{seen}</td></tr>"
    )


def _unused(check: UpgradeCheck) -> str:
    if check.waiver_file is None:
        return ""
    rows = "".join(
        f"<tr><td><code>{_e(w.id)}</code></td><td>{_e(w.reason)}</td><td>{_e(w.where)}</td></tr>"
        for w in check.waivers.unused
    )
    body = (
        f"<table><tr><th>Waiver</th><th>Reason</th><th>Where</th></tr>{rows}</table>"
        if rows
        else "<p>Every waiver matched a change.</p>"
    )
    return f"<h2>Unused waivers ({_e(str(check.waiver_file))})</h2>{body}"


def _replays(replays: tuple[Replay, ...]) -> str:
    if not replays:
        return ""
    steps = list(dict.fromkeys(o.step for r in replays for o in r.observations))
    head = "<tr><th>Step</th>" + "".join(f"<th>{_e(r.version)}</th>" for r in replays) + "</tr>"
    rows = []
    for step in steps:
        cells = []
        for replay in replays:
            found = next((o for o in replay.observations if o.step == step), None)
            if found is None:
                cells.append("<td></td>")
            elif found.status is None:
                cells.append(f'<td class="muted">not run: {_e(found.note)}</td>')
            else:
                cells.append(f"<td><code>{_e(found.operation)}</code> → {found.status}</td>")
        rows.append(f"<tr><td>{_e(step)}</td>{''.join(cells)}</tr>")
    labels = "; ".join(f"{r.version}: {r.label}" for r in replays)
    return (
        f'<h2>Replay steps</h2><p class="muted">Customers created are labelled '
        f"{_e(labels)}.</p><table>{head}{''.join(rows)}</table>"
    )


def _value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def _e(text: str) -> str:
    return html.escape(text, quote=True)

"""The upgrade check as one JSON document, told three ways: the console summary, the JSON
file for machines, and one self-contained HTML page for people."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from sequence_contract.upgrade.check import UpgradeCheck, interaction_rows, summary_line
from sequence_contract.upgrade.consumers.matching import BREAKS, PASSES
from sequence_contract.upgrade.model import Change

REPORT_FORMAT = 1


def as_json(check: UpgradeCheck) -> dict[str, Any]:
    usage = check.consumers
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
            "unused": [asdict(w) for w in check.unused_waivers],
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
        "consumers": None
        if usage is None
        else {
            "files": [
                {
                    "path": f.path,
                    "format": f.format,
                    "interactions": len(f.interactions),
                    "notes": list(f.notes),
                }
                for f in usage.files
            ],
            "replayed": usage.client is not None,
            "requests": usage.client.requests if usage.client else 0,
            "createdCustomers": usage.client.created if usage.client else [],
            "summary": summary_line(check),
            "interactions": interaction_rows(check),
            "found": [c.as_json() for c in usage.found],
        },
    }


def _change_json(check: UpgradeCheck, change: Change) -> dict[str, Any]:
    data = change.as_json()
    waiver = check.waived.get(change.id)
    data["waived"] = {"by": waiver.id, "reason": waiver.reason} if waiver else None
    data["blocking"] = change in check.blocking
    if check.consumers is not None:
        data["affectsYou"] = check.consumers.affects(change)
    return data


def json_text(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, sort_keys=False, default=str) + "\n"


# -- console -----------------------------------------------------------------------------


def console_text(report: dict[str, Any], used_waivers: int, written: Sequence[str] = ()) -> str:
    """What blocks the upgrade first, everything else one line each."""
    lines = [f"Upgrade check: Sequence-Version {report['from']} -> {report['to']}"]
    if report["target"]:
        lines.append(f"Replayed on: {report['target']}")
    lines += [f"Note: {note}" for note in report["notes"]]
    documented, observed = report["documented"], report["observed"]
    breaking = [c for c in documented if c["breaking"]]
    waived = [c for c in breaking if c["waived"]]
    lines += [
        "",
        f"Documented changes: {len(documented)} ({len(breaking)} breaking, "
        f"{len(waived)} of them waived)",
    ]
    lines += [line for change in documented for line in _entry(change, "")]
    expected = [c for c in observed if c["explainedBy"]]
    lines += [
        "",
        f"Observed changes: {len(observed)} ({len(expected)} predicted by the documents, "
        f"{len(observed) - len(expected)} not)"
        if report["replays"]
        else "Observed changes: not replayed",
    ]
    lines += [line for change in observed for line in _entry(change, "not in the documents")]
    waivers = report["waivers"]
    if waivers["file"] is not None:
        unused = waivers["unused"]
        lines += ["", f"Waivers: {waivers['file']}: {used_waivers} used, {len(unused)} unused"]
        lines += [f"  unused    {w['id']}  ({w['where']})" for w in unused]
    consumers = report["consumers"]
    if consumers is not None:
        lines += _consumer_lines(consumers, report["to"])
    if written:
        lines += ["", "Reports: " + ", ".join(written)]
    lines.append("")
    blocking = report["blocking"]
    if blocking:
        count = f"{len(blocking)} breaking change" + ("s" if len(blocking) != 1 else "")
        affecting = " affecting your calls" if consumers is not None else ""
        lines.append(f"Result: FAIL: {count}{affecting} neither expected nor waived")
    else:
        yours = " that affects your calls" if consumers is not None else ""
        lines.append(f"Result: PASS: no breaking change{yours} left unwaived")
    if consumers is not None:
        lines.append(consumers["summary"])
    return "\n".join(lines)


def _consumer_lines(consumers: dict[str, Any], to_version: str) -> list[str]:
    lines = ["", "Consumer files:"]
    for file in consumers["files"]:
        lines.append(f"  {file['path']}: {_counts(file)}")
        lines += [f"    note: {n}" for n in file["notes"]]
    if consumers["replayed"]:
        lines.append(
            f"  live verification on {to_version}: {consumers['requests']} "
            f"request(s), {len(consumers['createdCustomers'])} customer(s) created"
        )
    lines += ["", "Your calls:"]
    for row in consumers["interactions"]:
        tag = {BREAKS: "BREAKS", PASSES: "passes"}.get(row["result"], "not verifiable")
        lines.append(f"  {tag:<15} {row['operation']}  ({_label(row)})")
        lines += [f"                  {w}" for w in row["why"] if w]
    return lines


def _entry(change: dict[str, Any], origin: str) -> list[str]:
    """One change's console lines; `origin` qualifies an observed change."""
    explained, waiver = change.get("explainedBy"), change["waived"]
    note = f"  ({origin})" if origin else ""
    if explained:
        return [f"  expected  {change['id']}  <- {', '.join(explained)}"]
    if not change["breaking"]:
        return [f"  ok        {change['id']}{note}"]
    if not change.get("affectsYou", True):
        return [f"  info      {change['id']}  ({origin or 'breaking'}; does not affect your calls)"]
    tag = "waived  " if waiver else "BREAKING"
    lines = [f"  {tag}  {change['id']}{note}", f"            {change['description']}"]
    if waiver:
        lines.append(f"            waived: {waiver['reason']}")
    return lines


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


def html_text(report: dict[str, Any]) -> str:
    passed = report["result"] == "pass"
    verdict = (
        "PASS: no breaking change left unwaived"
        if passed
        else f"FAIL: {len(report['blocking'])} breaking change(s) neither expected nor waived"
    )
    title = _e(f"Upgrade check {report['from']} → {report['to']}")
    found = report["consumers"]["found"] if report["consumers"] else []
    by_id = {c["id"]: c for c in report["documented"] + report["observed"] + found}
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{title}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{title}</h1>",
        f'<p class="verdict {"pass" if passed else "fail"}">{_e(verdict)}</p>',
        f"<p>Replayed on: {_e(report['target'] or 'not replayed')}</p>",
        *(f'<p class="muted">Note: {_e(n)}</p>' for n in report["notes"]),
        _consumers_html(report["consumers"]),
        "<h2>Blocking</h2>",
        _changes([by_id[i] for i in report["blocking"]], "Nothing blocks the upgrade."),
        "<h2>Documented changes</h2>",
        '<p class="muted">From the two versions\' OpenAPI documents and JSON Schemas.</p>',
        _changes(report["documented"], "The documents describe no change."),
        "<h2>Observed changes</h2>",
        '<p class="muted">From replaying the same operations once per version. '
        '"Expected" means a documented change predicts it.</p>',
        _changes(report["observed"], "The replay observed no difference.")
        if report["replays"]
        else "<p>Not replayed.</p>",
        _unused_html(report["waivers"]),
        _replays_html(report["replays"]),
        "</body></html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def _table(head: Iterable[str], rows: Iterable[str], empty: str = "") -> str:
    """A table of `rows` (each `<tr>...</tr>`), or `empty` when there is none."""
    body = "".join(rows)
    if not body and empty:
        return f"<p>{_e(empty)}</p>"
    return f"<table><tr>{''.join(f'<th>{h}</th>' for h in head)}</tr>{body}</table>"


def _changes(changes: list[dict[str, Any]], empty: str) -> str:
    head = ("Verdict", "Change", "What", "Before", "After", "Seen in")
    return _table(head, (_change_row(c) for c in changes), empty)


_ROW_TAGS = {BREAKS: "blocking", PASSES: "ok"}


def _change_row(change: dict[str, Any]) -> str:
    waiver, explained = change.get("waived"), change.get("explainedBy")
    if waiver:
        tag, note = "waived", f"waived: {waiver['reason']}"
    elif explained:
        tag, note = "expected", "predicted by " + ", ".join(explained)
    else:
        tag, note = ("blocking" if change["breaking"] else "ok"), ""
    label = "breaking" if tag == "blocking" else tag
    what = _e(change["description"])
    what += f'<br><span class="muted">{_e(note)}</span>' if note else ""
    return (
        f'<tr><td><span class="tag {tag}">{label}</span></td>'
        f"<td><code>{_e(change['id'])}</code></td><td>{what}</td>"
        f"<td><code>{_e(_value(change['before']))}</code></td>"
        f"<td><code>{_e(_value(change['after']))}</code></td><td>{_lines(change['seenIn'])}</td></tr>"
    )


def _consumers_html(consumers: dict[str, Any] | None) -> str:
    if consumers is None:
        return ""
    files = "".join(
        f"<li><code>{_e(f['path'])}</code>: {_e(_counts(f))}"
        + "".join(f'<br><span class="muted">{_e(n)}</span>' for n in f["notes"])
        + "</li>"
        for f in consumers["files"]
    )
    body = [
        f'<tr><td><span class="tag {_ROW_TAGS.get(row["result"], "expected")}">'
        f"{_e(row['result'])}</span></td><td><code>{_e(row['operation'])}</code></td>"
        f"<td>{_e(_label(row))}</td><td>{_lines(row['why'])}</td></tr>"
        for row in consumers["interactions"]
    ]
    head = ("Result", "Operation", "Interaction", "Why")
    return f"<h2>Your calls: {_e(consumers['summary'])}</h2><ul>{files}</ul>{_table(head, body)}"


def _unused_html(waivers: dict[str, Any]) -> str:
    if waivers["file"] is None:
        return ""
    rows = (
        f"<tr><td><code>{_e(w['id'])}</code></td><td>{_e(w['reason'])}</td>"
        f"<td>{_e(w['where'])}</td></tr>"
        for w in waivers["unused"]
    )
    body = _table(("Waiver", "Reason", "Where"), rows, "Every waiver matched a change.")
    return f"<h2>Unused waivers ({_e(waivers['file'])})</h2>{body}"


def _replays_html(replays: list[dict[str, Any]]) -> str:
    if not replays:
        return ""
    by_step = [{o["step"]: o for o in r["steps"]} for r in replays]
    rows = []
    for step in dict.fromkeys(s for steps in by_step for s in steps):
        cells = ""
        for found in (steps.get(step) for steps in by_step):
            if found is None:
                cells += "<td></td>"
            elif found["status"] is None:
                cells += f'<td class="muted">not run: {_e(found["note"] or "")}</td>'
            else:
                cells += f"<td><code>{_e(found['operation'])}</code> → {found['status']}</td>"
        rows.append(f"<tr><td>{_e(step)}</td>{cells}</tr>")
    labels = "; ".join(f"{r['version']}: {r['label']}" for r in replays)
    return (
        f'<h2>Replay steps</h2><p class="muted">Customers created are labelled '
        f"{_e(labels)}.</p>{_table(['Step', *(_e(r['version']) for r in replays)], rows)}"
    )


def _counts(file: dict[str, Any]) -> str:
    return f"{file['format']}, {file['interactions']} interaction(s)"


def _label(row: dict[str, Any]) -> str:
    return f"{row['source']}: {row['description']}"


def _value(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _lines(lines: Iterable[str]) -> str:
    return "<br>".join(_e(line) for line in lines if line)


def _e(text: str) -> str:
    return html.escape(text, quote=True)

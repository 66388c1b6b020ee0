"""Everything rendered for a person, redacted: an exchange (request, response, and a curl command
reading the credentials from the environment), and the HTML fragments for pytest-html."""

from __future__ import annotations

import contextlib
import json
import shlex
from collections.abc import Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING

from sequence_contract.http import Exchange
from sequence_contract.redaction import Redactor

if TYPE_CHECKING:  # failures imports the checks, which import this module
    from sequence_contract.suite.reporting.coverage import OperationCoverage
    from sequence_contract.suite.reporting.failures import FailureRecord, Group

BODY_LIMIT = 4000
_HIDDEN_REQUEST_HEADERS = frozenset(
    {"user-agent", "accept-encoding", "connection", "content-length"}
)


def pretty_body(raw: bytes | None, redactor: Redactor) -> str:
    if not raw:
        return "(empty)"
    text = raw.decode("utf-8", errors="replace")
    with contextlib.suppress(ValueError):
        text = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    # Redacted before truncating: a secret cut in half by the limit would not be recognised.
    text = redactor.text(text)
    if len(text) > BODY_LIMIT:
        return text[:BODY_LIMIT] + f"\n… (truncated: {len(text) - BODY_LIMIT} more characters)"
    return text


def curl_command(exchange: Exchange, redactor: Redactor, default_authorization: str | None) -> str:
    """A shell command that sends the same request; credentials come from the environment."""
    parts = ["curl", "-i", "-X", exchange.method, exchange.url]
    for name, value in exchange.request_headers.items():
        if name.lower() in _HIDDEN_REQUEST_HEADERS:
            continue
        if name.lower() == "authorization":
            if value == default_authorization:
                parts += ["-u", "$SEQUENCE_CLIENT_ID:$SEQUENCE_CLIENT_SECRET"]
                continue
            value = redactor.text(value)
        parts += ["-H", f"{name}: {redactor.text(str(value))}"]
    if exchange.request_body:
        parts += ["--data-raw", redactor.text(exchange.request_body.decode("utf-8", "replace"))]
    # Quote everything but the environment references, which the shell must expand.
    return " ".join(
        f'"{part}"' if part.startswith("$SEQUENCE_") else shlex.quote(part) for part in parts
    )


def render_exchange(
    exchange: Exchange, redactor: Redactor, default_authorization: str | None = None
) -> str:
    def header_lines(headers: Mapping[str, str]) -> str:
        return "\n".join(f"  {name}: {value}" for name, value in redactor.headers(headers).items())

    lines = [
        f"request: {exchange.method} {redactor.text(exchange.url)}",
        header_lines(exchange.request_headers),
    ]
    if exchange.request_body:
        lines += ["  body:", _indent(pretty_body(exchange.request_body, redactor))]
    if exchange.status is None:
        lines.append(f"response: none ({exchange.error})")
    else:
        retries = f" after {exchange.retries} retries" if exchange.retries else ""
        lines += [
            f"response: {exchange.status}{retries} in {exchange.elapsed_seconds * 1000:.0f} ms",
            header_lines(exchange.response_headers),
            "  body:",
            _indent(pretty_body(exchange.response_body, redactor)),
        ]
    lines += ["reproduce:", "  " + curl_command(exchange, redactor, default_authorization)]
    return "\n".join(lines)


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


FULLY_RENDERED = 25  # exchanges of one test shown whole; the rest as one line each
LISTED = 200
VERSIONS_SHOWN = 6

STYLE = """<style>
.sc h2, .sc h3 { margin: 1em 0 0.3em; }
.sc table { border-collapse: collapse; margin-bottom: 0.8em; }
.sc th, .sc td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
.sc th { background: #f2f2f2; color: #222; }
.sc td { color: #222; }
.sc-other td { color: #555; }
.sc-seen { color: #1a7f37; white-space: nowrap; }
.sc-unseen { color: #9a6700; white-space: nowrap; }
.sc-undocumented, .sc-bad { color: #cf222e; font-weight: bold; white-space: nowrap; }
.sc-failure { border-left: 4px solid #cf222e; padding: 4px 10px; margin: 6px 0; }
.sc-failure pre { white-space: pre-wrap; word-break: break-all; background: #f6f8fa; color: #222;
  padding: 6px; margin: 4px 0; }
.sc-failure pre.sc-headline { font-weight: bold; color: #cf222e; }
.sc-meta span { margin-right: 1.2em; }
.sc-duplicate { border-left-color: #9a6700; }
</style>"""


class Html:
    """Writes the fragments; every text is redacted, then escaped (escaping first would hide a
    secret containing `&` or `<` from the redactor)."""

    def __init__(self, redactor: Redactor, authorization: str | None = None) -> None:
        self.redactor = redactor
        self.authorization = authorization  # the run's own: curl reads it from the environment

    def __call__(self, value: object) -> str:
        return escape(self.redactor.text(str(value)))

    def _key_values(self, css: str, rows: Sequence[tuple[object, object]], cell: str = "{}") -> str:
        cells = "".join(
            f"<tr><th>{self(k)}</th><td>{cell.format(self(v))}</td></tr>" for k, v in rows
        )
        return f'<table class="{css}">{cells}</table>'

    def overview(
        self,
        facts: Sequence[tuple[str, str]],
        groups: Sequence[Group],
        coverage: Sequence[OperationCoverage],
    ) -> str:
        parts = [
            STYLE,
            '<section class="sc" id="sc-overview">',
            "<h2>Contract run overview</h2>",
            self._key_values("sc-facts", facts),
            self._groups(groups),
            self._coverage(coverage),
            "</section>",
        ]
        return "\n".join(parts)

    def _groups(self, groups: Sequence[Group]) -> str:
        if not groups:
            return '<h3>Failures</h3><p class="sc-none">No failures.</p>'
        total = sum(group.count for group in groups)
        head = (
            f'<h3 id="sc-failures">Failures: {total} in {len(groups)} distinct '
            f"group{'s' if len(groups) != 1 else ''}</h3>"
        )
        rows = []
        for group in groups:
            first = group.first
            tests = ", ".join(
                f'<a href="{test_anchor(test)}">{self(test.rsplit("::", 1)[-1])}</a>'
                for test in group.tests
            )
            rows.append(
                f'<tr id="sc-group-{group.number}"><td>#{group.number}</td>'
                f"<td>{group.count}&times;</td><td>{self(first.kind)}</td><td>{self(first.check)}</td>"
                f"<td>{self(first.operation or '-')}</td><td>{self(first.headline)}</td>"
                f"<td>{tests}</td></tr>"
            )
        table = (
            '<table class="sc-groups"><thead><tr><th>Group</th><th>Count</th><th>Kind</th>'
            "<th>Check</th><th>Operation</th><th>Where: what</th><th>Tests</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )
        return head + table

    def _coverage(self, coverage: Sequence[OperationCoverage]) -> str:
        rows = "".join(self._coverage_row(row) for row in coverage)
        return (
            '<h3 id="sc-coverage">Contract coverage</h3>'
            "<p>Per documented operation: the status codes its documentation lists (✓ seen, with "
            "how often; ✗ never seen in this run), statuses seen that it does not list, the "
            "Sequence-Version values sent, and the tests that sent it. Rows below the documented "
            "operations count requests the suite sent on purpose to undocumented methods, or as "
            "another published Sequence-Version (whose own document applies).</p>"
            '<table class="sc-coverage"><thead><tr><th>Operation</th><th>Requests</th>'
            "<th>Documented statuses (seen / not seen)</th><th>Statuses seen, not documented</th>"
            "<th>Sequence-Version sent</th><th>Generated cases</th><th>Tests run</th>"
            "<th>Tests failed</th><th>Failure entries</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )

    def _coverage_row(self, row: OperationCoverage) -> str:
        name = self(row.name)
        if row.documented:
            documented = " ".join(
                f'<span class="sc-seen">{self(code)} ✓ {row.status_seen(code)}</span>'
                if row.status_seen(code)
                else f'<span class="sc-unseen">{self(code)} ✗ not seen</span>'
                for code in row.documented_statuses
            )
            other = " ".join(
                f'<span class="sc-undocumented">{s} &times;{row.statuses[s]}</span>'
                for s in row.undocumented_statuses
            )
        else:
            methods = ", ".join(f"{self(m)} &times;{n}" for m, n in sorted(row.methods.items()))
            name += f"<br><small>{methods}</small>"
            documented = "not documented"
            other = " ".join(
                f"{status} &times;{count}" for status, count in sorted(row.statuses.items())
            )
        versions = row.versions.most_common()
        shown = ", ".join(f"{self(v)} &times;{n}" for v, n in versions[:VERSIONS_SHOWN])
        if len(versions) > VERSIONS_SHOWN:
            shown += f", … {len(versions) - VERSIONS_SHOWN} more values"
        failed = len(row.failed_tests)
        if row.not_reached:
            name += f"<br><small>not reached: {len(row.not_reached)} tests (request budget)</small>"
        return (
            f'<tr class="{"sc-documented" if row.documented else "sc-other"}">'
            f"<td>{name}</td><td>{row.requests}</td><td>{documented}</td>"
            f"<td>{other or '-'}</td><td>{shown or '-'}</td><td>{len(row.generated_cases)}</td>"
            f"<td>{len(row.tests)}</td>"
            f'<td class="{"sc-bad" if failed else ""}">{failed}</td>'
            f"<td>{row.failures}</td></tr>"
        )

    def failure(
        self,
        record: FailureRecord,
        group: Group,
        replay: Sequence[tuple[str, str]],
        exchanges: Sequence[Exchange],
    ) -> str:
        """The full entry: the first failure of its group."""
        meta = (
            f'<p class="sc-meta"><span><b>Check</b> {self(record.check)}</span>'
            f"<span><b>Operation</b> {self(record.operation or '-')}</span>"
            f'<span><b>Group</b> <a href="#sc-group-{group.number}">#{group.number}</a></span>'
            f"<span><b>Kind</b> {self(record.kind)}</span></p>"
        )
        where_what = f"{record.where}: {record.what}" if record.where else record.what
        parts = [
            f'<div class="sc sc-failure" data-group="{group.number}">',
            meta,
            f'<pre class="sc-headline">{self(where_what)}</pre>',
        ]
        if record.details:
            parts.append(self._key_values("sc-details", record.details))
        parts.append("<h4>Replay</h4>" + self._key_values("sc-replay", replay, "<code>{}</code>"))
        if record.failing:
            title = (
                "Last request before the failure"
                if record.failing_is_last
                else "The request that shows the failure"
            )
            if len(record.failing) > 1:
                title = f"The failing case's {len(record.failing)} requests"
            parts.append(f"<h4>{title}</h4>")
            parts += [
                f'<pre class="sc-exchange">{self(self._rendered(e))}</pre>' for e in record.failing
            ]
        parts += [self._exchanges(exchanges), "</div>"]
        return "\n".join(parts)

    def duplicate(self, record: FailureRecord, group: Group) -> str:
        """A short entry for a failure identical to one shown in full elsewhere."""
        first = group.first.test
        curl = ""
        if record.failing:
            command = curl_command(record.failing[-1], self.redactor, self.authorization)
            curl = f"<pre>{self(command)}</pre>"
        return (
            f'<div class="sc sc-failure sc-duplicate" data-group="{group.number}">'
            f'<p class="sc-meta">Same failure as group <a href="#sc-group-{group.number}">'
            f"#{group.number}</a>, shown in full at "
            f'<a href="{test_anchor(first)}">{self(first)}</a>.</p>'
            f'<pre class="sc-headline">{self(record.headline)}</pre>{curl}</div>'
        )

    def _exchanges(self, exchanges: Sequence[Exchange]) -> str:
        if not exchanges:
            return "<p>This test sent no request.</p>"
        items = []
        for index, exchange in enumerate(exchanges[:LISTED], start=1):
            status = exchange.status if exchange.status is not None else exchange.error
            summary = self(f"#{index} {exchange.method} {exchange.url} → {status}")
            if index <= FULLY_RENDERED:
                body = self(self._rendered(exchange))
                items.append(f"<details><summary>{summary}</summary><pre>{body}</pre></details>")
            else:
                items.append(f"<div>{summary}</div>")
        if len(exchanges) > LISTED:
            items.append(f"<div>… {len(exchanges) - LISTED} more requests</div>")
        return (
            f"<details><summary>All {len(exchanges)} requests of this test "
            "(request, response, curl)</summary>" + "".join(items) + "</details>"
        )

    def _rendered(self, exchange: Exchange) -> str:
        return render_exchange(exchange, self.redactor, self.authorization)


def test_anchor(test: str) -> str:
    """The id pytest-html gives a result row (its tbody), so a link can jump to it."""
    return "#" + escape(test, quote=True)

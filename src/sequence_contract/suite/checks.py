"""The suite's checks: small named functions that raise `ContractViolation` ("where: what").

Two kinds share one failure class, a schemathesis `Failure`, so reports read one shape:
- the suite's rules (`RULES`): the `Sequence-Version` echo, the body `id` equal to the path id,
  the error envelope on every 4xx, a list in the order asked for. They are registered with
  `@schemathesis.check`, so generated and stateful cases apply them, and every example check
  below applies them too.
- the example tests' assertions (`status_in`, `conforms`, ...), which take the expectation
  from the test.
"""

from __future__ import annotations

import json
import reprlib
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests
import schemathesis
from jsonschema.exceptions import best_match
from schemathesis.core.failures import Failure

from sequence_contract.http import Exchange
from sequence_contract.redaction import Redactor
from sequence_contract.schemas import PUBLISHED_VERSIONS, validator_for, violations
from sequence_contract.suite.reporting.render import render_exchange

if TYPE_CHECKING:
    from sequence_contract.suite.runtime import SuiteRuntime

_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxdict, _SHORT.maxlist, _SHORT.maxlevel = 40, 60, 4, 4, 1


class ContractViolation(Failure):
    """The API answered in a way its documented contract (or a named expectation) rules out.

    Reports read its parts: `check` (the check's name; "" when a test called `fail` itself),
    `where`, `what`, `details` (e.g. a schema violation's keyword and value), `exchange`, and
    `case_id` when a generated case failed it.
    """

    def __init__(
        self,
        message: str,
        *,
        where: str = "",
        what: str = "",
        check: str = "",
        details: tuple[tuple[str, str], ...] = (),
        exchange: Exchange | None = None,
        case_id: str | None = None,
    ) -> None:
        # The report names the operation from the exchange, by the document's templates.
        super().__init__(
            operation=None, title=check or "contract", message=message, case_id=case_id
        )
        self.where = where
        self.what = what
        self.check = check
        self.details = details
        self.exchange = exchange

    def __str__(self) -> str:
        return self.message

    @property
    def _unique_key(self) -> str:
        # schemathesis keeps one failure per key and case: one per check and place.
        return f"{self.check}|{self.where}"


class _Reporter:
    """How a violation renders its exchange: the run's redactor and credentials when known."""

    def __init__(self, redactor: Redactor | None = None, authorization: str | None = None):
        self.redactor = redactor or Redactor()
        self.authorization = authorization

    def fail(
        self,
        exchange: Exchange | None,
        where: str,
        what: str,
        *,
        check: str = "",
        details: tuple[tuple[str, str], ...] = (),
        case_id: str | None = None,
    ) -> None:
        redact = self.redactor.text
        message = f"{where}: {what}"
        if exchange is not None:
            message += "\n" + render_exchange(exchange, self.redactor, self.authorization)
        raise ContractViolation(
            redact(message),
            where=redact(where),
            what=redact(what),
            check=check,
            details=tuple((name, redact(value)) for name, value in details),
            exchange=exchange,
            case_id=case_id,
        )


# -- the suite's rules: every response, whoever sent it --------------------------------------


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def _request_line(exchange: Exchange) -> str:
    return f"{exchange.method} {urlsplit(exchange.url).path}"


def _json_of(exchange: Exchange) -> Any:
    try:
        return json.loads(exchange.response_body or b"null")
    except ValueError:
        return None


def version_echo_rule(
    exchange: Exchange, version: str, report: _Reporter, case: str | None
) -> None:
    """Every answer echoes `Sequence-Version`: the version asked for when it is a published
    one and neither the credentials nor the version were refused; else some published version
    (which one answers a refused request is not documented; that one is echoed is)."""
    sent = _header(exchange.request_headers, "Sequence-Version")
    echoed = _header(exchange.response_headers, "Sequence-Version")
    body = _json_of(exchange)
    error = body.get("error") if isinstance(body, dict) else None
    refused_version = isinstance(error, dict) and error.get("type") == "UnrecognisedApiVersion"
    if sent in PUBLISHED_VERSIONS and exchange.status not in (401, 403) and not refused_version:
        if echoed != sent:
            report.fail(
                exchange,
                "response header Sequence-Version",
                f"{echoed!r}, expected the version in effect {sent!r}",
                check="Sequence-Version echo",
                case_id=case,
            )
    elif echoed not in PUBLISHED_VERSIONS:
        report.fail(
            exchange,
            "response header Sequence-Version",
            f"{echoed!r}, expected a published version (every answer echoes one)",
            check="Sequence-Version echo",
            case_id=case,
        )


def path_id_rule(exchange: Exchange, version: str, report: _Reporter, case: str | None) -> None:
    """A 2xx answer about one customer is that customer: its `id` is the path's."""
    if exchange.status is None or not 200 <= exchange.status < 300:
        return
    parts = urlsplit(exchange.url).path.split("/")
    if "customers" not in parts[:-1]:
        return
    path_id = unquote(parts[len(parts) - parts[::-1].index("customers")])
    body = _json_of(exchange)
    if isinstance(body, dict) and "id" in body and body["id"] != path_id:
        report.fail(
            exchange,
            "$.id",
            f"{body['id']!r}, expected the path id {path_id!r}",
            check="id matches path",
            case_id=case,
        )


def envelope_rule(exchange: Exchange, version: str, report: _Reporter, case: str | None) -> None:
    """Every 4xx carries the documented error envelope."""
    if exchange.status is not None and 400 <= exchange.status < 500:
        _conforms(exchange, version, "error", report, case)


def list_order_rule(exchange: Exchange, version: str, report: _Reporter, case: str | None) -> None:
    """A customer list sorted by its documented default column, creation time, comes in the
    order asked for: `sortOrder=ASC` oldest first, DESC (the documented default) newest first.
    Other columns are left alone (their collation is not documented), and so is a page
    reached `before` a cursor (its order is not documented either)."""
    if exchange.method != "GET" or exchange.status is None or not 200 <= exchange.status < 300:
        return
    url = urlsplit(exchange.url)
    query = parse_qs(url.query, keep_blank_values=True)
    if not url.path.endswith("/customers") or "sortBy" in query or "before" in query:
        return
    order = set(query.get("sortOrder", ["DESC"]))
    if order not in ({"ASC"}, {"DESC"}):
        return
    body = _json_of(exchange)
    items = body.get("items") if isinstance(body, dict) else None
    stamps = [item.get("createdAt") for item in items or () if isinstance(item, dict)]
    created = [_instant(stamp) for stamp in stamps]
    if len(created) < 2 or len(created) != len(items or ()):
        return  # nothing to order, or the schema check's finding
    ascending = order == {"ASC"}
    for index in range(1, len(created)):
        before, after = created[index - 1], created[index]
        if before is None or after is None:
            return  # not a time with a zone: the schema check's finding
        if (after < before) if ascending else (after > before):
            report.fail(
                exchange,
                f"$.items[{index}].createdAt",
                f"{stamps[index]!r} after {stamps[index - 1]!r}, expected "
                f"{'oldest' if ascending else 'newest'} first "
                f"(sortOrder={'ASC' if ascending else 'DESC'}, by creation time)",
                check="list order",
                case_id=case,
            )


def _instant(value: object) -> datetime | None:
    """A timestamp with its zone (one without cannot be ordered against another), or None."""
    if not isinstance(value, str):
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    return instant if instant.tzinfo is not None else None


Rule = Callable[[Exchange, str, _Reporter, "str | None"], None]
RULES: tuple[Rule, ...] = (version_echo_rule, path_id_rule, envelope_rule, list_order_rule)


def apply_rules(
    exchange: Exchange, version: str, report: _Reporter, case: str | None = None
) -> None:
    for rule in RULES:
        rule(exchange, version, report, case)


def _registered(rule: Rule) -> Callable[[Any, Any, Any], None]:
    def check(ctx: Any, response: Any, case: Any) -> None:
        version = case.operation.schema.raw_schema.get("info", {}).get("version", "")
        rule(Exchange.of(response), version, _Reporter(), case.id)

    check.__name__ = "sequence_" + rule.__name__.removesuffix("_rule")
    check.__doc__ = rule.__doc__
    return schemathesis.check(check)


REGISTERED = tuple(_registered(rule) for rule in RULES)


def _conforms(
    exchange: Exchange, version: str, schema: str, report: _Reporter, case: str | None = None
) -> Any:
    where = _request_line(exchange)
    content_type = _header(exchange.response_headers, "Content-Type") or ""
    if content_type.split(";")[0].strip().lower() != "application/json":
        report.fail(
            exchange,
            f"{where} Content-Type",
            f"{content_type or '(missing)'!r}, expected application/json",
            check="content type",
            case_id=case,
        )
    try:
        body = json.loads(exchange.response_body)
    except ValueError as exc:
        report.fail(
            exchange, f"{where} body", f"not valid JSON ({exc})", check="JSON body", case_id=case
        )
    found = violations(version, schema, body)
    if found:
        more = f" (+{len(found) - 1} more)" if len(found) > 1 else ""
        error = best_match(validator_for(version, schema).iter_errors(body))
        keyword = str(error.validator) if error else "(none)"
        value = _SHORT.repr(error.instance if error else body)
        report.fail(
            exchange,
            f"{where} body vs {schema} schema",
            found[0]
            + more
            + f"\n  schema keyword: {keyword}; offending value: {value}"
            + "".join(f"\n  - {line}" for line in found[1:6]),
            check=f"schema {schema}",
            details=(
                ("schema", schema),
                ("JSON path", error.json_path if error else "$"),
                ("keyword", keyword),
                ("offending value", value),
            ),
            case_id=case,
        )
    return body


# -- the example tests' assertions -------------------------------------------------------------


def _checked(runtime: SuiteRuntime, response: requests.Response) -> tuple[Exchange, _Reporter]:
    return Exchange.of(response), _Reporter(runtime.redactor, runtime.authorization())


def fail(
    runtime: SuiteRuntime,
    response: requests.Response | None,
    where: str,
    what: str,
    *,
    check: str = "",
) -> None:
    report = _Reporter(runtime.redactor, runtime.authorization())
    exchange = Exchange.of(response) if response is not None else None
    report.fail(exchange, where, what, check=check)


def status_in(
    runtime: SuiteRuntime,
    response: requests.Response,
    expected: set[int] | frozenset[int],
    why: str,
) -> None:
    """The status is one of `expected`; then the suite's rules hold for the response."""
    exchange, report = _checked(runtime, response)
    if response.status_code not in expected:
        wanted = " or ".join(str(code) for code in sorted(expected))
        report.fail(
            exchange,
            f"{_request_line(exchange)} status",
            f"{response.status_code}, expected {wanted} ({why})",
            check="status code",
        )
    apply_rules(exchange, runtime.api_version, report)


def conforms(runtime: SuiteRuntime, response: requests.Response, schema: str) -> Any:
    """The body is JSON matching `schema` of the run's version; returns it."""
    exchange, report = _checked(runtime, response)
    body = _conforms(exchange, runtime.api_version, schema, report)
    apply_rules(exchange, runtime.api_version, report)
    return body


def error_envelope(
    runtime: SuiteRuntime, response: requests.Response, error_type: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = conforms(runtime, response, "error")
    if error_type is not None and body["error"].get("type") != error_type:
        fail(
            runtime,
            response,
            "$.error.type",
            f"{body['error'].get('type')!r}, expected {error_type!r}",
            check="error type",
        )
    return body


def client_error(
    runtime: SuiteRuntime, response: requests.Response, allowed: frozenset[int], why: str
) -> None:
    """A 4xx from `allowed`, with the documented error envelope as body."""
    status_in(runtime, response, allowed, why)
    error_envelope(runtime, response)


def version_echo(runtime: SuiteRuntime, response: requests.Response, expected: str) -> None:
    """The echo is `expected` (for requests that named no version or another header)."""
    echoed = response.headers.get("Sequence-Version")
    if echoed != expected:
        fail(
            runtime,
            response,
            "response header Sequence-Version",
            f"{echoed!r}, expected the version in effect {expected!r}",
            check="Sequence-Version echo",
        )

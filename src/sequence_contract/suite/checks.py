"""The suite's checks. Failures of the suite's rules (`RULES`, registered with schemathesis and
applied by every example assertion) and of the example assertions are `ContractViolation`s,
"where: what"; the two replaced schemathesis checks keep schemathesis' own failure classes.
"""

from __future__ import annotations

import functools
import json
import reprlib
import unicodedata
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests
import schemathesis
from jsonschema.exceptions import best_match
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure
from schemathesis.generation.meta import CoverageScenario
from schemathesis.openapi.checks import RejectedPositiveData, UnsupportedMethodResponse

from sequence_contract.documents import documents
from sequence_contract.errors import SequenceContractError
from sequence_contract.http import Exchange
from sequence_contract.redaction import Redactor
from sequence_contract.schemas import PUBLISHED_VERSIONS, validator_for, violations
from sequence_contract.suite.positive import grey_values
from sequence_contract.suite.reporting.render import render_exchange

if TYPE_CHECKING:
    from sequence_contract.suite.runtime import SuiteRuntime

SHORT = reprlib.Repr()  # an offending value, in one line of a report
SHORT.maxstring, SHORT.maxother, SHORT.maxdict, SHORT.maxlist, SHORT.maxlevel = 40, 60, 4, 4, 1
CheckFunction = Callable[[Any, Any, Any], bool | None]


class ContractViolation(Failure):
    """The API answered in a way its documented contract (or a named expectation) rules out.
    Reports read `check` ("" when a test called `fail` itself), `where`, `what`, `details`,
    `exchange`, and `case_id` when a generated case failed it."""

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


@dataclass(frozen=True, repr=False)  # no credentials in tracebacks
class _Reporter:
    """Raises violations: with the run's redactor and credentials when known, and the case."""

    redactor: Redactor = field(default_factory=Redactor)
    authorization: str | None = None
    case_id: str | None = None

    def fail(
        self,
        exchange: Exchange | None,
        check: str,
        where: str,
        what: str,
        details: tuple[tuple[str, str], ...] = (),
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
            case_id=self.case_id,
        )


# -- the suite's rules: every response, whoever sent it --------------------------------------


def header(headers: Mapping[str, Any] | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name.lower() and isinstance(value, str):
            return value
    return None


def _json_of(exchange: Exchange) -> Any:
    try:
        return json.loads(exchange.response_body or b"null")
    except ValueError:
        return None


def version_echo_rule(exchange: Exchange, version: str, report: _Reporter) -> None:
    """Every answer echoes `Sequence-Version`: the version asked for when it is a published
    one and neither the credentials nor the version were refused; else some published version
    (which one answers a refused request is not documented; that one is echoed is)."""
    sent = header(exchange.request_headers, "Sequence-Version")
    echoed = header(exchange.response_headers, "Sequence-Version")
    body = _json_of(exchange)
    error = body.get("error") if isinstance(body, dict) else None
    refused_version = isinstance(error, dict) and error.get("type") == "UnrecognisedApiVersion"
    if sent in PUBLISHED_VERSIONS and exchange.status not in (401, 403) and not refused_version:
        expected = None if echoed == sent else f"the version in effect {sent!r}"
    else:
        expected = (
            None
            if echoed in PUBLISHED_VERSIONS
            else "a published version (every answer echoes one)"
        )
    if expected is not None:
        where = "response header Sequence-Version"
        report.fail(exchange, "Sequence-Version echo", where, f"{echoed!r}, expected {expected}")


def path_id_rule(exchange: Exchange, version: str, report: _Reporter) -> None:
    """A 2xx answer about one customer is that customer: its `id` is the path's."""
    if exchange.status is None or not 200 <= exchange.status < 300:
        return
    parts = urlsplit(exchange.url).path.split("/")
    if "customers" not in parts[:-1]:
        return
    path_id = unquote(parts[len(parts) - parts[::-1].index("customers")])
    body = _json_of(exchange)
    if isinstance(body, dict) and "id" in body and body["id"] != path_id:
        what = f"{body['id']!r}, expected the path id {path_id!r}"
        report.fail(exchange, "id matches path", "$.id", what)


def envelope_rule(exchange: Exchange, version: str, report: _Reporter) -> None:
    """Every 4xx carries the documented error envelope."""
    if exchange.status is not None and 400 <= exchange.status < 500:
        _conforms(exchange, version, "error", report)


def list_order_rule(exchange: Exchange, version: str, report: _Reporter) -> None:
    """A customer list sorted by creation time (the documented default column) comes in the
    order asked for: `sortOrder=ASC` oldest first, DESC (the default) newest first. Other
    columns and pages reached `before` a cursor are left alone (their order is not documented)."""
    answer = _list_answer(exchange)
    if answer is None or "sortBy" in answer[0] or "before" in answer[0]:
        return
    query, items = answer
    order = set(query.get("sortOrder", ["DESC"]))
    stamps = [item.get("createdAt") for item in items if isinstance(item, dict)]
    created = [instant(stamp) for stamp in stamps]
    if order not in ({"ASC"}, {"DESC"}) or len(created) < 2 or len(created) != len(items):
        return  # no documented order, nothing to order, or the schema check's finding
    ascending = order == {"ASC"}
    for index in range(1, len(created)):
        before, after = created[index - 1], created[index]
        if before is None or after is None:
            return  # not a time with a zone: the schema check's finding
        if (after < before) if ascending else (after > before):
            report.fail(
                exchange,
                "list order",
                f"$.items[{index}].createdAt",
                f"{stamps[index]!r} after {stamps[index - 1]!r}, expected "
                f"{'oldest' if ascending else 'newest'} first "
                f"(sortOrder={'ASC' if ascending else 'DESC'}, by creation time)",
            )


def _list_answer(exchange: Exchange) -> tuple[dict[str, list[str]], list[Any]] | None:
    """The query and items of a 2xx answer to GET /customers, else None."""
    if exchange.method != "GET" or exchange.status is None or not 200 <= exchange.status < 300:
        return None
    url = urlsplit(exchange.url)
    body = _json_of(exchange)
    items = body.get("items") if isinstance(body, dict) else None
    if not url.path.endswith("/customers") or not isinstance(items, list):
        return None
    return parse_qs(url.query, keep_blank_values=True), items


@functools.cache
def list_parameters(version: str) -> dict[str, dict[str, Any]]:
    """The query parameters `version` documents for listing customers, by name."""
    try:
        parameters = documents(version).parameters("GET", "/customers")
    except (KeyError, SequenceContractError):
        return {}
    return {p["name"]: p for p in parameters if p.get("in") == "query" and "name" in p}


def _largest_page(version: str) -> int | None:
    """The `limit` parameter's documented maximum, if any."""
    largest = list_parameters(version).get("limit", {}).get("schema", {}).get("maximum")
    return largest if isinstance(largest, int) else None


def page_size_rule(exchange: Exchange, version: str, report: _Reporter) -> None:
    """A customer list holds at most `limit` items, and never more than the documented
    maximum `limit` when none is given."""
    answer, largest = _list_answer(exchange), _largest_page(version)
    if answer is None:
        return
    query, items = answer
    limits = query.get("limit")
    if limits is None:
        bound, given = largest, f"no limit (at most {largest})"
    elif len(limits) == 1 and limits[0].isdigit() and 1 <= int(limits[0]) <= (largest or 2**31):
        bound, given = int(limits[0]), f"limit={limits[0]}"
    else:
        return  # an invalid limit: whether it may be served is the status checks' business
    if bound is not None and len(items) > bound:
        report.fail(exchange, "page size", "$.items", f"{len(items)} items for {given}")


FILTERED_FIELDS = ("legalName", "label")  # list filters whose field list items show


def list_filter_rule(exchange: Exchange, version: str, report: _Reporter) -> None:
    """A customer list filtered by `legalName` or `label` holds only customers whose field has
    every word of the filter. How the docs match is open (exact, a part, ignoring case): this
    holds for each of those readings, with case and accents ignored."""
    answer = _list_answer(exchange)
    if answer is None:
        return
    query, items = answer
    for name in FILTERED_FIELDS:
        # A filter the version does not document may be ignored: then it proves nothing.
        values = query.get(name, []) if name in list_parameters(version) else []
        words = _folded(values[0]).split() if len(values) == 1 else []
        for index, item in enumerate(items):
            field = item.get(name) if isinstance(item, dict) else None
            if words and not all(word in _folded(str(field or "")) for word in words):
                what = f"{SHORT.repr(field)} does not match the filter {name}={values[0]!r}"
                report.fail(exchange, "list filter", f"$.items[{index}].{name}", what)


def _folded(text: str) -> str:
    """`text` with case and accents ignored, as a lenient collation would compare it."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def timestamps_rule(exchange: Exchange, version: str, report: _Reporter) -> None:
    """A customer is archived and updated after it was created, by the server's own clock:
    `archivedAt` and `updatedAt` are never before `createdAt`."""
    if exchange.status is None or not 200 <= exchange.status < 300:
        return
    answer = _list_answer(exchange)
    customers = answer[1] if answer is not None else [_json_of(exchange)]
    for index, customer in enumerate(customers):
        if not isinstance(customer, dict):
            continue
        created = instant(customer.get("createdAt"))
        prefix = f"$.items[{index}]" if answer is not None else "$"
        for name in ("archivedAt", "updatedAt"):
            moment = instant(customer.get(name))
            if created is not None and moment is not None and moment < created:
                what = f"{customer[name]!r}, before createdAt {customer['createdAt']!r}"
                report.fail(exchange, "timestamps in order", f"{prefix}.{name}", what)


def instant(value: object) -> datetime | None:
    """A timestamp with its zone (one without cannot be ordered against another), or None."""
    try:
        instant = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return instant if instant and instant.tzinfo is not None else None


Rule = Callable[[Exchange, str, _Reporter], None]
RULES: tuple[Rule, ...] = (
    version_echo_rule,
    path_id_rule,
    envelope_rule,
    list_order_rule,
    page_size_rule,
    list_filter_rule,
    timestamps_rule,
)


def apply_rules(exchange: Exchange, version: str, report: _Reporter) -> None:
    for rule in RULES:
        rule(exchange, version, report)


def _register(rule: Rule) -> None:
    def check(ctx: Any, response: Any, case: Any) -> None:
        version = case.operation.schema.raw_schema.get("info", {}).get("version", "")
        rule(Exchange.of(response), version, _Reporter(case_id=case.id))

    check.__name__ = "sequence_" + rule.__name__.removesuffix("_rule")
    check.__doc__ = rule.__doc__
    schemathesis.check(check)


for _rule in RULES:
    _register(_rule)


def _conforms(exchange: Exchange, version: str, schema: str, report: _Reporter) -> Any:
    where = f"{exchange.method} {urlsplit(exchange.url).path}"
    content_type = header(exchange.response_headers, "Content-Type") or ""
    if content_type.split(";")[0].strip().lower() != "application/json":
        what = f"{content_type or '(missing)'!r}, expected application/json"
        report.fail(exchange, "content type", f"{where} Content-Type", what)
    try:
        body = json.loads(exchange.response_body)
    except ValueError as exc:
        report.fail(exchange, "JSON body", f"{where} body", f"not valid JSON ({exc})")
    found = violations(version, schema, body)
    if found:
        more = f" (+{len(found) - 1} more)" if len(found) > 1 else ""
        error = best_match(validator_for(version, schema).iter_errors(body))
        keyword = str(error.validator) if error else "(none)"
        value = SHORT.repr(error.instance if error else body)
        report.fail(
            exchange,
            f"schema {schema}",
            f"{where} body vs {schema} schema",
            found[0]
            + more
            + f"\n  schema keyword: {keyword}; offending value: {value}"
            + "".join(f"\n  - {line}" for line in found[1:6]),
            (
                ("schema", schema),
                ("JSON path", error.json_path if error else "$"),
                ("keyword", keyword),
                ("offending value", value),
            ),
        )
    return body


# -- the example tests' assertions -------------------------------------------------------------


def fail(
    runtime: SuiteRuntime,
    response: requests.Response | None,
    where: str,
    what: str,
    *,
    check: str = "",
) -> None:
    exchange = Exchange.of(response) if response is not None else None
    _Reporter(runtime.redactor, runtime.authorization()).fail(exchange, check, where, what)


def status_in(
    runtime: SuiteRuntime,
    response: requests.Response,
    expected: set[int] | frozenset[int],
    why: str,
) -> None:
    """The status is one of `expected`; then the suite's rules hold for the response."""
    exchange = Exchange.of(response)
    report = _Reporter(runtime.redactor, runtime.authorization())
    if response.status_code not in expected:
        wanted = " or ".join(str(code) for code in sorted(expected))
        where = f"{exchange.method} {urlsplit(exchange.url).path} status"
        report.fail(
            exchange, "status code", where, f"{response.status_code}, expected {wanted} ({why})"
        )
    apply_rules(exchange, runtime.api_version, report)


def conforms(runtime: SuiteRuntime, response: requests.Response, schema: str) -> Any:
    """The body is JSON matching `schema` of the run's version; returns it."""
    exchange = Exchange.of(response)
    report = _Reporter(runtime.redactor, runtime.authorization())
    body = _conforms(exchange, runtime.api_version, schema, report)
    apply_rules(exchange, runtime.api_version, report)
    return body


def error_envelope(
    runtime: SuiteRuntime, response: requests.Response, error_type: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = conforms(runtime, response, "error")
    found = body["error"].get("type")
    if error_type is not None and found != error_type:
        what = f"{found!r}, expected {error_type!r}"
        fail(runtime, response, "$.error.type", what, check="error type")
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
        what = f"{echoed!r}, expected the version in effect {expected!r}"
        where = "response header Sequence-Version"
        fail(runtime, response, where, what, check="Sequence-Version echo")


# -- method probes, after RFC 9110 (replaces schemathesis' `unsupported_method`) -------------
# A standard method (RFC 9110 section 9, PATCH from RFC 5789) the path does not declare gets 405
# with `Allow`; any other method (QUERY, PROPFIND, ...) 405 or 501 (15.6.2: not recognised, as
# gateways answer), or what `unknown-method-status` names.

STANDARD_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}
)


def expected_statuses(method: str, unknown_method_statuses: Collection[int]) -> frozenset[int]:
    """What a path may answer to `method` when it does not declare it."""
    return frozenset({405} if method.upper() in STANDARD_METHODS else unknown_method_statuses)


def is_method_probe(case: Any) -> bool:
    """A coverage-phase case that sends a method its path does not declare."""
    data = getattr(getattr(getattr(case, "meta", None), "phase", None), "data", None)
    return getattr(data, "scenario", None) == CoverageScenario.UNSPECIFIED_HTTP_METHOD


def checks_to_skip(case: Any) -> list[CheckFunction]:
    """A 501 to a non-standard method is the RFC's answer, not a server error (and
    `method_semantics` rules out every other 5xx for it)."""
    if is_method_probe(case) and str(case.method).upper() not in STANDARD_METHODS:
        return [not_a_server_error]
    return []


def method_semantics_check(
    unknown_method_statuses: Collection[int], *, excuse_not_found: bool = False
) -> CheckFunction:
    """The check for method probes. `excuse_not_found`: the run has no real customer to put in
    the path, so a 404 (routing before method dispatch) says nothing."""

    def method_semantics(ctx: Any, response: Any, case: Any) -> None:
        method = str(response.request.method).upper()
        if not is_method_probe(case) or method == "OPTIONS":
            return
        status = response.status_code
        # A rate limiter usually sits in front of routing and throttles every method alike.
        if status == 429 or (excuse_not_found and status == 404):
            return
        expected = expected_statuses(method, unknown_method_statuses)
        allow, reason = None, "wrong_status"
        if status not in expected:
            wanted = " or ".join(str(code) for code in sorted(expected))
            kind = "a standard" if method in STANDARD_METHODS else "a non-standard"
            message = (
                f"{method} ({kind} method the path does not declare) answered {status}, "
                f"expected {wanted} (RFC 9110 15.5.6 / 15.6.2)"
            )
        elif status == 405 and not response.headers.get("allow"):
            allow, reason = False, "missing_allow_header"
            message = f"{method} answered 405 without the Allow header RFC 9110 15.5.6 requires"
        else:
            return
        raise UnsupportedMethodResponse(
            operation=f"{method} {case.path}",
            method=method,
            status_code=status,
            allow_header_present=allow,
            failure_reason=reason,
            message=message,
        )

    return method_semantics


# -- positive acceptance with a named grey zone (replaces `positive_data_acceptance`) ---------
# Positive cases come from the strict view, so they are valid, except for grey-zone values a
# careful server may refuse; `grey-zone=accept-or-400` lets it, with the documented envelope.

# Answers other checks judge: credentials, unknown ids, conflicts, rate limits, server errors.
JUDGED_ELSEWHERE = frozenset({401, 403, 404, 409, 429})


def grey_values_of(case: Any) -> list[str]:
    """The grey-zone values a case sends, in its body and query, as "where: why"."""
    found = list(grey_values(case.body, "body")) if case.body is not None else []
    for name, value in (case.query or {}).items():
        found.extend(grey_values(value, f"query {name}"))
    return found


def refusal_problem(
    status: int, body: Any, grey: list[str], policy: str, api_version: str
) -> str | None:
    """Why this answer to a positive case breaks the contract, or None when it does not."""
    if 200 <= status < 400 or status >= 500 or status in JUDGED_ELSEWHERE:
        return None
    if grey and policy == "accept-or-400" and status == 400:
        found = violations(api_version, "error", body)
        if not found:
            return None
        return f"400 for a grey-zone value, but not in the documented error envelope: {found[0]}"
    reason = f"{status} for a request the documented schema and the strict view both call valid"
    if grey:
        reason += f" (grey-zone values, refused only with 400 under --expect grey-zone={policy})"
    return reason


def positive_acceptance_check(api_version: str, policy: str) -> CheckFunction:
    def positive_acceptance(ctx: Any, response: Any, case: Any) -> None:
        meta = getattr(case, "meta", None)
        if meta is None or not meta.generation.mode.is_positive:
            return
        grey = grey_values_of(case)
        try:
            body = response.json()
        except ValueError:
            body = None
        problem = refusal_problem(response.status_code, body, grey, policy, api_version)
        if problem is None:
            return
        raise RejectedPositiveData(
            operation=case.operation.label,
            message="\n".join([problem, *(f"grey zone: {item}" for item in grey[:5])]),
            status_code=response.status_code,
            allowed_statuses=["2xx", *(["400"] if grey and policy == "accept-or-400" else [])],
        )

    return positive_acceptance

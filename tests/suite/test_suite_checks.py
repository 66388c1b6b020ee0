"""The suite's replacements for two schemathesis defaults: RFC 9110 method semantics, and
positive acceptance with a named grey zone."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure
from schemathesis.generation.meta import CoverageScenario

from sequence_contract.http import Exchange
from sequence_contract.suite.checks import (
    ContractViolation,
    _Reporter,
    checks_to_skip,
    expected_statuses,
    grey_values_of,
    list_filter_rule,
    list_order_rule,
    method_semantics_check,
    page_size_rule,
    positive_acceptance_check,
    refusal_problem,
    timestamps_rule,
)
from sequence_contract.suite.config import ExpectationError, Expectations
from sequence_contract.suite.generated import sends_nothing

VERSION = "2024-07-30"
UNKNOWN_METHOD_STATUSES = Expectations.from_pairs([]).statuses("unknown-method-status")
ENVELOPE = {"error": {"type": "validationError", "message": "The request is invalid"}}


def _case(method: str = "GET", *, probe: bool = False, positive: bool = True, **parts: Any) -> Any:
    scenario = CoverageScenario.UNSPECIFIED_HTTP_METHOD if probe else None
    mode = GenerationMode.POSITIVE if positive else GenerationMode.NEGATIVE
    meta = SimpleNamespace(
        phase=SimpleNamespace(data=SimpleNamespace(scenario=scenario)),
        generation=SimpleNamespace(mode=mode),
    )
    return SimpleNamespace(
        method=method,
        path="/customers",
        meta=meta,
        operation=SimpleNamespace(label="POST /customers"),
        body=parts.get("body"),
        query=parts.get("query"),
    )


def _response(status: int, method: str = "GET", body: Any = None, **headers: str) -> Any:
    return SimpleNamespace(
        status_code=status,
        request=SimpleNamespace(method=method),
        headers={name.lower(): value for name, value in headers.items()},
        json=lambda: body,
    )


def test_the_expectations_have_documented_defaults() -> None:
    expectations = Expectations.from_pairs([])
    assert expectations["grey-zone"] == "accept-or-400"
    assert {405, 501} == UNKNOWN_METHOD_STATUSES
    assert Expectations.from_pairs(["grey-zone=accept"])["grey-zone"] == "accept"
    with pytest.raises(ExpectationError, match="accept-or-400, accept"):
        Expectations.from_pairs(["grey-zone=sometimes"])


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("PATCH", {405}),
        ("TRACE", {405}),
        ("delete", {405}),
        ("QUERY", {405, 501}),
        ("PROPFIND", {405, 501}),
    ],
)
def test_which_statuses_an_undeclared_method_may_get(method: str, expected: set[int]) -> None:
    assert expected_statuses(method, UNKNOWN_METHOD_STATUSES) == expected


@pytest.mark.parametrize(
    ("method", "status", "headers", "passes"),
    [
        ("QUERY", 501, {}, True),
        ("QUERY", 405, {"Allow": "GET, POST"}, True),
        ("QUERY", 500, {}, False),
        ("QUERY", 400, {}, False),
        ("TRACE", 501, {}, False),
        ("PATCH", 405, {"Allow": "GET, POST"}, True),
        ("PATCH", 405, {}, False),
        ("PATCH", 404, {}, False),
        ("PATCH", 429, {}, True),
    ],
)
def test_method_semantics(method: str, status: int, headers: dict[str, str], passes: bool) -> None:
    check = method_semantics_check(UNKNOWN_METHOD_STATUSES)
    case, response = _case(method, probe=True), _response(status, method, **headers)
    if passes:
        check(None, response, case)
    else:
        with pytest.raises(Failure, match=method):
            check(None, response, case)


def test_method_semantics_leaves_other_cases_alone() -> None:
    check = method_semantics_check(UNKNOWN_METHOD_STATUSES)
    check(None, _response(500, "QUERY"), _case("QUERY"))


def test_only_a_non_standard_method_probe_skips_the_server_error_check() -> None:
    assert checks_to_skip(_case("QUERY", probe=True)) == [not_a_server_error]
    assert checks_to_skip(_case("PATCH", probe=True)) == []
    assert checks_to_skip(_case("QUERY")) == []


GREY = ["body.address.line2: empty"]


@pytest.mark.parametrize(
    ("status", "body", "grey", "policy", "problem"),
    [
        (201, None, [], "accept-or-400", None),
        (409, ENVELOPE, [], "accept-or-400", None),
        (500, None, GREY, "accept", None),  # not_a_server_error judges it
        (400, ENVELOPE, [], "accept-or-400", "400 for a request"),
        (400, ENVELOPE, GREY, "accept-or-400", None),
        (400, ENVELOPE, GREY, "accept", "400 for a request"),
        (400, {"message": "bad"}, GREY, "accept-or-400", "not in the documented error envelope"),
        (422, ENVELOPE, GREY, "accept-or-400", "422 for a request"),
    ],
)
def test_refusal_of_a_positive_case(
    status: int, body: Any, grey: list[str], policy: str, problem: str | None
) -> None:
    found = refusal_problem(status, body, grey, policy, VERSION)
    assert found is None if problem is None else found is not None and problem in found


def test_grey_values_come_from_body_and_query() -> None:
    case = _case(body={"legalName": "", "address": {"line1": "1 Road"}}, query={"label": " x"})
    assert grey_values_of(case) == [
        "body.legalName: empty",
        "query label: leading or trailing white space",
    ]


def test_positive_acceptance_judges_positive_cases_only() -> None:
    check = positive_acceptance_check(VERSION, "accept-or-400")
    refused = _response(400, "POST", ENVELOPE)
    check(None, refused, _case("POST", positive=False, body={"legalName": "Ada"}))
    check(None, refused, _case("POST", body={"legalName": ""}))  # grey: 400 allowed
    with pytest.raises(Failure, match="Schema-valid request rejected"):
        check(None, refused, _case("POST", body={"legalName": "Ada"}))


@pytest.mark.parametrize(
    ("value", "nothing"),
    [
        ("", True),
        ({}, True),
        ([], True),
        ({"": ""}, True),
        ({"": [""]}, True),
        ({"": None}, True),  # a dict sends its keys
        ([None], True),
        ("0", False),
        ({"a": ""}, False),
        ([None, "1"], False),
    ],
)
def test_which_query_values_send_nothing(value: Any, nothing: bool) -> None:
    assert sends_nothing(value) is nothing


def _listed(query: str, *created: str, status: int = 200) -> Exchange:
    items = [{"id": f"c{n}", "createdAt": stamp} for n, stamp in enumerate(created)]
    body = json.dumps({"items": items, "pagination": {}}).encode()
    return Exchange("GET", f"https://x/api/customers{query}", {}, None, status, {}, body, 0.0)


def _judge(
    rule: Any, exchange: Exchange, passes: bool, finding: str, version: str = VERSION
) -> None:
    """The rule lets `exchange` pass, or raises a violation whose text matches `finding`."""
    if passes:
        rule(exchange, version, _Reporter())
    else:
        with pytest.raises(ContractViolation, match=finding):
            rule(exchange, version, _Reporter())


OLD, NEW = "2026-12-01T10:00:00Z", "2026-12-01T11:30:00.5+01:00"  # NEW: 10:30:00.5 UTC
LATER = "2026-12-01T10:45:00Z"


@pytest.mark.parametrize(
    ("query", "created", "passes"),
    [
        ("?sortOrder=ASC", (OLD, NEW, LATER), True),
        ("?sortOrder=ASC", (OLD, LATER, NEW), False),
        ("?sortOrder=ASC", (OLD, OLD), True),  # ties in any order
        ("?sortOrder=DESC", (LATER, NEW, OLD), True),
        ("?sortOrder=DESC", (OLD, NEW), False),
        ("", (OLD, NEW), False),  # DESC is the documented default
        ("?limit=5&after=abc", (OLD, NEW), False),
        ("?sortOrder=ASC&sortBy=legalName", (NEW, OLD), True),  # collation not documented
        ("?sortOrder=ASC&before=abc", (NEW, OLD), True),  # a page before: order not documented
        ("?sortOrder=asc", (NEW, OLD), True),  # not a documented value
        ("?sortOrder=ASC", (NEW, "yesterday"), True),  # the schema check's finding
        ("?sortOrder=ASC", (NEW, "2026-12-01T09:00:00"), True),  # no zone: cannot be ordered
    ],
)
def test_a_list_comes_in_the_order_asked_for(
    query: str, created: tuple[str, ...], passes: bool
) -> None:
    _judge(list_order_rule, _listed(query, *created), passes, r"\$\.items\[\d\]\.createdAt.*first")


def test_the_list_order_rule_leaves_other_answers_alone() -> None:
    list_order_rule(_listed("?sortOrder=ASC", NEW, OLD, status=400), VERSION, _Reporter())
    one = _listed("?sortOrder=ASC", NEW, OLD)
    other = Exchange("GET", "https://x/api/customers/c1", {}, None, 200, {}, one.response_body, 0)
    list_order_rule(other, VERSION, _Reporter())


@pytest.mark.parametrize(
    ("query", "items", "passes"),
    [
        ("?limit=2", 2, True),
        ("?limit=2", 3, False),
        ("?limit=1&after=abc", 2, False),
        ("", 100, True),
        ("", 101, False),  # without limit, never more than its documented maximum
        ("?limit=0", 5, True),  # invalid limits are the status checks' business
        ("?limit=101", 101, True),
        ("?limit=x", 5, True),
        ("?limit=1&limit=2", 2, True),
    ],
)
def test_a_list_page_holds_at_most_limit_items(query: str, items: int, passes: bool) -> None:
    _judge(page_size_rule, _listed(query, *([OLD] * items)), passes, r"\$\.items: \d+ items for")


def _customer(status: int = 200, **stamps: str) -> Exchange:
    body = json.dumps({"id": "c1", "createdAt": LATER, **stamps}).encode()
    return Exchange("POST", "https://x/api/customers/c1/archive", {}, None, status, {}, body, 0)


@pytest.mark.parametrize(
    ("stamps", "passes"),
    [
        ({"archivedAt": "2026-12-01T10:45:00.000Z", "updatedAt": LATER}, True),  # equal is fine
        ({"archivedAt": "2026-12-01T12:00:00+01:00"}, True),  # 11:00 UTC
        ({"archivedAt": "1970-01-01T00:00:00.000Z"}, False),
        ({"updatedAt": OLD}, False),
        ({"archivedAt": "yesterday"}, True),  # the schema check's finding
    ],
)
def test_a_customer_is_archived_and_updated_after_it_was_created(
    stamps: dict[str, str], passes: bool
) -> None:
    _judge(timestamps_rule, _customer(**stamps), passes, r"before createdAt")


def test_list_items_are_checked_for_timestamps_in_order() -> None:
    listed = _listed("", LATER)
    body = json.loads(listed.response_body)
    body["items"][0]["archivedAt"] = OLD
    wrong = Exchange(listed.method, listed.url, {}, None, 200, {}, json.dumps(body).encode(), 0)
    with pytest.raises(ContractViolation, match=r"\$\.items\[0\]\.archivedAt"):
        timestamps_rule(wrong, VERSION, _Reporter())
    timestamps_rule(_customer(400, archivedAt=OLD), VERSION, _Reporter())  # not a 2xx


def _named(query: str, *items: dict[str, str]) -> Exchange:
    body = json.dumps({"items": list(items), "pagination": {}}).encode()
    return Exchange("GET", f"https://x/api/customers{query}", {}, None, 200, {}, body, 0.0)


@pytest.mark.parametrize(
    ("query", "item", "passes"),
    [
        ("?legalName=Acme", {"legalName": "Acme Ltd"}, True),
        ("?legalName=acme%20ltd", {"legalName": "ACME Ltd"}, True),  # case ignored
        ("?legalName=Cafe", {"legalName": "Café Zürich"}, True),  # accents ignored
        ("?legalName=Ltd%20Acme", {"legalName": "Acme Ltd"}, True),  # words in any order
        ("?legalName=Acme", {"legalName": "Other Ltd"}, False),
        ("?label=gold", {"legalName": "Acme", "label": "silver"}, False),
        ("?label=gold", {"legalName": "Acme"}, False),  # no label cannot match a label
        ("?label=gold", {"legalName": "Acme", "label": "Gold"}, True),
        ("?label=%20", {"legalName": "Acme", "label": "silver"}, True),  # no word to match
        ("?label=a&label=b", {"legalName": "Acme", "label": "c"}, True),  # which one: open
        ("?email=a@example.com", {"legalName": "Acme"}, True),  # items show no contacts
    ],
)
def test_a_filtered_list_holds_only_matching_customers(
    query: str, item: dict[str, str], passes: bool
) -> None:
    _judge(list_filter_rule, _named(query, item), passes, r"does not match the filter")


def test_a_filter_the_version_does_not_document_is_not_judged() -> None:
    # 2024-05-09 documents no label filter: a server may ignore it.
    list_filter_rule(_named("?label=gold", {"label": "silver"}), "2024-05-09", _Reporter())
    with pytest.raises(ContractViolation):
        list_filter_rule(_named("?legalName=Acme", {"legalName": "B"}), "2024-05-09", _Reporter())

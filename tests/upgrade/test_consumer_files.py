"""Reading Pact and HAR files, bad files on the command line, and Pact matchers."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from sequence_contract.cli import main
from sequence_contract.upgrade.consumers.matching import PASSES, check_response
from sequence_contract.upgrade.consumers.model import (
    PACT,
    Interaction,
    Rule,
    read_consumer,
)
from sequence_contract.upgrade.consumers.usage import call_of
from tests.upgrade.consumer_files import CUSTOMER_ID, FROM, READ, TO, Call, pact

_V2 = {"pactSpecification": {"version": "2.0.0"}}


def _write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


@pytest.mark.parametrize("spec", [2, 3, 4])
def test_every_pact_version_reads_to_the_same_call(spec: int, tmp_path: Path) -> None:
    listing = Call(
        "list",
        "GET",
        "/api/customers",
        {"items": [{"id": CUSTOMER_ID}]},
        state=None,
        query={"limit": "10"},
    )
    file = read_consumer(_write(tmp_path, "p.json", pact(spec, [READ, listing])))
    assert file.format == f"Pact v{spec}"
    read, listed = (call_of(i, FROM, TO) for i in file.interactions)
    assert read.operation == "GET /customers/{id}"
    assert read.version == FROM
    assert read.relied == {"$.id", "$.legalName", "$.createdAt"}
    assert read.interaction.states == ("a customer exists",)
    assert [r.path for r in read.interaction.rules] == ["$.id", "$.legalName", "$.createdAt"]
    assert listed.operation == "GET /customers"
    assert listed.params >= {"query.limit", "header.sequence-version"}
    assert listed.relied == {"$.items[].id"}


def test_a_v4_message_interaction_is_listed_not_judged(tmp_path: Path) -> None:
    data = pact(4, [READ])
    data["interactions"].append(
        {"type": "Asynchronous/Messages", "description": "event", "contents": {}}
    )
    file = read_consumer(_write(tmp_path, "p.json", data))
    message = call_of(file.interactions[1], FROM, TO)
    assert message.problem == "not an HTTP call: a Asynchronous/Messages interaction"


def test_a_har_keeps_api_calls_and_counts_the_rest(tmp_path: Path) -> None:
    body = json.dumps({"id": CUSTOMER_ID, "email": "a@example.com"})

    def entry(url: str, headers: list[dict[str, str]], content: dict[str, Any]) -> dict[str, Any]:
        return {
            "request": {"method": "GET", "url": url, "headers": headers, "queryString": []},
            "response": {"status": 200, "headers": [], "content": content},
        }

    har = {
        "log": {
            "version": "1.2",
            "entries": [
                entry(f"https://eu.sequencehq.com/api/customers/{CUSTOMER_ID}", [], {"text": body}),
                entry(
                    f"http://localhost:8080/customers/{CUSTOMER_ID}",
                    [{"name": "sequence-version", "value": TO}],
                    {"text": base64.b64encode(body.encode()).decode(), "encoding": "base64"},
                ),
                entry("https://app.example.com/static/app.js", [], {"text": "x"}),
            ],
        }
    }
    file = read_consumer(_write(tmp_path, "calls.har", har))
    assert file.format == "HAR 1.2"
    first, second = (call_of(i, FROM, TO) for i in file.interactions)
    assert (first.operation, first.version) == ("GET /customers/{id}", FROM)
    assert (second.operation, second.version) == ("GET /customers/{id}", TO)
    assert first.relied == second.relied == {"$.id", "$.email"}
    assert file.notes == (
        "1 entry on app.example.com ignored: not API calls (no Sequence-Version header, "
        "path not under /api/)",
    )


# (file content, the one line the command must print); each exits 2 before any request.
BAD_FILES: list[tuple[Any, str]] = [
    ("{not json", "not JSON: Expecting property name enclosed in double quotes"),
    ({"hello": 1}, "neither a Pact file ('interactions') nor a HAR file ('log')"),
    ({"interactions": []}, "no metadata.pactSpecification.version"),
    (
        {"interactions": [], "metadata": {"pactSpecification": {"version": "5.0.0"}}},
        "Pact specification version 5.0.0 is not supported (2, 3 and 4 are read)",
    ),
    (
        {
            "interactions": [{"description": "x", "request": {"path": "/x"}, "response": {}}],
            "metadata": _V2,
        },
        "interaction 1: request needs 'method' and 'path'",
    ),
    (
        {
            "interactions": [
                {
                    "description": "x",
                    "request": {"method": "GET", "path": "/x"},
                    "response": {"status": "200"},
                }
            ],
            "metadata": _V2,
        },
        "interaction 1: response status '200' is not an integer",
    ),
    ({"log": {"version": "2.0", "entries": []}}, "HAR version 2.0 is not supported (1.2 is read)"),
    (
        {"log": {"version": "1.2", "entries": [{"request": {}}]}},
        "entry 1: needs 'request' and 'response' objects",
    ),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES, ids=[m for _, m in BAD_FILES])
def test_a_bad_file_is_one_line_and_exit_2(
    content: Any, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "consumer.json", content)
    status = main(
        ["upgrade-check", "--from", FROM, "--to", TO, "--documents-only", "--consumer", str(path)]
    )
    out, err = capsys.readouterr()
    assert status == 2
    assert err.startswith(f"sequence-contract upgrade-check: error: --consumer {path}: {message}")
    assert err.count("\n") == 1, err
    assert "Traceback" not in out + err


def test_every_bad_file_gets_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path, "good.json", pact(3, [READ]))
    argv = ["upgrade-check", "--from", FROM, "--to", TO, "--documents-only"]
    for path in (tmp_path / "missing.json", good, _write(tmp_path, "bad.json", "[]")):
        argv += ["--consumer", str(path)]
    assert main(argv) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2, lines
    assert "missing.json: cannot read" in lines[0]
    assert "bad.json: neither a Pact file" in lines[1]


def _interaction(
    expected: Any, rules: dict[str, list[dict[str, Any]]], combine: str = "AND"
) -> Interaction:
    return Interaction(
        "test",
        "matching",
        PACT,
        "GET",
        "/customers/1",
        status=200,
        response_body={"v": expected},
        rules=tuple(Rule(path, tuple(m), combine) for path, m in rules.items()),
    )


# (matcher, expected value in the pact, actual value, passes)
MATCHERS: list[tuple[dict[str, Any], Any, Any, bool]] = [
    ({"match": "type"}, "a", "b", True),
    ({"match": "type"}, "a", 1, False),
    ({"match": "regex", "regex": "^[A-Z]+$"}, "AB", "CD", True),
    ({"match": "regex", "regex": "^[A-Z]+$"}, "AB", "cd", False),
    ({"match": "equality"}, "ACTIVE", "ACTIVE", True),
    ({"match": "equality"}, "ACTIVE", "DRAFT", False),
    ({"match": "include", "value": "@"}, "a@b", "c@d", True),
    ({"match": "include", "value": "@"}, "a@b", "cd", False),
    ({"match": "integer"}, 1, 2, True),
    ({"match": "integer"}, 1, 2.5, False),
    ({"match": "decimal"}, 1.5, 2.5, True),
    ({"match": "decimal"}, 1.5, 2, False),
    ({"match": "number"}, 1, 2.5, True),
    ({"match": "number"}, 1, "2", False),
    ({"match": "boolean"}, True, False, True),
    ({"match": "boolean"}, True, "true", False),
    ({"match": "date", "format": "yyyy-MM-dd"}, "2024-01-01", "2024-07-30", True),
    ({"match": "date", "format": "yyyy-MM-dd"}, "2024-01-01", "30/07/2024", False),
    ({"match": "timestamp"}, "2024-01-01T00:00:00Z", "2024-07-30T12:00:00.123Z", True),
    ({"match": "timestamp"}, "2024-01-01T00:00:00Z", "yesterday", False),
    ({"match": "type", "min": 1}, ["a"], ["b", "c"], True),
    ({"match": "type", "min": 1}, ["a"], [], False),
    ({"match": "type", "max": 1}, ["a"], ["b", "c"], False),
    ({"match": "null"}, None, None, True),
]


@pytest.mark.parametrize(("matcher", "expected", "actual", "passes"), MATCHERS)
def test_a_matcher(matcher: dict[str, Any], expected: Any, actual: Any, passes: bool) -> None:
    result = check_response(_interaction(expected, {"$.v": [matcher]}), 200, {}, {"v": actual}, TO)
    assert (result.outcome == PASSES) is passes, result


def test_an_unknown_matcher_is_named_never_passed() -> None:
    result = check_response(
        _interaction("x", {"$.v": [{"match": "arrayContains"}]}), 200, {}, {"v": "x"}, TO
    )
    assert result.outcome != PASSES
    assert result.unchecked == ["$.v: matcher 'arrayContains' is not supported"]


def test_or_needs_one_matcher_and_type_cascades_into_arrays() -> None:
    either = [{"match": "integer"}, {"match": "regex", "regex": "[0-9]+"}]
    assert (
        check_response(_interaction(1, {"$.v": either}, "OR"), 200, {}, {"v": "7"}, TO).outcome
        == PASSES
    )
    assert (
        check_response(_interaction(1, {"$.v": either}, "AND"), 200, {}, {"v": "7"}, TO).outcome
        != PASSES
    )
    each = _interaction([{"id": "a"}], {"$.v": [{"match": "type", "min": 1}]})
    assert check_response(each, 200, {}, {"v": [{"id": "b"}, {"id": "c"}]}, TO).outcome == PASSES
    broken = check_response(each, 200, {}, {"v": [{"id": "b"}, {"no": 1}]}, TO)
    assert [(m.where, m.what) for m in broken.mismatches] == [
        ("$.v[].id", "missing (expected string)")
    ]

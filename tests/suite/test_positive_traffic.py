"""A `ci` run's positive requests are unambiguously valid: no undocumented property, no control
character. Proven on the run's own traffic log, against the embedded sandbox."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from sequence_contract.sandbox.faults.benign import documented_request_schema, unknown_fields
from sequence_contract.suite import exitcodes
from tests.suite.fixtures import REPO, RunSuite
from tests.suite.traffic_dump import DUMP_VARIABLE

pytestmark = pytest.mark.slow

VERSION = "2024-07-30"


def _control_characters(value: Any, where: str = "$") -> list[str]:
    if isinstance(value, str):
        bad = any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in value)
        return [where] if bad else []
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _control_characters(str(key), f"{where} key")
            found += _control_characters(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _control_characters(item, f"{where}[{index}]")
    return found


def _problems(record: dict[str, Any]) -> list[str]:
    """What makes this request more than unambiguously valid (empty when it is clean)."""
    query = dict(parse_qsl(urlsplit(record["url"]).query, keep_blank_values=True))
    problems = [f"query {where}" for where in _control_characters(query)]
    if record["body"] is None:
        return problems
    if not record["utf8"]:
        return [*problems, "body: not UTF-8"]
    try:
        body = json.loads(record["body"])
    except ValueError:
        return [*problems, "body: not JSON"]
    problems += [f"body {where}: control character" for where in _control_characters(body)]
    if (
        record["method"] in ("POST", "PUT")
        and isinstance(body, dict)
        and "/archive" not in (record["url"])
    ):
        schema = documented_request_schema(VERSION)
        problems += [f"body {key}: undocumented property" for key in unknown_fields(body, schema)]
    return problems


def test_positive_requests_carry_no_undocumented_property_and_no_control_character(
    run_suite: RunSuite, suite_path: str, tmp_path: Path
) -> None:
    dump = tmp_path / "generated.jsonl"
    result = run_suite(
        suite_path,
        "-p",
        "tests.suite.traffic_dump",
        "--hypothesis-profile",
        "ci",
        "--api-version",
        VERSION,
        env={DUMP_VARIABLE: str(dump), "PYTHONPATH": str(REPO)},
    )
    assert result.ret == exitcodes.OK, "\n".join(result.outlines[-40:])
    traffic = [json.loads(line) for line in dump.read_text(encoding="utf-8").splitlines()]

    positive = [record for record in traffic if record["generation"] == "positive"]
    bodies = Counter(record["method"] for record in positive if record["body"])
    # The run really sent some: the ci budget gives positive creates a share of its 30
    # customers, and updates a share of its 400 requests.
    assert min(bodies["POST"], bodies["PUT"]) >= 5, bodies
    dirty = {
        f"{record['method']} {urlsplit(record['url']).path}": problems
        for record in positive
        if (problems := _problems(record))
    }
    assert not dirty, f"{len(dirty)} positive requests not clean, e.g. {next(iter(dirty.items()))}"

    # The same inspection finds what positive requests leave out in the negative ones: it can
    # fail, and negative generation still goes there.
    negative = [record for record in traffic if record["generation"] == "negative"]
    assert any(_problems(record) for record in negative), f"{len(negative)} negative requests"

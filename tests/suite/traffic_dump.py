"""A test-only pytest plugin: at the end of a contract run, writes every generated request
(method, URL, generation label, body) as one JSON line to $SEQUENCE_CONTRACT_TRAFFIC_DUMP.

Load it with `-p tests.suite.traffic_dump`. It reads the run's TrafficLog; authorization and
other headers are left out."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

DUMP_VARIABLE = "SEQUENCE_CONTRACT_TRAFFIC_DUMP"


def pytest_sessionfinish(session: pytest.Session) -> None:
    # Imported here: loaded with -p, this module is imported before the suite's plugin, which
    # pytest must import itself (to rewrite its asserts).
    from sequence_contract.suite.generated import GENERATION_HEADER
    from sequence_contract.suite.plugin import RUN

    target = os.environ.get(DUMP_VARIABLE)
    run = session.config.stash.get(RUN, None)
    if not target or run is None:
        return
    with Path(target).open("w", encoding="utf-8") as out:
        for exchange in run.traffic.all_exchanges:
            labels = [
                value
                for name, value in exchange.request_headers.items()
                if name.lower() == GENERATION_HEADER.lower()
            ]
            if not labels:
                continue  # an example-based test's request
            raw = exchange.request_body or b""
            # Negative cases may send bytes that are no UTF-8: kept as a marker, not decoded.
            body = raw.decode("utf-8", "replace") if raw else None
            record = {
                "method": exchange.method,
                "url": exchange.url,
                "generation": labels[0],
                "body": body,
                "utf8": _is_utf8(raw),
            }
            out.write(json.dumps(record) + "\n")


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True

"""Stored as sent: a create or full-replace PUT that answers 2xx returns every documented field it
was sent, as sent. `differences` lists what was dropped or altered; fields the docs say are not
returned are skipped, each with its reason in `NOT_RETURNED`.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

import schemathesis
from schemathesis.generation import GenerationMode

from sequence_contract.schemas import LATEST_VERSION, available_versions, inlined_schema
from sequence_contract.suite import checks
from sequence_contract.suite.checks import header
from sequence_contract.suite.positive import drop_undocumented, strict_schema

if TYPE_CHECKING:
    import requests

    from sequence_contract.suite.runtime import SuiteRuntime

# Request fields the Customer object does not carry, per API version: nothing to compare.
NOT_RETURNED: dict[str, dict[str, str]] = {
    "2024-07-30": {
        "customerAliases": "write-only: the Customer object has no aliases field",
        "parentId": "write-only: the Customer object has no parent field",
        "pushToIntegrations": "an instruction to sync, not a stored field",
    },
    "2024-05-09": {
        "customerAliases": "write-only: the Customer object has no aliases field",
    },
}
# Lists whose order the docs do not define: each sent item matches some returned item.
UNORDERED = frozenset({"contacts", "integrationIds", "billingEmails"})


@cache
def _request_schema(version: str) -> Any:
    """The version's create/update body schema, every documented object closed."""
    if version not in available_versions():
        return None
    return strict_schema(inlined_schema(version, "create-or-update-customer-request"))


def differences(
    sent: Mapping[str, Any], returned: Mapping[str, Any], version: str = LATEST_VERSION
) -> list[str]:
    """Every sent field that `returned` lost or changed ("$.address.line2: ..."), except the
    documented exceptions (a field not sent, such as `customProperties` left out of a PUT, is
    never compared)."""
    documented = copy.deepcopy(dict(sent))
    drop_undocumented(documented, _request_schema(version))
    skipped = NOT_RETURNED.get(version, {})
    return _compare("$", {k: v for k, v in documented.items() if k not in skipped}, returned)


def require_kept(
    runtime: SuiteRuntime,
    response: requests.Response,
    sent: Mapping[str, Any],
    answer: Mapping[str, Any],
    check: str = "stored as sent",
) -> None:
    """Fail `check` at the first field of `sent` that `answer` lost or changed."""
    lost = differences(sent, answer, runtime.api_version)
    if lost:
        where, what = lost[0].split(": ", 1)
        checks.fail(runtime, response, where, "; ".join([what, *lost[1:]]), check=check)


# The writes whose 2xx answer is a Customer built from the request body.
_WRITES = {("POST", re.compile(r"/customers/?$")), ("PUT", re.compile(r"/customers/[^/]+/?$"))}


class NotStoredAsSent(AssertionError):
    """A create or update answered 2xx but lost or altered a field it was sent."""


@schemathesis.check
def stored_as_sent(ctx: Any, response: Any, case: Any) -> bool | None:
    """Schemathesis check: a positive create or full-replace PUT that answers 2xx returns each
    field as sent. Negative cases are left to the checks on refusals."""
    meta = case.meta
    if meta is not None and meta.generation.mode is not GenerationMode.POSITIVE:
        return None
    path = case.formatted_path if hasattr(case, "formatted_path") else case.path
    writes = any(case.method.upper() == m and p.search(path) for m, p in _WRITES)
    if not writes or not 200 <= response.status_code < 300 or not isinstance(case.body, dict):
        return None
    try:
        returned = response.json()
    except ValueError:
        return None  # not JSON: the content-type and schema checks say so
    if not isinstance(returned, dict):
        return None
    version = header(case.headers, "sequence-version") or LATEST_VERSION
    found = differences(case.body, returned, version)
    if found:
        lines = "\n".join(found)
        raise NotStoredAsSent(f"{case.method.upper()} {case.path}: not stored as sent\n{lines}")
    return None


def _compare(where: str, sent: Any, returned: Any) -> list[str]:
    if isinstance(sent, dict) and isinstance(returned, Mapping):
        found: list[str] = []
        for key, value in sent.items():
            if key not in returned:
                found.append(f"{where}.{key}: sent {_show(value)}, not returned")
            elif where == "$" and key in UNORDERED and isinstance(value, list):
                found += _unordered(f"{where}.{key}", value, returned[key])
            else:
                found += _compare(f"{where}.{key}", value, returned[key])
        return found
    if isinstance(sent, list) and isinstance(returned, list) and len(sent) == len(returned):
        return [
            d
            for i, (s, r) in enumerate(zip(sent, returned, strict=False))
            for d in _compare(f"{where}[{i}]", s, r)
        ]
    if _same(sent, returned):
        return []
    return [f"{where}: sent {_show(sent)}, returned {_show(returned)}"]


def _unordered(where: str, sent: list[Any], returned: Any) -> list[str]:
    if not isinstance(returned, list):
        return [f"{where}: sent a list of {len(sent)}, returned {_show(returned)}"]
    left = list(returned)
    found: list[str] = []
    for index, item in enumerate(sent):
        match = next((r for r in left if not _compare("", item, r)), None)
        if match is None:
            found.append(f"{where}[{index}]: sent {_show(item)}, not returned as sent")
        else:
            left.remove(match)
    return found


def _same(sent: Any, returned: Any) -> bool:
    # 1 and 1.0 are the same JSON number; True and 1 are not the same value.
    if isinstance(sent, bool) or isinstance(returned, bool):
        return sent is returned
    return bool(sent == returned)


def _show(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."

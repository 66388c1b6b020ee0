"""Consumer files for the tests: one neutral description of a call, written as Pact v2, v3
or v4, or recorded into a HAR 1.2 file from real calls to a sandbox."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

CUSTOMER_ID = "4ab1c2d3-0000-4000-8000-000000000001"
FROM, TO = "2024-05-09", "2024-07-30"


@dataclass(frozen=True)
class Call:
    """One interaction, independent of the Pact version it is written in."""

    description: str
    method: str
    path: str
    response_body: Any = None
    status: int = 200
    rules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # "$.x" -> matchers
    state: str | None = "a customer exists"
    body: Any = None
    query: dict[str, str] = field(default_factory=dict)
    version: str | None = FROM


def write_pact(path: Path, spec: int, calls: list[Call]) -> Path:
    path.write_text(json.dumps(pact(spec, calls), indent=2), encoding="utf-8")
    return path


def pact(spec: int, calls: list[Call]) -> dict[str, Any]:
    return {
        "consumer": {"name": "tests"},
        "provider": {"name": "sequence"},
        "interactions": [_interaction(spec, c) for c in calls],
        "metadata": {"pactSpecification": {"version": f"{spec}.0.0"}},
    }


def _interaction(spec: int, call: Call) -> dict[str, Any]:
    headers = {"Sequence-Version": call.version} if call.version else {}
    request: dict[str, Any] = {"method": call.method, "path": call.path}
    response: dict[str, Any] = {"status": call.status}
    item: dict[str, Any] = {"description": call.description}
    if spec == 2:
        if call.state:
            item["providerState"] = call.state
        if call.query:
            request["query"] = "&".join(f"{k}={v}" for k, v in call.query.items())
        request["headers"] = headers
        if call.body is not None:
            request["body"] = call.body
        response["body"] = call.response_body
        # v2 allows one matcher per path
        response["matchingRules"] = {
            "$.body" + path[1:]: matchers[0] for path, matchers in call.rules.items()
        }
    else:
        if call.state:
            item["providerStates"] = [{"name": call.state, "params": {"id": CUSTOMER_ID}}]
        if call.query:
            request["query"] = {k: [v] for k, v in call.query.items()}
        rules = {"body": {p: {"matchers": m, "combine": "AND"} for p, m in call.rules.items()}}
        response["matchingRules"] = rules
        if spec == 3:
            request["headers"] = headers
            if call.body is not None:
                request["body"] = call.body
            response["body"] = call.response_body
        else:
            item["type"] = "Synchronous/HTTP"
            item["key"] = call.description.replace(" ", "-")
            request["headers"] = {k: [v] for k, v in headers.items()}
            if call.body is not None:
                request["body"] = {
                    "content": call.body,
                    "contentType": "application/json",
                    "encoded": False,
                }
            # v4 bodies may be base64-encoded: the reader must decode them
            text = json.dumps(call.response_body).encode()
            response["body"] = {
                "content": base64.b64encode(text).decode(),
                "contentType": "application/json",
                "encoded": "base64",
            }
    item["request"], item["response"] = request, response
    return item


def record_har(
    base_url: str, auth: tuple[str, str], calls: list[tuple[str, str, Any]]
) -> dict[str, Any]:
    """Make the calls (method, path with `{id}` for a customer created first, body) under
    2024-05-09 and return them as a HAR 1.2 log, as a proxy would have recorded them."""
    headers = {"Sequence-Version": FROM}
    created = requests.post(
        f"{base_url}/customers", json=_customer_body(), headers=headers, auth=auth, timeout=10
    )
    created.raise_for_status()
    customer = created.json()["id"]
    entries = []
    for method, path, body in calls:
        url = f"{base_url}{path.replace('{id}', customer)}"
        response = requests.request(method, url, json=body, headers=headers, auth=auth, timeout=10)
        sent = response.request
        entries.append(
            {
                "startedDateTime": "2024-06-01T12:00:00.000Z",
                "time": 12,
                "request": {
                    "method": method,
                    "url": url,
                    "httpVersion": "HTTP/1.1",
                    "headers": [{"name": k, "value": v} for k, v in sent.headers.items()],
                    "queryString": [],
                    "cookies": [],
                    "headersSize": -1,
                    "bodySize": -1,
                    **(
                        {"postData": {"mimeType": "application/json", "text": json.dumps(body)}}
                        if body is not None
                        else {}
                    ),
                },
                "response": {
                    "status": response.status_code,
                    "statusText": response.reason,
                    "httpVersion": "HTTP/1.1",
                    "headers": [{"name": k, "value": v} for k, v in response.headers.items()],
                    "cookies": [],
                    "content": {
                        "size": len(response.content),
                        "mimeType": response.headers.get("Content-Type", ""),
                        "text": response.text,
                    },
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": -1,
                },
                "cache": {},
                "timings": {"send": 0, "wait": 12, "receive": 0},
            }
        )
    return {
        "log": {"version": "1.2", "creator": {"name": "tests", "version": "1"}, "entries": entries}
    }


def _customer_body() -> dict[str, Any]:
    return {
        "legalName": "HAR Recording Ltd",
        "contactName": "Recorder",
        "email": "billing@example.com",
        "billingEmails": ["billing@example.com"],
        "address": {
            "line1": "1 Test Street",
            "town": "London",
            "postcode": "EC1A 1BB",
            "country": "GB",
        },
        "taxStatus": "TAXED",
    }


# The three consumers of the issue: a reader, an archiver, and a reader of `email`.
READ = Call(
    "read a customer",
    "GET",
    f"/api/customers/{CUSTOMER_ID}",
    {"id": CUSTOMER_ID, "legalName": "Acme Ltd", "createdAt": "2024-05-09T10:00:00.000Z"},
    rules={
        "$.id": [{"match": "type"}],
        "$.legalName": [{"match": "type"}],
        "$.createdAt": [{"match": "type"}],
    },
)
ARCHIVE = Call(
    "archive a customer",
    "PUT",
    f"/api/customers/{CUSTOMER_ID}/archive",
    {"id": CUSTOMER_ID, "archivedAt": "2024-05-09T10:00:00.000Z"},
    rules={"$.id": [{"match": "type"}], "$.archivedAt": [{"match": "type"}]},
)
READ_EMAIL = Call(
    "read a customer's email",
    "GET",
    f"/customers/{CUSTOMER_ID}",
    {"id": CUSTOMER_ID, "email": "billing@example.com"},
    rules={"$.id": [{"match": "type"}], "$.email": [{"match": "regex", "regex": ".+@.+"}]},
)

"""The OpenAPI documents: valid, faithful to the docs, and usable by schemathesis offline."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate as validate_openapi

from sequence_contract.schemas import load_openapi, openapi_path, violations

SHIPPED = ("2024-05-09", "2024-07-30")
METHODS = ("get", "put", "post", "delete", "patch")
DOCUMENTED_READ = {"200", "400", "401", "500"}
BEYOND_BY_ID = {"404", "429"}
BEYOND_BODY = {"413", "415"}

# (method, path) -> (operationId, statuses the docs list, statuses added with x-beyond-docs)
OPERATIONS: dict[str, dict[tuple[str, str], tuple[str, set[str], set[str]]]] = {
    "2024-07-30": {
        ("get", "/customers"): ("getCustomers", {"200", "400", "401", "403", "500"}, {"429"}),
        ("post", "/customers"): (
            "postCustomers",
            {"201", "400", "401", "500"},
            {"429"} | BEYOND_BODY,
        ),
        ("get", "/customers/{id}"): ("getCustomersById", DOCUMENTED_READ, BEYOND_BY_ID),
        ("put", "/customers/{id}"): (
            "putCustomersById",
            DOCUMENTED_READ,
            BEYOND_BY_ID | BEYOND_BODY,
        ),
        ("post", "/customers/{id}/archive"): (
            "postCustomersByIdArchive",
            DOCUMENTED_READ,
            BEYOND_BY_ID,
        ),
    },
    "2024-05-09": {
        ("get", "/customers"): ("getCustomers", {"200", "400", "401", "403", "500"}, {"429"}),
        ("post", "/customers"): (
            "postCustomers",
            {"201", "400", "401", "500"},
            {"429"} | BEYOND_BODY,
        ),
        ("get", "/customers/{id}"): ("getCustomersById", DOCUMENTED_READ, BEYOND_BY_ID),
        ("put", "/customers/{id}"): (
            "putCustomersById",
            DOCUMENTED_READ,
            BEYOND_BY_ID | BEYOND_BODY,
        ),
        ("delete", "/customers/{id}"): ("deleteCustomersById", DOCUMENTED_READ, BEYOND_BY_ID),
        ("put", "/customers/{id}/archive"): (
            "putCustomersByIdArchive",
            DOCUMENTED_READ,
            BEYOND_BY_ID,
        ),
    },
}

# Query parameters of GET /customers: name -> its schema, as each version documents them.
LIST_PARAMETERS: dict[str, dict[str, dict[str, Any]]] = {
    "2024-07-30": {
        "limit": {"type": "integer", "format": "int32", "minimum": 1, "maximum": 100},
        "after": {"type": "string"},
        "before": {"type": "string"},
        "includeArchived": {"type": "boolean"},
        "sortBy": {"type": "string"},
        "sortOrder": {"type": "string", "enum": ["ASC", "DESC"]},
        "legalName": {"type": "string"},
        "email": {"type": "string"},
        "alias": {"type": "string"},
        "label": {"type": "string"},
        "billingStatus": {"type": "string", "enum": ["ACTIVE", "INACTIVE"]},
    },
    "2024-05-09": {
        "limit": {"type": "integer"},
        "after": {"type": "string"},
        "before": {"type": "string"},
        "includeArchived": {"type": "boolean"},
        "sortBy": {"type": "string"},
        "sortOrder": {"type": "string", "examples": ["ASC", "DESC"]},
        "legalName": {"type": "string"},
        "email": {"type": "string"},
        "alias": {"type": "string"},
    },
}

CREATE_LINKS = {
    "2024-07-30": {
        "GetCustomer": "getCustomersById",
        "UpdateCustomer": "putCustomersById",
        "ArchiveCustomer": "postCustomersByIdArchive",
    },
    "2024-05-09": {
        "GetCustomer": "getCustomersById",
        "UpdateCustomer": "putCustomersById",
        "ArchiveCustomer": "putCustomersByIdArchive",
        "DeleteCustomer": "deleteCustomersById",
    },
}

ARCHIVE = {
    "2024-07-30": ("post", "/customers/{id}/archive"),
    "2024-05-09": ("put", "/customers/{id}/archive"),
}


def deref(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow a local `#/...` reference; leave other nodes as they are."""
    while "$ref" in node and node["$ref"].startswith("#/"):
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def operations(
    document: dict[str, Any],
) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(method, path, operation, path item) for every operation of the document."""
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method], item


def schema_name(media: dict[str, Any]) -> str:
    ref = media["schema"]["$ref"]
    assert ref.endswith(".schema.json"), f"media type schema should name a schema file, got {ref}"
    return str(ref.removesuffix(".schema.json"))


@pytest.mark.parametrize("version", SHIPPED)
def test_document_is_valid_openapi_3_1(version: str) -> None:
    path = openapi_path(version)
    document = load_openapi(version)
    assert document["openapi"].startswith("3.1.")
    # The validator follows the relative $refs into the schema files too.
    validate_openapi(document, base_uri=path.as_uri())


@pytest.mark.parametrize("version", SHIPPED)
def test_servers_security_and_info(version: str) -> None:
    document = load_openapi(version)
    assert document["servers"] == [
        {"url": "https://sandbox.sequencehq.com/api", "description": "Sequence sandbox"}
    ]
    assert document["security"] == [{"basicAuth": []}]
    assert document["components"]["securitySchemes"]["basicAuth"]["scheme"] == "basic"
    assert document["info"]["version"] == version


@pytest.mark.parametrize("version", SHIPPED)
def test_operations_and_their_statuses(version: str) -> None:
    document = load_openapi(version)
    found = {}
    for method, path, operation, _ in operations(document):
        documented, beyond = set(), set()
        for status, response in operation["responses"].items():
            reason = deref(document, response).get("x-beyond-docs")
            if reason is None:
                documented.add(status)
            else:
                assert isinstance(reason, str), f"{method} {path} {status}: reason must be text"
                assert reason.strip(), f"{method} {path} {status}: empty reason"
                beyond.add(status)
        found[(method, path)] = (operation["operationId"], documented, beyond)
    assert found == OPERATIONS[version]


@pytest.mark.parametrize("version", SHIPPED)
def test_every_operation_takes_the_version_header(version: str) -> None:
    document = load_openapi(version)
    for method, path, operation, item in operations(document):
        parameters = [
            deref(document, p) for p in [*item.get("parameters", []), *operation["parameters"]]
        ]
        headers = [p for p in parameters if p["in"] == "header" and p["name"] == "Sequence-Version"]
        assert len(headers) == 1, f"{method} {path}: Sequence-Version header parameter missing"
        assert headers[0]["required"] is False, f"{method} {path}: the header is optional"
        assert headers[0]["schema"]["enum"] == [version], (
            f"{method} {path}: enum should be [{version}]"
        )


@pytest.mark.parametrize("version", SHIPPED)
def test_every_response_echoes_the_version_and_errors_carry_the_envelope(version: str) -> None:
    document = load_openapi(version)
    for method, path, operation, _ in operations(document):
        for status, ref_or_response in operation["responses"].items():
            where = f"{method} {path} {status}"
            response = deref(document, ref_or_response)
            header = deref(document, response["headers"]["Sequence-Version"])
            assert header["required"] is True, f"{where}: Sequence-Version must be required"
            if status[0] in "45":
                assert schema_name(response["content"]["application/json"]) == "error", where


@pytest.mark.parametrize("version", SHIPPED)
def test_list_query_parameters(version: str) -> None:
    document = load_openapi(version)
    listed = [deref(document, p) for p in document["paths"]["/customers"]["get"]["parameters"]]
    query = {p["name"]: p["schema"] for p in listed if p["in"] == "query"}
    assert query == LIST_PARAMETERS[version]
    assert all(p["required"] is False for p in listed)


@pytest.mark.parametrize("version", SHIPPED)
def test_create_links_to_the_operations_on_the_new_customer(version: str) -> None:
    document = load_openapi(version)
    links = document["paths"]["/customers"]["post"]["responses"]["201"]["links"]
    assert {name: link["operationId"] for name, link in links.items()} == CREATE_LINKS[version]
    known = {operation["operationId"] for _, _, operation, _ in operations(document)}
    for name, link in links.items():
        assert link["operationId"] in known, f"link {name}: no operation {link['operationId']}"
        assert link["parameters"] == {"id": "$response.body#/id"}, f"link {name}"


@pytest.mark.parametrize("version", SHIPPED)
def test_archive_has_no_request_body(version: str) -> None:
    method, path = ARCHIVE[version]
    assert "requestBody" not in load_openapi(version)["paths"][path][method]


def media_examples(document: dict[str, Any]) -> Iterator[tuple[str, str, str, Any]]:
    """(where, schema name, example name, value) for every example of a request or response."""
    for method, path, operation, _ in operations(document):
        bodies = {"request": operation.get("requestBody", {})}
        bodies.update(operation["responses"])
        for label, body in bodies.items():
            for media in deref(document, body).get("content", {}).values():
                for name, example in media.get("examples", {}).items():
                    ref = example.get("$ref", "")
                    value = deref(document, example)["value"]
                    yield f"{method} {path} {label} {name}", schema_name(media), ref, value


@pytest.mark.parametrize("version", SHIPPED)
def test_documented_examples_validate(version: str) -> None:
    document = load_openapi(version)
    used = set()
    for where, schema, ref, value in media_examples(document):
        used.add(ref.rsplit("/", 1)[-1])
        found = violations(version, schema, value)
        assert found == [], f"{version} {where}: example breaks {schema}:\n" + "\n".join(found)
    assert used == set(document["components"]["examples"]), (
        "an example nobody uses is never checked"
    )


@pytest.mark.parametrize("version", SHIPPED)
def test_archive_response_example_shows_an_archived_customer(version: str) -> None:
    document = load_openapi(version)
    method, path = ARCHIVE[version]
    media = document["paths"][path][method]["responses"]["200"]["content"]["application/json"]
    (example,) = media["examples"].values()
    value = deref(document, example)["value"]
    assert "archivedAt" in value
    assert value.get("status", "ACTIVE") == "ACTIVE", "archiving keeps the status (no ARCHIVED)"


def test_documented_contact_id_is_not_rfc_4122() -> None:
    # The quirk the loose id rule exists for: keep it in the examples so it stays tested.
    customer = load_openapi("2024-07-30")["components"]["examples"]["Customer"]["value"]
    assert customer["contacts"][0]["id"] == "9a1e38a9-4dc9-776f-f974-4e7ee9f4d6cc"


# --- schemathesis reads the documents, relative $refs included, without the network ---------


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Resolving a $ref must never leave the machine: every name lookup is refused and recorded."""
    attempts: list[str] = []

    def refuse(host: object, *args: object, **kwargs: object) -> Any:
        attempts.append(repr(host))
        raise OSError(f"network access refused in tests: {host!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts
    # Checked after the test: schemathesis may swallow the refusal and carry on.
    assert attempts == [], f"schemathesis tried the network: {attempts}"


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize("version", SHIPPED)
def test_schemathesis_loads_every_operation(version: str) -> None:
    schema = schemathesis.openapi.from_path(openapi_path(version))
    labels = {result.ok().label for result in schema.get_all_operations()}
    assert labels == {f"{method.upper()} {path}" for method, path in OPERATIONS[version]}


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize(("version", "method"), [(v, m) for v in SHIPPED for m in ("POST", "PUT")])
def test_schemathesis_generates_bodies_the_schemas_accept(version: str, method: str) -> None:
    schema = schemathesis.openapi.from_path(openapi_path(version))
    path = "/customers" if method == "POST" else "/customers/{id}"
    bodies: list[Any] = []

    @given(schema[path][method].as_strategy())
    @settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def collect(case: Any) -> None:
        bodies.append(case.body)

    collect()
    assert bodies
    for body in bodies:
        found = violations(version, "create-or-update-customer-request", body)
        assert found == [], f"generated body breaks the request schema: {found}"


def fake_response(status: int, body: object, version: str) -> schemathesis.Response:
    return schemathesis.Response(
        status_code=status,
        headers={"content-type": ["application/json"], "sequence-version": [version]},
        content=json.dumps(body).encode(),
        request=requests.Request("POST", "http://127.0.0.1/customers").prepare(),
        elapsed=0.0,
        verify=True,
    )


def documented_customer(version: str) -> dict[str, Any]:
    return dict(load_openapi(version)["components"]["examples"]["Customer"]["value"])


RESPONSE_CASES = [
    ("2024-07-30", "POST", "/customers", 201, {}, True),
    ("2024-07-30", "POST", "/customers", 201, {"address": {"country": "United States"}}, False),
    ("2024-07-30", "POST", "/customers/{id}/archive", 200, {"archivedAt": "yesterday"}, False),
    ("2024-07-30", "GET", "/customers/{id}", 200, {"contacts": [{"id": "x"}]}, False),
    (
        "2024-07-30",
        "GET",
        "/customers/{id}",
        404,
        {"error": {"type": "NotFound", "message": "m"}},
        True,
    ),
    ("2024-07-30", "GET", "/customers/{id}", 404, {"error": {"message": "no type"}}, False),
    ("2024-05-09", "PUT", "/customers/{id}/archive", 200, {}, True),
    (
        "2024-05-09",
        "DELETE",
        "/customers/{id}",
        200,
        {"integrationIds": [{"service": "Xero"}]},
        False,
    ),
]


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize(("version", "method", "path", "status", "change", "valid"), RESPONSE_CASES)
def test_schemathesis_validates_responses_through_the_refs(
    version: str, method: str, path: str, status: int, change: dict[str, Any], valid: bool
) -> None:
    body: dict[str, Any]
    if status < 300:
        body = documented_customer(version)
        for key, value in change.items():
            # Nested changes merge into the documented value, so only the named field is wrong.
            body[key] = {**body[key], **value} if isinstance(value, dict) else value
    else:
        body = change
    operation = schemathesis.openapi.from_path(openapi_path(version))[path][method]
    assert operation.is_valid_response(fake_response(status, body, version)) is valid

"""An invalid create/update body is one 400 validationError listing every bad field by path."""

from __future__ import annotations

from typing import Any

import pytest

from sequence_contract.documents import documents
from sequence_contract.sandbox.messages import ApiError
from sequence_contract.sandbox.validation import check_body
from sequence_contract.sandbox.versions import REQUEST_SCHEMA
from tests.sandbox.client import ApiClient, assert_error, customer_body, describe

US_ADDRESS = {"line1": "1 Main St", "town": "Austin", "postcode": "73301", "country": "US"}
STANDARD_ONLY = [{"name": "S", "email": "s@example.com", "billingPreference": "STANDARD"}]

# (id, body, the exact set of keys reported)
INVALID_BODIES: list[tuple[str, dict[str, Any], set[str]]] = [
    ("empty-object", {}, {"legalName", "address", "taxStatus", "contacts"}),
    ("legal-name-number", customer_body(legalName=5), {"legalName"}),
    ("legal-name-null", customer_body(legalName=None), {"legalName"}),
    ("address-not-object", customer_body(address="London"), {"address"}),
    ("address-fields-missing", customer_body(address={"country": "GB"}),
     {"address.line1", "address.town", "address.postcode"}),
    ("country-unknown", customer_body(address={**US_ADDRESS, "country": "XX", "state": "TX"}),
     {"address.country"}),
    ("country-lowercase", customer_body(address={**US_ADDRESS, "country": "us", "state": "TX"}),
     {"address.country"}),
    ("us-without-state", customer_body(address=US_ADDRESS), {"address.state"}),
    ("state-unknown", customer_body(address={**US_ADDRESS, "state": "ZZ"}), {"address.state"}),
    ("line2-null", customer_body(address={**US_ADDRESS, "state": "TX", "line2": None}),
     {"address.line2"}),
    ("tax-status-unknown", customer_body(taxStatus="TAXABLE"), {"taxStatus"}),
    ("contacts-empty", customer_body(contacts=[]), {"contacts"}),
    ("no-primary-contact", customer_body(contacts=STANDARD_ONLY), {"contacts"}),
    ("contact-fields", customer_body(contacts=[{"name": 1, "billingPreference": "MAIN"}]),
     {"contacts.0.name", "contacts.0.email", "contacts.0.billingPreference"}),
    ("contact-not-object", customer_body(contacts=[*customer_body()["contacts"], "x"]),
     {"contacts.1"}),
    ("status-archived", customer_body(status="ARCHIVED"), {"status"}),
    ("url-null", customer_body(url=None), {"url"}),
    ("label-number", customer_body(label=3), {"label"}),
    ("integration-ids", customer_body(integrationIds=[{"service": "Nope", "id": 7}]),
     {"integrationIds.0.service", "integrationIds.0.id"}),
    ("integration-ids-not-array", customer_body(integrationIds={"service": "Xero"}),
     {"integrationIds"}),
    ("push-to-stripe", customer_body(pushToIntegrations=["Stripe"]), {"pushToIntegrations.0"}),
    ("aliases-item", customer_body(customerAliases=["ok", 2]), {"customerAliases.1"}),
    ("parent-id-number", customer_body(parentId=42), {"parentId"}),
    ("parent-id-empty", customer_body(parentId=""), {"parentId"}),
    ("integration-id-empty", customer_body(integrationIds=[{"service": "Xero", "id": ""}]),
     {"integrationIds.0.id"}),
    ("custom-property-number", customer_body(customProperties={"tier": 1}),
     {"customProperties.tier"}),
    ("custom-properties-array", customer_body(customProperties=["tier"]), {"customProperties"}),
    ("several-at-once",
     customer_body(legalName=[], taxStatus=None, address={**US_ADDRESS, "country": "UK"}),
     {"legalName", "taxStatus", "address.country"}),
]  # fmt: skip


@pytest.mark.parametrize("method", ["POST", "PUT"])
@pytest.mark.parametrize(("body", "keys"), [pytest.param(b, k, id=i) for i, b, k in INVALID_BODIES])
def test_every_bad_field_is_reported_by_path(
    api: ApiClient, method: str, body: dict[str, Any], keys: set[str]
) -> None:
    path = "/customers" if method == "POST" else f"/customers/{api.create_customer()['id']}"
    response = api.call(method, path, json=body)
    assert_error(response, 400, "validationError")
    errors = response.json()["error"]["errors"]
    assert {e.get("key") for e in errors} == keys, describe(response)
    for error in errors:
        assert isinstance(error["code"], str), describe(response)
        assert isinstance(error["message"], str), describe(response)
        assert error["message"], describe(response)


@pytest.mark.parametrize(
    "body",
    [
        customer_body(unknownField={"any": "thing"}),
        customer_body(address={**US_ADDRESS, "state": "TX"}),
        customer_body(address={**US_ADDRESS, "country": "CA", "state": "QC"}),
        customer_body(address={**US_ADDRESS, "country": "XK"}),
        customer_body(
            legalName="", contacts=[{"name": "", "email": "", "billingPreference": "PRIMARY"}]
        ),
        customer_body(pushToIntegrations=["Xero"], customerAliases=["a"], customProperties={}),
        customer_body(legalName="Zoë 北京 \u0000 🙂"),
    ],
    ids=[
        "unknown-field",
        "us-with-state",
        "canada",
        "kosovo",
        "empty-strings",
        "extras",
        "unicode",
    ],
)
def test_what_the_documented_schema_accepts_is_accepted(
    api: ApiClient, body: dict[str, Any]
) -> None:
    response = api.call("POST", "/customers", json=body)
    assert response.status_code == 201, describe(response)
    assert response.json()["legalName"] == body["legalName"], describe(response)


MINIMAL_BODIES: dict[str, dict[str, Any]] = {
    "2024-07-30": {
        "legalName": "L",
        "taxStatus": "TAXED",
        "contacts": [{"name": "N", "email": "e@example.com", "billingPreference": "PRIMARY"}],
    },
    "2024-05-09": {"legalName": "L", "taxStatus": "TAXED", "email": "e", "billingEmails": []},
}


def _with_address(version: str, country: str, state: str) -> dict[str, Any]:
    address = {"line1": "1 Main St", "town": "T", "postcode": "P"}
    return {**MINIMAL_BODIES[version], "address": {**address, "country": country, "state": state}}


@pytest.mark.parametrize("version", sorted(MINIMAL_BODIES))
def test_the_value_sets_are_the_schemas_own(version: str) -> None:
    # Every country and state the version's schema lists is accepted, and nothing else:
    # the sandbox keeps no list of its own that could drift from the schemas.
    docs = documents(version)
    countries, states = (
        docs.resolve({"$ref": f"address.schema.json#/$defs/{name}"}, docs.openapi_uri).contents[
            "enum"
        ]
        for name in ("countryCode", "stateCode")
    )
    for country, state in [*((c, "TX") for c in countries), *(("US", s) for s in states)]:
        check_body(version, REQUEST_SCHEMA, _with_address(version, country, state))
    for country, state, key in [
        ("XX", "TX", "country"),
        ("US", "XX", "state"),
        ("us", "TX", "country"),
    ]:
        with pytest.raises(ApiError) as refused:
            check_body(version, REQUEST_SCHEMA, _with_address(version, country, state))
        assert [problem.key for problem in refused.value.problems] == [f"address.{key}"]

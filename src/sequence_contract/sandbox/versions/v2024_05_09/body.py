"""The 2024-05-09 create/update body (CreateCustomerRequest, UpdateCustomerRequest).

The flat contact fields become contacts in the version-neutral store: `email` (with
`contactName`, or the legal name when none is given) the PRIMARY contact, each of
`billingEmails` a STANDARD contact, in order. How Sequence maps them is not documented; this
mapping lets `render.py` give back exactly what was sent. A replace sets every field, so
contacts added through 2024-07-30 are replaced too. Unknown fields are ignored.
"""

import re
from typing import Any

from sequence_contract.sandbox.errors import Problem, validation_failed
from sequence_contract.sandbox.models import Address, ContactDraft, CustomerDraft, IntegrationLink
from sequence_contract.sandbox.validation import (
    INVALID_TYPE,
    INVALID_VALUE,
    REQUIRED,
    Checker,
    JsonObject,
    join,
)
from sequence_contract.sandbox.versions.request_parts import read_address, read_integration_ids
from sequence_contract.sandbox.versions.v2024_05_09.enums import (
    COUNTRIES_REQUIRING_STATE,
    INTEGRATION_SERVICES,
    STATE_CODES_2024_05_09,
)
from sequence_contract.sandbox.versions.v2024_07_30.enums import TAX_STATUSES

PRIMARY, STANDARD = "PRIMARY", "STANDARD"
# ISO 8601 date and time with a zone, as the schemas' timestamp type accepts it (any number of
# fractional digits, optional seconds, a leap second).
TIMESTAMP = re.compile(
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]"
    r"(:([0-5][0-9]|60)(\.[0-9]+)?)?(Z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)$"
)


def _address(check: Checker, body: JsonObject) -> Address | None:
    return read_address(
        check,
        body,
        state_codes=STATE_CODES_2024_05_09,
        countries_requiring_state=COUNTRIES_REQUIRING_STATE,
    )


def _billing_emails(check: Checker, body: JsonObject) -> tuple[str, ...] | None:
    if "billingEmails" not in body:
        check.report("billingEmails", REQUIRED, "is required")
        return None
    return check.string_list(body, "billingEmails", "")


def _timestamp(check: Checker, fields: JsonObject, name: str, path: str) -> str | None:
    text = check.string(fields, name, path)
    if text is not None and not TIMESTAMP.match(text):
        check.report(join(path, name), INVALID_VALUE, "must be an ISO 8601 date-time with zone")
        return None
    return text


def _integration_ids(check: Checker, body: JsonObject) -> tuple[IntegrationLink, ...] | None:
    # This version's request IntegrationId carries lastSynced too; it is kept.
    return read_integration_ids(
        check,
        body,
        services=INTEGRATION_SERVICES,
        last_synced=lambda check, fields, path: _timestamp(check, fields, "lastSynced", path),
    )


def parse_customer_request(body: Any) -> CustomerDraft:
    """The draft for a valid body; raises one 400 validationError listing every bad field."""
    if not isinstance(body, dict):
        raise validation_failed([Problem(INVALID_TYPE, "The request body must be a JSON object")])
    check = Checker()
    legal_name = check.string(body, "legalName", "", required=True)
    contact_name = check.string(body, "contactName", "")
    address = _address(check, body)
    email = check.string(body, "email", "", required=True)
    billing_emails = _billing_emails(check, body)
    telephone = check.string(body, "telephone", "")
    url = check.string(body, "url", "")
    label = check.string(body, "label", "")
    tax_status = check.choice(body, "taxStatus", "", TAX_STATUSES, required=True)
    aliases = check.string_list(body, "customerAliases", "")
    integration_ids = _integration_ids(check, body)
    check.raise_if_any()
    # No problems were reported, so every required value is present.
    assert legal_name is not None
    assert address is not None
    assert email is not None
    assert billing_emails is not None
    assert tax_status is not None
    name = contact_name or legal_name
    contacts = (
        ContactDraft(name, email, PRIMARY),
        *(ContactDraft(name, billing, STANDARD) for billing in billing_emails),
    )
    return CustomerDraft(
        legal_name=legal_name,
        address=address,
        tax_status=tax_status,
        contacts=contacts,
        url=url,
        label=label,
        integration_ids=integration_ids or (),
        aliases=aliases,
        # "" clears a telephone a previous request set: this body replaces every field.
        telephone=telephone or "",
    )

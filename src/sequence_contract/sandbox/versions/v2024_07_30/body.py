"""The 2024-07-30 create/update body (CreateOrUpdateCustomerRequest) as a CustomerDraft.

Accepts what the documented schema accepts, plus the two rules its prose states: at least
one PRIMARY contact, and a state for US and Canadian addresses. Unknown fields are ignored.
"""

from typing import Any

from sequence_contract.sandbox.errors import Problem, validation_failed
from sequence_contract.sandbox.iso_codes import (
    COUNTRIES_REQUIRING_STATE,
    STATE_CODES,
)
from sequence_contract.sandbox.models import Address, ContactDraft, CustomerDraft, IntegrationLink
from sequence_contract.sandbox.validation import INVALID_TYPE, Checker, JsonObject, join
from sequence_contract.sandbox.versions.request_parts import read_address, read_integration_ids
from sequence_contract.sandbox.versions.v2024_07_30.enums import (
    BILLING_PREFERENCES,
    CUSTOMER_STATUSES,
    INTEGRATION_SERVICES,
    PUSH_TARGETS,
    TAX_STATUSES,
)

MISSING_PRIMARY_CONTACT = "missingPrimaryContact"


def _address(check: Checker, body: JsonObject) -> Address | None:
    return read_address(
        check, body, state_codes=STATE_CODES, countries_requiring_state=COUNTRIES_REQUIRING_STATE
    )


def _contacts(check: Checker, body: JsonObject) -> tuple[ContactDraft, ...] | None:
    items = check.array(body, "contacts", "", required=True)
    if items is None:
        return None
    drafts: list[ContactDraft] = []
    for index, item in enumerate(items):
        path = join("contacts", index)
        fields = check.object_value(item, path)
        if fields is None:
            continue
        name = check.string(fields, "name", path, required=True)
        email = check.string(fields, "email", path, required=True)
        preference = check.choice(
            fields, "billingPreference", path, BILLING_PREFERENCES, required=True
        )
        if name is not None and email is not None and preference is not None:
            drafts.append(ContactDraft(name, email, preference))
    if len(drafts) == len(items) and not any(d.billing_preference == "PRIMARY" for d in drafts):
        check.report(
            "contacts",
            MISSING_PRIMARY_CONTACT,
            "needs at least one contact with billingPreference PRIMARY",
        )
    return tuple(drafts)


def _integration_ids(check: Checker, body: JsonObject) -> tuple[IntegrationLink, ...] | None:
    return read_integration_ids(check, body, services=INTEGRATION_SERVICES)


def _push_targets(check: Checker, body: JsonObject) -> None:
    # Validated, then ignored: the sandbox has no integrations to push to.
    items = check.array(body, "pushToIntegrations", "")
    for index, item in enumerate(items or ()):
        check.choice_value(item, join("pushToIntegrations", index), PUSH_TARGETS)


def parse_customer_request(body: Any) -> CustomerDraft:
    """The draft for a valid body; raises one 400 validationError listing every bad field."""
    if not isinstance(body, dict):
        raise validation_failed([Problem(INVALID_TYPE, "The request body must be a JSON object")])
    check = Checker()
    legal_name = check.string(body, "legalName", "", required=True)
    address = _address(check, body)
    url = check.string(body, "url", "")
    label = check.string(body, "label", "")
    tax_status = check.choice(body, "taxStatus", "", TAX_STATUSES, required=True)
    aliases = check.string_list(body, "customerAliases", "")
    integration_ids = _integration_ids(check, body)
    parent_id = check.identifier(body, "parentId", "")
    contacts = _contacts(check, body)
    _push_targets(check, body)
    status = check.choice(body, "status", "", CUSTOMER_STATUSES)
    custom_properties = check.string_map(body, "customProperties", "")
    check.raise_if_any()
    # No problems were reported, so every required value is present.
    assert legal_name is not None
    assert address is not None
    assert tax_status is not None
    assert contacts is not None
    return CustomerDraft(
        legal_name=legal_name,
        address=address,
        tax_status=tax_status,
        contacts=contacts,
        url=url,
        label=label,
        status=status,
        integration_ids=integration_ids or (),
        aliases=aliases,
        parent_id=parent_id,
        custom_properties=custom_properties,
    )

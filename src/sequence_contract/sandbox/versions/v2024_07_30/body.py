"""The 2024-07-30 create/update body (CreateOrUpdateCustomerRequest) as a CustomerDraft.

Accepts what the documented schema accepts, plus the two rules its prose states: at least
one PRIMARY contact, and a state for US and Canadian addresses. Unknown fields are ignored.
"""

from typing import Any

from sequence_contract.sandbox.errors import Problem, validation_failed
from sequence_contract.sandbox.iso_codes import (
    COUNTRIES_REQUIRING_STATE,
    COUNTRY_CODES,
    STATE_CODES,
)
from sequence_contract.sandbox.models import Address, ContactDraft, CustomerDraft, IntegrationLink
from sequence_contract.sandbox.validation import INVALID_TYPE, REQUIRED, Checker, JsonObject, join
from sequence_contract.sandbox.versions.v2024_07_30.enums import (
    BILLING_PREFERENCES,
    CUSTOMER_STATUSES,
    INTEGRATION_SERVICES,
    PUSH_TARGETS,
    TAX_STATUSES,
)

MISSING_PRIMARY_CONTACT = "missingPrimaryContact"


def _address(check: Checker, body: JsonObject) -> Address | None:
    fields = check.mapping(body, "address", "", required=True)
    if fields is None:
        return None
    path = "address"
    line1 = check.string(fields, "line1", path, required=True)
    line2 = check.string(fields, "line2", path)
    town = check.string(fields, "town", path, required=True)
    postcode = check.string(fields, "postcode", path, required=True)
    country = check.choice(
        fields,
        "country",
        path,
        COUNTRY_CODES,
        required=True,
        describe="an ISO 3166-1 alpha-2 country code",
    )
    state = check.choice(
        fields, "state", path, STATE_CODES, describe="a US state or Canadian province code"
    )
    if country in COUNTRIES_REQUIRING_STATE and "state" not in fields:
        check.report(join(path, "state"), REQUIRED, f"is required when country is {country}")
    if line1 is None or town is None or postcode is None or country is None:
        return None
    return Address(
        line1=line1, line2=line2, town=town, state=state, postcode=postcode, country=country
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
    items = check.array(body, "integrationIds", "")
    if items is None:
        return None
    links: list[IntegrationLink] = []
    for index, item in enumerate(items):
        path = join("integrationIds", index)
        fields = check.object_value(item, path)
        if fields is None:
            continue
        service = check.choice(fields, "service", path, INTEGRATION_SERVICES, required=True)
        external_id = check.identifier(fields, "id", path, required=True)
        if service is not None and external_id is not None:
            links.append(IntegrationLink(service, external_id))
    return tuple(links)


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

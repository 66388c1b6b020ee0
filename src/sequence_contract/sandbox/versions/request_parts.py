"""Parts of a create/update body that every version reads the same way, but for its own
lists: the `address` (state codes, countries that need a state) and `integrationIds`
(services; 2024-05-09 also takes `lastSynced`)."""

from collections.abc import Callable, Collection

from sequence_contract.sandbox.iso_codes import COUNTRY_CODES
from sequence_contract.sandbox.models import Address, IntegrationLink
from sequence_contract.sandbox.validation import REQUIRED, Checker, JsonObject, join

# Reads an optional field of one integration id: (check, its fields, its path) -> value.
FieldReader = Callable[[Checker, JsonObject, str], str | None]


def read_address(
    check: Checker,
    body: JsonObject,
    *,
    state_codes: Collection[str],
    countries_requiring_state: Collection[str],
) -> Address | None:
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
        fields, "state", path, state_codes, describe="a US state or Canadian province code"
    )
    if country in countries_requiring_state and "state" not in fields:
        check.report(join(path, "state"), REQUIRED, f"is required when country is {country}")
    if line1 is None or town is None or postcode is None or country is None:
        return None
    return Address(
        line1=line1, line2=line2, town=town, state=state, postcode=postcode, country=country
    )


def read_integration_ids(
    check: Checker,
    body: JsonObject,
    *,
    services: Collection[str],
    last_synced: FieldReader | None = None,
) -> tuple[IntegrationLink, ...] | None:
    items = check.array(body, "integrationIds", "")
    if items is None:
        return None
    links: list[IntegrationLink] = []
    for index, item in enumerate(items):
        path = join("integrationIds", index)
        fields = check.object_value(item, path)
        if fields is None:
            continue
        service = check.choice(fields, "service", path, services, required=True)
        external_id = check.identifier(fields, "id", path, required=True)
        synced = last_synced(check, fields, path) if last_synced else None
        if service is not None and external_id is not None:
            links.append(IntegrationLink(service, external_id, last_synced=synced))
    return tuple(links)

"""The `address` of a create/update body, shared by every version: only the state list and
the countries that need a state differ."""

from collections.abc import Collection

from sequence_contract.sandbox.iso_codes import COUNTRY_CODES
from sequence_contract.sandbox.models import Address
from sequence_contract.sandbox.validation import REQUIRED, Checker, JsonObject, join


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

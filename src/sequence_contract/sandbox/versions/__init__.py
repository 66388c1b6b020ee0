"""The API versions the sandbox serves, selected by the `Sequence-Version` header.

Adding a version: a package like `v2024_07_30` (its operations, body parsing and customer
representation over the shared store) and an entry in SERVED_VERSIONS.
"""

from collections.abc import Mapping
from types import MappingProxyType

from sequence_contract.sandbox.errors import UNRECOGNISED_API_VERSION, ApiError
from sequence_contract.sandbox.versions import v2024_05_09, v2024_07_30
from sequence_contract.sandbox.versions.model import ApiVersion

DEFAULT_VERSION = "2024-07-30"  # the latest; used when the header is absent
SERVED_VERSIONS: Mapping[str, ApiVersion] = MappingProxyType(
    {version.name: version for version in (v2024_05_09.VERSION, v2024_07_30.VERSION)}
)


def resolve_version(requested: str | None) -> ApiVersion:
    """The version for a `Sequence-Version` header value; a 400 ApiError if not served."""
    if requested is None:
        return SERVED_VERSIONS[DEFAULT_VERSION]
    version = SERVED_VERSIONS.get(requested)
    if version is None:
        served = ", ".join(SERVED_VERSIONS)
        raise ApiError(
            400,
            UNRECOGNISED_API_VERSION,
            f"Unrecognised Sequence-Version {requested[:40]!r}; this server accepts: {served}",
        )
    return version

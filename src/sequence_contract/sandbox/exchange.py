"""One request as it moves through the pipeline. Faults may edit it before the API sees it."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from sequence_contract.sandbox.versions import ApiVersion


@dataclass
class SandboxExchange:
    method: str
    path: str
    query: Mapping[str, str]
    headers: dict[str, str]  # lower-case names; the first value of repeated headers
    version: ApiVersion | None = None  # set once the Sequence-Version header is resolved
    operation: str | None = None  # set once routed, e.g. "archiveCustomer"
    path_params: dict[str, str] = field(default_factory=dict)

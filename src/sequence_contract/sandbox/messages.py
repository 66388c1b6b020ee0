"""A request as it moves through the pipeline, and the answer before it becomes bytes.

Both stay plain data until `to_starlette`, so that faults can edit them.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.responses import Response, StreamingResponse

if TYPE_CHECKING:
    from sequence_contract.sandbox.versions import ApiVersion

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
VERSION_HEADER = "Sequence-Version"


@dataclass
class SandboxExchange:
    method: str
    path: str
    query: Mapping[str, str]
    headers: dict[str, str]  # lower-case names; the first value of repeated headers
    version: "ApiVersion | None" = None  # set once the Sequence-Version header is resolved
    operation: str | None = None  # set once routed, e.g. "archiveCustomer"
    path_params: dict[str, str] = field(default_factory=dict)


def json_bytes(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass
class ApiResponse:
    status: int
    body: Any = None  # a JSON document; None sends no body
    headers: dict[str, str] = field(default_factory=dict)

    def to_starlette(self) -> Response:
        if self.body is None:
            return Response(b"", status_code=self.status, headers=self.headers)
        # Starlette adds a charset only to text/* types, so the full value is given here.
        return Response(
            json_bytes(self.body), self.status, self.headers, media_type=JSON_CONTENT_TYPE
        )


@dataclass
class RawResponse(ApiResponse):
    """An answer whose bytes are given as is (broken, compressed or streamed bodies).

    `body` keeps the JSON document it came from, for information; the bytes are `raw`.
    Faults that produce one should run last: a later transform edits `body`, not `raw`.
    """

    raw: bytes = b""
    media_type: str | None = None
    chunk_size: int | None = None  # set: streamed with chunked transfer encoding

    def to_starlette(self) -> Response:
        if self.chunk_size is None:
            return Response(self.raw, self.status, self.headers, media_type=self.media_type)
        size = self.chunk_size
        chunks = [self.raw[i : i + size] for i in range(0, len(self.raw), size)]

        async def stream() -> Any:
            for chunk in chunks:
                yield chunk

        return StreamingResponse(stream(), self.status, self.headers, media_type=self.media_type)


def raw_response(
    response: ApiResponse, raw: bytes | None, media_type: str | None, **headers: str
) -> RawResponse:
    """`response` sent as these bytes (None: its JSON body's), with its headers plus `headers`."""
    merged = {
        name: value for name, value in response.headers.items() if name.lower() != "content-type"
    }
    merged.update({name.replace("_", "-"): value for name, value in headers.items()})
    if raw is None:
        raw = json_bytes(response.body)
    return RawResponse(response.status, response.body, merged, raw=raw, media_type=media_type)

"""The sandbox's response before it becomes bytes: status, headers and a JSON document.

Faults transform this structure, so it stays plain data until `to_starlette`.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
VERSION_HEADER = "Sequence-Version"


@dataclass
class ApiResponse:
    status: int
    body: Any = None  # a JSON document; None sends no body
    headers: dict[str, str] = field(default_factory=dict)

    def to_starlette(self) -> Response:
        if self.body is None:
            return Response(b"", status_code=self.status, headers=self.headers)
        content = json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        # Starlette adds a charset only to text/* types, so the full value is given here.
        return Response(
            content, status_code=self.status, headers=self.headers, media_type=JSON_CONTENT_TYPE
        )

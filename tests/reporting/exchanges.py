"""Building `Exchange` values for unit tests."""

from __future__ import annotations

from sequence_contract.http import Exchange

BASE_URL = "http://127.0.0.1:8080/api"


def exchange(
    method: str,
    path: str,
    status: int | None = 200,
    headers: dict[str, str] | None = None,
    body: bytes = b"{}",
) -> Exchange:
    return Exchange(
        method=method,
        url=BASE_URL + path,
        request_headers=headers or {},
        request_body=None,
        status=status,
        response_headers={"Content-Type": "application/json"},
        response_body=body,
        elapsed_seconds=0.01,
        error=None if status is not None else "unreachable",
    )

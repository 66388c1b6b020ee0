"""Masking a secret wherever it lands: inside other base64 values, and out of reprs."""

from __future__ import annotations

import base64

import pytest

from sequence_contract.redaction import MASK, Redactor
from tests.reporting.exchanges import exchange

SECRET = "Sx-9k/Q+eN=w&t%3Fz~report-secret"


@pytest.mark.parametrize("prefix", ["", "a", "ab", "someone-else:", "x" * 31])
def test_a_secret_inside_any_base64_value_is_masked(prefix: str) -> None:
    token = base64.b64encode(f"{prefix}{SECRET}trailing".encode()).decode()
    masked = Redactor([SECRET]).text(f"token={token}")
    assert MASK in masked
    assert token not in masked


def test_ordinary_text_is_left_alone() -> None:
    text = "sandbox clients and their secrets are documented in README.md"
    assert Redactor(["sandbox-client-secret"]).text(text) == text


def test_an_exchange_repr_shows_no_header_or_body() -> None:
    leaky = exchange("GET", "/customers", 200, {"Authorization": "Basic c2VjcmV0"}, b"secret")
    assert repr(leaky) == "<Exchange GET http://127.0.0.1:8080/api/customers -> 200>"

"""Request bodies for the customers the suite creates, per API version.

Every customer carries the run's label, so a person can find (and the suite can clean up) what
a run created on a shared account.
"""

from __future__ import annotations

from typing import Any

# The archive operation of each published version: PUT until 2024-07-30 moved it to POST.
ARCHIVE_METHOD = {"2024-01-01": "PUT", "2024-05-09": "PUT", "2024-07-30": "POST"}


def run_label(run_id: str) -> str:
    return f"sequence-contract run {run_id}"


def new_customer_body(version: str, run_id: str, serial: int) -> dict[str, Any]:
    """A valid create body for `version`, unique within the run."""
    name = f"Contract Test Customer {run_id}-{serial}"
    email = f"billing+{run_id}-{serial}@example.com"
    address = {"line1": "1 Test Street", "town": "London", "postcode": "EC1A 1BB", "country": "GB"}
    if version == "2024-05-09":
        return {
            "legalName": name,
            "contactName": "Contract Tester",
            "email": email,
            "billingEmails": [email],
            "address": address,
            "taxStatus": "TAXED",
            "label": run_label(run_id),
        }
    return {
        "legalName": name,
        "address": address,
        "taxStatus": "TAXED",
        "label": run_label(run_id),
        "contacts": [{"name": "Contract Tester", "email": email, "billingPreference": "PRIMARY"}],
        "customProperties": {"suite": "sequence-contract"},
    }

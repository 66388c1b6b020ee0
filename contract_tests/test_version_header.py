"""The Sequence-Version header on archive: documented values, absence, unknown values."""

from __future__ import annotations

from typing import Any

import pytest

from sequence_contract.documents import documents
from sequence_contract.schemas import PUBLISHED_VERSIONS, available_versions
from sequence_contract.suite import checks
from sequence_contract.suite.config import collection_version
from sequence_contract.suite.runtime import SuiteRuntime
from sequence_contract.target import ARCHIVE_PATH, archive_method

pytestmark = pytest.mark.destructive


def _archive_versions(version: str) -> list[str]:
    """The `Sequence-Version` values documented for the archive operation of `version`."""
    for parameter in documents(version).parameters(archive_method(version), ARCHIVE_PATH):
        if parameter.get("in") == "header" and parameter["name"].lower() == "sequence-version":
            return list(parameter["schema"]["enum"])
    raise LookupError(f"schemas/{version}/openapi.json: archive has no Sequence-Version parameter")


DOCUMENTED = _archive_versions(collection_version())
WITHOUT_ARCHIVE = [v for v in PUBLISHED_VERSIONS if v not in DOCUMENTED]
UNKNOWN = {
    "unknown-date": "2023-02-30",
    "future-date": "2099-01-01",
    "wrong-format": "30-07-2024",
    "no-dashes": "20240730",
    "word": "latest",
    "suffixed": "2024-07-30x",
    "two-values": "2024-07-30, 2024-05-09",
}
# HTTP strips whitespace around a field value, so a blank value reaches the server as empty.
BLANK = {"empty": ""}


def _archive(runtime: SuiteRuntime, customer_id: str, **kwargs: Any) -> Any:
    return runtime.archive(customer_id, **kwargs)


def test_absent_header_uses_the_default_version(
    runtime: SuiteRuntime, customer: dict[str, Any]
) -> None:
    # Without the header the API answers in the key's pinned version, or the latest: a GET
    # tells which, and archive must then work as that version documents it.
    probe = runtime.request("GET", f"/customers/{customer['id']}", version=None)
    checks.status_in(runtime, probe, {200}, "no Sequence-Version: the latest or pinned version")
    default = probe.headers.get("Sequence-Version", "")
    if default not in PUBLISHED_VERSIONS:
        checks.fail(
            runtime,
            probe,
            "response header Sequence-Version",
            f"{default!r} without a request header, expected a published version "
            f"({', '.join(PUBLISHED_VERSIONS)})",
        )

    if default not in available_versions():
        pytest.skip(f"no schemas for the default version {default}: its archive method is unknown")
    response = runtime.request(
        archive_method(default), f"/customers/{customer['id']}/archive", version=None
    )

    checks.status_in(runtime, response, {200}, f"archive as the default version {default}")
    checks.version_echo(runtime, response, default)
    if default == runtime.api_version:
        checks.conforms(runtime, response, "customer")


@pytest.mark.parametrize("version", DOCUMENTED)
@pytest.mark.parametrize(
    "header_name", ["Sequence-Version", "sequence-version", "SEQUENCE-VERSION"]
)
def test_documented_version_is_honoured(
    runtime: SuiteRuntime, customer: dict[str, Any], version: str, header_name: str
) -> None:
    response = _archive(runtime, customer["id"], version=None, headers={header_name: version})

    checks.status_in(runtime, response, {200}, f"documented version {version}")
    checks.conforms(runtime, response, "customer")
    checks.version_echo(runtime, response, version)


@pytest.mark.parametrize("value", UNKNOWN.values(), ids=UNKNOWN.keys())
def test_unknown_version_is_rejected(
    runtime: SuiteRuntime, shared_customer: dict[str, Any], value: str
) -> None:
    response = _archive(runtime, shared_customer["id"], version=value)

    checks.status_in(runtime, response, {400}, f"unknown Sequence-Version {value!r} (documented)")
    checks.error_envelope(runtime, response, "UnrecognisedApiVersion")


@pytest.mark.parametrize("value", BLANK.values(), ids=BLANK.keys())
def test_blank_version(runtime: SuiteRuntime, customer: dict[str, Any], value: str) -> None:
    response = _archive(runtime, customer["id"], version=value)

    if runtime.settings.expectations["empty-version-header"] == "as-absent":
        checks.status_in(runtime, response, {200}, "blank Sequence-Version read as absent")
    else:
        checks.status_in(
            runtime, response, {400}, "blank Sequence-Version (expectation empty-version-header)"
        )
        checks.error_envelope(runtime, response, "UnrecognisedApiVersion")


@pytest.mark.parametrize("value", WITHOUT_ARCHIVE or ["(none)"])
def test_version_without_this_archive_operation(
    runtime: SuiteRuntime, shared_customer: dict[str, Any], value: str
) -> None:
    if value == "(none)":
        pytest.skip("every published version documents this archive operation")
    response = _archive(runtime, shared_customer["id"], version=value)

    if runtime.settings.expectations["version-without-operation"] == "unrecognised-version":
        checks.status_in(runtime, response, {400}, f"{value} has no such archive operation")
        checks.error_envelope(runtime, response, "UnrecognisedApiVersion")
    else:
        checks.client_error(
            runtime,
            response,
            frozenset(range(400, 500)),
            f"{value} has no such archive operation (expectation version-without-operation)",
        )
    stored = runtime.request("GET", f"/customers/{shared_customer['id']}")
    if "archivedAt" in stored.json():
        pytest.fail(
            f"archive with Sequence-Version {value} archived customer {shared_customer['id']}"
        )

"""`upgrade-check --consumer`: the gate judged on a team's Pact or HAR file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sequence_contract.cli import main
from sequence_contract.sandbox import EmbeddedSandbox, SandboxConfig
from sequence_contract.target import Credentials, Target, TargetKind
from sequence_contract.upgrade import check as check_module
from sequence_contract.upgrade.check import (
    ReplaySettings,
    UpgradeCheck,
    interaction_rows,
    run_upgrade_check,
    summary_line,
)
from sequence_contract.upgrade.consumers.matching import BREAKS, NOT_VERIFIABLE, PASSES
from sequence_contract.upgrade.consumers.model import read_consumer
from sequence_contract.upgrade.consumers.usage import calls_of
from sequence_contract.upgrade.consumers.verify import verify_calls
from sequence_contract.upgrade.replay import open_session
from tests.upgrade.consumer_files import (
    ARCHIVE,
    CUSTOMER_ID,
    FROM,
    READ,
    READ_EMAIL,
    TO,
    Call,
    record_har,
    write_pact,
)

PACT_VERSIONS = [2, 3, 4]
BREAKING_DOCUMENTED = 17  # 2024-05-09 -> 2024-07-30 (see test_diff.py)


def _check(settings: ReplaySettings | None, *files: Path) -> UpgradeCheck:
    return run_upgrade_check(FROM, TO, replay_on=settings, consumers=list(files))


@pytest.fixture(scope="module")
def legal_name_dropped() -> Iterator[ReplaySettings]:
    """A sandbox whose customers lack `legalName` (fault drop-required-field)."""
    config = SandboxConfig(rate_limit_per_minute=1_000_000, faults=("drop-required-field",))
    with EmbeddedSandbox(config) as server:
        yield ReplaySettings(
            base_url=server.base_url,
            credentials=Credentials(config.client_id, config.client_secret),
        )


@pytest.mark.parametrize("spec", PACT_VERSIONS)
def test_a_reader_passes_with_every_breaking_change_listed_as_not_affecting_it(
    spec: int, tmp_path: Path, on_sandbox: ReplaySettings
) -> None:
    check = _check(on_sandbox, write_pact(tmp_path / "pact.json", spec, [READ]))
    breaking = [c for c in check.documented if c.breaking]
    assert check.passed, f"blocking: {[c.id for c in check.blocking]}"
    assert len(breaking) == BREAKING_DOCUMENTED
    assert check.consumers is not None
    assert not [c.id for c in breaking if check.consumers.affects(c)]
    [row] = interaction_rows(check)
    assert row["result"] == PASSES, row["why"]
    assert summary_line(check) == f"0 of 1 interaction breaks on {TO}"


@pytest.mark.parametrize("spec", PACT_VERSIONS)
@pytest.mark.parametrize(
    ("call", "change_id"),
    [
        (ARCHIVE, "operation-method-changed:/customers/{id}/archive"),
        (READ_EMAIL, "response-field-removed:Customer.email"),
    ],
    ids=["archive-with-put", "reads-email"],
)
def test_a_call_touched_by_a_breaking_change_fails_naming_it(
    spec: int, call: Call, change_id: str, tmp_path: Path, on_sandbox: ReplaySettings
) -> None:
    check = _check(on_sandbox, write_pact(tmp_path / "pact.json", spec, [call]))
    blocking = [c.id for c in check.blocking]
    assert not check.passed
    assert change_id in blocking, blocking
    [row] = interaction_rows(check)
    assert row["result"] == BREAKS
    assert any(w.startswith(change_id) for w in row["why"]), row["why"]
    # The live replay sees the break too, and the documented change explains it.
    assert check.consumers is not None
    assert check.consumers.found, "the live replay found nothing"
    assert all(change_id in c.explained_by for c in check.consumers.found), [
        (c.id, c.explained_by) for c in check.consumers.found
    ]


def test_only_the_breaking_changes_touching_the_calls_block(
    tmp_path: Path, on_sandbox: ReplaySettings
) -> None:
    check = _check(on_sandbox, write_pact(tmp_path / "pact.json", 3, [READ, ARCHIVE, READ_EMAIL]))
    assert sorted(c.id for c in check.blocking) == [
        "operation-method-changed:/customers/{id}/archive",
        "response-field-removed:Customer.email",
    ]
    assert summary_line(check) == f"2 of 3 interactions break on {TO}"


def test_a_create_is_affected_by_the_request_changes(tmp_path: Path) -> None:
    body = {
        "legalName": "Acme Ltd",
        "email": "billing@example.com",
        "billingEmails": ["billing@example.com"],
        "address": {"line1": "1 Road", "town": "London", "postcode": "EC1A 1BB", "country": "GB"},
        "taxStatus": "TAXED",
    }
    create = Call("create", "POST", "/customers", {"id": CUSTOMER_ID}, status=201, body=body)
    check = _check(None, write_pact(tmp_path / "pact.json", 3, [create]))
    blocking = {c.id for c in check.blocking}
    assert {
        "request-field-added-required:CreateOrUpdateCustomerRequest.contacts",
        "request-field-removed:CreateOrUpdateCustomerRequest.email",
        "request-field-removed:CreateOrUpdateCustomerRequest.billingEmails",
        "request-constraint-changed:Address#if",
    } <= blocking, blocking
    # Not sent: not affecting.
    assert "request-field-removed:CreateOrUpdateCustomerRequest.telephone" not in blocking


def _har_calls(kind: str) -> list[tuple[str, str, object]]:
    return {
        "read": [("GET", "/customers/{id}", None)],
        "archive": [("PUT", "/customers/{id}/archive", None)],
        "unknown-id": [("GET", f"/customers/{CUSTOMER_ID}", None)],
    }[kind]


@pytest.mark.parametrize(
    ("kind", "blocking_includes", "outcome"),
    [
        ("read", "response-field-removed:Customer.email", BREAKS),
        ("archive", "operation-method-changed:/customers/{id}/archive", BREAKS),
        ("unknown-id", None, PASSES),
    ],
)
def test_a_har_recorded_on_the_old_version(
    kind: str,
    blocking_includes: str | None,
    outcome: str,
    tmp_path: Path,
    replay_sandbox: EmbeddedSandbox,
    on_sandbox: ReplaySettings,
) -> None:
    config = replay_sandbox.config
    har = record_har(
        replay_sandbox.base_url, (config.client_id, config.client_secret), _har_calls(kind)
    )
    path = tmp_path / "calls.har"
    path.write_text(json.dumps(har), encoding="utf-8")
    check = _check(on_sandbox, path)
    [row] = interaction_rows(check)
    assert row["result"] == outcome, row["why"]
    blocking = [c.id for c in check.blocking]
    if blocking_includes is None:
        assert check.passed, blocking
    else:
        assert blocking_includes in blocking, blocking
    # The recording's credentials are neither replayed nor reported.
    assert config.client_secret not in json.dumps([r["why"] for r in interaction_rows(check)])


@pytest.mark.parametrize(
    ("relied", "passes"),
    [(["id", "legalName", "createdAt"], False), (["id", "createdAt"], True)],
    ids=["relies-on-the-dropped-field", "does-not-use-it"],
)
def test_live_verification_catches_an_undocumented_drop_only_where_it_matters(
    relied: list[str], passes: bool, tmp_path: Path, legal_name_dropped: ReplaySettings
) -> None:
    body = {k: v for k, v in READ.response_body.items() if k in relied}
    read = Call(
        "read", "GET", READ.path, body, rules={f"$.{k}": [{"match": "type"}] for k in relied}
    )
    check = _check(legal_name_dropped, write_pact(tmp_path / "pact.json", 3, [read]))
    assert check.passed is passes, [c.id for c in check.blocking]
    if not passes:
        assert [c.id for c in check.blocking] == [
            "consumer-response-mismatch:GET /customers/{id} $.legalName"
        ]
        [row] = interaction_rows(check)
        assert row["why"] == [
            "consumer-response-mismatch:GET /customers/{id} $.legalName: "
            "$.legalName: missing (expected string)"
        ]


@pytest.mark.parametrize(
    ("call", "reason"),
    [
        (
            Call("invoices", "GET", "/api/invoices/1", {"id": "1"}, state=None),
            "GET /invoices/1: not an operation of the 2024-05-09 documents",
        ),
        (
            Call("archive with POST", "POST", f"/customers/{CUSTOMER_ID}/archive", {"id": "1"}),
            f"POST /customers/{CUSTOMER_ID}/archive: the 2024-05-09 documents have no POST on "
            "/customers/{id}/archive (only PUT)",
        ),
        (
            Call("state", "GET", READ.path, {"id": "1"}, state="an invoice is overdue"),
            "provider state 'an invoice is overdue' cannot be set up by the gate",
        ),
        (
            Call("old", "GET", READ.path, {"id": "1"}, version="2024-01-01"),
            "sends Sequence-Version 2024-01-01; this check compares 2024-05-09 -> 2024-07-30",
        ),
        (
            Call("matcher", "GET", READ.path, {"id": "1"}, rules={"$.id": [{"match": "eachKey"}]}),
            "$.id: matcher 'eachKey' is not supported",
        ),
    ],
    ids=["unknown-path", "unknown-method", "provider-state", "other-version", "unknown-matcher"],
)
def test_calls_the_gate_cannot_judge_are_listed_with_the_reason(
    call: Call, reason: str, tmp_path: Path, on_sandbox: ReplaySettings
) -> None:
    check = _check(on_sandbox, write_pact(tmp_path / "pact.json", 3, [READ, call]))
    assert check.passed, [c.id for c in check.blocking]
    first, second = interaction_rows(check)
    assert first["result"] == PASSES
    assert second["result"] == NOT_VERIFIABLE
    assert any(reason in w for w in second["why"]), second["why"]


def test_documents_only_judges_statically(tmp_path: Path) -> None:
    check = _check(None, write_pact(tmp_path / "pact.json", 4, [READ, ARCHIVE]))
    outcomes = [r["result"] for r in interaction_rows(check)]
    assert outcomes == [NOT_VERIFIABLE, BREAKS]
    assert check.consumers is not None
    assert check.consumers.client is None  # nothing replayed


def test_on_a_read_only_host_only_safe_calls_are_replayed(
    tmp_path: Path, replay_sandbox: EmbeddedSandbox
) -> None:
    config = replay_sandbox.config
    target = Target(
        replay_sandbox.base_url,
        Credentials(config.client_id, config.client_secret),
        TargetKind.LIVE,
    )
    file = read_consumer(write_pact(tmp_path / "pact.json", 3, [READ, ARCHIVE]))
    calls = calls_of([file], FROM, TO)
    with open_session(target) as session:
        sent: list[str] = []
        session.hooks["response"].append(lambda r, *_, **__: sent.append(r.request.method))
        (read, archive), client = verify_calls(
            session, target, calls, TO, "read-only", writes_allowed=False
        )
    assert read.outcome == PASSES, read
    assert archive.outcome == NOT_VERIFIABLE
    assert archive.reason == "read-only host: only GET, HEAD and OPTIONS are replayed"
    assert set(sent) == {"GET"}, sent
    assert client.created == []


def test_where_writes_are_not_allowed_only_the_consumer_calls_are_replayed(
    tmp_path: Path, on_sandbox: ReplaySettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(check_module, "_writes_allowed", lambda _settings: False)
    check = _check(on_sandbox, write_pact(tmp_path / "pact.json", 3, [READ, ARCHIVE]))
    assert check.replays == ()
    assert "does not allow writes" in check.notes[0]
    assert check.consumers is not None
    assert check.consumers.client is not None
    assert check.consumers.client.created == []
    read, archive = interaction_rows(check)
    assert read["result"] == PASSES, read["why"]
    # The documents still say the archive breaks: static judgement needs no request.
    assert archive["result"] == BREAKS
    live = check.consumers.calls[1].live
    assert live is not None
    assert live.reason == "read-only host: only GET, HEAD and OPTIONS are replayed"


EXAMPLES = Path(__file__).parents[2] / "examples" / "consumers"


@pytest.mark.parametrize(
    ("files", "status", "last_line"),
    [
        (["customer-reader.pact.json"], 0, f"0 of 1 interaction breaks on {TO}"),
        (
            ["customer-reader.pact.json", "billing-sync.har"],
            1,
            f"2 of 3 interactions break on {TO}",
        ),
    ],
    ids=["pact", "pact-and-har"],
)
def test_the_readme_examples(
    files: list[str],
    status: int,
    last_line: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["upgrade-check", "--from", FROM, "--to", TO]
    argv += ["--html", str(tmp_path / "r.html"), "--json", str(tmp_path / "r.json")]
    for name in files:
        argv += ["--consumer", str(EXAMPLES / name)]
    assert main(argv) == status
    out = capsys.readouterr().out
    assert out.rstrip("\n").splitlines()[-1] == last_line
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["consumers"]["summary"] == last_line
    assert "Your calls" in (tmp_path / "r.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("limit", "affected"),
    [("10", set()), ("500", {"request-constraint-changed:GET /customers query.limit#maximum"})],
)
def test_a_new_bound_affects_only_a_value_outside_it(
    limit: str, affected: set[str], tmp_path: Path
) -> None:
    listing = Call(
        "list",
        "GET",
        "/api/customers",
        {"items": [{"id": CUSTOMER_ID}]},
        state=None,
        query={"limit": limit},
    )
    check = _check(None, write_pact(tmp_path / "pact.json", 3, [listing]))
    assert {c.id for c in check.blocking} == affected

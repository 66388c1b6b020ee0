"""`sequence-contract upgrade-check`: options, console output, report files, exit status."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sequence_contract.errors import SequenceContractError, UsageError
from sequence_contract.redaction import Redactor
from sequence_contract.target import ALLOW_HOST_VARIABLE, credentials_from_env
from sequence_contract.upgrade.check import ReplaySettings, run_upgrade_check
from sequence_contract.upgrade.report import as_json, console_text, html_text, json_text
from sequence_contract.upgrade.waivers import load_waivers

NAME = "upgrade-check"
# Exit statuses (README): CI tells "the upgrade breaks us" from "the check could not run".
OK = 0
BREAKING = 1
USAGE_ERROR = 2
ENVIRONMENT_BROKEN = 3

_DESCRIPTION = """\
Compare two Sequence-Versions for a client of the older one: the documented changes
(OpenAPI documents and JSON Schemas shipped with this package) and the observed ones
(the same operations replayed once per version on customers the check creates). A
breaking change blocks unless waived; an observed change that a documented one predicts
is judged with it. With --consumer files, only the changes that touch the calls in them
block, and each call is replayed under --to and checked against what it expects.

exit status: 0 no unwaived breaking change, 1 at least one, 2 usage error,
3 environment broken (unreachable, bad credentials, version not served)."""


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subcommands.add_parser(
        NAME,
        help="what breaks when moving to another Sequence-Version",
        description=_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for flag, help_text in (
        ("from", "the Sequence-Version the integration pins today"),
        ("to", "the Sequence-Version to move to"),
    ):
        parser.add_argument(
            f"--{flag}", dest=f"{flag}_version", required=True, metavar="VERSION", help=help_text
        )
    add = parser.add_argument
    add(
        "--base-url",
        metavar="URL",
        help="replay against this API root (credentials from SEQUENCE_CLIENT_ID / "
        "SEQUENCE_CLIENT_SECRET); default: an embedded sandbox",
    )
    add(
        "--allow-destructive-host",
        metavar="HOST",
        default=os.environ.get(ALLOW_HOST_VARIABLE) or None,
        help="allow the replay to create and archive customers on HOST although it is not the "
        f"Sequence sandbox (env {ALLOW_HOST_VARIABLE})",
    )
    add("--documents-only", action="store_true", help="compare the documents only, replay nothing")
    add(
        "--waivers",
        type=Path,
        metavar="FILE",
        help="YAML or TOML file of accepted changes (id, reason)",
    )
    add(
        "--consumer",
        dest="consumers",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="a Pact (v2, v3, v4) or HAR 1.2 file of your calls (repeatable): only changes "
        "that touch them block, and they are replayed under --to",
    )
    for report in ("html", "json"):
        help_text = f"{report.upper()} report (default reports/upgrade-FROM-TO.{report})"
        add(f"--{report}", type=Path, metavar="PATH", help=help_text)
    add(
        "--request-timeout",
        type=_positive,
        default=30.0,
        metavar="SECONDS",
        help="per-request timeout of the replay (default 30)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    redactor = Redactor()

    def print_error(*lines: str) -> None:
        for line in lines:
            print(redactor.text(f"sequence-contract {NAME}: {line}"), file=sys.stderr)

    try:
        # The embedded sandbox has its own credentials: the variables matter with --base-url.
        credentials = credentials_from_env() if args.base_url else None
        if credentials is not None:
            redactor.add_credentials(credentials.client_id, credentials.client_secret)
        check = run_upgrade_check(
            args.from_version,
            args.to_version,
            replay_on=None
            if args.documents_only
            else ReplaySettings(
                args.base_url, credentials, args.allow_destructive_host, args.request_timeout
            ),
            waivers=load_waivers(args.waivers) if args.waivers else (),
            waiver_file=args.waivers,
            consumers=args.consumers,
        )
        stem = f"reports/upgrade-{args.from_version}-{args.to_version}"
        written = [args.html or Path(f"{stem}.html"), args.json or Path(f"{stem}.json")]
        report = as_json(check)
        for path, text in zip(written, (html_text(report), json_text(report)), strict=True):
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(redactor.text(text), encoding="utf-8")
            except OSError as exc:
                raise UsageError(f"{path}: cannot write the report: {exc.strerror or exc}") from exc
    except UsageError as exc:
        # One line each, e.g. one per consumer file that cannot be used.
        print_error(*(f"error: {line}" for line in str(exc).splitlines() or [""]))
        return USAGE_ERROR
    except SequenceContractError as exc:
        # An EnvironmentProblem (unreachable, bad credentials, version not served), or the
        # package's own files or the embedded sandbox broken: not the user's input.
        print_error(f"environment: {exc}")
        return ENVIRONMENT_BROKEN
    used = len({w.where for w in check.waived.values()})
    print(redactor.text(console_text(report, used, [str(p) for p in written])))
    return OK if check.passed else BREAKING


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be > 0")
    return value

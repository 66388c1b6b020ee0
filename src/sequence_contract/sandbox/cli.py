"""`sequence-sandbox`: run the embedded sandbox until Ctrl-C or SIGTERM."""

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import NoReturn

from sequence_contract.sandbox.config import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    SandboxConfig,
    SandboxError,
)
from sequence_contract.sandbox.faults import FAULTS
from sequence_contract.sandbox.server import EmbeddedSandbox

PROG = "sequence-sandbox"
CLIENT_ID_ENV = "SEQUENCE_CLIENT_ID"
CLIENT_SECRET_ENV = "SEQUENCE_CLIENT_SECRET"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One readable line instead of argparse's usage block.
        self.exit(2, f"{PROG}: error: {message} (see {PROG} --help)\n")


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text!r}")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 0 to 65535, got {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Serve the Sequence Customers API (2024-07-30) locally, for testing.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8080, help="port; 0 picks a free one")
    parser.add_argument(
        "--db", type=Path, metavar="PATH", help="SQLite file kept between runs (default: temporary)"
    )
    parser.add_argument(
        "--rate-limit", type=_positive_int, default=1500, metavar="N", help="requests per minute"
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="switch on a fault (repeatable)",
    )
    parser.add_argument("--list-faults", action="store_true", help="list the faults and exit")
    parser.add_argument("--client-id", help=f"default: ${CLIENT_ID_ENV}, else {DEFAULT_CLIENT_ID}")
    parser.add_argument(
        "--client-secret",
        help=f"default: ${CLIENT_SECRET_ENV} (prefer it: arguments are visible to other users)",
    )
    return parser


def _fault_table() -> str:
    width = max(len(name) for name in FAULTS)
    return "\n".join(
        f"{fault.name:<{width}}  {fault.kind:<8}  {fault.description}"
        for fault in sorted(FAULTS.values(), key=lambda f: f.name)
    )


def _credentials(args: argparse.Namespace) -> tuple[str, str, str]:
    """The client id and secret, and the start-up line naming them (never the secret itself)."""
    client_id = args.client_id or os.environ.get(CLIENT_ID_ENV) or DEFAULT_CLIENT_ID
    if args.client_secret:
        secret, source = args.client_secret, "--client-secret"
    elif os.environ.get(CLIENT_SECRET_ENV):
        secret, source = os.environ[CLIENT_SECRET_ENV], f"${CLIENT_SECRET_ENV}"
    else:
        line = f"using default credentials: client id {client_id}, secret: (default, see README)"
        return client_id, DEFAULT_CLIENT_SECRET, line
    return client_id, secret, f"using credentials: client id {client_id}, secret: (from {source})"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.list_faults:
        print(_fault_table())
        return 0
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Installed before starting, so an early Ctrl-C also ends in a clean stop.
    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    client_id, secret, credentials_line = _credentials(args)
    try:
        config = SandboxConfig(
            client_id=client_id,
            client_secret=secret,
            db_path=args.db,
            rate_limit_per_minute=args.rate_limit,
            faults=tuple(args.fault),
        )
        sandbox = EmbeddedSandbox(config, host=args.host, port=args.port).start()
        print(credentials_line)
        if config.faults:
            print(f"faults on: {', '.join(config.faults)}")
        print(f"Sequence sandbox serving {sandbox.base_url} (Ctrl-C to stop)", flush=True)
        while not stop.wait(0.2):
            pass
        sandbox.stop()
    except SandboxError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

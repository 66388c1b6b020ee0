"""`sequence-contract`: one command, one subcommand per task; a subcommand's package adds itself
with `register(subcommands)` and sets `handler` (parsed arguments -> exit status)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from sequence_contract import __version__
from sequence_contract.upgrade import command as upgrade_command


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="sequence-contract", description="Contract tools for the Sequence Customers API."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    upgrade_command.register(parser.add_subparsers(dest="command", metavar="COMMAND"))
    args = parser.parse_args(argv)  # a bad command line exits 2 with argparse's message
    if args.command is None:
        parser.error("a command is required")  # usage and message on stderr, exit 2
    status: int = args.handler(args)
    return status

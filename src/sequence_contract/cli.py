"""`sequence-contract`: one command, one subcommand per task.

A subcommand lives in its own package and adds itself with `register(subcommands)`, setting
`handler` to a function that takes the parsed arguments and returns the exit status.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from sequence_contract import __version__
from sequence_contract.upgrade import command as upgrade_command


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sequence-contract", description="Contract tools for the Sequence Customers API."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND")
    upgrade_command.register(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # a bad command line exits 2 with argparse's message
    if args.command is None:
        parser.error("a command is required")  # usage and message on stderr, exit 2
    status: int = args.handler(args)
    return status

"""Load on the embedded sandbox: N concurrent clients for a bounded time, then a consistency check.

Starts the sandbox in its own process (`sequence-sandbox --port 0`) for every run, so that
client and server do not share a Python interpreter; each client repeats create, get,
update, list, archive. Prints per run: requests, throughput, latency p50/p90/p99, 5xx, requests
without an answer, customers created and archived, and the consistency check (every customer
created is listed and readable with its last update, every archive recorded); with
`--repeat`, the median of each figure too. Stops by itself: at `--seconds` or after
`--max-requests`, whichever comes first.

    python benchmarks/load_sandbox.py                          # 8 and 32 clients, 20 s, once
    python benchmarks/load_sandbox.py --clients 8,32 --repeat 3
    python benchmarks/load_sandbox.py --base-url http://127.0.0.1:8080/api   # a running one

Exit status 0 when no run saw a 5xx, a request without answer or an inconsistency; 1
otherwise; 4 for a bad option.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from load_driver import LoadResult, LoadSettings, run_load
from sequence_contract.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET

USAGE_ERROR = 4
MAX_SECONDS = 600.0
SERVER_START_SECONDS = 20.0
COLUMNS = ("clients", "run", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms", "5xx",
           "no answer", "created", "archived", "consistency")  # fmt: skip


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="8,32", help="comma-separated client counts")
    parser.add_argument("--seconds", type=float, default=20.0, help="per run (max 600)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="per run")
    parser.add_argument("--repeat", type=int, default=1, help="runs per client count")
    parser.add_argument(
        "--base-url",
        help="an already running sandbox (credentials from SEQUENCE_CLIENT_ID / "
        "SEQUENCE_CLIENT_SECRET); default: start one per run",
    )
    args = parser.parse_args(argv)
    try:
        args.client_counts = [int(n) for n in args.clients.split(",")]
    except ValueError:
        parser.exit(USAGE_ERROR, f"load_sandbox: --clients {args.clients!r}: expected 8,32\n")
    if not all(n > 0 for n in args.client_counts) or args.repeat < 1 or args.max_requests < 1:
        parser.exit(USAGE_ERROR, "load_sandbox: --clients, --repeat, --max-requests: > 0\n")
    if not 0 < args.seconds <= MAX_SECONDS:
        parser.exit(USAGE_ERROR, f"load_sandbox: --seconds must be in (0, {MAX_SECONDS:g}]\n")
    return args


@contextmanager
def sandbox_process() -> Iterator[str]:
    """A sandbox in a child process, without a meaningful rate limit; yields its base URL."""
    command = [sys.executable, "-m", "sequence_contract.sandbox.cli", "--port", "0",
               "--rate-limit", "100000000"]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEQUENCE_CLIENT")}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        yield _wait_for_url(process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_for_url(process: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + SERVER_START_SECONDS
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        match = re.search(r"serving (http://\S+/api)", line)
        if match:
            return match.group(1)
    raise SystemExit(f"the sandbox did not start within {SERVER_START_SECONDS:g} s")


def one_run(args: argparse.Namespace, clients: int) -> LoadResult:
    def settings(base_url: str, client_id: str, secret: str) -> LoadSettings:
        return LoadSettings(base_url, client_id, secret, clients, args.seconds, args.max_requests)

    if args.base_url:
        client_id = os.environ.get("SEQUENCE_CLIENT_ID", DEFAULT_CLIENT_ID)
        secret = os.environ.get("SEQUENCE_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)
        return run_load(settings(args.base_url.rstrip("/"), client_id, secret))
    with sandbox_process() as base_url:
        return run_load(settings(base_url, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET))


def figures(result: LoadResult) -> list[float]:
    return [result.requests, result.throughput, result.latency_ms(50), result.latency_ms(90),
            result.latency_ms(99), result.server_errors, result.no_answer,
            len(result.customers), result.archived]  # fmt: skip


def row(cells: Sequence[object]) -> str:
    widths = [max(len(title), 6) for title in COLUMNS]
    return "  ".join(f"{cell!s:>{width}}" for cell, width in zip(cells, widths, strict=True))


DECIMALS = (0, 1, 1, 1, 1, 0, 0, 0, 0)  # per figure: throughput and latencies to 0.1


def formatted(values: Sequence[float]) -> list[str]:
    return [f"{value:.{places}f}" for value, places in zip(values, DECIMALS, strict=True)]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    print(f"load: {args.seconds:g} s per run, at most {args.max_requests} requests, "
          f"{args.repeat} run(s) per client count; create, get, update, list, archive")  # fmt: skip
    print(row(COLUMNS))
    healthy = True
    for clients in args.client_counts:
        results = [one_run(args, clients) for _ in range(args.repeat)]
        for number, result in enumerate(results, 1):
            verdict = "ok" if not result.problems else f"{len(result.problems)} PROBLEMS"
            print(row([clients, number, *formatted(figures(result)), verdict]), flush=True)
            for problem in result.problems[:10]:
                print(f"    {problem}")
            healthy &= not result.problems and not result.server_errors and not result.no_answer
        if len(results) > 1:
            medians = [
                statistics.median(column) for column in zip(*map(figures, results), strict=True)
            ]
            print(row([clients, "median", *formatted(medians), ""]))
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())

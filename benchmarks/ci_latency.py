"""A `ci` run against a server far away: the embedded sandbox behind a proxy that adds latency.

Starts a sandbox (in this process, its own thread), a loopback proxy that holds every answer
for `--delay-ms` (default 150, a round trip to Sequence's hosts), and runs the contract suite
against the proxy in a fresh pytest process, once per `--in-flight` value. Prints per run: exit
status, wall time, requests seen by the proxy, the suite's own count and customers created.

    python benchmarks/ci_latency.py                        # 150 ms, --in-flight 1 and 4
    python benchmarks/ci_latency.py --delay-ms 100 --in-flight 4 --profile dev

Exit status 0 when every run exited 0, 1 otherwise.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))  # tests.suite.recording_proxy: test tooling

from tests.suite.recording_proxy import recording_proxy  # noqa: E402

from detection.process import clean_environment  # noqa: E402
from sequence_contract.sandbox import EmbeddedSandbox, SandboxConfig  # noqa: E402

CREDENTIALS = ("latency-bench", "latency-bench-secret")
SENT = re.compile(r"requests sent: (\d+);.*customers created: (\d+)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--delay-ms", type=float, default=150.0)
    parser.add_argument("--in-flight", default="1,4", help="comma-separated values to compare")
    parser.add_argument("--profile", default="ci", choices=("ci", "nightly", "dev"))
    args = parser.parse_args()
    widths = [int(v) for v in args.in_flight.split(",")]
    print(f"ci latency: {args.delay_ms:g} ms added to every answer, profile {args.profile}")
    print(f"{'in flight':>9} {'exit':>4} {'seconds':>8} {'proxy saw':>9} {'suite says':>10} "
          f"{'customers':>9}")  # fmt: skip
    failed = False
    config = SandboxConfig(client_id=CREDENTIALS[0], client_secret=CREDENTIALS[1])
    for width in widths:
        with (
            tempfile.TemporaryDirectory() as reports,
            EmbeddedSandbox(config) as sandbox,
            recording_proxy(sandbox.base_url, args.delay_ms / 1000) as (url, recording),
        ):
            environment = {
                **clean_environment(),
                "SEQUENCE_CLIENT_ID": CREDENTIALS[0],
                "SEQUENCE_CLIENT_SECRET": CREDENTIALS[1],
            }
            command = [
                sys.executable, "-m", "pytest", str(PROJECT_ROOT / "contract_tests"),
                "--rootdir", str(PROJECT_ROOT), "-c", str(PROJECT_ROOT / "pyproject.toml"),
                "-p", "no:cacheprovider", "-q", "--base-url", url,
                "--hypothesis-profile", args.profile, "--in-flight", str(width),
                "--html", f"{reports}/report.html", "--junitxml", f"{reports}/junit.xml",
            ]  # fmt: skip
            started = time.monotonic()
            done = subprocess.run(
                command, capture_output=True, text=True, env=environment, cwd=PROJECT_ROOT
            )
            seconds = time.monotonic() - started
        match = SENT.search(done.stdout)
        said, created = match.groups() if match else ("?", "?")
        print(f"{width:>9} {done.returncode:>4} {seconds:>8.1f} {len(recording.requests):>9} "
              f"{said:>10} {created:>9}")  # fmt: skip
        failed |= done.returncode != 0
        if done.returncode != 0:
            print(done.stdout[-2000:])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""`python -m tests.tooling.proxy_cli`: a HostileProxy in front of a server."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from tests.tooling.hostile_proxy import (
    EVERY_METHOD,
    IDEMPOTENT_METHODS,
    HostileProxy,
    Hostility,
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.tooling.proxy_cli",
        description="Relay HTTP to an upstream server, misbehaving like a bad network.",
    )
    parser.add_argument("--upstream", required=True, help="http://host:port of the real server")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free)")
    for name in ("throttle", "unavailable", "reset-before", "reset-after", "close-after"):
        parser.add_argument(f"--{name}", type=float, default=0.0, metavar="FRACTION")
    parser.add_argument("--idempotent-drops-only", action="store_true",
                        help="503s and resets only for idempotent methods")  # fmt: skip
    parser.add_argument("--retry-after", default="1", metavar="CHOICES",
                        help="Retry-After values of the proxy's 429s, picked at random, e.g. "
                        "0,1,none (none: no header)")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        hostility = Hostility(
            throttle=args.throttle,
            retry_after=tuple(
                None if value.strip() == "none" else value.strip()
                for value in args.retry_after.split(",")
            ),
            unavailable=args.unavailable,
            reset_before=args.reset_before,
            reset_after=args.reset_after,
            close_after=args.close_after,
            drop_methods=IDEMPOTENT_METHODS if args.idempotent_drops_only else EVERY_METHOD,
            seed=args.seed,
        )
        proxy = HostileProxy(args.upstream, hostility, port=args.port).start()
    except (ValueError, OSError) as exc:
        print(f"proxy_cli: error: {exc}", file=sys.stderr)
        return 2
    print(f"hostile proxy on {proxy.url()} -> {args.upstream} (Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        proxy.stop()
    print(", ".join(f"{action}: {n}" for action, n in proxy.actions.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

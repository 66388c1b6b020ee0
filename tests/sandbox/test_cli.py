"""`sequence-sandbox` as a user runs it: a subprocess, real signals, readable failures."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points

import pytest
import requests

from sequence_contract.sandbox import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET
from sequence_contract.sandbox.cli import main
from sequence_contract.sandbox.faults import FAULTS
from tests.sandbox.client import describe

COMMAND = [sys.executable, "-m", "sequence_contract.sandbox.cli"]
DEADLINE_SECONDS = 15.0
SERVING = re.compile(r"serving (http://\S+/api)")


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEQUENCE_")}
    env.update(extra)
    return env


class CliProcess:
    """The CLI in a subprocess; a thread collects its stdout so that reads have deadlines."""

    def __init__(self, *args: str, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [*COMMAND, "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.printed = ""
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def _drain(self) -> None:
        while not self.lines.empty():
            self.printed += self.lines.get_nowait()

    def base_url(self) -> str:
        """The base URL the CLI printed once serving."""
        deadline = time.monotonic() + DEADLINE_SECONDS
        while time.monotonic() < deadline:
            try:
                self.printed += self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            found = SERVING.search(self.printed)
            if found:
                return found.group(1)
        raise AssertionError(f"no base URL printed within {DEADLINE_SECONDS} s:\n{self.printed}")

    def stop(self, stop_signal: int = signal.SIGTERM) -> tuple[int, str]:
        """Signal the CLI; its exit code and stderr."""
        self.process.send_signal(stop_signal)
        code = self.process.wait(timeout=DEADLINE_SECONDS)
        self._reader.join(timeout=DEADLINE_SECONDS)
        self._drain()
        assert self.process.stderr is not None
        return code, self.process.stderr.read()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def launch() -> Iterator[Callable[..., CliProcess]]:
    started: list[CliProcess] = []

    def start(*args: str, env: dict[str, str]) -> CliProcess:
        started.append(CliProcess(*args, env=env))
        return started[-1]

    yield start
    for cli in started:
        cli.kill()


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_it_serves_until_signalled_then_exits_0(
    launch: Callable[..., CliProcess], stop_signal: signal.Signals
) -> None:
    cli = launch(env=cli_env())
    base_url = cli.base_url()
    printed = cli.printed
    assert (
        f"using default credentials: client id {DEFAULT_CLIENT_ID}, secret: (default, see README)"
        in printed
    ), printed
    assert DEFAULT_CLIENT_SECRET not in printed, printed
    response = requests.get(
        f"{base_url}/customers", auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET), timeout=5
    )
    assert response.status_code == 200, describe(response)
    code, err = cli.stop(stop_signal)
    assert code == 0, err
    assert "Traceback" not in err, err
    assert cli.printed.rstrip().endswith("stopped"), cli.printed


def test_credentials_come_from_the_environment_and_the_secret_is_not_printed(
    launch: Callable[..., CliProcess],
) -> None:
    secret = "env-secret-value-123"
    env = cli_env(SEQUENCE_CLIENT_ID="env-client", SEQUENCE_CLIENT_SECRET=secret)
    cli = launch("--fault", "drop-required-field", env=env)
    base_url = cli.base_url()
    printed = cli.printed
    assert "client id env-client" in printed, printed
    assert secret not in printed, printed
    ok = requests.get(f"{base_url}/customers", auth=("env-client", secret), timeout=5)
    assert ok.status_code == 200, describe(ok)
    assert all("legalName" not in item for item in ok.json()["items"]), describe(ok)
    default = requests.get(
        f"{base_url}/customers", auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET), timeout=5
    )
    assert default.status_code == 401, describe(default)
    code, err = cli.stop()
    assert code == 0, err
    assert secret not in cli.printed + err


def test_a_port_in_use_is_one_line_and_a_non_zero_exit() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = subprocess.run(
            [*COMMAND, "--port", port],
            capture_output=True,
            text=True,
            env=cli_env(),
            timeout=DEADLINE_SECONDS,
        )
    assert result.returncode != 0, result
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (["--rate-limit", "0"], 2, "--rate-limit"),
        (["--port", "70000"], 2, "--port"),
        (["--no-such-option"], 2, "unrecognized arguments"),
        (["--port", "0", "--fault", "no-such-fault"], 1, "known faults"),
    ],
    ids=["rate-limit", "port", "unknown-option", "unknown-fault"],
)
def test_bad_options_are_one_readable_line(
    args: list[str], code: int, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # main() installs its signal handlers before starting a server: put the originals back.
    originals = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        returned = main(args)
    except SystemExit as exit_:
        returned = exit_.code  # type: ignore[assignment]
    finally:
        for sig, handler in originals.items():
            signal.signal(sig, handler)
    err = capsys.readouterr().err
    assert returned == code, err
    assert err.count("\n") == 1, err
    assert expected in err, err
    assert "Traceback" not in err, err


def test_list_faults_names_every_fault(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list-faults"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in FAULTS), out


def test_the_console_script_points_at_main() -> None:
    [script] = [ep for ep in entry_points(group="console_scripts") if ep.name == "sequence-sandbox"]
    assert script.value == "sequence_contract.sandbox.cli:main"

"""Fixture modules of the project's own tests (one per topic), and the `slow` default.

`pytest tests` leaves out the tests marked `slow` (child pytest runs of the whole suite:
the fault-catalogue self-test, the hostile-network and report runs), so that the everyday
run stays short. `pytest tests -m slow` runs them; any `-m` expression decides on its own.
`.ci/run` runs both.
"""

from __future__ import annotations

import pytest

pytest_plugins = [
    "pytester",
    "tests.sandbox.fixtures",
    "tests.suite.fixtures",
    "tests.reporting.fixtures",
]

_SLOW_LEFT_OUT = pytest.StashKey[int]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("markexpr"):
        return
    slow = [item for item in items if item.get_closest_marker("slow") is not None]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if item.get_closest_marker("slow") is None]
    config.stash[_SLOW_LEFT_OUT] = len(slow)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    left_out = config.stash.get(_SLOW_LEFT_OUT, 0)
    if left_out:
        terminalreporter.write_line(
            f"{left_out} slow test(s) left out; run them with: pytest tests -m slow"
        )

"""Headless Chromium, for looking at a report the way a person's browser shows it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 120


def find_chromium() -> str:
    """The browser to use; CI must have one (`.ci/run` installs Debian's chromium)."""
    override = os.environ.get("SEQUENCE_REPORT_BROWSER")
    for name in ([override] if override else []) + list(NAMES):
        found = shutil.which(name)
        if found:
            return found
    message = "no Chromium found (looked for " + ", ".join(NAMES) + "); apt-get install chromium"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def chromium(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        # Lets the report's script finish rendering the results table before the dump.
        "--virtual-time-budget=10000",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)

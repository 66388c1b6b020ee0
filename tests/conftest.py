"""Fixture modules of the project's own tests (one per topic)."""

pytest_plugins = [
    "pytester",
    "tests.sandbox.fixtures",
    "tests.suite.fixtures",
    "tests.reporting.fixtures",
]

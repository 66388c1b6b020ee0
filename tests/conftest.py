"""Fixture modules of the project's own tests (one per topic)."""

pytest_plugins = ["tests.sandbox.fixtures"]

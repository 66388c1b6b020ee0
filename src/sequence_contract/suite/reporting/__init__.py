"""Reports of a contract run a person can act on: failure entries, grouping, overview, coverage.

`plugin` holds the pytest hooks (pytest-html, JUnit, console); the other modules are plain
functions and data classes that the hooks call, each testable on its own.
"""

"""Reports of a contract run a person can act on: failure entries, grouping, overview, coverage.

`reporter.ContractReporter` holds the pytest-html, JUnit and console hooks (the suite's plugin
registers it); the other modules are plain functions and data classes, each testable alone.
"""

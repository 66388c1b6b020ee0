"""Reports of a contract run a person can act on; `reporter.ContractReporter` holds the
pytest-html, JUnit and console hooks, the other modules are plain functions and data classes."""

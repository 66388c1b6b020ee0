"""Loads the contract suite's plugin and fixtures; all logic lives in the package."""

pytest_plugins = [
    "sequence_contract.suite.plugin",
    "sequence_contract.suite.fixtures",
    "sequence_contract.suite.reporting.plugin",
    "sequence_contract.suite.reporting.subtests",
    "sequence_contract.suite.stored",  # h11: registers the stored_as_sent schemathesis check
]

"""The contract suite's plugin, loaded for this folder only: `pytest tests` never starts a run."""

pytest_plugins = ["sequence_contract.suite.plugin"]

"""Marks the contract suite: pytest loads this file at start-up exactly when these tests are
collected, and the suite's plugin (installed with the package) then starts a run."""

CONTRACT_SUITE = True

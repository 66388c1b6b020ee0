"""Measuring whether a test tool notices a broken API: run the contract suite (or the peer,
`schemathesis run`) against the embedded sandbox with one fault switched on, and read what
it found, how fast and with how many requests."""

from .outcome import RunOutcome, Verdict
from .peer_runner import PeerRunner
from .suite_runner import SuiteRunner

__all__ = ["PeerRunner", "RunOutcome", "SuiteRunner", "Verdict"]

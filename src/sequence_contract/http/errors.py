"""Failures of the environment, kept apart from contract failures.

A test that ends in one of these did not learn anything about the contract: the report and the
exit status say "environment", not "contract broken".
"""

from sequence_contract.errors import SequenceContractError, error_behind


class EnvironmentProblem(SequenceContractError):
    """The API could not be asked: unreachable, too slow, or rate limited beyond patience."""


class TargetUnreachable(EnvironmentProblem):
    """No connection could be made (DNS, refused, TLS) or it dropped after every retry."""


class RequestTimedOut(EnvironmentProblem):
    """The server did not answer within the per-request timeout."""


class RateLimitExhausted(EnvironmentProblem):
    """The server kept answering 429 after every retry the policy allows."""


class ServiceUnavailable(EnvironmentProblem):
    """A gateway or overload answer (502, 503, 504) remained after every allowed retry, or came
    back to a request that may not be repeated (a create)."""


class BadCredentials(EnvironmentProblem):
    """The API refused the credentials on the very first call."""


class NotTheApi(EnvironmentProblem):
    """The base URL answers, but not like the Sequence API."""


class VersionNotServed(EnvironmentProblem):
    """The server refuses a Sequence-Version the run needs."""


def environment_problem_behind(error: BaseException | None) -> EnvironmentProblem | None:
    """The EnvironmentProblem behind a test error, if any."""
    return error_behind(error, EnvironmentProblem)

"""The one HTTP session every contract test uses, schemathesis calls included."""

from sequence_contract.http.errors import (
    EnvironmentProblem,
    RateLimitExhausted,
    RequestTimedOut,
    ServiceUnavailable,
    TargetUnreachable,
)
from sequence_contract.http.exchange import Exchange, TrafficLog
from sequence_contract.http.ratelimit import RateLimiter
from sequence_contract.http.session import ContractSession, RetryPolicy

__all__ = [
    "ContractSession",
    "EnvironmentProblem",
    "Exchange",
    "RateLimitExhausted",
    "RateLimiter",
    "RequestTimedOut",
    "RetryPolicy",
    "ServiceUnavailable",
    "TargetUnreachable",
    "TrafficLog",
]

"""The one HTTP session every contract test uses, schemathesis calls included."""

from sequence_contract.http.errors import EnvironmentProblem as EnvironmentProblem
from sequence_contract.http.errors import RateLimitExhausted as RateLimitExhausted
from sequence_contract.http.errors import RequestTimedOut as RequestTimedOut
from sequence_contract.http.errors import ServiceUnavailable as ServiceUnavailable
from sequence_contract.http.errors import TargetUnreachable as TargetUnreachable
from sequence_contract.http.exchange import Exchange as Exchange
from sequence_contract.http.exchange import TrafficLog as TrafficLog
from sequence_contract.http.ratelimit import RateLimiter as RateLimiter
from sequence_contract.http.session import ContractSession as ContractSession
from sequence_contract.http.session import RetryPolicy as RetryPolicy

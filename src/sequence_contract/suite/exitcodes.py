"""Exit statuses CI can act on (documented in the README)."""

OK = 0
CONTRACT_BROKEN = 1  # pytest's "tests failed": at least one contract check failed
USAGE_ERROR = 4  # pytest's usage error: a bad option, missing credentials
ENVIRONMENT_BROKEN = 10  # unreachable, bad credentials, timeouts, rate limit beyond patience

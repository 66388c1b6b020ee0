"""Masks credentials in log records before any handler (console, file, report) formats them."""

from __future__ import annotations

import logging

from sequence_contract.redaction import Redactor


class RedactingFilter(logging.Filter):
    def __init__(self, redactor: Redactor) -> None:
        super().__init__("sequence-contract-redaction")
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redactor.text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_text:
            record.exc_text = self.redactor.text(record.exc_text)
        return True


def install(handlers: list[logging.Handler | None], redactor: Redactor) -> None:
    """Add the filter to each handler once (a filter on a logger misses propagated records)."""
    for handler in handlers:
        if handler is None:
            continue
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter(redactor))

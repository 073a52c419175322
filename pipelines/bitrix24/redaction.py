"""Keeps the webhook token out of every log line, ours and the libraries' (urllib3 logs request
paths at DEBUG, dlt's REST client logs URLs): a filter on their loggers rewrites the record."""

from __future__ import annotations

import logging

# Loggers that can see request URLs.
_LOGGERS = ("urllib3.connectionpool", "dlt", "crm_warehouse")


class TokenFilter(logging.Filter):
    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg = message.replace(self.secret, "***")
            record.args = None
        return True


def hide_from_logs(secret: str) -> None:
    if not secret:
        return
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenFilter) and f.secret == secret for f in logger.filters):
            logger.addFilter(TokenFilter(secret))

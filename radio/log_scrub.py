"""No secret in any log line: feed tokens in URLs and API tokens in headers are replaced before a record is written."""

from __future__ import annotations

import logging
import re

# ``token=…`` in a query string (feed links), ``Bearer …`` headers, and API tokens wherever they appear.
_SECRETS = re.compile(r"((?:[?&;]|\b)token=)[^&\s\"']+|(Bearer\s+)\S+|\brad_[A-Za-z0-9_\-]{8,}", re.IGNORECASE)


def scrub(text: str) -> str:
    """``text`` with every token replaced by ``[redacted]``."""
    return _SECRETS.sub(lambda m: f"{m.group(1) or m.group(2) or ''}[redacted]", text)


class TokenScrubber(logging.Filter):
    """A logging filter that rewrites each record's message without tokens (the record is kept)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Scrub the formatted message in place."""
        message = record.getMessage()
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


SCRUBBED_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "radio", "web", "huey", "")


def install(logger_names: tuple[str, ...] = SCRUBBED_LOGGERS) -> None:
    """Put the scrubber on these loggers and on every handler of the root logger (idempotent)."""
    targets: list[logging.Filterer] = [logging.getLogger(name) for name in logger_names]
    targets += logging.getLogger().handlers
    for target in targets:
        if not any(isinstance(f, TokenScrubber) for f in target.filters):
            target.addFilter(TokenScrubber())

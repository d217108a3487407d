"""Logging filters of the console log (``LOGGING`` in settings)."""

from __future__ import annotations

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """A refused request (403: missing permission, module off) is an expected answer, not a crash: log
    its one line ("Forbidden (Permission denied): /path") without the exception's traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403 and record.exc_info:
            record.exc_info = None
            record.exc_text = None
        return True

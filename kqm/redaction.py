"""Secrets carried in URLs never reach a log line or an error report.

Four kinds of link are a key in themselves: a password reset and an invitation
(``/account/reset/<uid>/<token>/``), a staff or parent questionnaire answered without an
account (``/audits/questionnaires/answer/<token>/``) and an evaluator's calendar feed
(``/programme/calendar/<token>.ics``). Whoever reads the logs must not be able to use them,
so the secret part is replaced by ``[redacted]`` in every log line (``redact_log_event``,
the last step before a line is written), in gunicorn's access log (``kqm.gunicorn_logger``)
and in what is sent to Sentry (``redact_sentry_event``).
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[redacted]"
_SECRET_IN_PATH = re.compile(
    r"(/account/(?:reset|invitation)/[^/\s\"'?#]+/|/questionnaires/answer/|/calendar/)"
    r"[^/\s\"'?#]+"
)


def redact(text: str) -> str:
    """``text`` with the secret part of each such link replaced."""
    return _SECRET_IN_PATH.sub(lambda match: match.group(1) + REDACTED, text)


def redacted(value: Any) -> Any:
    """``value`` with every string in it redacted (in dicts, lists and tuples too)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redacted(item) for item in value)
    return value


def redact_log_event(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """A structlog processor: every value of the line, nested ones too."""
    return {key: redacted(value) for key, value in event_dict.items()}


def redact_sentry_event(event: dict[str, Any], _hint: dict[str, Any]) -> dict[str, Any]:
    """Sentry's ``before_send``: the request's URL, the breadcrumbs and messages."""
    return redacted(event)

"""One place that turns request text into numbers.

``str.isdigit()`` accepts “²” and “١٢”, and ``int()`` accepts them too, with spaces and
underscores, and any length: a 40-digit id then overflows the database and the page fails
with a 500. These helpers accept plain ASCII digits of sensible length only, and answer
``None`` for anything else, so that a view can show its default, a 400 or a 404.
"""

from __future__ import annotations

import re
from typing import Any

# The largest value of a BigAutoField / bigint column.
MAX_ID = 2**63 - 1
_DIGITS = re.compile(r"[0-9]{1,19}")
_SIGNED = re.compile(r"-?[0-9]{1,18}")


def parse_id(raw: Any) -> int | None:
    """A record id from a query string, a form or a JSON body: 1 to ``MAX_ID``, else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 1 <= raw <= MAX_ID else None
    if not isinstance(raw, str) or not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


def parse_int(raw: Any, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
    """A whole number (optionally signed) within the bounds given, else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _SIGNED.fullmatch(raw):
        value = int(raw)
    else:
        return None
    if minimum is not None and value < minimum:
        return None
    if maximum is not None and value > maximum:
        return None
    return value


def revision_of(raw: Any) -> int:
    """The revision a form was loaded at; -1 (always stale) when it is not a number."""
    number = parse_int(raw, minimum=0)
    return -1 if number is None else number


def required(value: int | None) -> int:
    """The parsed number, or ValueError for a request body that must carry one."""
    if value is None:
        raise ValueError("not a number")
    return value


def is_digits(raw: Any, *, max_length: int = 19) -> bool:
    """True for a non-empty run of ASCII digits (never “²” or “١”)."""
    return (
        isinstance(raw, str) and 0 < len(raw) <= max_length and _DIGITS.fullmatch(raw) is not None
    )

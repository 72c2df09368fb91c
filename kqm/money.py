"""Money as people read it: £8,347.50. The one way amounts are written, in templates
(the ``pounds`` filter, ``kqm/templatetags/money.py``) and in Python alike."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PENNY = Decimal("0.01")


def format_pounds(value: object) -> str:
    """£8,347.50; a negative amount as −£12.00; nothing (None or blank) as an en dash."""
    if value is None or value == "":
        return "–"
    try:
        amount = Decimal(str(value)).quantize(PENNY, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(value)
    sign = "−" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"

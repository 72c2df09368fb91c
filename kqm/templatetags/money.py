"""Money as people read it, on every page, PDF and email: ``{{ amount|pounds }}``.

A builtin of the template engine (``TEMPLATES[...]["OPTIONS"]["builtins"]``), so no
template needs to load it, and no amount is written any other way.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

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


@register.filter
def pounds(value: object) -> str:
    return format_pounds(value)

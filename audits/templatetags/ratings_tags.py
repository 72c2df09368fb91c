"""Template filters for rating audits: means to 2 dp and signed differences."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()

MINUS = "\u2212"


@register.filter
def score_mean(value: Decimal | None) -> str:
    """4.5 -> "4.50"; no value -> an en dash."""
    if value is None:
        return "–"
    return f"{Decimal(value):.2f}"


@register.filter
def signed(value: Decimal | None) -> str:
    """A difference with its sign: "+0.50", "−0.25" (a real minus sign), "0.00"."""
    if value is None:
        return "–"
    value = Decimal(value)
    if value > 0:
        return f"+{value:.2f}"
    if value < 0:
        return f"{MINUS}{abs(value):.2f}"
    return f"{value:.2f}"


@register.filter
def percent(value: Decimal | None) -> str:
    return "–" if value is None else f"{value}%"


@register.inclusion_tag("audits/ratings/_change.html")
def change(value: Decimal | None, direction: str) -> dict[str, Any]:
    """A difference shown by sign, arrow and words as well as colour."""
    return {"value": value, "direction": direction}

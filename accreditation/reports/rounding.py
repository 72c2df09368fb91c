"""The one rounding rule of the reports: half up, as a spreadsheet shows it (31.25 → 31.3)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


def round_half_up(value: float | int | Fraction | Decimal, places: int = 1) -> float:
    """``value`` rounded half away from zero to ``places`` decimal places.

    Floats are taken at their shortest decimal form (``str``), so 0.125 is 0.13 to two places
    as it reads, not the binary value just below it.
    """
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(str(value))
    step = Decimal(1).scaleb(-places)
    return float(exact.quantize(step, rounding=ROUND_HALF_UP)) + 0.0  # never "-0"


def percent(part: int, whole: int, places: int = 1) -> float | None:
    """``part`` of ``whole`` as a percentage, rounded half up; None when nothing to share."""
    if not whole:
        return None
    return round_half_up(Fraction(100 * part, whole), places)

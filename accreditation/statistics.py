"""Small, exact statistics for the outcomes report, in pure Python.

* ``wilson(k, n)``: the Wilson score interval for a proportion (no continuity correction),
  as R's ``prop.test(k, n, correct=FALSE)$conf.int`` and statsmodels' ``method="wilson"``.
* ``newcombe(k1, n1, k2, n2)``: Newcombe's hybrid score interval for the difference of two
  independent proportions (his method 10, 1998), built from the two Wilson intervals.
* ``weighted_difference(k, n, strata)``: the same construction (the "MOVER" of Zou and
  Donner) for a proportion against a weighted mean of independent proportions, such as a
  comparison group's rate standardised to the KQM settings' mix of previous grades. With
  one stratum it is exactly Newcombe's interval.
* ``weighted_rate(strata)``: that weighted mean of proportions with its interval.
* ``fisher_exact(a, b, c, d)``: the two-sided p-value of Fisher's exact test of a 2×2
  table, summing every table with the same margins that is no more likely than the one
  seen (R's ``fisher.test`` and scipy's ``fisher_exact``, with the same relative tolerance).

Each is checked against R and scipy outputs in ``tests/accreditation/test_statistics.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054  # the 97.5th centile of the standard normal distribution


@dataclass(frozen=True)
class Interval:
    estimate: float
    low: float
    high: float

    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


def wilson(k: int, n: int, z: float = Z95) -> Interval:
    """The Wilson score interval for ``k`` successes out of ``n`` (``n`` at least 1)."""
    if n <= 0 or not 0 <= k <= n:
        raise ValueError("Need 0 <= k <= n and n >= 1.")
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    if k == 0:
        low = 0.0
    if k == n:
        high = 1.0
    return Interval(p, low, high)


def _mover(estimate: float, first: Interval, others: Sequence[tuple[float, Interval]]) -> Interval:
    """``first`` minus the weighted sum of ``others`` ((weight, interval) pairs)."""
    low_sq = (first.estimate - first.low) ** 2
    high_sq = (first.high - first.estimate) ** 2
    for weight, other in others:
        low_sq += (weight * (other.high - other.estimate)) ** 2
        high_sq += (weight * (other.estimate - other.low)) ** 2
    return Interval(estimate, estimate - math.sqrt(low_sq), estimate + math.sqrt(high_sq))


def newcombe(k1: int, n1: int, k2: int, n2: int, z: float = Z95) -> Interval:
    """Newcombe's interval for ``k1/n1 - k2/n2`` (hybrid score, no continuity correction)."""
    first, second = wilson(k1, n1, z), wilson(k2, n2, z)
    return _mover(first.estimate - second.estimate, first, [(1.0, second)])


def weighted_difference(
    k: int, n: int, strata: Sequence[tuple[float, int, int]], z: float = Z95
) -> Interval:
    """``k/n`` minus ``sum(weight * k_i / n_i)`` over ``strata`` of (weight, k_i, n_i).

    The weights are the first group's shares of each stratum and should add up to 1.
    """
    first = wilson(k, n, z)
    others = [(weight, wilson(k_i, n_i, z)) for weight, k_i, n_i in strata]
    rate = sum(weight * other.estimate for weight, other in others)
    return _mover(first.estimate - rate, first, others)


def weighted_rate(strata: Sequence[tuple[float, int, int]], z: float = Z95) -> Interval:
    """``sum(weight * k_i / n_i)`` over ``strata`` of (weight, k_i, n_i), with the interval
    built the same way from each stratum's Wilson interval (one stratum: Wilson's own)."""
    intervals = [(weight, wilson(k_i, n_i, z)) for weight, k_i, n_i in strata]
    rate = sum(weight * i.estimate for weight, i in intervals)
    low = math.sqrt(sum((weight * (i.estimate - i.low)) ** 2 for weight, i in intervals))
    high = math.sqrt(sum((weight * (i.high - i.estimate)) ** 2 for weight, i in intervals))
    return Interval(rate, max(0.0, rate - low), min(1.0, rate + high))


def _log_comb(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher_exact(a: int, b: int, c: int, d: int) -> float:
    """Two-sided p-value of Fisher's exact test for the table ``[[a, b], [c, d]]``."""
    if min(a, b, c, d) < 0:
        raise ValueError("Counts cannot be negative.")
    row1, col1, total = a + b, a + c, a + b + c + d
    low, high = max(0, col1 - (total - row1)), min(row1, col1)
    if low == high:
        return 1.0
    denominator = _log_comb(total, col1)

    def log_p(x: int) -> float:
        return _log_comb(row1, x) + _log_comb(total - row1, col1 - x) - denominator

    observed = log_p(a)
    # R's fisher.test counts tables within a relative tolerance of 1e-7 as equally likely.
    threshold = observed + math.log1p(1e-7)
    p = sum(math.exp(lp) for x in range(low, high + 1) if (lp := log_p(x)) <= threshold)
    return min(1.0, p)

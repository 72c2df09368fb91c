"""The outcomes report's statistics against R and scipy.

The constants were computed with scipy 1.x (``scipy.stats.fisher_exact``) and statsmodels
(``proportion_confint(method="wilson")``, ``confint_proportions_2indep(method="newcomb")``);
the Wilson and Newcombe ones are also the published examples of Newcombe (1998), and
R's ``fisher.test(matrix(c(3, 1, 1, 3), 2))`` gives 0.4857 for the tea-tasting table.
"""

from __future__ import annotations

import pytest

from accreditation import statistics
from accreditation.reports.rounding import percent, round_half_up

WILSON = [
    (81, 263, 0.2552885199, 0.3662095770),
    (15, 148, 0.0623863995, 0.1604872417),
    (0, 20, 0.0, 0.1611251581),
    (1, 29, 0.0061132143, 0.1717552188),
    (57, 72, 0.6843073658, 0.8694794502),
    (5, 16, 0.1416464385, 0.5559564417),
]
NEWCOMBE = [
    ((56, 70, 48, 80), 0.0524314724, 0.3338726540),
    ((9, 10, 3, 10), 0.1705227239, 0.8090179735),
    ((6, 7, 2, 7), 0.0582279275, 0.8062496375),
    ((5, 56, 0, 29), -0.0381371479, 0.1925600139),
    ((0, 10, 0, 20), -0.1611251581, 0.2775327999),
    ((10, 10, 0, 20), 0.6790860371, 1.0),
    ((57, 72, 41, 100), 0.2363146224, 0.5016476086),
]
FISHER = [
    ((3, 1, 1, 3), 0.485714285714),
    ((8, 2, 1, 5), 0.034965034965),
    ((57, 15, 41, 59), 5.0779834818e-07),
    ((0, 5, 0, 7), 1.0),
    ((1, 9, 11, 3), 0.00275945618522),
    ((10, 10, 10, 10), 1.0),
]


@pytest.mark.parametrize(("k", "n", "low", "high"), WILSON)
def test_wilson_interval(k, n, low, high):
    interval = statistics.wilson(k, n)
    assert interval.estimate == k / n
    assert interval.low == pytest.approx(low, abs=1e-9)
    assert interval.high == pytest.approx(high, abs=1e-9)


@pytest.mark.parametrize(("counts", "low", "high"), NEWCOMBE)
def test_newcombe_difference_interval(counts, low, high):
    k1, n1, k2, n2 = counts
    interval = statistics.newcombe(k1, n1, k2, n2)
    assert interval.estimate == pytest.approx(k1 / n1 - k2 / n2)
    assert interval.low == pytest.approx(low, abs=1e-9)
    assert interval.high == pytest.approx(high, abs=1e-9)


@pytest.mark.parametrize(("table", "p"), FISHER)
def test_fisher_exact_two_sided(table, p):
    assert statistics.fisher_exact(*table) == pytest.approx(p, rel=1e-9)


def test_weighted_difference_is_newcombe_with_one_stratum_and_mixes_strata():
    one = statistics.weighted_difference(56, 70, [(1.0, 48, 80)])
    assert (one.low, one.high) == pytest.approx((0.0524314724, 0.3338726540), abs=1e-9)
    # Two strata weighted 0.25 / 0.75: the estimate is the weighted mean's difference and
    # the interval is wider than either stratum's share of it alone would make it.
    mixed = statistics.weighted_difference(15, 20, [(0.25, 2, 10), (0.75, 6, 10)])
    assert mixed.estimate == pytest.approx(0.75 - (0.25 * 0.2 + 0.75 * 0.6))
    assert mixed.low < mixed.estimate < mixed.high
    assert not mixed.excludes_zero()


def test_weighted_rate_is_wilson_with_one_stratum():
    one = statistics.weighted_rate([(1.0, 57, 72)])
    assert (one.low, one.high) == pytest.approx((0.6843073658, 0.8694794502), abs=1e-9)
    mixed = statistics.weighted_rate([(0.5, 30, 60), (0.5, 10, 40)])
    assert mixed.estimate == pytest.approx(0.375)
    assert mixed.low < 0.375 < mixed.high


def test_bad_counts_are_refused():
    with pytest.raises(ValueError):
        statistics.wilson(3, 2)
    with pytest.raises(ValueError):
        statistics.fisher_exact(-1, 2, 3, 4)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [(31.25, 1, 31.3), (87.5, 0, 88.0), (62.45, 1, 62.5), (0.125, 2, 0.13), (-2.5, 0, -3.0)],
)
def test_round_half_up(value, places, expected):
    assert round_half_up(value, places) == expected


def test_percent_rounds_the_exact_share_half_up():
    assert percent(5, 16) == 31.3  # 31.25: a spreadsheet shows 31.3, round() gives 31.2
    assert percent(1, 8) == 12.5
    assert percent(1, 3) == 33.3
    assert percent(0, 0) is None
    assert str(round_half_up(-0.04, 1)) == "0.0"  # no "-0.0" on the page

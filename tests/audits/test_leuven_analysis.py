"""Zones, distributions, trends, gaps and moderation agreement on hand-built examples.

Every expected figure is worked out by hand in the comments beside it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from audits.leuven_analysis import (
    FLAGS,
    BreakdownRow,
    ChildInfo,
    ModerationPair,
    ScoreRecord,
    TermFigures,
    Trend,
    agreement,
    breakdown,
    breakdowns,
    child_trends,
    distribution,
    mean,
    one_per_child_and_term,
    percent,
    room_of_each_child,
    trend_counts,
    zone_shares,
)
from audits.models import zone_for

AUTUMN, SPRING, SUMMER = "autumn", "spring", "summer"


def figures(row: BreakdownRow, term: str) -> TermFigures:
    found = row.term(term)
    assert found is not None, term
    return found


def rec(child: int, term: str, wb: int | None, inv: int | None, **extra) -> ScoreRecord:
    return ScoreRecord(child_id=child, term=term, wellbeing=wb, involvement=inv, **extra)


@pytest.mark.parametrize(
    ("wellbeing", "involvement", "zone"),
    [
        (1, 1, "red"),
        (2, 5, "red"),  # below 3 on either scale
        (5, 2, "red"),
        (2, 3, "red"),  # red beats amber
        (3, 5, "amber"),  # exactly 3 on one scale
        (5, 3, "amber"),
        (3, 3, "amber"),
        (4, 4, "green"),
        (4, 5, "green"),
        (5, 5, "green"),
        (None, 4, None),  # a child needs both scores to have a zone
        (2, None, None),
        (None, None, None),
    ],
)
def test_zone_rules(wellbeing, involvement, zone):
    assert zone_for(wellbeing, involvement) == zone


def test_rounding_of_percentages_and_means():
    assert percent(1, 8) == 13  # 12.5 rounds half up
    assert percent(1, 6) == 17  # 16.67
    assert percent(2, 6) == 33  # 33.33
    assert percent(0, 0) is None
    assert mean([3, 4]) == Decimal("3.5")
    assert mean([4, 4, 5]) == Decimal("4.3")  # 4.333
    assert mean([1, 2, 2, 2]) == Decimal("1.8")  # 1.75 rounds half up
    assert mean([]) is None


def test_distribution_counts_each_score_and_the_unscored():
    scores = [rec(1, AUTUMN, 1, 2), rec(2, AUTUMN, 2, 2), rec(3, AUTUMN, 3, None)]
    scores += [rec(4, AUTUMN, 5, 4), rec(5, AUTUMN, 5, 5)]
    result = distribution(scores)
    assert result.wellbeing == {1: 1, 2: 1, 3: 1, 4: 0, 5: 2}
    assert result.involvement == {1: 0, 2: 2, 3: 0, 4: 1, 5: 1}
    assert (result.wellbeing_unscored, result.involvement_unscored) == (0, 1)
    assert result.rows()[4] == (5, "Extremely high", 2, 1)


def test_zone_shares_of_children_with_both_scores():
    scores = [
        rec(1, AUTUMN, 2, 4),  # red
        rec(2, AUTUMN, 3, 4),  # amber
        rec(3, AUTUMN, 3, 3),  # amber
        rec(4, AUTUMN, 4, 4),  # green
        rec(5, AUTUMN, 5, 5),  # green
        rec(6, AUTUMN, 4, 5),  # green
        rec(7, AUTUMN, None, 3),  # no zone: left out
    ]
    shares = zone_shares(scores)
    assert (shares.red, shares.amber, shares.green, shares.total) == (1, 2, 3, 6)
    # 1/6 = 16.7 -> 17, 2/6 = 33.3 -> 33, 3/6 = 50; red or amber 3/6 = 50
    assert (shares.red_percent, shares.amber_percent, shares.green_percent) == (17, 33, 50)
    assert (shares.red_or_amber, shares.red_or_amber_percent) == (3, 50)


def test_trend_compares_the_first_and_last_screening_with_both_scores_on_the_sum():
    oct6, nov20 = datetime.date(2026, 10, 6), datetime.date(2026, 11, 20)
    scores = [
        # A: 2+3=5 in autumn, 3+3=6 in spring, 4+4=8 in summer -> improved by 3
        rec(1, SUMMER, 4, 4),
        rec(1, AUTUMN, 2, 3),
        rec(1, SPRING, 3, 3),
        # B: 4+4=8 -> 3+5=8: the same, though well-being fell by 1 and involvement rose by 1
        rec(2, AUTUMN, 4, 4),
        rec(2, SUMMER, 3, 5),
        # C: 10 in autumn, 8 in spring; summer has one scale only so spring is the last -> declined
        rec(3, AUTUMN, 5, 5),
        rec(3, SPRING, 4, 4),
        rec(3, SUMMER, None, 3),
        # D: both scores in one screening only -> not enough screenings
        rec(4, AUTUMN, 3, 3),
        rec(4, SPRING, 4, None),
        # E: first complete screening is spring: 2+2 -> 2+2 = same
        rec(5, AUTUMN, None, None),
        rec(5, SPRING, 2, 2),
        rec(5, SUMMER, 2, 2),
        # G moved room in the autumn and was screened twice: the later (4+4) counts,
        # so autumn 8 -> spring 8 is the same, not 4 -> 8 improved
        rec(7, AUTUMN, 2, 2, group_id=1, date=oct6, screening_id=1),
        rec(7, AUTUMN, 4, 4, group_id=2, date=nov20, screening_id=2),
        rec(7, SPRING, 4, 4, group_id=2, date=datetime.date(2027, 2, 9), screening_id=3),
    ]
    trends = child_trends(scores)
    assert {child: t.trend for child, t in trends.items()} == {
        1: Trend.IMPROVED,
        2: Trend.SAME,
        3: Trend.DECLINED,
        4: Trend.NOT_ENOUGH,
        5: Trend.SAME,
        7: Trend.SAME,
    }
    a = trends[1]
    assert a.first is not None and a.last is not None
    assert (a.first.term, a.last.term) == (AUTUMN, SUMMER)
    assert (a.wellbeing_change, a.involvement_change, a.total_change) == (2, 1, 3)
    assert (trends[2].wellbeing_change, trends[2].involvement_change) == (-1, 1)
    last = trends[3].last
    assert last is not None and (last.term, trends[3].total_change) == (SPRING, -2)
    assert trends[4].total_change is None
    first = trends[5].first
    assert first is not None and first.term == SPRING

    counts = trend_counts(trends.values())
    assert (counts.improved, counts.same, counts.declined, counts.not_enough) == (1, 3, 1, 1)
    # of the 5 children with a trend: 1/5 = 20%, 3/5 = 60%, 1/5 = 20%
    assert (counts.improved_percent, counts.same_percent, counts.declined_percent) == (20, 60, 20)

    assert room_of_each_child(scores)[7] == 2  # the room of their latest screening
    kept = [r for r in one_per_child_and_term(scores) if r.child_id == 7]
    assert [(r.term, r.group_id) for r in kept] == [(AUTUMN, 2), (SPRING, 2)]


# Six children in one room, screened in autumn and summer; children 1 and 2 speak English
# as an additional language.
GAP_SCORES = [
    rec(1, AUTUMN, 2, 3),  # red;   summer amber: 5 -> 7 improved
    rec(1, SUMMER, 3, 4),
    rec(2, AUTUMN, 3, 3),  # amber; summer amber: 6 -> 6 same
    rec(2, SUMMER, 3, 3),
    rec(3, AUTUMN, 4, 4),  # green; summer green: 8 -> 9 improved
    rec(3, SUMMER, 5, 4),
    rec(4, AUTUMN, 3, 4),  # amber; summer green: 7 -> 9 improved
    rec(4, SUMMER, 4, 5),
    rec(5, AUTUMN, 5, 5),  # green; summer green: 10 -> 8 declined
    rec(5, SUMMER, 4, 4),
    rec(6, AUTUMN, 4, 5),  # green; autumn only: not enough screenings
]
GAP_CHILDREN = {
    1: ChildInfo(1, "C1", gender="girl", eal=True),
    2: ChildInfo(2, "C2", gender="boy", eal=True),
    3: ChildInfo(3, "C3", eal=False),
    4: ChildInfo(4, "C4", eal=False),
    5: ChildInfo(5, "C5", eal=False, send=True),
    6: ChildInfo(6, "C6", eal=False),
}
SPEC = {spec.name: spec for spec in FLAGS}


def test_breakdown_by_a_yes_no_flag_shows_the_gap():
    result = breakdown(GAP_SCORES, GAP_CHILDREN, SPEC["eal"])
    eal, not_eal = result.rows
    assert (eal.label, eal.children, not_eal.label, not_eal.children) == ("EAL", 2, "Not EAL", 4)
    assert result.terms == [AUTUMN, SUMMER]

    # EAL, autumn: red (2,3) and amber (3,3): 2 of 2 red or amber; well-being (2+3)/2 = 2.5,
    # involvement (3+3)/2 = 3.0
    autumn = figures(eal, AUTUMN)
    assert (autumn.children, autumn.zones.red, autumn.zones.amber) == (2, 1, 1)
    assert autumn.zones.red_or_amber_percent == 100
    assert (autumn.mean_wellbeing, autumn.mean_involvement) == (Decimal("2.5"), Decimal("3.0"))
    # EAL, summer: (3,4) and (3,3), both amber: 100%; well-being 3.0, involvement 3.5
    summer = figures(eal, SUMMER)
    assert summer.zones.red_or_amber_percent == 100
    assert (summer.mean_wellbeing, summer.mean_involvement) == (Decimal("3.0"), Decimal("3.5"))
    # trends: child 1 improved, child 2 the same -> 50% improved
    assert (eal.trends.improved, eal.trends.same, eal.trends.declined) == (1, 1, 0)
    assert eal.trends.improved_percent == 50

    # Not EAL, autumn: 3 green, 4 amber, 5 green, 6 green -> 1 of 4 = 25%;
    # well-being (4+3+5+4)/4 = 4.0, involvement (4+4+5+5)/4 = 4.5
    autumn = figures(not_eal, AUTUMN)
    assert (autumn.children, autumn.zones.red_or_amber_percent) == (4, 25)
    assert (autumn.mean_wellbeing, autumn.mean_involvement) == (Decimal("4.0"), Decimal("4.5"))
    # Not EAL, summer: (5,4), (4,5), (4,4): all green, 0%; means 13/3 = 4.3 and 13/3 = 4.3
    summer = figures(not_eal, SUMMER)
    assert (summer.children, summer.zones.red_or_amber_percent) == (3, 0)
    assert (summer.mean_wellbeing, summer.mean_involvement) == (Decimal("4.3"), Decimal("4.3"))
    # trends: 3 and 4 improved, 5 declined, 6 not enough -> 2 of 3 = 67% improved
    counts = not_eal.trends
    assert (counts.improved, counts.same, counts.declined, counts.not_enough) == (2, 0, 1, 1)
    assert counts.improved_percent == 67

    # The gap, in summer (the latest term both have): EAL minus not EAL
    gap = result.gap
    assert gap is not None and gap.term == SUMMER
    assert gap.mean_wellbeing == Decimal("-1.3")  # 3.0 - 4.3
    assert gap.mean_involvement == Decimal("-0.8")  # 3.5 - 4.3
    assert gap.red_or_amber_points == 100  # 100% - 0%
    assert gap.improved_points == -17  # 50% - 67%
    # one cell per term of the breakdown, for the table
    assert [cell.term if cell else None for cell in eal.cells] == [AUTUMN, SUMMER]


def test_breakdown_by_a_flag_with_several_values_leaves_out_empty_values():
    result = breakdown(GAP_SCORES, GAP_CHILDREN, SPEC["gender"])
    assert [(row.label, row.children) for row in result.rows] == [
        ("Girl", 1),
        ("Boy", 1),
        ("Not recorded", 4),
    ]
    assert result.gap is None
    girl = result.rows[0]
    assert figures(girl, AUTUMN).zones.red == 1 and girl.trends.improved == 1


def test_a_yes_no_flag_nobody_has_still_shows_both_rows_and_no_gap():
    result = breakdown(GAP_SCORES, GAP_CHILDREN, SPEC["looked_after"])
    assert [(row.label, row.children) for row in result.rows] == [
        ("Looked after", 0),
        ("Not looked after", 6),
    ]
    assert result.rows[0].terms == [] and result.gap is None


def test_breakdowns_cover_every_flag_and_can_use_trends_from_a_wider_year():
    assert [b.name for b in breakdowns(GAP_SCORES, GAP_CHILDREN)] == [
        "eal",
        "send",
        "funded_two",
        "looked_after",
        "gender",
        "age_band",
    ]
    # Only children 1 and 3 "belong" here (e.g. the others ended the year in another room).
    own = {1: child_trends(GAP_SCORES)[1], 3: child_trends(GAP_SCORES)[3]}
    result = breakdown(GAP_SCORES, GAP_CHILDREN, SPEC["eal"], own)
    assert [(row.children, row.trends.improved) for row in result.rows] == [(1, 1), (1, 1)]


def test_moderation_agreement_exact_and_within_one_point_per_scale():
    pairs = [
        ModerationPair(1, 3, 4, 3, 4),  # well-being exact, involvement exact
        ModerationPair(2, 2, 4, 3, 4),  # well-being within one, involvement exact
        ModerationPair(3, 5, 2, 3, 2),  # well-being two apart, involvement exact
        ModerationPair(4, None, 3, 4, 5),  # well-being not scored by the setting; inv. two apart
    ]
    result = agreement(pairs)
    assert result.sampled == 4 and result.moderated
    wb, inv = result.wellbeing, result.involvement
    assert (wb.compared, wb.exact, wb.within_one) == (3, 1, 2)
    assert (wb.exact_percent, wb.within_one_percent) == (33, 67)  # 1/3, 2/3
    assert (inv.compared, inv.exact, inv.within_one) == (4, 3, 3)
    assert (inv.exact_percent, inv.within_one_percent) == (75, 75)
    empty = agreement([])
    assert not empty.moderated and empty.wellbeing.exact_percent is None

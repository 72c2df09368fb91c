"""Learning progress figures: shares per area and term, change for the same children, gaps
by group, the link with well-being and involvement, and small numbers not shown."""

from __future__ import annotations

import datetime

from audits import progress_analysis as analysis
from audits.leuven_analysis import ChildInfo, ScoreRecord
from audits.models import AREA_FIELDS

D = datetime.date(2026, 10, 1)


def rec(child: int, term: str, checkpoint: int = 1, date=D, **judgements: str):
    values = dict.fromkeys(AREA_FIELDS, "")
    values.update(judgements)
    return analysis.ProgressRecordData(child, term, values, checkpoint, date)


def leuven(child: int, term: str, wellbeing: int, involvement: int) -> ScoreRecord:
    rank = {"autumn": 1, "spring": 2, "summer": 3}[term]
    return ScoreRecord(child, term, wellbeing, involvement, screening_id=rank)


def test_share_at_or_above_expected_per_area_and_term():
    records = [rec(c, "autumn", cl="below" if c < 3 else "expected") for c in range(8)]
    records += [rec(c, "spring", cl="above" if c < 6 else "below", pd="expected") for c in range(8)]
    report = analysis.progress_report(records, {}, [])
    assert report.terms == ["autumn", "spring"]
    cl = report.areas[0]
    assert (cl.terms[0].children, cl.terms[0].at_or_above, cl.terms[0].percent) == (8, 5, 63)
    assert cl.terms[1].percent == 75
    psed = report.areas[1]
    assert psed.terms[0].children == 0 and psed.terms[0].percent is None
    assert report.areas[2].terms[1].percent == 100


def test_a_child_judged_twice_in_a_term_counts_once_with_the_later_checkpoint():
    early = rec(1, "autumn", checkpoint=1, date=D, cl="below")
    late = rec(1, "autumn", checkpoint=2, date=D + datetime.timedelta(days=9), cl="above")
    assert analysis.one_per_child_and_term([late, early]) == [late]


def test_small_numbers_are_not_shown():
    report = analysis.progress_report([rec(c, "autumn", cl="expected") for c in range(4)], {}, [])
    share = report.areas[0].terms[0]
    assert (share.children, share.shown, share.percent) == (4, False, None)
    five = analysis.share_of(["expected"] * 4 + ["below"])
    assert (five.shown, five.percent) == (True, 80)


def test_change_between_terms_takes_the_same_children_only():
    autumn = [rec(c, "autumn", cl="below") for c in range(6)]
    spring = [rec(c, "spring", cl="expected" if c < 4 else "below") for c in range(6)]
    spring += [rec(c, "spring", cl="above") for c in range(10, 20)]  # new children
    summer = [rec(c, "summer", cl="below" if c == 0 else "above") for c in range(6)]
    report = analysis.progress_report(autumn + spring + summer, {}, [])
    labels = [change.label for change in report.changes]
    assert labels == ["Autumn to Spring", "Spring to Summer", "Autumn to Summer"]
    cl = report.changes[0].areas[0][1]
    assert (cl.children, cl.before_percent, cl.after_percent, cl.points) == (6, 0, 67, 67)
    assert (cl.moved_up, cl.moved_down) == (4, 0)
    spring_summer = report.changes[1].areas[0][1]
    assert (spring_summer.moved_up, spring_summer.moved_down) == (5, 1)


def test_gaps_by_group_in_the_latest_term():
    children = {c: ChildInfo(c, gender="boy" if c < 6 else "girl", eal=c < 2) for c in range(12)}
    records = [rec(c, "autumn", cl="below") for c in range(12)]
    records += [rec(c, "spring", cl="expected" if c >= 3 else "below") for c in range(12)]
    gaps = {g.spec.name: g for g in analysis.progress_report(records, children, []).gaps}
    boys_girls = gaps["gender"].cells[0]
    assert gaps["gender"].term == "spring"
    assert (boys_girls.with_group.percent, boys_girls.without.percent) == (50, 100)
    assert boys_girls.points == -50
    eal = gaps["eal"].cells[0]
    assert eal.with_group.children == 2 and eal.with_group.percent is None
    assert eal.points is None  # two EAL children: not shown


def test_the_link_compares_children_who_rose_out_of_red_or_amber_with_those_who_stayed():
    scores, records = [], []
    for c in range(5):  # rose: red in autumn, green in summer; moved up in CL
        scores += [leuven(c, "autumn", 2, 4), leuven(c, "summer", 4, 5)]
        records += [rec(c, "autumn", cl="below"), rec(c, "summer", cl="expected")]
    for c in range(5, 11):  # stayed amber; stayed below except one
        scores += [leuven(c, "autumn", 3, 4), leuven(c, "summer", 3, 3)]
        records += [
            rec(c, "autumn", cl="below"),
            rec(c, "summer", cl="expected" if c == 5 else "below"),
        ]
    for c in range(11, 14):  # green from the start: too few to show
        scores += [leuven(c, "autumn", 4, 4), leuven(c, "summer", 5, 5)]
        records += [rec(c, "autumn", cl="expected"), rec(c, "summer", cl="above")]
    scores.append(leuven(99, "autumn", 1, 1))  # one screening only: no path
    rows = {row.path: row for row in analysis.progress_report(records, {}, scores).link}
    rose, stayed, green = rows["rose"], rows["stayed"], rows["green"]
    assert (rose.children, stayed.children, green.children) == (5, 6, 3)
    rose_cl, stayed_cl = rose.areas[0][1], stayed.areas[0][1]
    assert (rose_cl.before_percent, rose_cl.after_percent, rose_cl.moved_up_percent) == (
        0,
        100,
        100,
    )
    assert (stayed_cl.before_percent, stayed_cl.after_percent, stayed_cl.moved_up) == (0, 17, 1)
    assert not green.shown and green.areas[0][1].moved_up_percent is None
    assert rose.areas[1][1].children == 0  # PSED never judged

"""Outcomes against Ofsted: each headline figure worked out by hand on a built data set."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accreditation.reports.outcomes import Period, before_after, outcome_table
from settings.models import Inspection, Sector, Setting
from settings.ofsted import Framework, Grade
from tests.accreditation.award_factories import AwardFactory

AWARD_DAY = datetime.date(2009, 3, 1)
PERIOD = Period(datetime.date(2009, 9, 1), datetime.date(2010, 8, 31))
_urns = itertools.count(500000)

EIF_AREAS = (
    "quality_of_education",
    "behaviour_and_attitudes",
    "personal_development",
    "leadership_and_management",
)
AREAS_2008 = (
    "quality_of_provision",
    "being_healthy",
    "staying_safe",
    "enjoying_and_achieving",
    "positive_contribution",
    "economic_wellbeing",
    "leadership_and_management",
)


def make_settings(sector: str, grades: list[str], day=datetime.date(2010, 1, 15)) -> list[Setting]:
    """One setting per grade, each inspected once on ``day`` under the 2008 framework."""
    settings = Setting.objects.bulk_create(
        [
            Setting(
                urn=f"EY{next(_urns)}", name=f"Setting {i}", sector=sector, provider_type="other"
            )
            for i, _ in enumerate(grades)
        ]
    )
    Inspection.objects.bulk_create(
        [
            Inspection(
                setting=s,
                framework=Framework.EYFS_2008,
                inspection_date=day,
                overall_effectiveness=g,
                judgements=dict.fromkeys(AREAS_2008, g),
            )
            for s, g in zip(settings, grades, strict=True)
        ]
    )
    return settings


def award(setting: Setting, day: datetime.date = AWARD_DAY):
    return AwardFactory(accreditation__setting=setting, award_date=day)


OUT, GOOD, SAT, RI, INAD = (
    Grade.OUTSTANDING,
    Grade.GOOD,
    Grade.SATISFACTORY,
    Grade.REQUIRES_IMPROVEMENT,
    Grade.INADEQUATE,
)


@pytest.mark.django_db
def test_seed_shaped_table_pvi_and_maintained():
    # PVI: 153 inspected; 6 accredited (3 outstanding, 3 good).
    pvi = make_settings(Sector.PVI, [OUT] * 28 + [GOOD] * 106 + [SAT] * 19)
    for s in pvi[:3] + pvi[28:31]:
        award(s)
    # Maintained: 122 inspected; 16 accredited (5 outstanding, 9 good, 2 satisfactory).
    maintained = make_settings(Sector.MAINTAINED, [OUT] * 8 + [GOOD] * 72 + [SAT] * 42)
    for s in maintained[:5] + maintained[8:17] + maintained[80:82]:
        award(s)

    table = outcome_table(sector=Sector.PVI, period=PERIOD)
    assert (table.accredited_graded, table.all_graded) == (6, 153)
    assert table.accredited_outstanding_percent == 50.0  # 3 / 6
    assert table.all_outstanding_percent == round(100 * 28 / 153, 1) == 18.3
    assert table.accredited_good_or_better_percent == 100.0  # 6 / 6
    assert table.all_good_or_better_percent == round(100 * 134 / 153, 1) == 87.6

    table = outcome_table(sector=Sector.MAINTAINED, period=PERIOD)
    assert (table.accredited_graded, table.all_graded) == (16, 122)
    assert table.accredited_outstanding_percent == round(100 * 5 / 16, 1) == 31.2
    assert table.all_outstanding_percent == round(100 * 8 / 122, 1) == 6.6
    assert table.accredited_good_or_better_percent == round(100 * 14 / 16, 1) == 87.5
    assert table.all_good_or_better_percent == round(100 * 80 / 122, 1) == 65.6
    rows = {row.grade: (row.accredited, row.all) for row in table.rows}
    assert rows == {OUT: (5, 8), GOOD: (9, 72), SAT: (2, 42), INAD: (0, 0)}


@pytest.mark.django_db
def test_accredited_means_holding_an_award_at_the_inspection_date():
    before, during, after, revoked = make_settings(Sector.PVI, [OUT, OUT, OUT, OUT])
    award(before, datetime.date(2010, 6, 1))  # awarded after the inspection
    award(during, datetime.date(2009, 1, 1))
    award(after, datetime.date(2005, 1, 1))  # expired in 2008
    a = award(revoked, datetime.date(2009, 1, 1))
    a.revoked_at = datetime.datetime(2009, 12, 1, tzinfo=datetime.UTC)
    a.revocation_reason = "Withdrawn"
    a.save()
    table = outcome_table(sector=Sector.PVI, period=PERIOD)
    assert (table.accredited_inspected, table.all_inspected) == (1, 4)


@pytest.mark.django_db
def test_only_the_latest_inspection_in_the_period_counts_and_renewed_has_no_grade():
    (s,) = make_settings(Sector.PVI, [INAD], day=datetime.date(2009, 10, 1))
    Inspection.objects.create(
        setting=s,
        framework=Framework.EYFS_2008,
        inspection_date=datetime.date(2010, 5, 1),
        overall_effectiveness=GOOD,
    )
    Inspection.objects.create(  # outside the period
        setting=s,
        framework=Framework.EYFS_2008,
        inspection_date=datetime.date(2011, 5, 1),
        overall_effectiveness=OUT,
    )
    (renewed,) = make_settings(Sector.PVI, [GOOD])
    Inspection.objects.filter(setting=renewed).update(
        framework=Framework.RENEWED_2025, overall_effectiveness=""
    )
    table = outcome_table(sector=Sector.PVI, period=PERIOD)
    assert table.all_inspected == 2
    assert table.all_graded == 1  # the renewed inspection has no overall grade
    assert table.all_good_or_better == 1
    assert table.not_graded_all == 1
    assert [r.label for r in table.rows][-1] == "No overall grade (renewed framework)"


def _before(setting: Setting, grade: str, framework=Framework.EYFS_2008, judgements=None):
    Inspection.objects.create(
        setting=setting,
        framework=framework,
        inspection_date=datetime.date(2007, 6, 1),
        overall_effectiveness=grade,
        judgements=judgements if judgements is not None else dict.fromkeys(AREAS_2008, grade),
    )


@pytest.mark.django_db
def test_before_and_after_the_award():
    # After (in the period): the grades given to make_settings; before: set below.
    settings = make_settings(Sector.PVI, [OUT, GOOD, GOOD, GOOD, SAT, GOOD, OUT, GOOD])
    s_up2, s_up1, s_same, s_down, s_down2, s_renewed, _s_new, s_cross = settings
    _before(s_up2, SAT)  # satisfactory -> outstanding: up two
    _before(s_up1, SAT)  # up one
    _before(s_same, GOOD)
    _before(s_down, OUT)  # down one
    _before(s_down2, OUT)  # outstanding -> satisfactory: down two
    _before(s_renewed, "", Framework.RENEWED_2025, {})  # not comparable
    _before(s_cross, RI, Framework.CIF_2015, {})  # RI (2015) -> good (2008): rank 3 -> 2
    for s in settings:
        award(s)
    result = before_after(sector=Sector.PVI, period=PERIOD)
    assert result.awarded_inspected == 8
    assert result.no_earlier_inspection == 1  # s_new
    assert result.not_comparable == 1  # s_renewed
    assert result.compared == 6
    assert (result.improved, result.same, result.declined) == (3, 1, 2)
    assert result.improved_percent == round(100 * 3 / 6, 1) == 50.0
    assert dict(result.by_grades) == {2: 1, 1: 2, 0: 1, -1: 1, -2: 1}
    up_two = [pct for step, _n, pct in result.steps if step == "Up 2 grades"]
    assert up_two == [round(100 / 6, 1)]
    # Area judgements: only the five same-framework (2008) pairs.
    areas = {a.area: a for a in result.areas}
    assert set(areas) == set(AREAS_2008)
    staying_safe = areas["staying_safe"]
    assert (staying_safe.improved, staying_safe.same, staying_safe.declined) == (2, 1, 2)
    assert staying_safe.improved_percent == 40.0


@pytest.mark.django_db
@pytest.mark.parametrize("size", [10, 500])
def test_constant_queries(size, django_assert_num_queries):
    settings = make_settings(Sector.PVI, [OUT, GOOD, SAT, INAD, GOOD] * (size // 5))
    for s in settings[:3]:
        _before(s, SAT)
        award(s)
    with CaptureQueriesContext(connection) as ctx:
        table = outcome_table(sector=Sector.PVI, period=PERIOD)
        result = before_after(sector=Sector.PVI, period=PERIOD)
    assert table.all_inspected == size
    assert result.compared == 3
    assert len(ctx.captured_queries) == 2

"""Outcomes against Ofsted: the definitions, one row per setting, and tables that add up."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accreditation.models import Status
from accreditation.reports.outcomes import (
    RENEWED_ROW,
    Benchmark,
    Filters,
    Membership,
    Period,
    compare_pairs,
    fair_comparison,
    outcomes,
    snapshot_tables,
)
from settings.models import Inspection, Register, Sector, Setting
from settings.ofsted import Framework, Grade
from tests.accreditation.outcomes_fixtures import (
    AREAS_2008,
    GOOD,
    INAD,
    OUT,
    RI,
    SAT,
    award,
    inspect,
    join,
    make_settings,
)

SNAPSHOT = datetime.date(2012, 1, 31)
PERIOD = Period(datetime.date(2009, 9, 1), datetime.date(2010, 8, 31))


def _filters(**kwargs) -> Filters:
    return Filters(**{"snapshot": SNAPSHOT, "period": PERIOD, **kwargs})


def _table(sector=Sector.PVI, **kwargs):
    return {t.sector: t for t in snapshot_tables(_filters(**kwargs))}[sector]


@pytest.mark.django_db
def test_kqm_at_the_snapshot_whatever_the_date_of_the_grade():
    # Inspected in January 2010; the award came at the end of the programme year after.
    awarded_later, in_programme, lapsed, revoked, declined, _never = make_settings(
        Sector.PVI, [OUT] * 6
    )
    award(awarded_later, datetime.date(2011, 7, 31))
    join(in_programme, 2011)  # September 2011 to July 2012: in the programme at the snapshot
    award(lapsed, datetime.date(2006, 7, 31))  # expired in 2009
    a = award(revoked, datetime.date(2010, 7, 31))
    a.revoked_at = datetime.datetime(2011, 12, 1, tzinfo=datetime.UTC)
    a.revocation_reason = "Withdrawn"
    a.save()
    join(declined, 2011, Status.DECLINED)
    table = _table()
    assert (table.kqm_total, table.benchmark_total) == (2, 6)
    assert _table(membership=Membership.ACCREDITED).kqm_total == 1
    assert _table(benchmark=Benchmark.OTHERS).benchmark_total == 4
    # Only one cohort's settings.
    cohort_id = in_programme.accreditations.get().cohort_id
    assert _table(cohort_id=cohort_id).kqm_total == 1


@pytest.mark.django_db
def test_one_row_per_setting_the_early_years_register_chosen():
    (s,) = make_settings(Sector.PVI, [GOOD], day=datetime.date(2010, 1, 15))
    inspect(s, Grade.MET, datetime.date(2010, 1, 15), register=Register.CR, judgements={})
    inspect(s, Grade.NOT_MET, datetime.date(2011, 3, 1), register=Register.CR, judgements={})
    inspect(s, INAD, datetime.date(2009, 1, 1))  # older: not the most recent
    inspect(s, OUT, datetime.date(2012, 6, 1))  # after the snapshot
    award(s, datetime.date(2010, 7, 31))
    report = outcomes(_filters())
    (table,) = report.snapshot
    assert (table.kqm_total, table.benchmark_total) == (1, 1)
    assert {r.key: r.kqm for r in table.rows if r.kqm} == {GOOD: 1}
    assert [(r.label, r.kqm) for r in report.compliance.rows] == [("Met", 0), ("Not met", 1)]


@pytest.mark.django_db
def test_local_authority_and_sector_filters():
    make_settings(Sector.PVI, [OUT, GOOD], local_authority="Kent")
    make_settings(Sector.PVI, [OUT], local_authority="Medway")
    make_settings(Sector.MAINTAINED, [SAT], local_authority="Kent")
    assert _table(local_authority="kent").benchmark_total == 2
    assert _table().benchmark_total == 3
    assert [t.sector for t in snapshot_tables(_filters(sector=Sector.MAINTAINED))] == [
        Sector.MAINTAINED
    ]


@pytest.mark.django_db
def test_before_and_after_counts_settings_engaged_at_the_inspection_date():
    # Inspected in January 2010 (in the period), each with a previous inspection in 2007.
    settings = make_settings(Sector.PVI, [OUT, GOOD, GOOD, GOOD, SAT, GOOD, OUT, GOOD, GOOD])
    up2, up1, same, down, down2, renewed, _new, cross, outsider = settings
    inspect(up2, SAT)
    inspect(up1, SAT)
    inspect(same, GOOD)
    inspect(down, OUT)
    inspect(down2, OUT)
    Inspection.objects.filter(setting=renewed).update(
        framework=Framework.RENEWED_2025, overall_effectiveness="", judgements={}
    )
    inspect(renewed, GOOD)  # an older grade, then the renewed framework: not comparable
    inspect(cross, RI, framework=Framework.CIF_2015)  # RI (rank 3) -> good
    inspect(outsider, SAT)
    for s in settings[:-1]:
        join(s, 2009)  # in the programme during the 2009-10 programme year; awarded later
    result = outcomes(_filters()).change
    assert result.inspected == 8
    assert result.no_previous == 1  # new
    assert result.not_comparable == 1  # renewed
    assert (result.improved, result.same, result.declined) == (3, 1, 2)
    assert result.improved_percent == 50.0
    assert dict(result.by_grades) == {2: 1, 1: 2, 0: 1, -1: 1, -2: 1}
    assert sum(count for _label, count, _share in result.accounted) == result.inspected
    areas = {a.area: a for a in result.areas}
    assert set(areas) == set(AREAS_2008)  # the five same-framework pairs
    assert (areas["staying_safe"].improved, areas["staying_safe"].declined) == (2, 2)
    # Accredited only: none held an award at the inspection date.
    assert outcomes(_filters(membership=Membership.ACCREDITED)).change.inspected == 0
    # The outsider is in the comparison group.
    assert outcomes(_filters()).comparison_change.inspected == 1


@pytest.mark.django_db
def test_renewed_framework_areas_and_safeguarding_at_the_snapshot():
    kqm, other, older = make_settings(Sector.PVI, [GOOD, GOOD, GOOD])
    strong = {"curriculum_and_teaching": Grade.STRONG, "inclusion": Grade.EXPECTED}
    for s, areas, met in (
        (kqm, strong, Grade.MET),
        (other, {"inclusion": Grade.EXCEPTIONAL}, Grade.NOT_MET),
    ):
        inspect(s, "", datetime.date(2026, 1, 10), Framework.RENEWED_2025, areas, safeguarding=met)
    award(kqm, datetime.date(2025, 7, 31))
    report = outcomes(_filters(snapshot=datetime.date(2026, 6, 1)))
    (table,) = report.snapshot
    renewed_row = next(r for r in table.rows if r.key == RENEWED_ROW)
    assert (renewed_row.kqm, renewed_row.benchmark, renewed_row.kqm_percent) == (1, 2, None)
    assert table.benchmark_graded == 1  # older: still graded on its 2010 inspection
    (section,) = report.renewed
    areas = {a.label: a for a in section.areas}
    assert (areas["Curriculum and teaching"].kqm, areas["Curriculum and teaching"].kqm_of) == (1, 1)
    assert (areas["Inclusion"].benchmark, areas["Inclusion"].benchmark_of) == (1, 2)
    assert (section.safeguarding.benchmark, section.safeguarding.benchmark_of) == (1, 2)
    assert older.pk


def _random_world(rng: random.Random, settings_count: int) -> None:
    grades = [OUT, GOOD, SAT, RI, INAD, "", Grade.MET]
    sectors = [Sector.PVI, Sector.MAINTAINED, Sector.CHILDMINDER]
    settings = Setting.objects.bulk_create(
        [
            Setting(
                urn=f"EY{800000 + i}",
                name=f"Random {i}",
                sector=rng.choice(sectors),
                provider_type="other",
                local_authority=rng.choice(["Kent", "Medway"]),
            )
            for i in range(settings_count)
        ]
    )
    inspections = []
    for s in settings:
        days = rng.sample(range(0, 6000), rng.randint(0, 4))
        for day in days:
            when = datetime.date(2005, 1, 1) + datetime.timedelta(days=day)
            register = rng.choice([Register.EYR, Register.EYR, Register.CR])
            renewed = when >= datetime.date(2025, 11, 10) and register == Register.EYR
            grade = rng.choice(grades)
            if register == Register.CR:
                grade = rng.choice([Grade.MET, Grade.NOT_MET, ""])
            elif renewed or grade == Grade.MET:
                grade = ""
            framework = (
                Framework.RENEWED_2025
                if renewed
                else (Framework.EYFS_2008 if grade == SAT else Framework.EIF_2019)
            )
            inspections.append(
                Inspection(
                    setting=s,
                    framework=framework,
                    register=register,
                    inspection_date=when,
                    overall_effectiveness=grade,
                )
            )
    Inspection.objects.bulk_create(inspections)
    for s in rng.sample(settings, settings_count // 3):
        year = rng.randint(2006, 2025)
        if rng.random() < 0.5:
            award(s, datetime.date(year + 1, 7, 31), year=year)
        else:
            join(s, year, rng.choice([Status.IN_PROGRESS, Status.WITHDRAWN, Status.DECLINED]))


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 10_000),
    snapshot_day=st.integers(0, 7000),
    start_day=st.integers(0, 6000),
    length=st.integers(0, 3000),
    membership=st.sampled_from(Membership.values),
    benchmark=st.sampled_from(Benchmark.values),
)
def test_every_table_adds_up_on_random_registers(
    seed, snapshot_day, start_day, length, membership, benchmark
):
    from accreditation.models import Accreditation, Award, Cohort

    Award.objects.all().delete()
    Accreditation.objects.all().delete()
    Cohort.objects.all().delete()
    Setting.objects.all().delete()
    _random_world(random.Random(seed), 24)
    base = datetime.date(2005, 1, 1)
    start = base + datetime.timedelta(days=start_day)
    filters = Filters(
        snapshot=base + datetime.timedelta(days=snapshot_day),
        period=Period(start, start + datetime.timedelta(days=length)),
        membership=membership,
        benchmark=benchmark,
    )
    report = outcomes(filters)
    snapshot = filters.snapshot_date
    for table in report.snapshot:
        assert sum(r.kqm for r in table.rows) == table.kqm_total
        assert sum(r.benchmark for r in table.rows) == table.benchmark_total
        assert sum(r.kqm for r in table.rows if r.kqm_percent is not None) == table.kqm_graded
        # One row per setting: the settings of the sector with an EYR inspection by then.
        settings_seen = (
            Setting.objects.filter(
                sector=table.sector,
                inspections__register=Register.EYR,
                inspections__inspection_date__lte=snapshot,
            )
            .distinct()
            .count()
        )
        expected = settings_seen if benchmark == Benchmark.ALL else settings_seen - table.kqm_total
        assert table.benchmark_total == expected
        percents = [r.benchmark_percent for r in table.rows if r.benchmark_percent is not None]
        if table.benchmark_graded:
            assert abs(sum(percents) - 100) <= 0.05 * len(percents)
    compliance = report.compliance
    assert sum(r.kqm for r in compliance.rows) == compliance.kqm_total
    for change in (report.change, report.comparison_change):
        assert sum(count for _l, count, _s in change.accounted) == change.inspected
        assert sum(count for _l, count, _s in change.steps) == change.compared
        for area in change.areas:
            assert area.improved + area.same + area.declined + area.not_graded == area.total
    in_period = (
        Setting.objects.filter(
            inspections__register=Register.EYR,
            inspections__inspection_date__range=(filters.period.start, filters.period.end),
        )
        .distinct()
        .count()
    )
    assert report.change.inspected + report.comparison_change.inspected == in_period
    comparison = report.comparison
    assert sum(s.kqm.of for s in comparison.strata) == comparison.kqm.of + comparison.kqm_left_out


def test_pairs_and_fair_comparison_without_the_database():
    def pair(before: str, after: str, kqm: bool) -> dict:
        return {
            "setting_id": 1,
            "inspection_date": datetime.date(2010, 1, 1),
            "kqm": kqm,
            "framework": Framework.EYFS_2008,
            "overall_effectiveness": after,
            "judgements": {},
            "prev_framework": Framework.EYFS_2008,
            "prev_overall": before,
            "prev_judgements": {},
        }

    kqm = [pair(SAT, GOOD, True)] * 40 + [pair(SAT, SAT, True)] * 10 + [pair(GOOD, OUT, True)] * 22
    others = [pair(SAT, GOOD, False)] * 30 + [pair(SAT, SAT, False)] * 30
    others += [pair(GOOD, OUT, False)] * 10 + [pair(GOOD, GOOD, False)] * 30
    assert compare_pairs(kqm).improved == 62
    result = fair_comparison(kqm, others)
    good, sat = result.strata
    assert (good.kqm.improved, good.comparison.of) == (22, 40)
    assert (sat.kqm.improved, sat.kqm.of, sat.comparison.improved, sat.comparison.of) == (
        40,
        50,
        30,
        60,
    )
    # Weighted to the KQM mix: 50/72 at 30/60 and 22/72 at 10/40.
    weighted = result.comparison_weighted
    assert weighted is not None
    assert weighted.estimate == pytest.approx(50 / 72 * 0.5 + 22 / 72 * 0.25)
    assert weighted.low < weighted.estimate < weighted.high
    assert result.comparison_weighted_percent == 42.4
    assert result.kqm.percent == 86.1
    assert result.sentence.startswith(
        "KQM settings improved more often than similar settings: 86% against 42%"
    )
    small = fair_comparison(kqm[:5], others)
    assert small.sentence.startswith("Too few settings to say: 5 KQM settings")


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 40])
def test_constant_queries(size):
    settings = make_settings(Sector.PVI, [OUT, GOOD, SAT, INAD, GOOD] * (size // 5))
    for s in settings[:3]:
        inspect(s, SAT)
        join(s, 2009)
    for s in settings[3:6]:
        inspect(s, GOOD, day=datetime.date(2011, 3, 1), register=Register.CR, judgements={})
    with CaptureQueriesContext(connection) as ctx:
        report = outcomes(_filters())
    assert report.snapshot[0].benchmark_total == size
    assert report.change.compared == 3
    assert len(ctx.captured_queries) == 4

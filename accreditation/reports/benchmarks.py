"""Benchmark of the outcomes report over a national-scale register (``manage.py bench``)."""

from __future__ import annotations

import datetime
import random
from pathlib import Path

from django.db import connection

from kqm.bench import Figures, benchmark, timed
from settings.models import Inspection, ProviderType, Sector, Setting
from settings.ofsted import Framework, Grade

from ..models import Accreditation, Award, Cohort, Status
from ..models.awards import add_years, format_award_number, new_verification_code
from .outcomes import Period, before_after, outcome_table

SETTINGS = 70_000
AWARDED = 2_000
BATCH = 5_000
GRADES_2008 = [Grade.OUTSTANDING, Grade.GOOD, Grade.GOOD, Grade.SATISFACTORY, Grade.INADEQUATE]
GRADES_EIF = [Grade.OUTSTANDING, Grade.GOOD, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT]
EIF_AREAS = (
    "quality_of_education",
    "behaviour_and_attitudes",
    "personal_development",
    "leadership_and_management",
)


def _register(rng: random.Random) -> None:
    sectors = [Sector.PVI, Sector.PVI, Sector.MAINTAINED, Sector.CHILDMINDER]
    settings = Setting.objects.bulk_create(
        [
            Setting(
                urn=f"EY{100000 + i}",
                name=f"Bench setting {i}",
                sector=rng.choice(sectors),
                provider_type=ProviderType.OTHER,
            )
            for i in range(SETTINGS)
        ],
        batch_size=BATCH,
    )
    inspections = []
    for setting in settings:
        old = rng.choice(GRADES_2008)
        inspections.append(
            Inspection(
                setting=setting,
                framework=Framework.EYFS_2008,
                inspection_date=datetime.date(2010, 1, 1) + datetime.timedelta(rng.randrange(900)),
                overall_effectiveness=old,
                judgements={"quality_of_provision": old, "leadership_and_management": old},
            )
        )
        new = rng.choice(GRADES_EIF)
        inspections.append(
            Inspection(
                setting=setting,
                framework=Framework.EIF_2019,
                inspection_date=datetime.date(2021, 1, 1) + datetime.timedelta(rng.randrange(900)),
                overall_effectiveness=new,
                judgements=dict.fromkeys(EIF_AREAS, new),
            )
        )
    Inspection.objects.bulk_create(inspections, batch_size=BATCH)
    cohort = Cohort.objects.create(
        name="Bench cohort",
        programme_year=2018,
        start_date=datetime.date(2018, 9, 1),
        end_date=datetime.date(2019, 7, 31),
        capacity=AWARDED,
    )
    awarded = rng.sample(settings, AWARDED)
    accreditations = Accreditation.objects.bulk_create(
        [Accreditation(setting=s, cohort=cohort, status=Status.ACCREDITED) for s in awarded],
        batch_size=BATCH,
    )
    day = datetime.date(2019, 7, 20)
    Award.objects.bulk_create(
        [
            Award(
                setting=a.setting,
                accreditation=a,
                number=format_award_number(2019, n + 1),
                year=2019,
                sequence=n + 1,
                award_date=day,
                expiry_date=add_years(day, 5),
                verification_code=new_verification_code(),
            )
            for n, a in enumerate(accreditations)
        ],
        batch_size=BATCH,
    )


@benchmark("outcomes_report_70k", "Outcomes against Ofsted over 70,000 inspected settings")
def outcomes_report_70k(workdir: Path) -> Figures:
    with timed() as generate:
        _register(random.Random(2010))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    period = Period(datetime.date(2021, 1, 1), datetime.date(2023, 12, 31))
    figures: Figures = [
        (
            "data set",
            f"{Setting.objects.count():,} settings, {Inspection.objects.count():,} inspections, "
            f"{Award.objects.count():,} awards ({connection.vendor})",
        ),
        ("generating the data set", f"{generate.seconds:.1f} s"),
    ]
    for sector in ("", Sector.PVI):
        label = "all sectors" if not sector else "PVI"
        with timed() as table_time:
            table = outcome_table(sector=sector, period=period)
        with timed() as change_time:
            change = before_after(sector=sector, period=period)
        figures += [
            (
                f"{label}: outcome table",
                f"{table_time.seconds:.2f} s ({table.all_inspected:,} settings, "
                f"{table.accredited_inspected:,} accredited)",
            ),
            (
                f"{label}: before and after the award",
                f"{change_time.seconds:.2f} s ({change.compared:,} compared, "
                f"{change.improved_percent}% improved)",
            ),
            (f"{label}: whole report", f"{table_time.seconds + change_time.seconds:.2f} s"),
        ]
    return figures


COHORT_SETTINGS = 500
CHILDREN_PER_SETTING = 20


def _cohort_data(rng: random.Random) -> Cohort:
    """One cohort of ``COHORT_SETTINGS`` settings with ECERS-R and PPEL audits at the start
    and end of the year, case studies and Leuven scores for three terms."""
    from audits.definitions import load_shipped_instruments
    from audits.models import (
        Audit,
        AuditStatus,
        Child,
        Group,
        InstrumentVersion,
        ItemScore,
        LeuvenScore,
        Occasion,
        Screening,
        Term,
    )
    from kqm.models import Role, User

    from ..models import CaseStudy

    load_shipped_instruments()
    versions = {
        v.instrument.code: v
        for v in InstrumentVersion.objects.filter(is_current=True).select_related("instrument")
    }
    evaluator = User.objects.create(email="bench-evaluator@kqm.example", role=Role.EVALUATOR)
    cohort = Cohort.objects.create(
        name="Bench programme cohort",
        programme_year=2026,
        start_date=datetime.date(2026, 9, 1),
        end_date=datetime.date(2027, 7, 31),
        capacity=COHORT_SETTINGS,
    )
    settings = Setting.objects.bulk_create(
        [
            Setting(
                urn=f"EY{900000 + i}",
                name=f"Cohort setting {i}",
                sector=Sector.PVI,
                provider_type=ProviderType.OTHER,
            )
            for i in range(COHORT_SETTINGS)
        ],
        batch_size=BATCH,
    )
    accreditations = Accreditation.objects.bulk_create(
        [Accreditation(setting=s, cohort=cohort, status=Status.IN_PROGRESS) for s in settings],
        batch_size=BATCH,
    )
    now = datetime.datetime(2027, 7, 1, tzinfo=datetime.UTC)
    audits = Audit.objects.bulk_create(
        [
            Audit(
                setting=a.setting,
                accreditation=a,
                version=versions[code],
                room="Pre-school room",
                occasion=occasion,
                date=datetime.date(2026, 10, 1)
                if occasion == Occasion.INITIAL
                else datetime.date(2027, 6, 1),
                status=AuditStatus.COMPLETED,
                created_by=evaluator,
                completed_at=now,
            )
            for a in accreditations
            for code in ("ecers-r", "kqm-ppel")
            for occasion in (Occasion.INITIAL, Occasion.END_OF_YEAR)
        ],
        batch_size=BATCH,
    )
    items = {code: list(v.items.all()) for code, v in versions.items()}
    top = {"ecers-r": 7, "kqm-ppel": 4}
    ItemScore.objects.bulk_create(
        [
            ItemScore(audit=audit, item=item, score=rng.randint(1, top[code]))
            for audit in audits
            for code in [audit.version.instrument.code]
            for item in items[code]
        ],
        batch_size=BATCH,
    )
    CaseStudy.objects.bulk_create(
        [
            CaseStudy(
                accreditation=a,
                number=n,
                status=rng.choice(["accepted", "submitted"]),
                saved_at=now,
                saved_by=evaluator,
            )
            for a in accreditations
            for n in (1, 2)
        ],
        batch_size=BATCH,
    )
    groups = Group.objects.bulk_create(
        [Group(setting=s, name="Rainbow room", programme_year=2026) for s in settings],
        batch_size=BATCH,
    )
    children = Child.objects.bulk_create(
        [
            Child(setting=g.setting, group=g, code=f"B{g.pk:05d}{n:02d}")
            for g in groups
            for n in range(CHILDREN_PER_SETTING)
        ],
        batch_size=BATCH,
    )
    dates = {
        Term.AUTUMN: datetime.date(2026, 10, 6),
        Term.SPRING: datetime.date(2027, 2, 9),
        Term.SUMMER: datetime.date(2027, 6, 8),
    }
    screenings = Screening.objects.bulk_create(
        [Screening(group=g, term=term, date=day) for g in groups for term, day in dates.items()],
        batch_size=BATCH,
    )
    by_group: dict[int, list[Child]] = {}
    for child in children:
        by_group.setdefault(child.group_id or 0, []).append(child)
    LeuvenScore.objects.bulk_create(
        [
            LeuvenScore(
                screening=screening,
                child=child,
                wellbeing=rng.randint(1, 5),
                involvement=rng.randint(1, 5),
            )
            for screening in screenings
            for child in by_group[screening.group_id]
        ],
        batch_size=BATCH,
    )
    return cohort


@benchmark(
    "programme_report_cohort",
    f"Programme report for a cohort of {COHORT_SETTINGS} settings (audits, Leuven, PPEL)",
)
def programme_report_cohort(workdir: Path) -> Figures:
    from audits.models import ItemScore, LeuvenScore

    from .builders import build_programme_csv, render_programme_pdf
    from .cohort import cohort_report

    with timed() as generate:
        cohort = _cohort_data(random.Random(2026))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    with timed() as sections:
        report = cohort_report(cohort)
    with timed() as csv_time:
        build_programme_csv(cohort_id=cohort.pk, include_evaluators=True)
    with timed() as pdf_time:
        pdf = render_programme_pdf(cohort_id=cohort.pk, include_evaluators=True)
    return [
        (
            "data set",
            f"{COHORT_SETTINGS:,} settings, {ItemScore.objects.count():,} item scores, "
            f"{LeuvenScore.objects.count():,} Leuven scores ({connection.vendor})",
        ),
        ("generating the data set", f"{generate.seconds:.1f} s"),
        ("the cohort's four sections", f"{sections.seconds:.2f} s"),
        ("the whole report as CSV", f"{csv_time.seconds:.2f} s"),
        ("the whole report as PDF with charts", f"{pdf_time.seconds:.2f} s"),
        ("PDF size", f"{len(pdf) / 1024:.0f} KB"),
        ("PPEL headline", report.ppel.headline),
    ]

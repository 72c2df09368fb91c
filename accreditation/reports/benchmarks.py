"""Benchmark of the outcomes report over a national-scale register (``manage.py bench``)."""

from __future__ import annotations

import datetime
import random
from pathlib import Path

from django.db import connection

from kqm.bench import Figures, benchmark, size, timed
from settings.models import Inspection, ProviderType, Register, Sector, Setting
from settings.ofsted import Framework, Grade

from ..models import Accreditation, Award, Cohort, Status
from ..models.awards import add_years, format_award_number, new_verification_code
from .outcomes import (
    Filters,
    Period,
    childcare_register_compliance,
    inspection_pairs,
    outcomes,
    renewed_sections,
    snapshot_tables,
)

SETTINGS = 70_000
FIRST_URN = 100_000
AWARDED = 2_000
IN_PROGRAMME = 300
BATCH = 5_000
GRADES_2008 = [Grade.OUTSTANDING, Grade.GOOD, Grade.GOOD, Grade.SATISFACTORY, Grade.INADEQUATE]
GRADES_EIF = [Grade.OUTSTANDING, Grade.GOOD, Grade.GOOD, Grade.REQUIRES_IMPROVEMENT]
RENEWED = [Grade.EXCEPTIONAL, Grade.STRONG, Grade.EXPECTED, Grade.EXPECTED, Grade.NEEDS_ATTENTION]
EIF_AREAS = (
    "quality_of_education",
    "behaviour_and_attitudes",
    "personal_development",
    "leadership_and_management",
)
AREAS_2008 = ("quality_of_provision", "staying_safe", "leadership_and_management")
RENEWED_AREAS = ("curriculum_and_teaching", "inclusion", "leadership_and_governance")
# England's 150 or so local authorities; Kent, the largest, holds about one setting in 40.
AUTHORITIES = ["Kent"] + [f"Authority {n}" for n in range(1, 150)]


# Names to search: one setting in 40 or so has a "Rainbow" in it, as in Ofsted's own file.
NAMES = (
    *("Rainbow", "Little Acorns", "Sunshine", "Busy Bees", "Treetops", "Orchard", "Meadow"),
    *("Willow", "Oak Tree", "Kingfisher", "Little Stars", "Bright Horizons", "Puddle Ducks"),
    *("Tiddlers", "Honeypot", "Ladybirds", "Butterflies", "Caterpillars", "Toad Hall", "Acorn"),
    *("St Mary's", "Riverside", "Hillside", "Woodlands", "Cherry Tree", "Apple Tree", "Daisy"),
    *("Bluebell", "Buttercup", "Poppy", "Primrose", "Sunflower", "Little Owls", "Busy Bodies"),
    *("Playdays", "Jack and Jill", "Noah's Ark", "Teddy Bears", "Squirrels", "Rabbits"),
)
KINDS = ("Day Nursery", "Pre-school", "Nursery", "Kids Club", "Childcare")


def build_register(rng: random.Random, count: int = SETTINGS) -> None:
    """A national register: ``count`` settings (names and postcodes to search) with their
    inspections, cohorts and awards."""
    sectors = [Sector.PVI, Sector.PVI, Sector.MAINTAINED, Sector.CHILDMINDER]
    words = random.Random(count)  # names apart from the rest: they follow no other column
    settings = Setting.objects.bulk_create(
        [
            Setting(
                urn=f"EY{FIRST_URN + i}",
                name=f"{words.choice(NAMES)} {words.choice(KINDS)} {i}",
                postcode=f"{'ABCDEFGHKLMNPRST'[i % 16]}{'ABDEHLMNRST'[i // 16 % 11]}"
                f"{i % 97 + 1} {i % 9 + 1}{'ABDEFGHJ'[i // 3 % 8]}{'LNPQRSTUWXYZ'[i // 5 % 12]}",
                sector=rng.choice(sectors),
                provider_type=ProviderType.OTHER,
                local_authority="Kent" if i % 40 == 0 else rng.choice(AUTHORITIES[1:]),
            )
            for i in range(count)
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
                judgements=dict.fromkeys(AREAS_2008, old),
            )
        )
        new = rng.choice(GRADES_EIF)
        day = datetime.date(2021, 1, 1) + datetime.timedelta(rng.randrange(900))
        inspections.append(
            Inspection(
                setting=setting,
                framework=Framework.EIF_2019,
                inspection_date=day,
                overall_effectiveness=new,
                judgements=dict.fromkeys(EIF_AREAS, new),
            )
        )
        if rng.random() < 0.3:  # the same day on the Childcare Register
            inspections.append(
                Inspection(
                    setting=setting,
                    framework=Framework.EIF_2019,
                    register=Register.CR,
                    inspection_date=day,
                    overall_effectiveness=rng.choice([Grade.MET, Grade.MET, Grade.NOT_MET]),
                )
            )
        if rng.random() < 0.15:
            inspections.append(
                Inspection(
                    setting=setting,
                    framework=Framework.RENEWED_2025,
                    inspection_date=datetime.date(2026, 1, 5)
                    + datetime.timedelta(rng.randrange(200)),
                    safeguarding=Grade.MET,
                    judgements={area: rng.choice(RENEWED) for area in RENEWED_AREAS},
                )
            )
    Inspection.objects.bulk_create(inspections, batch_size=BATCH)
    cohorts = Cohort.objects.bulk_create(
        [
            Cohort(
                name=f"Bench cohort {year}",
                programme_year=year,
                start_date=datetime.date(year, 9, 1),
                end_date=datetime.date(year + 1, 7, 31),
                capacity=AWARDED,
            )
            for year in range(2018, 2027)
        ]
    )
    awarded = min(AWARDED, count // 2)
    chosen = rng.sample(settings, min(AWARDED + IN_PROGRAMME, count))
    accreditations = Accreditation.objects.bulk_create(
        [
            Accreditation(
                setting=s,
                cohort=cohorts[n % (len(cohorts) - 1)] if n < awarded else cohorts[-1],
                status=Status.ACCREDITED if n < awarded else Status.IN_PROGRESS,
            )
            for n, s in enumerate(chosen)
        ],
        batch_size=BATCH,
    )
    by_cohort = {c.pk: c for c in cohorts}
    Award.objects.bulk_create(
        [
            Award(
                setting=a.setting,
                accreditation=a,
                number=format_award_number(by_cohort[a.cohort_id].end_date.year, n + 1),
                year=by_cohort[a.cohort_id].end_date.year,
                sequence=n + 1,
                award_date=by_cohort[a.cohort_id].end_date,
                expiry_date=add_years(by_cohort[a.cohort_id].end_date, 3),
                verification_code=new_verification_code(),
            )
            for n, a in enumerate(accreditations[:awarded])
        ],
        batch_size=BATCH,
    )


@benchmark("outcomes_report_70k", "Outcomes against Ofsted over 70,000 inspected settings")
def outcomes_report_70k(workdir: Path) -> Figures:
    from .builders import build_outcomes_csv, render_outcomes_pdf

    with timed() as generate:
        build_register(random.Random(2010), size(SETTINGS, 3_000))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")
    period = Period(datetime.date(2021, 1, 1), datetime.date(2023, 12, 31))
    snapshot = datetime.date(2026, 11, 30)
    figures: Figures = [
        (
            "data set",
            f"{Setting.objects.count():,} settings, {Inspection.objects.count():,} inspections, "
            f"{Award.objects.count():,} awards ({connection.vendor})",
        ),
        ("generating the data set", f"{generate.seconds:.1f} s"),
    ]
    for label, filters in (
        ("England, all sectors", Filters(snapshot=snapshot, period=period)),
        ("Kent, all sectors", Filters(local_authority="Kent", snapshot=snapshot, period=period)),
        ("England, PVI", Filters(sector=Sector.PVI, snapshot=snapshot, period=period)),
    ):
        parts = []
        for name, part in (
            ("snapshot", snapshot_tables),
            ("renewed", renewed_sections),
            ("compliance", childcare_register_compliance),
            ("pairs", inspection_pairs),
        ):
            with timed() as took:
                part(filters)
            parts.append(f"{name} {took.seconds:.2f} s")
        with timed() as whole:
            report = outcomes(filters)
        pvi = next((t for t in report.snapshot if t.sector == Sector.PVI), None)
        figures += [
            (f"{label}: whole report", f"{whole.seconds:.2f} s ({', '.join(parts)})"),
            (
                f"{label}: figures",
                f"{pvi.benchmark_total if pvi else 0:,} PVI settings, "
                f"{report.change.inspected:,} KQM and {report.comparison_change.inspected:,} "
                f"other settings inspected in the period; {report.comparison.sentence}",
            ),
        ]
    kent = Filters(local_authority="Kent", snapshot=snapshot, period=period)
    with timed() as csv_time:
        build_outcomes_csv(kent)
    with timed() as pdf_time:
        render_outcomes_pdf(kent)
    figures += [
        ("Kent: the report as CSV", f"{csv_time.seconds:.2f} s"),
        ("Kent: the report as PDF with charts", f"{pdf_time.seconds:.2f} s"),
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

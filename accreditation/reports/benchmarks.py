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

"""Benchmarks of the audits app, run by ``manage.py bench``."""

from __future__ import annotations

import datetime
import gc
import logging
import random
import statistics
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from accreditation.models import Cohort
from kqm.bench import Figures, benchmark, peak_rss_mb, timed
from kqm.models import Role, User
from kqm.pdf import page_count
from settings.models import ProviderType, Sector, Setting

from .models import Audit, AuditStatus, InstrumentVersion, ItemScore, Occasion
from .ratings_reports import AuditReport, audit_pdf, audit_report

RUNS = 10
NOTE = (
    "Observed during free play and lunch: staff extend children's talk with open questions, "
    "resources are labelled with words and pictures; next step is to rotate the book area."
)


def _pages(report: AuditReport) -> int:
    """How many pages the audit's PDF has (counted by WeasyPrint, not read back with a
    test-only package: the bench runs on the production install)."""
    html = render_to_string(
        "audits/ratings/audit_pdf.html",
        {"report": report, "audit": report.audit, "generated_at": timezone.now()},
    )
    return page_count(html)


def _audit(code: str, setting: Setting, observer: User) -> Audit:
    """A completed audit of the instrument's current version, every item scored, with a note."""
    version = InstrumentVersion.objects.get(instrument__code=code, is_current=True)
    audit = Audit.objects.create(
        setting=setting,
        version=version,
        room="Pre-school room",
        age_group="3 to 5 years",
        occasion=Occasion.END_OF_YEAR,
        date=timezone.localdate(),
        created_by=observer,
        status=AuditStatus.COMPLETED,
        completed_at=timezone.now(),
        completed_by=observer,
    )
    audit.observers.set([observer])
    ItemScore.objects.bulk_create(
        ItemScore(audit=audit, item=item, score=(item.number * 3) % 7 + 1, note=NOTE)
        for item in version.items.all()
    )
    return audit


@benchmark("audit_pdf", "Render rating audits as PDF (WeasyPrint): ECERS-R and ECERS-3")
def audit_pdf_benchmark(workdir: Path) -> Figures:
    # WeasyPrint reports each layout step at INFO; keep the figures readable.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    setting = Setting.objects.create(
        urn="EY999001",
        name="Benchmark Day Nursery",
        sector=Sector.PVI,
        provider_type=ProviderType.NURSERY,
    )
    observer = User.objects.create_user(
        "bench.evaluator@example.org", full_name="Bench Evaluator", role=Role.EVALUATOR
    )
    figures: Figures = []
    for code in ("ecers-r", "ecers-3"):
        audit = _audit(code, setting, observer)
        with timed() as first:
            pdf = audit_pdf(audit_report(audit))
        times = []
        for _ in range(RUNS):
            with timed() as run:
                # Read and render as the export view does: the report, then the PDF.
                pdf = audit_pdf(audit_report(audit))
            times.append(run.seconds)
        (workdir / f"{code}.pdf").write_bytes(pdf)
        pages = _pages(audit_report(audit))
        items = audit.scores.count()
        figures += [
            (f"{code}: audit", f"{items} items scored, each with a note; {pages} pages"),
            (f"{code}: first render (fonts loaded)", f"{first.seconds * 1000:.0f} ms"),
            (
                f"{code}: next {RUNS} renders",
                f"median {statistics.median(times) * 1000:.0f} ms, "
                f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms",
            ),
            (f"{code}: PDF size", f"{len(pdf) / 1024:.0f} KB"),
        ]
    figures.append(("peak process memory", f"{peak_rss_mb():.0f} MB"))
    return figures


# --- Learning progress beside well-being and involvement, for a cohort --------------------

PROGRESS_SETTINGS = 300
PROGRESS_CHILDREN = 20  # per setting: one room
PROGRESS_SMALL = 30  # the smaller cohort the large one is compared with
PROGRESS_TARGET_RATIO = 15.0  # 10x the settings may cost at most 15x the time (linear is 10x)
PROGRESS_YEAR = 2026


def _progress_cohort(rng: random.Random, settings_count: int, name: str) -> Cohort:
    """A cohort of ``settings_count`` settings, each with one room of children who have a
    checkpoint and a screening in each of the three terms."""
    from accreditation.models import Accreditation, Status

    from .models import (
        AREA_FIELDS,
        Child,
        Gender,
        Group,
        LeuvenScore,
        ProgressCheckpoint,
        ProgressRecord,
        Screening,
        Term,
    )

    cohort = Cohort.objects.create(
        name=name,
        programme_year=PROGRESS_YEAR,
        start_date=datetime.date(PROGRESS_YEAR, 9, 1),
        end_date=datetime.date(PROGRESS_YEAR + 1, 7, 31),
        capacity=settings_count,
    )
    settings = Setting.objects.bulk_create(
        Setting(
            urn=f"EY{name[:3].upper()}{i:05d}",
            name=f"{name} setting {i}",
            sector=Sector.PVI,
            provider_type=ProviderType.NURSERY,
        )
        for i in range(settings_count)
    )
    Accreditation.objects.bulk_create(
        Accreditation(setting=s, cohort=cohort, status=Status.IN_PROGRESS) for s in settings
    )
    groups = Group.objects.bulk_create(
        Group(setting=s, name="Pre-school room", programme_year=PROGRESS_YEAR) for s in settings
    )
    children = Child.objects.bulk_create(
        Child(
            setting=g.setting,
            group=g,
            code=f"B{g.pk:06d}{n:02d}",
            gender=rng.choice([Gender.BOY, Gender.GIRL]),
            eal=rng.random() < 0.2,
            send=rng.random() < 0.1,
            funded_two=rng.random() < 0.15,
        )
        for g in groups
        for n in range(PROGRESS_CHILDREN)
    )
    by_group: dict[int, list[Child]] = {}
    for child in children:
        by_group.setdefault(child.group_id or 0, []).append(child)
    dates = {
        Term.AUTUMN: datetime.date(PROGRESS_YEAR, 12, 1),
        Term.SPRING: datetime.date(PROGRESS_YEAR + 1, 3, 20),
        Term.SUMMER: datetime.date(PROGRESS_YEAR + 1, 7, 10),
    }
    checkpoints = ProgressCheckpoint.objects.bulk_create(
        ProgressCheckpoint(group=g, term=t, date=d) for g in groups for t, d in dates.items()
    )
    screenings = Screening.objects.bulk_create(
        Screening(group=g, term=t, date=d) for g in groups for t, d in dates.items()
    )
    judgements = ["below", "expected", "expected", "above"]
    ProgressRecord.objects.bulk_create(
        (
            ProgressRecord(
                checkpoint=c,
                child=child,
                **{name: rng.choice(judgements) for name in AREA_FIELDS},
            )
            for c in checkpoints
            for child in by_group[c.group_id]
        ),
        batch_size=5_000,
    )
    LeuvenScore.objects.bulk_create(
        (
            LeuvenScore(
                screening=s,
                child=child,
                wellbeing=rng.randint(1, 5),
                involvement=rng.randint(1, 5),
            )
            for s in screenings
            for child in by_group[s.group_id]
        ),
        batch_size=5_000,
    )
    return cohort


@benchmark(
    "progress_cohort",
    f"Learning progress beside Leuven for a cohort of {PROGRESS_SETTINGS} settings, three terms",
)
def progress_cohort_benchmark(workdir: Path) -> Figures:
    """The cohort's progress section (two queries and the analysis in Python), for 300
    settings against 30: the ratio of the times shows whether it grows linearly."""
    from django.db import connection

    from accreditation.reports.cohort import cohort_progress

    from .models import LeuvenScore, ProgressRecord
    from .progress_charts import progress_charts
    from .selectors.progress import setting_progress

    rng = random.Random(24)
    with timed() as generate:
        small = _progress_cohort(rng, PROGRESS_SMALL, "Small")
        large = _progress_cohort(rng, PROGRESS_SETTINGS, "Large")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def best_of(cohort: Cohort) -> float:
        times = []
        for _ in range(5):
            gc.collect()  # each run starts from the same heap, whichever ran before
            with timed() as run:
                report = cohort_progress(cohort)
                progress_charts(report, "bench")
            times.append(run.seconds)
        return min(times)

    small_seconds, large_seconds = best_of(small), best_of(large)
    ratio = large_seconds / small_seconds if small_seconds else float("inf")
    one = large.accreditations.select_related("setting").first()
    assert one is not None
    with timed() as single:
        setting_progress(one.setting, PROGRESS_YEAR)
    report = cohort_progress(large)
    rose = next(row for row in report.link if row.path == "rose")
    return [
        (
            "data set",
            f"{PROGRESS_SMALL + PROGRESS_SETTINGS} settings, "
            f"{ProgressRecord.objects.count():,} progress records, "
            f"{LeuvenScore.objects.count():,} Leuven scores ({connection.vendor})",
        ),
        ("generating the data set", f"{generate.seconds:.1f} s"),
        (f"cohort of {PROGRESS_SMALL}: figures and charts", f"{small_seconds:.2f} s"),
        (f"cohort of {PROGRESS_SETTINGS}: figures and charts", f"{large_seconds:.2f} s"),
        (
            "ratio (10x the settings)",
            f"{ratio:.1f}x (target ≤ {PROGRESS_TARGET_RATIO:.0f}x: "
            f"{'met' if ratio <= PROGRESS_TARGET_RATIO else 'missed'})",
        ),
        ("one setting's summary", f"{single.seconds * 1000:.0f} ms"),
        ("children who rose out of red or amber", f"{rose.children:,}"),
        ("peak process memory", f"{peak_rss_mb():.0f} MB"),
    ]

"""Benchmarks of the audits app, run by ``manage.py bench``."""

from __future__ import annotations

import logging
import statistics
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

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

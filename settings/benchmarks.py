"""Benchmarks of the register, run by ``manage.py bench``."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

from django.core.files import File

from kqm.bench import Figures, benchmark, peak_rss_mb, timed

from . import importer, services_import
from .models import ImportStatus, Inspection, Setting
from .ofsted_csv import providers, write_csv

ROWS = 70_000


def _rate(seconds: float) -> str:
    return f"{seconds:.1f} s ({ROWS / seconds:,.0f} rows/s)"


def _import(path: Path, figures: Figures, label: str) -> None:
    """Upload, preview and apply as the command does, timing each step."""
    with path.open("rb") as source:
        encoding = importer.inspect_file(source)
        ofsted_import = services_import.do_upload_ofsted_import(
            uploaded_by=None,
            upload=File(source, name=path.name),
            encoding=encoding,
            check_now=False,
        )
    with timed() as preview:
        checked = services_import.do_preview_ofsted_import(import_id=ofsted_import.pk)
    assert checked is not None and checked.status == ImportStatus.PREVIEWED, checked
    preview_rss = peak_rss_mb()
    services_import.do_confirm_ofsted_import(
        ofsted_import=checked, confirmed_by=None, run_in_background=False
    )
    with timed() as apply:
        done = services_import.do_apply_ofsted_import(import_id=checked.pk)
    assert done is not None and done.status == ImportStatus.IMPORTED, done
    figures += [
        (f"{label}: preview", _rate(preview.seconds)),
        (f"{label}: peak process memory after preview", f"{preview_rss:.0f} MB"),
        (f"{label}: apply (one transaction)", _rate(apply.seconds)),
        (f"{label}: peak process memory after apply", f"{peak_rss_mb():.0f} MB"),
        (
            f"{label}: result",
            f"{done.to_create:,} added, {done.to_update:,} changed, "
            f"{done.unchanged:,} unchanged, {done.rejected:,} rejected; "
            f"{done.inspections_to_create:,} inspections added",
        ),
    ]


@benchmark("ofsted_import_70k", "Ofsted import of a 70,000-provider file: preview and apply")
def ofsted_import_70k(workdir: Path) -> Figures:
    path = workdir / "childcare_providers.csv"
    with timed() as generate, path.open("w", encoding="utf-8", newline="") as out:
        write_csv(out, providers(ROWS))
    figures: Figures = [
        ("file", f"{ROWS:,} provider rows, {path.stat().st_size / 2**20:.1f} MB"),
        ("generating the file", f"{generate.seconds:.1f} s"),
        ("peak process memory before importing", f"{peak_rss_mb():.0f} MB"),
    ]
    # The parser streams: its Python allocations stay flat whatever the file's size.
    tracemalloc.start()
    with path.open("rb") as source, timed() as parse:
        parsed = sum(1 for _ in importer.read_rows(source, "utf-8-sig"))
    _, parse_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    figures += [
        ("parsing alone (under tracemalloc)", f"{parse.seconds:.1f} s for {parsed:,} rows"),
        ("parsing alone: peak Python memory", f"{parse_peak / 2**20:.2f} MB"),
    ]
    _import(path, figures, "first import")
    figures += [
        ("settings / inspections", f"{Setting.objects.count():,} / {Inspection.objects.count():,}"),
        ("audit trail rows", f"{Setting.history.count() + Inspection.history.count():,}"),
    ]
    _import(path, figures, "same file again")
    return figures

"""Benchmarks of the register, run by ``manage.py bench``.

``ofsted_import_70k`` imports 70,000 providers from CSV and again (other providers)
from XLSX: upload, preview and apply as the command does, with the process's peak
memory. On PostgreSQL it also loads the same CSV with ``COPY`` into a bare table in
the same run, the floor any import can reach, and gives the apply's ratio to it
(targets: the first import at most 10 times ``COPY``, the same file again at most 5
times, and at most 200 MB of memory). ``bench --quick`` imports 2,000 rows instead.
"""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

from django.core.files import File
from django.db import connection
from django.test.utils import override_settings

from kqm.bench import Figures, benchmark, metric, peak_rss_mb, size, timed

from . import importer, services_import
from .models import ImportStatus, Inspection, Setting
from .ofsted_csv import HEADER, TITLE_LINES, providers, write_csv, write_xlsx

FULL_ROWS = 70_000
TARGET_RATIO = 10
TARGET_REIMPORT_RATIO = 5
TARGET_MB = 200


def rows() -> int:
    return size(FULL_ROWS, 2_000)


def _say(text: str) -> None:
    """Progress on stderr while the benchmark runs (the figures are printed at the end)."""
    sys.stderr.write(f"  … {text}\n")
    sys.stderr.flush()


def _rate(seconds: float) -> str:
    return f"{seconds:.1f} s ({rows() / seconds:,.0f} rows/s)"


def _import(path: Path, figures: Figures, label: str) -> float:
    """Upload, preview and apply as the command does, timing each step; the apply's seconds."""
    with path.open("rb") as source:
        how = importer.inspect_file(source)
        ofsted_import = services_import.do_upload_ofsted_import(
            uploaded_by=None, upload=File(source, name=path.name), encoding=how, check_now=False
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
    _say(f"{label}: preview {preview.seconds:.1f} s, apply {apply.seconds:.1f} s")
    figures += [
        (f"{label}: preview", _rate(preview.seconds)),
        (f"{label}: peak process memory after preview", f"{preview_rss:.0f} MB"),
        (f"{label}: apply (batches of {importer.BATCH_SIZE:,})", _rate(apply.seconds)),
        (f"{label}: peak process memory after apply", f"{peak_rss_mb():.0f} MB"),
        (
            f"{label}: result",
            f"{done.to_create:,} added, {done.to_update:,} changed, "
            f"{done.unchanged:,} unchanged, {done.rejected:,} rejected; "
            f"{done.inspections_to_create:,} inspections added",
        ),
    ]
    return apply.seconds


def _copy_seconds(path: Path) -> float | None:
    """PostgreSQL ``COPY`` of the file's provider rows into a bare table of text columns."""
    if connection.vendor != "postgresql":
        return None
    columns = ", ".join(f"c{number} text" for number in range(len(HEADER)))
    skip = len(TITLE_LINES) + 1
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE bench_copy ({columns})")
        with timed() as copy, path.open("rb") as source:
            for _ in range(skip):
                source.readline()
            raw = cursor.cursor  # psycopg's own cursor, for COPY FROM STDIN
            with raw.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv)") as pipe:
                while chunk := source.read(1 << 20):
                    pipe.write(chunk)
        cursor.execute("SELECT count(*) FROM bench_copy")
        (copied,) = cursor.fetchone()
        cursor.execute("DROP TABLE bench_copy")
    assert copied == rows(), copied
    return copy.seconds


@benchmark("ofsted_import_70k", "Ofsted import of a 70,000-provider file: CSV and XLSX")
def ofsted_import_70k(workdir: Path) -> Figures:
    with override_settings(MEDIA_ROOT=str(workdir / "media")):
        return _run(workdir)


def _run(workdir: Path) -> Figures:
    csv_path = workdir / "childcare_providers.csv"
    xlsx_path = workdir / "childcare_providers.xlsx"
    with timed() as generate, csv_path.open("w", encoding="utf-8", newline="") as out:
        write_csv(out, providers(rows()))
    with timed() as generate_xlsx:
        write_xlsx(xlsx_path, providers(rows(), start=rows() + 1))  # other providers
    figures: Figures = [
        ("CSV file", f"{rows():,} provider rows, {csv_path.stat().st_size / 2**20:.1f} MB"),
        ("XLSX file", f"{rows():,} provider rows, {xlsx_path.stat().st_size / 2**20:.1f} MB"),
        ("generating the files", f"{generate.seconds:.1f} s, {generate_xlsx.seconds:.1f} s"),
        ("peak process memory before importing", f"{peak_rss_mb():.0f} MB"),
    ]
    # The parser streams: its Python allocations stay flat whatever the file's size.
    for label, path, how in (("CSV", csv_path, "utf-8-sig"),):
        tracemalloc.start()
        with path.open("rb") as source, timed() as parse:
            parsed = sum(1 for _ in importer.read_rows(source, how))
        _, parse_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        figures += [
            (f"{label} parsing alone", f"{parse.seconds:.1f} s for {parsed:,} rows"),
            (f"{label} parsing alone: peak Python memory", f"{parse_peak / 2**20:.2f} MB"),
        ]
    _say("files written and parsed")
    copy = _copy_seconds(csv_path)
    _say(f"COPY {copy}")
    csv_apply = _import(csv_path, figures, "CSV, first import")
    _import(xlsx_path, figures, "XLSX, first import")
    again = _import(csv_path, figures, "CSV, same file again")
    metric("copy_s", copy or 0)
    metric("csv_apply_s", csv_apply)
    metric("csv_reapply_s", again)
    if copy is not None:
        figures.append(("PostgreSQL COPY of the same CSV (same run)", f"{copy:.2f} s"))
        for label, seconds, target in (
            ("CSV apply / COPY", csv_apply, TARGET_RATIO),
            ("CSV apply of the unchanged file again / COPY", again, TARGET_REIMPORT_RATIO),
        ):
            ratio = metric(label, seconds / copy)
            verdict = "met" if ratio <= target else "MISSED"
            figures.append((label, f"{ratio:.1f}x (target ≤ {target}x: {verdict})"))
    else:
        figures.append(("PostgreSQL COPY", f"not measured on {connection.vendor}"))
    peak = metric("peak_rss_mb", peak_rss_mb())
    figures += [
        ("settings / inspections", f"{Setting.objects.count():,} / {Inspection.objects.count():,}"),
        ("audit trail rows", f"{Setting.history.count() + Inspection.history.count():,}"),
        (
            "peak process memory overall",
            f"{peak:.0f} MB (target ≤ {TARGET_MB} MB: {'met' if peak <= TARGET_MB else 'MISSED'})",
        ),
    ]
    return figures

"""Benchmarks of the register, run by ``manage.py bench``.

``ofsted_import_70k`` imports 70,000 providers from CSV, then 70,000 others from XLSX,
then the CSV again (nothing changes): upload, preview and apply as the command does.
Each import runs in a process of its own (``settings.bench_import``), so its peak
memory is the import's own. On PostgreSQL the same process loads the same CSV with
``COPY`` into a bare table three times just before the apply, the floor any import can
reach, and the apply's ratio is to their median (targets: the first import at most 10
times ``COPY``, the same file again at most 5 times, and at most 200 MB of memory).
``bench --quick`` imports 2,000 rows instead.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

from django.conf import settings as django_settings
from django.core.files import File
from django.db import connection
from django.test.utils import override_settings

from kqm import bench_http
from kqm.bench import Figures, benchmark, metric, peak_rss_mb, size, timed

from . import importer, importer_sql, services_import
from .models import ImportStatus, Inspection, Setting
from .ofsted_csv import HEADER, TITLE_LINES, providers, write_csv, write_xlsx

FULL_ROWS = 70_000
TARGET_RATIO = 10
TARGET_REIMPORT_RATIO = 5
TARGET_MB = 200
COPY_RUNS = 3
SLOWEST = 3  # statements of the apply shown
SQL_SHOWN = 60  # characters of each
IMPORT_TIMEOUT = 3600  # seconds, for one import's process


def rows() -> int:
    return size(FULL_ROWS, 2_000)


def _say(text: str) -> None:
    """Progress on stderr while the benchmark runs (the figures are printed at the end)."""
    sys.stderr.write(f"  … {text}\n")
    sys.stderr.flush()


def _rate(seconds: float, count: int) -> str:
    return f"{seconds:.1f} s ({count / seconds:,.0f} rows/s)"


def copy_seconds(path: Path) -> float | None:
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
    assert copied > 0, copied
    return copy.seconds


def import_file(path: Path, *, anchors: int) -> dict[str, Any]:
    """Upload, preview and apply ``path`` as the command does; with ``anchors``, that many
    ``COPY``s of it just before the apply. Runs in the import's own process."""
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
    set_based = importer_sql.can_apply(checked)
    copies = [copy_seconds(path) for _ in range(anchors)]
    statements: list[tuple[float, str]] = []

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        with timed() as took:
            result = execute(sql, params, many, context)
        statements.append((took.seconds, " ".join(sql.split())))
        return result

    with timed() as apply, connection.execute_wrapper(timer):
        done = services_import.do_apply_ofsted_import(import_id=checked.pk)
    assert done is not None and done.status == ImportStatus.IMPORTED, done
    statements.sort(reverse=True)
    return {
        "preview_s": preview.seconds,
        "apply_s": apply.seconds,
        "engine": "set-based SQL" if set_based else f"batches of {importer.BATCH_SIZE:,}",
        "copy_s": [seconds for seconds in copies if seconds is not None],
        # Where the apply's time went: its slowest statements, and the rest (the COPY of
        # the staging file, the commit, Python), which no statement timing sees.
        "slowest": [[seconds, sql[:SQL_SHOWN]] for seconds, sql in statements[:SLOWEST]],
        "statements_s": sum(seconds for seconds, _ in statements),
        "rows": done.rows_total,
        "counts": {name: getattr(done, name) for name in services_import.COUNT_FIELDS},
        "peak_rss_after_preview_mb": preview_rss,
        "peak_rss_mb": peak_rss_mb(),
    }


def _in_own_process(path: Path, workdir: Path, *, anchors: int) -> dict[str, Any]:
    """``import_file`` in a fresh process on this benchmark's database and media folder."""
    env = {
        **os.environ,
        "DATABASE_URL": bench_http.database_url(),
        "MEDIA_ROOT": str(workdir / "media"),
        "KQM_VAR_DIR": str(workdir / "var"),
        "DEBUG": "0",
    }
    process = subprocess.run(
        [sys.executable, "-m", "settings.bench_import", str(path), str(anchors)],
        cwd=django_settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        timeout=IMPORT_TIMEOUT,
        check=False,
    )
    if process.returncode != 0:
        raise RuntimeError(f"The import of {path.name} failed (exit {process.returncode}).")
    figures: dict[str, Any] = json.loads(process.stdout.strip().splitlines()[-1])
    return figures


def _import(
    path: Path, workdir: Path, figures: Figures, label: str, anchors: int
) -> dict[str, Any]:
    result = _in_own_process(path, workdir, anchors=anchors)
    counts = result["counts"]
    _say(f"{label}: preview {result['preview_s']:.1f} s, apply {result['apply_s']:.1f} s")
    figures += [
        (f"{label}: preview", _rate(result["preview_s"], result["rows"])),
        (f"{label}: apply ({result['engine']})", _rate(result["apply_s"], result["rows"])),
        (
            f"{label}: peak memory of its own process",
            f"{result['peak_rss_mb']:.0f} MB ({result['peak_rss_after_preview_mb']:.0f} MB "
            "after the preview)",
        ),
        (
            f"{label}: result",
            f"{counts['to_create']:,} added, {counts['to_update']:,} changed, "
            f"{counts['unchanged']:,} unchanged, {counts['rejected']:,} rejected; "
            f"{counts['inspections_to_create']:,} inspections added",
        ),
    ]
    slowest = "; ".join(f"{seconds:.2f} s {sql}…" for seconds, sql in result["slowest"])
    rest = result["apply_s"] - result["statements_s"]
    figures.append((f"{label}: where the apply's time went", f"{slowest}; the rest {rest:.2f} s"))
    if result["copy_s"]:
        copies = ", ".join(f"{seconds:.2f}" for seconds in result["copy_s"])
        figures.append((f"{label}: COPY of the same CSV just before the apply", f"{copies} s"))
    return result


def _ratio(figures: Figures, label: str, result: dict[str, Any], target: int) -> None:
    copy = statistics.median(result["copy_s"])
    ratio = metric(label, result["apply_s"] / copy)
    verdict = "met" if ratio <= target else "MISSED"
    figures.append(
        (label, f"{ratio:.1f}x the median COPY, {copy:.2f} s (target ≤ {target}x: {verdict})")
    )


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
    ]
    # The parser streams: its Python allocations stay flat whatever the file's size.
    tracemalloc.start()
    with csv_path.open("rb") as source, timed() as parse:
        parsed = sum(1 for _ in importer.read_rows(source, "utf-8-sig"))
    _, parse_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    figures += [
        ("CSV parsing alone", f"{parse.seconds:.1f} s for {parsed:,} rows"),
        ("CSV parsing alone: peak Python memory", f"{parse_peak / 2**20:.2f} MB"),
    ]
    _say("files written and parsed")
    anchors = COPY_RUNS if connection.vendor == "postgresql" else 0
    first = _import(csv_path, workdir, figures, "CSV, first import", anchors)
    xlsx = _import(xlsx_path, workdir, figures, "XLSX, first import", 0)
    again = _import(csv_path, workdir, figures, "CSV, same file again", anchors)
    metric("csv_apply_s", first["apply_s"])
    metric("xlsx_apply_s", xlsx["apply_s"])
    metric("csv_reapply_s", again["apply_s"])
    if first["copy_s"]:
        metric("copy_s", statistics.median(first["copy_s"]))
        metric("copy_again_s", statistics.median(again["copy_s"]))
        _ratio(figures, "CSV apply / COPY", first, TARGET_RATIO)
        _ratio(
            figures, "CSV apply of the unchanged file again / COPY", again, TARGET_REIMPORT_RATIO
        )
    else:
        figures.append(("PostgreSQL COPY", f"not measured on {connection.vendor}"))
    peak = metric("peak_rss_mb", max(result["peak_rss_mb"] for result in (first, xlsx, again)))
    figures += [
        ("settings / inspections", f"{Setting.objects.count():,} / {Inspection.objects.count():,}"),
        ("audit trail rows", f"{Setting.history.count() + Inspection.history.count():,}"),
        (
            "peak memory of an import (the largest of the three processes)",
            f"{peak:.0f} MB (target ≤ {TARGET_MB} MB: {'met' if peak <= TARGET_MB else 'MISSED'})",
        ),
    ]
    return figures

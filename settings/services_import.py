"""Writes of the Ofsted data import: upload, preview, confirm, apply (and resume).

Nothing reaches the register before a KQM manager confirms. The preview reads the
file and the register and records, on the import only: what each column maps to,
the counts, the first changes (field by field, old -> new), warnings and rejected
rows, and CSV files holding every change, every warning and every rejected row.

On PostgreSQL the import loads the rows the preview staged (``importer_sql``) with
``COPY`` and writes them with a few set-based statements in one transaction: all or
nothing, as fast as the database can write those rows with their indexes and history.
Elsewhere (SQLite), and for an import staged in an earlier format, it runs the same
engine as the preview and writes in short batches, each in its own transaction,
recording after each batch how far it has got. On SQLite other people's requests
therefore wait a moment for a batch, never for the whole import.
If the import stops part-way (a worker killed, a database error), it is marked
failed with how far it got, and confirming it again resumes from there: a row
already written compares equal and is not written twice, so the register ends
exactly as one uninterrupted import would leave it.

Progress is kept in Django's cache, not the database, so that other processes see
it while the import's transaction is still open (on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

import csv
import datetime
import logging
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from accreditation.reports import cache as reports_cache
from kqm.celery import TRANSIENT_ERRORS
from kqm.outbox import enqueue

from . import importer, importer_sql
from .models import IllegalImportMove, ImportStatus, OfstedImport

logger = logging.getLogger(__name__)

PROGRESS_TIMEOUT = 60 * 60 * 24
PREVIEW_TASK = "settings.tasks.preview_ofsted_import"
APPLY_TASK = "settings.tasks.apply_ofsted_import"


def progress_key(ofsted_import: OfstedImport) -> str:
    # The upload time makes the key unique even where several databases share one cache.
    return f"ofsted-import:{ofsted_import.pk}:{ofsted_import.created_at.timestamp():.6f}"


def record_progress(ofsted_import: OfstedImport, processed: int) -> None:
    """Progress for the page, and the time of it for the stuck-work sweep. Best effort: an
    import does not stop because the cache is unavailable."""
    try:
        cache.set(
            progress_key(ofsted_import),
            {"status": ofsted_import.status, "processed": processed, "at": time.time()},
            PROGRESS_TIMEOUT,
        )
    except Exception:
        logger.warning("Could not record the progress of import %s", ofsted_import.pk)


def last_progress(ofsted_import: OfstedImport) -> datetime.datetime:
    """When the import last moved: its progress in the cache, else its upload or confirmation."""
    try:
        running = cache.get(progress_key(ofsted_import)) or {}
    except Exception:
        running = {}
    if running.get("at") and running.get("status") == ofsted_import.status:
        return datetime.datetime.fromtimestamp(running["at"], tz=datetime.UTC)
    return ofsted_import.confirmed_at or ofsted_import.created_at


def is_stuck(ofsted_import: OfstedImport, *, now: datetime.datetime | None = None) -> bool:
    """Waiting or running with no progress for ``OUTBOX_STUCK_MINUTES``: its worker is gone."""
    if not ofsted_import.in_progress:
        return False
    now = now or timezone.now()
    quiet = datetime.timedelta(minutes=django_settings.OUTBOX_STUCK_MINUTES)
    return last_progress(ofsted_import) < now - quiet


def _step_task(ofsted_import: OfstedImport) -> str:
    return APPLY_TASK if ofsted_import.status == ImportStatus.IMPORTING else PREVIEW_TASK


def stuck_imports(stuck_before: datetime.datetime) -> Iterator[tuple[str, dict[str, Any]]]:
    """For the outbox sweep: imports waiting or running with no progress for a while."""
    candidates = OfstedImport.objects.filter(
        status__in=[ImportStatus.UPLOADED, ImportStatus.PREVIEWING, ImportStatus.IMPORTING],
        created_at__lt=stuck_before,
    )
    now = timezone.now()
    for ofsted_import in candidates.order_by("pk"):
        if is_stuck(ofsted_import, now=now):
            yield _step_task(ofsted_import), {"import_id": ofsted_import.pk}


@transaction.atomic
def do_restart_stuck_import(*, ofsted_import: OfstedImport, by: Any) -> OfstedImport:
    """A KQM manager starts a stuck step again (the check, or the import itself)."""
    locked = OfstedImport.objects.select_for_update().get(pk=ofsted_import.pk)
    if not is_stuck(locked):
        raise ValidationError("This import is not stuck: it is still running, or it has finished.")
    logger.info("Import %s restarted by %s", locked.pk, by)
    enqueue(_step_task(locked), import_id=locked.pk)
    return locked


@contextmanager
def _open(ofsted_import: OfstedImport) -> Iterator[IO[bytes]]:
    source = ofsted_import.file.storage.open(ofsted_import.file.name, "rb")
    try:
        yield source
    finally:
        source.close()


@transaction.atomic
def do_upload_ofsted_import(
    *, uploaded_by: Any, upload: File, encoding: str, check_now: bool = True
) -> OfstedImport:
    """Store the file (under MEDIA_ROOT/imports) and queue its preview."""
    original_name = (upload.name or "ofsted.csv").replace("\\", "/").rsplit("/", 1)[-1][:255]
    suffix = encoding if encoding in importer.SPREADSHEETS else "csv"
    upload.name = f"{uuid.uuid4().hex}.{suffix}"  # the uploader's name is not used on disk
    ofsted_import = OfstedImport(
        file=upload,
        original_name=original_name,
        encoding=encoding,
        uploaded_by=uploaded_by,
    )
    ofsted_import.full_clean(exclude=["file"])
    ofsted_import._history_user = uploaded_by
    ofsted_import.save()
    if check_now:
        enqueue(PREVIEW_TASK, import_id=ofsted_import.pk)
    return ofsted_import


def _fail(import_id: int, message: str) -> OfstedImport | None:
    ofsted_import = OfstedImport.objects.filter(pk=import_id).first()
    if ofsted_import is None:
        return None
    try:
        ofsted_import.transition(
            ImportStatus.FAILED, reason="Stopped", error_message=message, finished_at=timezone.now()
        )
    except IllegalImportMove:
        ofsted_import.refresh_from_db()  # another run finished it meanwhile
    return ofsted_import


class CsvSink(importer.Sink):
    """Writes every change, rejected row and warning to temporary CSV files, and every row
    to the staging file (``importer_sql``'s format, for the set-based apply)."""

    HEADERS = {
        "changes": ("Provider URN", "Provider name", "Action", "Field", "Old value", "New value"),
        "rejected": ("Line", "Provider URN", "Reasons"),
        "warnings": ("Line", "Provider URN", "Warning"),
    }

    def __init__(self) -> None:
        self.files = {
            kind: tempfile.TemporaryFile(mode="w+", newline="", encoding="utf-8")  # noqa: SIM115
            for kind in self.HEADERS
        }
        self.writers = {kind: csv.writer(self.files[kind]) for kind in self.HEADERS}
        for kind, header in self.HEADERS.items():
            self.writers[kind].writerow(header)
        # The staging file's two sections, joined when the preview is stored.
        self.staged = [tempfile.TemporaryFile() for _ in range(2)]  # noqa: SIM115

    def change(self, urn: str, name: str, action: str, what: str, old: str, new: str) -> None:
        self.writers["changes"].writerow([urn, name, action, what, old, new])

    def rejected(self, line: int, urn: str, reasons: list[str]) -> None:
        self.writers["rejected"].writerow([line, urn, " ".join(reasons)])

    def warning(self, line: int, urn: str, message: str) -> None:
        self.writers["warnings"].writerow([line, urn, message])

    def stage(self, row: importer.ParsedRow, kind: str) -> None:
        for section, lines in zip(self.staged, importer_sql.staged_lines(row, kind), strict=True):
            section.write(lines.encode())

    def store(self, ofsted_import: OfstedImport) -> None:
        """Save the files beside the upload (under MEDIA_ROOT/imports) on the import."""
        stem = uuid.uuid4().hex
        for kind, handle in self.files.items():
            handle.seek(0)
            getattr(ofsted_import, f"{kind}_file").save(
                f"{stem}-{kind}.csv", File(handle), save=False
            )
        with tempfile.TemporaryFile() as staged:
            importer_sql.write_staged(staged, *self.staged)
            staged.seek(0)
            ofsted_import.staged_file.save(f"{stem}-staged.tsv", File(staged), save=False)

    def close(self) -> None:
        for handle in [*self.files.values(), *self.staged]:
            handle.close()


def do_preview_ofsted_import(*, import_id: int) -> OfstedImport | None:
    """Check every row against the register and record what would change. Writes nothing else.

    Idempotent: an import already previewed (or further on) is left alone; one stuck in
    "checking" (a worker stopped) is checked again from the start.
    """
    ofsted_import = OfstedImport.objects.filter(pk=import_id).first()
    if ofsted_import is None or ofsted_import.status not in (
        ImportStatus.UPLOADED,
        ImportStatus.PREVIEWING,
    ):
        return ofsted_import
    sink = CsvSink()
    try:
        ofsted_import.transition(
            ImportStatus.PREVIEWING, reason="Checking the file", rows_processed=0
        )
        record_progress(ofsted_import, 0)
        with _open(ofsted_import) as source:
            layout = importer.read_layout(source, ofsted_import.encoding)
            total = importer.estimate_rows(source, ofsted_import.encoding)
        OfstedImport.objects.filter(pk=import_id).update(rows_total=total)
        ofsted_import.rows_total = total
        with _open(ofsted_import) as source:
            result = importer.run_import(
                importer.read_rows(source, ofsted_import.encoding),
                progress=lambda done: record_progress(ofsted_import, done),
                sink=sink,
                batch_size=importer.BATCH_SIZE,
            )
        sink.store(ofsted_import)
        ofsted_import.transition(
            ImportStatus.PREVIEWED,
            reason="File checked",
            previewed_at=timezone.now(),
            rows_total=result.rows_processed,  # exact, where the estimate may count blanks
            rows_processed=result.rows_processed,
            rejected_rows=result.rejected_rows,
            column_map=[list(item) for item in layout.mapping],
            as_at=layout.as_at,
            changes=result.changes,
            warnings=result.warnings,
            changes_file=ofsted_import.changes_file,
            rejected_file=ofsted_import.rejected_file,
            warnings_file=ofsted_import.warnings_file,
            staged_file=ofsted_import.staged_file,
            **result.counts(),
        )
    except IllegalImportMove:
        ofsted_import.refresh_from_db()  # a second run of this task finished first
    except TRANSIENT_ERRORS:
        raise  # the database went away: the task is retried, the check starts again
    except importer.ImportFileError as error:
        return _fail(import_id, str(error))
    except Exception as error:
        logger.exception("Ofsted import %s: the preview failed", import_id)
        return _fail(import_id, f"The file could not be checked: {error}")
    finally:
        sink.close()
    return ofsted_import


@transaction.atomic
def do_confirm_ofsted_import(
    *, ofsted_import: OfstedImport, confirmed_by: Any, run_in_background: bool = True
) -> OfstedImport:
    """A KQM manager confirms the preview: queue the import of the valid rows.

    An import that stopped part-way (failed after it was confirmed) is confirmed again
    to resume: it carries on from the last batch written.
    """
    resuming = ofsted_import.status == ImportStatus.FAILED
    if resuming and ofsted_import.confirmed_at is None:
        raise IllegalImportMove("Only an import that stopped while importing can be resumed.")
    ofsted_import.transition(
        ImportStatus.IMPORTING,
        by=confirmed_by,
        reason="Resumed" if resuming else "Confirmed",
        confirmed_by=confirmed_by,
        confirmed_at=timezone.now(),
        rows_processed=ofsted_import.applied_through,
        error_message="",
    )
    record_progress(ofsted_import, ofsted_import.applied_through)
    if run_in_background:
        enqueue(APPLY_TASK, import_id=ofsted_import.pk)
    return ofsted_import


class Superseded(Exception):
    """Another run of the same import wrote this batch first (a task delivered twice)."""


COUNT_FIELDS = tuple(importer.ImportResult().counts())


def _stopped(import_id: int, rows_total: int, error: Exception) -> OfstedImport | None:
    logger.exception("Ofsted import %s stopped", import_id)
    done = OfstedImport.objects.filter(pk=import_id).values_list("applied_through", flat=True)
    written = done.first() or 0
    if written:
        message = (
            f"The import stopped after {written:,} of {rows_total:,} rows "
            f"({error}). Confirm it again to finish: it carries on where it stopped."
        )
    else:
        message = f"The import stopped and nothing was changed on the register: {error}"
    return _fail(import_id, message)


def _apply_set_based(ofsted_import: OfstedImport) -> OfstedImport | None:
    """PostgreSQL: the rows the preview staged, written in one transaction (all or nothing).

    The import's row stays locked throughout, so a second delivery of the task waits and
    then finds the import finished; if anything fails nothing is written, and confirming
    again runs it whole.
    """
    import_id = ofsted_import.pk
    record_progress(ofsted_import, 0)
    try:
        with transaction.atomic():
            locked = OfstedImport.objects.select_for_update().only("status", "applied_through")
            current = locked.get(pk=import_id)
            if current.status != ImportStatus.IMPORTING or current.applied_through:
                ofsted_import.refresh_from_db()
                return ofsted_import
            user = ofsted_import.confirmed_by
            with ofsted_import.staged_file.open("rb") as staged:
                counts = importer_sql.apply_staged(
                    staged,
                    user_id=user.pk if user is not None else None,
                    reason=f"Ofsted data import {import_id}",
                )
            ofsted_import.transition(
                ImportStatus.IMPORTED,
                by=user,
                reason="Imported",
                finished_at=timezone.now(),
                rows_processed=ofsted_import.rows_total,
                applied_through=ofsted_import.rows_total,
                **counts,
            )
    except IllegalImportMove:
        ofsted_import.refresh_from_db()
        return ofsted_import
    except TRANSIENT_ERRORS:
        raise  # the database went away: nothing was written, the retried task runs it whole
    except Exception as error:
        return _stopped(import_id, ofsted_import.rows_total, error)
    reports_cache.data_changed()  # written with SQL, which sends no signal
    record_progress(ofsted_import, ofsted_import.rows_total)
    return ofsted_import


def do_apply_ofsted_import(*, import_id: int) -> OfstedImport | None:
    """Write the valid rows to the register in short batches, resuming where a run stopped.

    Idempotent: each batch's transaction locks the import's row and checks that no
    other run has moved on, so a task delivered twice writes each batch once.
    """
    ofsted_import = OfstedImport.objects.filter(pk=import_id).select_related("confirmed_by").first()
    if ofsted_import is None or ofsted_import.status != ImportStatus.IMPORTING:
        return ofsted_import
    if importer_sql.can_apply(ofsted_import):
        return _apply_set_based(ofsted_import)
    skip = ofsted_import.applied_through
    base = {name: getattr(ofsted_import, name) if skip else 0 for name in COUNT_FIELDS}
    place = {"done": skip}

    def batch_done(done: int, result: importer.ImportResult) -> None:
        locked = OfstedImport.objects.select_for_update().only("status", "applied_through")
        current = locked.get(pk=import_id)
        if current.status != ImportStatus.IMPORTING or current.applied_through != place["done"]:
            raise Superseded
        counts = {name: base[name] + value for name, value in result.counts().items()}
        OfstedImport.objects.filter(pk=import_id).update(
            applied_through=done, rows_processed=done, **counts
        )
        reports_cache.data_changed()  # bulk writes send no signal
        place["done"] = done

    writer = importer.Writer(
        user=ofsted_import.confirmed_by, reason=f"Ofsted data import {ofsted_import.pk}"
    )
    try:
        with _open(ofsted_import) as source:
            result = importer.run_import(
                importer.read_rows(source, ofsted_import.encoding),
                writer=writer,
                skip=skip,
                batch_done=batch_done,
                progress=lambda done: record_progress(ofsted_import, done),
                batch_size=importer.BATCH_SIZE,
            )
        counts = {name: base[name] + value for name, value in result.counts().items()}
        ofsted_import.transition(
            ImportStatus.IMPORTED,
            by=ofsted_import.confirmed_by,
            reason="Imported",
            finished_at=timezone.now(),
            rows_processed=place["done"],
            applied_through=place["done"],
            **counts,
        )
        return ofsted_import
    except (Superseded, IllegalImportMove):
        ofsted_import.refresh_from_db()
        return ofsted_import
    except TRANSIENT_ERRORS:
        raise  # the database went away: the task is retried and carries on where it stopped
    except Exception as error:
        return _stopped(import_id, ofsted_import.rows_total, error)

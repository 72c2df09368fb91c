"""Writes of the Ofsted data import: upload, preview, confirm, apply.

Nothing reaches the register before a KQM manager confirms. The preview reads the
file and the register and records only counts and rejected rows on the import.
The import itself runs the same engine inside one transaction: if any batch fails,
the register is left exactly as it was and the import is marked failed.

Progress is kept in Django's cache, not the database, so that other processes see
it while the import's transaction is still open (on SQLite and PostgreSQL alike).
"""

from __future__ import annotations

import datetime
import logging
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

from kqm.celery import TRANSIENT_ERRORS
from kqm.outbox import enqueue

from . import importer
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
    upload.name = f"{uuid.uuid4().hex}.csv"  # the uploader's name is not used on disk
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


def do_preview_ofsted_import(*, import_id: int) -> OfstedImport | None:
    """Check every row against the register and record the counts. Writes nothing else.

    Idempotent: an import already previewed (or further on) is left alone; one stuck in
    "checking" (a worker stopped) is checked again from the start.
    """
    ofsted_import = OfstedImport.objects.filter(pk=import_id).first()
    if ofsted_import is None or ofsted_import.status not in (
        ImportStatus.UPLOADED,
        ImportStatus.PREVIEWING,
    ):
        return ofsted_import
    try:
        ofsted_import.transition(
            ImportStatus.PREVIEWING, reason="Checking the file", rows_processed=0
        )
        record_progress(ofsted_import, 0)
        with _open(ofsted_import) as source:
            total = importer.count_rows(source, ofsted_import.encoding)
        OfstedImport.objects.filter(pk=import_id).update(rows_total=total)
        ofsted_import.rows_total = total
        with _open(ofsted_import) as source:
            result = importer.run_import(
                importer.read_rows(source, ofsted_import.encoding),
                progress=lambda done: record_progress(ofsted_import, done),
            )
        ofsted_import.transition(
            ImportStatus.PREVIEWED,
            reason="File checked",
            previewed_at=timezone.now(),
            rows_total=total,
            rows_processed=result.rows_processed,
            rejected_rows=result.rejected_rows,
            **result.counts(),
        )
    except IllegalImportMove:
        ofsted_import.refresh_from_db()  # a second run of this task finished first
    except TRANSIENT_ERRORS:
        raise  # the database went away: the task is retried, the check starts again
    except Exception as error:
        logger.exception("Ofsted import %s: the preview failed", import_id)
        return _fail(import_id, f"The file could not be checked: {error}")
    return ofsted_import


@transaction.atomic
def do_confirm_ofsted_import(
    *, ofsted_import: OfstedImport, confirmed_by: Any, run_in_background: bool = True
) -> OfstedImport:
    """A KQM manager confirms the preview: queue the import of the valid rows."""
    ofsted_import.transition(
        ImportStatus.IMPORTING,
        by=confirmed_by,
        reason="Confirmed",
        confirmed_by=confirmed_by,
        confirmed_at=timezone.now(),
        rows_processed=0,
    )
    record_progress(ofsted_import, 0)
    if run_in_background:
        enqueue(APPLY_TASK, import_id=ofsted_import.pk)
    return ofsted_import


def do_apply_ofsted_import(*, import_id: int) -> OfstedImport | None:
    """Write the valid rows to the register in one transaction; all or nothing.

    Idempotent: the import's row is locked first and only an import still "importing"
    is applied, so a task delivered twice writes once.
    """
    ofsted_import = OfstedImport.objects.filter(pk=import_id).first()
    if ofsted_import is None or ofsted_import.status != ImportStatus.IMPORTING:
        return ofsted_import
    try:
        with transaction.atomic():
            locked = (
                OfstedImport.objects.select_for_update(of=("self",))
                .select_related("confirmed_by")
                .get(pk=import_id)
            )
            if locked.status != ImportStatus.IMPORTING:
                return locked
            writer = importer.Writer(
                user=locked.confirmed_by, reason=f"Ofsted data import {locked.pk}"
            )
            with _open(locked) as source:
                result = importer.run_import(
                    importer.read_rows(source, locked.encoding),
                    writer=writer,
                    progress=lambda done: record_progress(locked, done),
                )
            locked.transition(
                ImportStatus.IMPORTED,
                by=locked.confirmed_by,
                reason="Imported",
                finished_at=timezone.now(),
                rows_processed=result.rows_processed,
                rejected_rows=result.rejected_rows,
                **result.counts(),
            )
        return locked
    except TRANSIENT_ERRORS:
        raise  # the database went away: rolled back, and the task is retried
    except Exception as error:
        logger.exception("Ofsted import %s failed; the register is unchanged", import_id)
        return _fail(
            import_id, f"The import stopped and nothing was changed on the register: {error}"
        )

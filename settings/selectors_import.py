"""Reads of the Ofsted data import, for the KQM manager only."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from kqm.models import Role, User

from .models import ImportStatus, OfstedImport
from .services_import import progress_key


def import_list() -> QuerySet[OfstedImport]:
    """Past imports, newest first, without their stored rejected rows."""
    return OfstedImport.objects.select_related("uploaded_by", "confirmed_by").defer("rejected_rows")


def access_ofsted_import_by_id(user: User, import_id: int) -> OfstedImport:
    if user.role != Role.MANAGER:
        raise PermissionDenied("Only the KQM manager imports Ofsted data.")
    try:
        return OfstedImport.objects.select_related("uploaded_by", "confirmed_by").get(pk=import_id)
    except OfstedImport.DoesNotExist:
        raise Http404("No such import.") from None


PHASES = {
    ImportStatus.UPLOADED: "Waiting for the check to start",
    ImportStatus.PREVIEWING: "Checking the file against the register",
    ImportStatus.IMPORTING: "Importing into the register",
}


def import_progress(ofsted_import: OfstedImport) -> dict[str, Any]:
    """Rows processed out of the total, read from the cache while a step is running."""
    processed = ofsted_import.rows_processed
    if ofsted_import.in_progress:
        try:
            running = cache.get(progress_key(ofsted_import))
        except Exception:  # the cache is down: the last progress saved on the import
            running = None
        if running and running.get("status") == ofsted_import.status:
            processed = int(running["processed"])
    total = ofsted_import.rows_total
    percent = min(100, processed * 100 // total) if total else 0
    if ofsted_import.in_progress and total:
        message = f"{PHASES[ImportStatus(ofsted_import.status)]}: {processed:,} of {total:,} rows"
    elif ofsted_import.in_progress:
        message = PHASES[ImportStatus(ofsted_import.status)]
    else:
        message = ofsted_import.get_status_display()
    return {
        "status": ofsted_import.status,
        "status_label": ofsted_import.get_status_display(),
        "in_progress": ofsted_import.in_progress,
        "processed": processed,
        "total": total,
        "percent": 100 if ofsted_import.status == ImportStatus.IMPORTED else percent,
        "message": message,
        "url": ofsted_import.get_absolute_url(),
    }

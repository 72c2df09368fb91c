"""Reads for report exports: a person sees their own; the KQM manager sees everyone's."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from kqm.models import Role, User

from .models.exports import ExportStatus, ReportExport
from .services.exports import EXPORT_ROLES, EXPORTS


def exports_visible_to(user: User) -> QuerySet[ReportExport]:
    exports = ReportExport.objects.select_related("requested_by")
    if user.role == Role.MANAGER:
        return exports
    if user.role in EXPORT_ROLES:
        return exports.filter(requested_by=user)
    return exports.none()


def access_export_by_id(user: User, export_id: int) -> ReportExport:
    """The export if the user may see it: 403 for roles that never export, else 404."""
    if user.role not in EXPORT_ROLES:
        raise PermissionDenied("Your role does not give you access to report exports.")
    try:
        return exports_visible_to(user).get(pk=export_id)
    except ReportExport.DoesNotExist:
        raise Http404("No such export.") from None


def my_exports(user: User) -> QuerySet[ReportExport]:
    return ReportExport.objects.filter(requested_by=user).order_by("-requested_at", "-pk")


def export_progress(export: ReportExport) -> dict[str, Any]:
    """For the progress bar and its script."""
    in_progress = export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)
    if export.status == ExportStatus.QUEUED:
        message = "Waiting to start"
    elif export.status == ExportStatus.RUNNING and export.rows_total and export.rows_total > 1:
        message = f"{export.rows_done:,} of {export.rows_total:,} rows written"
    elif export.status == ExportStatus.RUNNING:
        message = "Being built"
    else:
        message = export.get_status_display()
    return {"in_progress": in_progress, "percent": export.percent, "message": message}


def export_title(export: ReportExport) -> str:
    kind = EXPORTS.get(export.report)
    return kind.title if kind else export.report

"""Report exports built in the background: requested on a report's page, built by the
``build_report_export`` task with the same builders the downloads use, then emailed.

Which reports can be exported, in which formats, by whom and with which filters is the
data in ``EXPORTS``. The filters are checked with the report page's own form when the
export is requested, and again when it is built.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from kqm.celery import TRANSIENT_ERRORS
from kqm.emails import queue_email
from kqm.models import Role, User
from kqm.outbox import enqueue
from settings.filters import RegisterFilter

from ..models.exports import ExportStatus, ReportExport

logger = logging.getLogger(__name__)

# How many register rows are written between two progress updates.
PROGRESS_EVERY = 500
READY_TEMPLATE = "report_export_ready"
BUILD_TASK = "accreditation.tasks.build_report_export"
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}

# A builder writes the export to ``out`` (binary) and reports progress as (done, total).
Progress = Callable[[int, int], None]
Builder = Callable[[QueryDict, User, Any, Progress], None]


class ExportRefused(ValidationError):
    """The export cannot be requested or built (the message says why)."""


# --- Builders: each calls the report's own code ------------------------------------------------


def _register_rows(params: QueryDict) -> Any:
    from settings import selectors as register

    filterset = RegisterFilter(params or None, queryset=register.register_rows())
    if params and not filterset.is_valid():
        raise ExportRefused("The register's filters are not valid.")
    key, descending = register.parse_register_sort(params.get("sort", ""))
    return register.sort_register(filterset.qs, key, descending)


def _build_register_csv(params: QueryDict, user: User, out: Any, progress: Progress) -> None:
    """The register as on screen, every page of it: the streamed CSV, written to a file."""
    from settings.register_csv import register_csv_lines

    rows = _register_rows(params)
    total = rows.count()
    progress(0, total)
    done = -1  # the first line is the header
    for line in register_csv_lines(rows):
        out.write(line.encode("utf-8"))
        done += 1
        if done and done % PROGRESS_EVERY == 0:
            progress(done, total)
    progress(total, total)


def _outcomes_filters(params: QueryDict) -> dict[str, Any]:
    from ..forms.reports import OutcomesFilterForm

    form = OutcomesFilterForm(params or None)
    if params and not form.is_valid():
        raise ExportRefused("The report's filters are not valid.")
    return {"filters": form.filters()}


def _build_outcomes(fmt: str) -> Builder:
    def build(params: QueryDict, user: User, out: Any, progress: Progress) -> None:
        from ..reports.builders import build_outcomes_csv, render_outcomes_pdf

        filters = _outcomes_filters(params)
        progress(0, 1)
        render = build_outcomes_csv if fmt == "csv" else render_outcomes_pdf
        out.write(render(**filters))
        progress(1, 1)

    return build


def _programme_filters(params: QueryDict, user: User) -> dict[str, Any]:
    from ..forms.reports import ProgrammeFilterForm

    form = ProgrammeFilterForm(params or None)
    if params and not form.is_valid():
        raise ExportRefused("The report's filters are not valid.")
    cohort = form.chosen_cohort()
    # Evaluators by name for the KQM manager only, as on the page.
    return {
        "cohort_id": cohort.pk if cohort is not None else None,
        "include_evaluators": user.role == Role.MANAGER,
    }


def _build_programme(fmt: str) -> Builder:
    def build(params: QueryDict, user: User, out: Any, progress: Progress) -> None:
        from ..reports.builders import build_programme_csv, render_programme_pdf

        filters = _programme_filters(params, user)
        progress(0, 1)
        render = build_programme_csv if fmt == "csv" else render_programme_pdf
        out.write(render(**filters))
        progress(1, 1)

    return build


@dataclass(frozen=True)
class ExportKind:
    title: str
    roles: tuple[str, ...]
    filters: tuple[str, ...]  # the query parameters the report's page uses
    builders: dict[str, Builder]
    page: str  # the report's page (URL name)
    check: Callable[[QueryDict], Any]


EXPORTS: dict[str, ExportKind] = {
    "register": ExportKind(
        title="The register of settings",
        roles=(Role.MANAGER,),
        filters=(*RegisterFilter.base_filters, "sort"),
        builders={"csv": _build_register_csv},
        page="settings:list",
        check=lambda params: _register_rows(params).query,
    ),
    "outcomes": ExportKind(
        title="Outcomes against Ofsted",
        roles=(Role.MANAGER, Role.VIEWER),
        filters=(
            "sector",
            "local_authority",
            *(f"{name}_{part}" for name in ("snapshot", "start", "end") for part in range(3)),
            "cohort",
            "membership",
            "benchmark",
        ),
        builders={"csv": _build_outcomes("csv"), "pdf": _build_outcomes("pdf")},
        page="accreditation:report-outcomes",
        check=_outcomes_filters,
    ),
    "programme": ExportKind(
        title="Programme report",
        roles=(Role.MANAGER, Role.VIEWER),
        filters=("cohort",),
        builders={"csv": _build_programme("csv"), "pdf": _build_programme("pdf")},
        page="accreditation:report-programme",
        check=lambda params: _programme_filters(params, User(role=Role.VIEWER)),
    ),
}
EXPORT_ROLES = tuple(sorted({role for kind in EXPORTS.values() for role in kind.roles}))


def can_export(user: User, report: str) -> bool:
    kind = EXPORTS.get(report)
    return kind is not None and user.is_active and user.role in kind.roles


def params_of(export: ReportExport) -> QueryDict:
    params = QueryDict(mutable=True)
    for key, values in (export.params or {}).items():
        params.setlist(key, [str(v) for v in values])
    return params


def file_name(export: ReportExport) -> str:
    """The name the file is downloaded (and stored) under."""
    requested = timezone.localtime(export.requested_at) if export.requested_at else timezone.now()
    return f"kqm-{export.report}-{requested:%Y-%m-%d}-{export.pk}.{export.format}"


# --- Requesting --------------------------------------------------------------------------------


@transaction.atomic
def do_request_export(
    *, user: User, report: str, export_format: str, filters: QueryDict
) -> ReportExport:
    """Record the export and queue its build with the transaction (``kqm.outbox``)."""
    kind = EXPORTS.get(report)
    if kind is None or export_format not in kind.builders:
        raise ExportRefused("This report cannot be exported in that format.")
    if not can_export(user, report):
        raise ExportRefused("Your role does not let you export this report.")
    params = {key: filters.getlist(key) for key in kind.filters if filters.getlist(key)}
    kind.check(params_of(ReportExport(params=params)))
    export = ReportExport(report=report, format=export_format, params=params, requested_by=user)
    export.full_clean(exclude=["file"])
    export._history_user = user  # type: ignore[attr-defined]
    export.save()
    enqueue(BUILD_TASK, export_id=export.pk)
    return export


def is_stuck(export: ReportExport, *, now: datetime.datetime | None = None) -> bool:
    """Waiting for longer than ``OUTBOX_STUCK_MINUTES``, or running for longer than the
    task's time limit (so whatever ran it has gone)."""
    now = now or timezone.now()
    if export.status == ExportStatus.QUEUED:
        return export.requested_at < now - datetime.timedelta(minutes=settings.OUTBOX_STUCK_MINUTES)
    if export.status == ExportStatus.RUNNING:
        limit = datetime.timedelta(seconds=settings.LONG_TASK_TIME_LIMIT + 60)
        return (export.started_at or export.requested_at) < now - limit
    return False


def can_retry(export: ReportExport) -> bool:
    return export.status == ExportStatus.FAILED or is_stuck(export)


def stuck_exports(stuck_before: datetime.datetime) -> Iterator[tuple[str, dict[str, int]]]:
    """For the outbox sweep: exports waiting, or running past their time limit."""
    now = timezone.now()
    candidates = ReportExport.objects.filter(
        status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING], requested_at__lt=stuck_before
    )
    for export in candidates.order_by("pk"):
        if is_stuck(export, now=now):
            yield BUILD_TASK, {"export_id": export.pk}


@transaction.atomic
def do_retry_export(*, export: ReportExport, by: User) -> ReportExport:
    """The requester (or a KQM manager) builds a failed or stuck export again."""
    locked = ReportExport.objects.select_for_update().get(pk=export.pk)
    if not can_retry(locked):
        raise ExportRefused("This export is not stuck: it is being built, or it is ready.")
    locked._history_user = by  # type: ignore[attr-defined]
    locked.status = ExportStatus.QUEUED
    locked.error = ""
    locked.rows_done = 0
    locked.started_at = None
    locked.finished_at = None
    locked.save(update_fields=["status", "error", "rows_done", "started_at", "finished_at"])
    enqueue(BUILD_TASK, export_id=locked.pk)
    return locked


# --- Building (the task) -------------------------------------------------------------------------


def _set(export: ReportExport, status: str, **fields: Any) -> None:
    """A status change, saved with a history row."""
    export.status = status
    for name, value in fields.items():
        setattr(export, name, value)
    export._history_user = export.requested_by  # type: ignore[attr-defined]
    export.save(update_fields=["status", *fields])


def _drop_connection() -> None:
    from django.db import connection

    with contextlib.suppress(Exception):
        connection.close()


def do_build_export(*, export_id: int) -> bool:
    """Build the export's file, store it under exports/ and email the requester.

    Idempotent: an export already ready (or gone) is left alone, and the email is sent
    once per export. A database error is retried; any other failure is recorded on the
    export, with its reason, and the person can try again.
    """
    export = ReportExport.objects.select_related("requested_by").filter(pk=export_id).first()
    if export is None or export.status == ExportStatus.READY:
        return False
    kind = EXPORTS.get(export.report)
    _set(
        export,
        ExportStatus.RUNNING,
        started_at=timezone.now(),
        finished_at=None,
        rows_done=0,
        rows_total=None,
        error="",
    )

    def progress(done: int, total: int) -> None:
        # A plain update: progress is not history, and the page polls it.
        ReportExport.objects.filter(pk=export.pk).update(rows_done=done, rows_total=total)
        export.rows_done, export.rows_total = done, total

    try:
        if kind is None or export.format not in kind.builders:
            raise ExportRefused("This report can no longer be exported in that format.")
        if not can_export(export.requested_by, export.report):
            raise ExportRefused("You no longer have access to this report.")
        with tempfile.TemporaryFile() as out:
            kind.builders[export.format](params_of(export), export.requested_by, out, progress)
            out.seek(0)
            if export.file:
                export.file.delete(save=False)
            export.file.save(file_name(export), File(out), save=False)
    except TRANSIENT_ERRORS:
        # The database went away mid-build: drop the broken connection and let the task be
        # retried (with backoff); it builds again from the start. If every retry fails, the
        # export stays "being built" until the sweep or the person's "try again" restarts it.
        logger.warning("Report export %s was interrupted; it will be built again", export.pk)
        _drop_connection()
        raise
    except Exception as error:  # recorded for the person, and logged in full
        logger.exception("Report export %s failed", export.pk)
        message = (
            " ".join(error.messages) if isinstance(error, ValidationError) else "An error occurred."
        )
        _set(export, ExportStatus.FAILED, error=message, finished_at=timezone.now())
        return False
    with transaction.atomic():
        _set(
            export,
            ExportStatus.READY,
            file=export.file.name,
            rows_done=export.rows_total or 0,
            finished_at=timezone.now(),
        )
        queue_email(
            template=READY_TEMPLATE,
            user_id=export.requested_by_id,
            context={
                "title": EXPORTS[export.report].title,
                "format": export.format.upper(),
                "link": reverse("accreditation:report-export-detail", args=[export.pk]),
            },
            key=f"{READY_TEMPLATE}:{export.pk}",
        )
    return True

"""Background work of the programme: rendering award certificates, the daily reminders,
and opening annual reviews."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django.utils.dateparse import parse_datetime

from kqm.celery import TRANSIENT_ERRORS

from .certificates import render_certificate_pdf
from .models import Award
from .services.awards import do_store_certificate


@shared_task(
    bind=True, autoretry_for=(*TRANSIENT_ERRORS, OSError), soft_time_limit=120, time_limit=180
)
def render_certificate(self: Any, award_id: int, requested_at: str = "") -> bool:
    """Render the award's certificate to PDF, store it and tell the setting's managers.

    Idempotent: a certificate already rendered since ``requested_at`` (an ISO time: when the
    grant or the "render again" was asked for) is left alone, so a message delivered twice
    renders once; without it, the same file is replaced. Each manager is emailed once per
    award. A revoked (or missing) award is left alone.
    """
    award = Award.objects.select_related("setting", "granted_by").filter(pk=award_id).first()
    if award is None or award.is_revoked:
        return False
    asked = parse_datetime(requested_at) if requested_at else None
    rendered = award.certificate_rendered_at if award.certificate else None
    if asked and rendered and rendered >= asked:
        return False
    do_store_certificate(award=award, pdf=render_certificate_pdf(award))
    return True


@shared_task(bind=True)
def send_due_reminders(self: Any) -> int:
    """Scheduled daily by beat: create and queue every reminder due up to today, once."""
    from .services.reaccreditation import do_open_due_reaccreditations
    from .services.reminders import do_send_due_reminders

    # Re-accreditations whose alert date has come open first (idempotent, like the rest).
    do_open_due_reaccreditations()
    return do_send_due_reminders()


@shared_task(bind=True)
def open_annual_review(self: Any, review_id: int) -> bool:
    """Queued by the daily job when a review's window opens: the accreditation moves to
    “Annual review due” if the pipeline allows it. Idempotent; a missing review is ignored."""
    from .models import AnnualReview
    from .services.annual_reviews import do_open_annual_review

    review = AnnualReview.objects.filter(pk=review_id).first()
    if review is None:
        return False
    return do_open_annual_review(review=review)


@shared_task(
    bind=True,
    soft_time_limit=settings.LONG_TASK_TIME_LIMIT - 60,
    time_limit=settings.LONG_TASK_TIME_LIMIT,
)
def build_report_export(self: Any, export_id: int) -> bool:
    """Build a requested report export, store it and email the requester. Idempotent: an
    export that is already ready is left alone (see ``services.exports``)."""
    from .services.exports import do_build_export

    return do_build_export(export_id=export_id)

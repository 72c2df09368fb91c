"""Background work of the programme: rendering award certificates."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from .certificates import render_certificate_pdf
from .models import Award
from .services.awards import do_store_certificate


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def render_certificate(self: Any, award_id: int) -> bool:
    """Render the award's certificate to PDF, store it and tell the setting's managers.

    Idempotent: the same file is replaced and each manager is emailed once per award.
    A revoked (or missing) award is left alone.
    """
    award = Award.objects.select_related("setting", "granted_by").filter(pk=award_id).first()
    if award is None or award.is_revoked:
        return False
    do_store_certificate(award=award, pdf=render_certificate_pdf(award))
    return True


@shared_task(bind=True)
def send_due_reminders(self: Any) -> int:
    """Scheduled daily by beat: create and queue every reminder due up to today, once."""
    from .services.reminders import do_send_due_reminders

    return do_send_due_reminders()

"""Writes for awards: granting, revoking, and storing the rendered certificate.

The certificate is rendered by a Celery task (``accreditation.tasks.render_certificate``)
queued when the grant commits, and again whenever the KQM manager asks. Rendering
replaces the same file, and the "certificate ready" email carries a key per award and
recipient, so a second rendering sends nothing.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from kqm.emails import queue_email
from kqm.models import User
from kqm.outbox import enqueue
from kqm.selectors import setting_managers_of

from ..models import Accreditation, Award, Status
from ..models.awards import add_years, format_award_number, new_verification_code

logger = logging.getLogger(__name__)

# An award follows a decision that the setting met the mark (or met it again).
AWARDABLE_STATUSES = frozenset({Status.ACCREDITED, Status.REACCREDITED})
ATTEMPTS = 5  # a number or code taken meanwhile by another grant: try the next one


def expiry_for(award_date: datetime.date) -> datetime.date:
    return add_years(award_date, settings.AWARD_VALIDITY_YEARS)


RENDER_TASK = "accreditation.tasks.render_certificate"


def queue_certificate_render(award_id: int) -> None:
    """Render the certificate in the worker, with the current transaction (``kqm.outbox``).

    The request time makes a redelivered message (or a second sweep) render nothing more.
    """
    enqueue(RENDER_TASK, award_id=award_id, requested_at=timezone.now().isoformat())


def stuck_certificates(stuck_before: datetime.datetime) -> Iterator[tuple[str, dict[str, Any]]]:
    """For the outbox sweep: awards granted a while ago whose certificate was never stored."""
    awards = Award.objects.filter(
        revoked_at__isnull=True, certificate="", granted_at__lt=stuck_before
    ).values_list("pk", "granted_at")
    for award_id, granted_at in awards.order_by("pk").iterator():
        yield RENDER_TASK, {"award_id": award_id, "requested_at": granted_at.isoformat()}


@transaction.atomic
def do_grant_award(
    *,
    accreditation: Accreditation,
    award_date: datetime.date,
    granted_by: User | None,
    previous_award: Award | None = None,
) -> Award:
    """Grant the mark to an accreditation that has just been accredited (or re-accredited).

    Numbers run per year of the award date (``KQM-2026-0001``, ``KQM-2026-0002``...).
    A first award links to the setting's previous award, if any; a renewal (re-accreditation)
    passes ``previous_award``, the accreditation's award it replaces. The certificate is
    rendered in the background once this commits.
    """
    locked = (
        Accreditation.objects.select_for_update().select_related("setting").get(pk=accreditation.pk)
    )
    if locked.status not in AWARDABLE_STATUSES:
        raise ValidationError(
            f"Only an accredited or re-accredited setting can be granted the award; "
            f"this accreditation is “{locked.get_status_display()}”."
        )
    if previous_award is None:
        existing = Award.objects.filter(accreditation=locked).first()
        if existing is not None:
            raise ValidationError(f"This accreditation already has its award, {existing.number}.")
    else:
        _check_renewable(previous_award, locked)
    if award_date > timezone.localdate():
        raise ValidationError({"award_date": "The award date must be today or in the past."})
    previous = previous_award or Award.latest_for_setting(locked.setting_id)
    for attempt in range(1, ATTEMPTS + 1):
        sequence = Award.next_sequence(award_date.year)
        award = Award(
            setting_id=locked.setting_id,
            accreditation=locked,
            previous_award=previous,
            number=format_award_number(award_date.year, sequence),
            year=award_date.year,
            sequence=sequence,
            award_date=award_date,
            expiry_date=expiry_for(award_date),
            verification_code=new_verification_code(),
            granted_by=granted_by,
        )
        award.full_clean()
        award._history_user = granted_by  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                award.save()
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
            logger.info("Award number or code taken meanwhile; trying again.")
            continue
        break
    from .annual_reviews import ensure_annual_reviews

    ensure_annual_reviews(award)
    queue_certificate_render(award.pk)
    return award


def _check_renewable(previous: Award, accreditation: Accreditation) -> None:
    """A renewal follows the accreditation's own award, once, and never a revoked one."""
    if previous.accreditation_id != accreditation.pk:
        raise ValidationError(f"{previous.number} is another accreditation's award.")
    if previous.revoked_at is not None:
        raise ValidationError(f"{previous.number} was revoked, so it cannot be renewed.")
    later = Award.objects.filter(previous_award=previous).first()
    if later is not None:
        raise ValidationError(f"{previous.number} was already renewed by {later.number}.")


@transaction.atomic
def do_revoke_award(*, award: Award, by: User, reason: str) -> Award:
    """Withdraw the mark. The certificate then verifies as revoked; the reason stays private."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for revoking the award."})
    locked = Award.objects.select_for_update().get(pk=award.pk)
    if locked.revoked_at is not None:
        raise ValidationError(
            f"{award.number} was already revoked on "
            f"{date_format(timezone.localtime(locked.revoked_at), 'j F Y')}."
        )
    award.revoked_at = timezone.now()
    award.revoked_by = by
    award.revocation_reason = reason
    award.full_clean()
    award._history_user = by  # type: ignore[attr-defined]
    award._change_reason = reason  # type: ignore[attr-defined]
    award.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    return award


def do_request_certificate_render(*, award: Award, requested_by: User) -> None:
    """Render the certificate again (for example after the setting's name changed)."""
    if award.is_revoked:
        raise ValidationError(
            f"{award.number} has been revoked, so its certificate is not rendered again."
        )
    logger.info("Certificate of %s re-rendered at the request of %s", award.number, requested_by)
    queue_certificate_render(award.pk)


def certificate_path(award: Award) -> str:
    return f"certificates/{award.year}/{award.number}.pdf"


@transaction.atomic
def do_store_certificate(*, award: Award, pdf: bytes) -> Award:
    """Store the rendered PDF in place of any earlier one and tell the setting's managers.

    Each manager is emailed once per award, however often the certificate is rendered.
    """
    name = certificate_path(award)
    storage = award.certificate.storage
    if storage.exists(name):
        storage.delete(name)
    stored = storage.save(name, ContentFile(pdf))
    award.certificate.name = stored
    award.certificate_rendered_at = timezone.now()
    award.save(update_fields=["certificate", "certificate_rendered_at"])
    context = {
        "setting": award.setting.display_name,
        "number": award.number,
        "award_date": date_format(award.award_date, "j F Y"),
        "expiry_date": date_format(award.expiry_date, "j F Y"),
        "link": award.get_absolute_url(),
        "scheme": settings.KQM_SCHEME_NAME,
    }
    for manager in setting_managers_of(award.setting_id):
        queue_email(
            template="certificate_ready",
            user_id=manager.pk,
            context=context,
            key=f"certificate_ready:{award.number}:{manager.pk}",
        )
    return award

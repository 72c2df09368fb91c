"""Pieces the accreditation-year services share: who to tell, and refusing stale writes."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from kqm.emails import queue_email
from kqm.models import Role, User

from ..models import Accreditation


@dataclass(eq=False)
class StaleWrite(Exception):
    """The record changed since the page was loaded (another tab, or another person).

    Saving would silently overwrite that change, so nothing is saved.
    """

    saved_at: datetime.datetime | None
    saved_by: str

    def __str__(self) -> str:
        when = (
            timezone.localtime(self.saved_at).strftime("%H:%M on %d %b %Y")
            if self.saved_at
            else "meanwhile"
        )
        return (
            f"Not saved: {self.saved_by} saved a newer version at {when}, in another tab or "
            "window. Copy anything you need from this page, then reload it to see the newer "
            "version."
        )


def check_open(accreditation: Accreditation) -> None:
    """Refuse any change to a closed accreditation's records, saying why it is closed."""
    if accreditation.is_closed:
        raise ValidationError(accreditation.closed_reason())


def managers() -> QuerySet[User]:
    return User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk")


def evaluator_or_managers(accreditation: Accreditation) -> list[User]:
    """The accreditation's evaluator, or the KQM managers while none is assigned."""
    evaluator = accreditation.evaluator
    if evaluator is not None and evaluator.is_active:
        return [evaluator]
    return list(managers())


def notify(
    recipients: Iterable[User],
    *,
    accreditation: Accreditation,
    subject: str,
    lines: list[str],
    link: str,
    link_text: str,
    key: str,
    exclude: User | None = None,
) -> None:
    """Email each recipient once (``key`` names the event) when the transaction commits."""
    seen: set[int] = set()
    for user in recipients:
        if user.pk in seen or (exclude is not None and user.pk == exclude.pk):
            continue
        seen.add(user.pk)
        queue_email(
            template="accreditation_notice",
            user_id=user.pk,
            context={
                "subject": subject,
                "lines": lines,
                "setting": accreditation.setting.display_name,
                "cohort": str(accreditation.cohort),
                "link": link,
                "link_text": link_text,
            },
            key=f"{key}:{user.pk}",
        )


def check_revision(
    current: int, submitted: int, *, saved_at: datetime.datetime | None, saved_by: User | None
) -> None:
    if submitted != current:
        raise StaleWrite(saved_at=saved_at, saved_by=str(saved_by) if saved_by else "Someone")

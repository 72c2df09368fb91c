"""Reads for reminders: a person's own, or every reminder for the KQM manager."""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery

from kqm.models import SentEmail, User

from .models import Reminder


def reminder_list(user: User, *, search: str = "", kind: str = "") -> QuerySet[Reminder]:
    """With each reminder's email as recorded: ``email_status`` (None while it is queued:
    no attempt yet) and ``email_sent_at``."""
    email = SentEmail.objects.filter(key=OuterRef("email_key"))
    reminders = Reminder.objects.select_related("recipient", "award", "award__setting").annotate(
        email_status=Subquery(email.values("status")[:1]),
        email_sent_at=Subquery(email.values("sent_at")[:1]),
    )
    if not user.is_manager:
        reminders = reminders.filter(recipient=user)
    if search:
        reminders = reminders.filter(
            Q(award__setting__name__icontains=search)
            | Q(award__number__icontains=search)
            | Q(recipient__full_name__icontains=search)
            | Q(recipient__email__icontains=search)
        )
    if kind:
        reminders = reminders.filter(kind=kind)
    return reminders.order_by("-send_on", "-pk")

"""Reads for reminders: a person's own, or every reminder for the KQM manager."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from kqm.models import EmailStatus, Role, SentEmail, User

from .models import AnnualReview, Award, Reminder, ReminderKind, ReminderRun, ReminderSettings
from .models.after_award import SENT_REVIEW_STATUSES
from .services.reminders import (
    REVIEW_KINDS,
    current_awards,
    due_reminders,
    email_key,
    pending_on,
)


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


PREVIEW_DAYS = 30
RUNS_SHOWN = 14


@dataclass
class PreviewRow:
    send_on: datetime.date
    kind: str
    award: Award
    due_date: datetime.date
    offset: str
    recipients: list[User]
    fix_url: str = ""  # where to give the setting a setting manager's account

    @property
    def kind_label(self) -> str:
        return ReminderKind(self.kind).label

    @property
    def why(self) -> str:
        when = date_format(self.due_date, "j F Y")
        if self.offset == "on":
            return f"{self.kind_label}: {when}"
        weeks, _, side = self.offset.partition("w-")
        unit = "week" if weeks == "1" else "weeks"
        return f"{self.kind_label} on {when}: the reminder {weeks} {unit} {side} it"


def reminder_preview(today: datetime.date | None = None) -> list[PreviewRow]:
    """What the daily job will send over the next 30 days, by the job's own schedule
    (``due_reminders`` and ``pending_on``), less what was already sent and the annual
    reviews already sent in. A reminder with nobody to receive it is listed too, with
    the link that fixes it. Four queries whatever the number of awards."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=PREVIEW_DAYS)
    rules = ReminderSettings.load()
    awards = current_awards(horizon, today)
    already = set(Reminder.objects.filter(send_on__gte=today).values_list("email_key", flat=True))
    sent_reviews = set(
        AnnualReview.objects.filter(
            award__in=[award.pk for award in awards], status__in=SENT_REVIEW_STATUSES
        ).values_list("award_id", "due_date")
    )
    invite = reverse("users:invite")
    rows: list[PreviewRow] = []
    for award in awards:
        for due in pending_on(due_reminders(award, rules), today=horizon, window_start=today):
            if due.kind in REVIEW_KINDS and (award.pk, due.due_date) in sent_reviews:
                continue
            managers = [
                manager
                for manager in getattr(award.setting, "managers", [])
                if email_key(due.kind, manager.pk, award.pk, due.due_date, due.offset)
                not in already
            ]
            if getattr(award.setting, "managers", []) and not managers:
                continue  # sent already to everyone
            query = urlencode({"role": Role.SETTING_MANAGER, "settings": award.setting.urn})
            rows.append(
                PreviewRow(
                    send_on=due.send_on,
                    kind=due.kind,
                    award=award,
                    due_date=due.due_date,
                    offset=due.offset,
                    recipients=managers,
                    fix_url="" if managers else f"{invite}?{query}",
                )
            )
    return sorted(rows, key=lambda row: (row.send_on, row.award.setting.name, row.kind))


@dataclass
class RunSummary:
    run: ReminderRun
    sent: int
    failed: int
    waiting: int


def recent_runs(limit: int = RUNS_SHOWN) -> list[RunSummary]:
    """The latest runs of the job with how their reminders' emails went: two queries."""
    runs = list(ReminderRun.objects.order_by("-ran_at", "-pk")[:limit])
    email = SentEmail.objects.filter(key=OuterRef("email_key"))
    counts: dict[Any, Counter[str]] = defaultdict(Counter)
    rows = (
        Reminder.objects.filter(queued_at__in=[run.ran_at for run in runs])
        .annotate(email_status=Subquery(email.values("status")[:1]))
        .order_by()
        .values("queued_at", "email_status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["queued_at"]][row["email_status"] or "waiting"] += row["n"]
    return [
        RunSummary(
            run,
            sent=counts[run.ran_at][EmailStatus.SENT],
            failed=counts[run.ran_at][EmailStatus.FAILED],
            waiting=counts[run.ran_at]["waiting"] + counts[run.ran_at][EmailStatus.SENDING],
        )
        for run in runs
    ]

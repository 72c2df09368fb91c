"""The daily reminder job: every reminder due up to today, created and queued once.

``due_reminders`` is pure date arithmetic over one award and the settings, so the
rules can be tested on their own. ``do_send_due_reminders`` runs a fixed number of
queries whatever the number of awards: the awards with their setting managers in
one prefetch, the reminders already stored in the catch-up window in one, one bulk
insert (conflicts on the unique key ignored, so a concurrent run is harmless), and
one update marking them queued. Each email carries the reminder's key, so a task
that runs twice sends once.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from kqm.emails import queue_email
from kqm.models import Role, User
from kqm.outbox import batched

from ..models import Award, Reminder, ReminderKind, ReminderRun, ReminderSettings, SkipReason
from ..models.awards import add_years
from . import annual_reviews

EMAIL_TEMPLATES = {
    ReminderKind.ANNUAL_REVIEW_DUE: "reminder_annual_review_due",
    ReminderKind.ANNUAL_REVIEW_OVERDUE: "reminder_annual_review_overdue",
    ReminderKind.REACCREDITATION_ALERT: "reminder_reaccreditation_alert",
    ReminderKind.VISIT_TO_BOOK: "reminder_visit_to_book",
    ReminderKind.REQUIREMENTS_INCOMPLETE: "reminder_requirements_incomplete",
    ReminderKind.AWARD_EXPIRING: "reminder_award_expiring",
}


# Not sent for a review the setting has already sent in (submitted or signed off).
REVIEW_KINDS = frozenset({ReminderKind.ANNUAL_REVIEW_DUE, ReminderKind.ANNUAL_REVIEW_OVERDUE})


@dataclass(frozen=True)
class DueReminder:
    kind: str
    due_date: datetime.date
    offset: str
    send_on: datetime.date


def _first_on_or_after(start: datetime.date, month: int, day: int = 1) -> datetime.date:
    candidate = datetime.date(start.year, month, day)
    return candidate if candidate >= start else datetime.date(start.year + 1, month, day)


def reaccreditation_dates(award: Award, rules: ReminderSettings) -> dict[str, datetime.date]:
    """The alert, visit-booking and term-end dates of the award's re-accreditation.

    The alert falls in the award's third year: the first day of the alert month on or after
    the second anniversary (the anniversary itself when it falls in that month). The visit
    reminder and the end of the Summer term follow it (the term end, or the expiry date if
    that comes first, is the deadline).
    """
    third_year = add_years(award.award_date, 2)
    # An award dated in the alert month is alerted on its second anniversary, in that month,
    # not a year later a few days before its expiry.
    if third_year.month == rules.alert_month:
        alert = third_year
    else:
        alert = _first_on_or_after(third_year, rules.alert_month)
    visit = _first_on_or_after(alert, rules.visit_month)
    term_end = _first_on_or_after(alert, rules.summer_term_end_month, rules.summer_term_end_day)
    # An award that expires before that Summer term must be renewed by its expiry.
    term_end = min(term_end, award.expiry_date)
    return {"alert": alert, "visit": visit, "term_end": term_end}


def due_reminders(award: Award, rules: ReminderSettings) -> list[DueReminder]:
    """Every reminder of an award over its whole life, in date order."""
    found: list[DueReminder] = []
    validity_years = max(1, (award.expiry_date.year - award.award_date.year))
    for year in range(1, validity_years):
        review_due = add_years(award.award_date, year)
        for weeks in rules.review_weeks:
            found.append(
                DueReminder(
                    ReminderKind.ANNUAL_REVIEW_DUE,
                    review_due,
                    f"{weeks}w-before",
                    review_due - datetime.timedelta(weeks=weeks),
                )
            )
        found.append(
            DueReminder(
                ReminderKind.ANNUAL_REVIEW_OVERDUE,
                review_due,
                f"{rules.review_overdue_weeks}w-after",
                review_due + datetime.timedelta(weeks=rules.review_overdue_weeks),
            )
        )
    dates = reaccreditation_dates(award, rules)
    found.append(
        DueReminder(ReminderKind.REACCREDITATION_ALERT, dates["alert"], "on", dates["alert"])
    )
    found.append(DueReminder(ReminderKind.VISIT_TO_BOOK, dates["visit"], "on", dates["visit"]))
    found.append(
        DueReminder(
            ReminderKind.REQUIREMENTS_INCOMPLETE,
            dates["term_end"],
            f"{rules.requirements_weeks_before}w-before",
            dates["term_end"] - datetime.timedelta(weeks=rules.requirements_weeks_before),
        )
    )
    found.append(
        DueReminder(
            ReminderKind.AWARD_EXPIRING,
            award.expiry_date,
            f"{rules.expiry_weeks_before}w-before",
            award.expiry_date - datetime.timedelta(weeks=rules.expiry_weeks_before),
        )
    )
    found = [r for r in found if award.award_date < r.send_on < award.expiry_date]
    return sorted(found, key=lambda r: (r.send_on, r.kind))


def pending_on(
    dues: list[DueReminder], *, today: datetime.date, window_start: datetime.date
) -> list[DueReminder]:
    """The reminders a run on ``today`` sends: due in the catch-up window, up to today.

    (Those already sent are skipped by their key.) A reminder whose day fell before the
    window, because the job did not run for longer than the catch-up period, is not sent.
    """
    return [due for due in dues if window_start <= due.send_on <= today]


def email_key(kind: str, recipient_id: int, award_id: int, due: datetime.date, offset: str) -> str:
    return f"reminder:{kind}:{recipient_id}:{award_id}:{due.isoformat()}:{offset}"


def current_awards(today: datetime.date, window_start: datetime.date) -> list[Award]:
    """Awards still running (not revoked, not replaced, not long expired), with managers."""
    managers = User.objects.filter(role=Role.SETTING_MANAGER, is_active=True).order_by("pk")
    return list(
        Award.objects.filter(
            revoked_at__isnull=True,
            later_awards__isnull=True,
            award_date__lt=today,
            expiry_date__gt=window_start,
        )
        .select_related("setting", "accreditation")
        .prefetch_related(Prefetch("setting__members", queryset=managers, to_attr="managers"))
        .order_by("pk")
    )


def _context(award: Award, reminder: Reminder) -> dict[str, str]:
    return {
        "setting": award.setting.name,
        "scheme": settings.KQM_SCHEME_NAME,
        "number": award.number,
        "due_date": date_format(reminder.due_date, "j F Y"),
        "expiry_date": date_format(award.expiry_date, "j F Y"),
        "link": reverse("accreditation:award-detail", args=[award.pk]),
        "reminders_link": reverse("accreditation:reminder-list"),
    }


@transaction.atomic
@batched  # one insert for all the emails it queues
def do_send_due_reminders(*, today: datetime.date | None = None) -> int:
    """Create and queue every reminder due from the catch-up window up to today.

    Returns how many reminders this run created (0 when run again the same day).
    """
    today = today or timezone.localdate()
    rules = ReminderSettings.load()
    window_start = today - datetime.timedelta(days=rules.catch_up_days)
    awards = current_awards(today, window_start)
    # Annual reviews: created for every current award (bulk), opened when their window
    # opens (a task per review, on commit), and no reminders once the setting sent one.
    reviews = annual_reviews.ensure_annual_reviews_for(awards)
    annual_reviews.queue_opening_reviews(
        awards, reviews, weeks_before=rules.review_weeks, today=today
    )
    sent_reviews = annual_reviews.reviews_sent(reviews)
    existing = set(
        Reminder.objects.filter(send_on__gte=window_start)
        .values_list("email_key", flat=True)
        .iterator()
    )
    new: list[Reminder] = []
    skipped: Counter[str] = Counter()
    for award in awards:
        for due in pending_on(due_reminders(award, rules), today=today, window_start=window_start):
            if due.kind in REVIEW_KINDS and (award.pk, due.due_date) in sent_reviews:
                skipped[SkipReason.REVIEW_SENT] += 1
                continue
            managers = getattr(award.setting, "managers", [])
            if not managers:
                skipped[SkipReason.NO_RECIPIENT] += 1
            for manager in managers:
                key = email_key(due.kind, manager.pk, award.pk, due.due_date, due.offset)
                if key in existing:
                    skipped[SkipReason.ALREADY_SENT] += 1
                    continue
                existing.add(key)
                new.append(
                    Reminder(
                        kind=due.kind,
                        recipient=manager,
                        award=award,
                        due_date=due.due_date,
                        offset=due.offset,
                        send_on=due.send_on,
                        email_key=key,
                    )
                )
    now = timezone.now()
    # What the run did, so "0 reminders" always comes with its reasons.
    ReminderRun.objects.create(
        ran_at=now, ran_on=today, created=len(new), skipped={str(k): v for k, v in skipped.items()}
    )
    if not new:
        return 0
    Reminder.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    awards_by_id = {award.pk: award for award in awards}
    keys = [reminder.email_key for reminder in new]
    for reminder in new:
        queue_email(
            template=EMAIL_TEMPLATES[ReminderKind(reminder.kind)],
            user_id=reminder.recipient_id,
            context=_context(awards_by_id[reminder.award_id], reminder),
            key=reminder.email_key,
        )
    for start in range(0, len(keys), 500):
        Reminder.objects.filter(
            email_key__in=keys[start : start + 500], queued_at__isnull=True
        ).update(queued_at=now)
    return len(new)


@transaction.atomic
def do_update_reminder_settings(*, rules: ReminderSettings, actor: User) -> ReminderSettings:
    rules.pk = 1
    rules.full_clean()
    rules._history_user = actor  # type: ignore[attr-defined]
    rules.save()
    return rules

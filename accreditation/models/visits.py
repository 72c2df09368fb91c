"""Evaluator visits, the guided notes of visit, their agreed actions, and calendar feeds.

A visit is booked for an accreditation (the initial and end-of-year audits, three
half-day mentoring visits, a re-accreditation visit). Rescheduling changes the date
in place: the audit trail keeps every earlier date, and the calendar feed raises
the event's sequence so calendars update rather than duplicate it.

A note of visit follows the KQM manager's :class:`NoteTemplate`. Its sections are
copied from the template when the note is started, so a later change to the
template never rewrites a note already written.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords


class VisitType(models.TextChoices):
    INITIAL_AUDIT = "initial_audit", "Initial audit"
    MENTORING_1 = "mentoring_1", "Mentoring visit 1"
    MENTORING_2 = "mentoring_2", "Mentoring visit 2"
    MENTORING_3 = "mentoring_3", "Mentoring visit 3"
    END_OF_YEAR_AUDIT = "end_of_year_audit", "End-of-year audit"
    REACCREDITATION = "reaccreditation", "Re-accreditation visit"


MENTORING_VISITS = (VisitType.MENTORING_1, VisitType.MENTORING_2, VisitType.MENTORING_3)


class Visit(models.Model):
    accreditation = models.ForeignKey(
        "accreditation.Accreditation", on_delete=models.CASCADE, related_name="visits"
    )
    visit_type = models.CharField("type of visit", max_length=30, choices=VisitType.choices)
    date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    sequence = models.PositiveIntegerField(
        default=0, help_text="Raised at every reschedule, so calendars update the event."
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "start_time", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["accreditation", "visit_type"], name="one_visit_of_each_type"
            ),
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="visit_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_visit_type_display()} on {self.date:%d %b %Y}"

    def get_absolute_url(self) -> str:
        return reverse("accreditation:visit-detail", args=[self.pk])

    @property
    def note_or_none(self) -> NoteOfVisit | None:
        try:
            return self.note
        except NoteOfVisit.DoesNotExist:
            return None


class NoteTemplate(models.Model):
    """The guided form evaluators follow: ordered sections, each with its prompt."""

    name = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NoteTemplateSection(models.Model):
    template = models.ForeignKey(NoteTemplate, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=100)
    prompt = models.TextField(help_text="What the evaluator is asked to record here.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title


class NoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SHARED = "shared", "Shared with the setting"
    AGREED = "agreed", "Agreed"


class NoteOfVisit(models.Model):
    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="note")
    status = models.CharField(max_length=10, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    revision = models.PositiveIntegerField(
        default=0, help_text="Increases with every saved change; stale writes are refused."
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField()
    shared_at = models.DateTimeField(null=True, blank=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = "note of visit"
        verbose_name_plural = "notes of visit"

    def __str__(self) -> str:
        return f"Note of visit: {self.visit}"

    def get_absolute_url(self) -> str:
        return reverse("accreditation:note-detail", args=[self.visit_id])

    @property
    def is_locked(self) -> bool:
        return self.status == NoteStatus.AGREED


class NoteSection(models.Model):
    """One section of a note, with the title and prompt it had when the note was started."""

    note = models.ForeignKey(NoteOfVisit, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=100)
    prompt = models.TextField()
    text = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.title


class NoteComment(models.Model):
    """The setting's reply to a shared note (or the evaluator's answer)."""

    note = models.ForeignKey(NoteOfVisit, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    agreed = models.BooleanField(default=False, help_text="Written when agreeing the note.")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.created_at:%d %b %Y}"


class AgreedAction(models.Model):
    """An action agreed at a visit; once the note is agreed it joins the setting's action list."""

    note = models.ForeignKey(NoteOfVisit, on_delete=models.CASCADE, related_name="actions")
    accreditation = models.ForeignKey(
        "accreditation.Accreditation", on_delete=models.CASCADE, related_name="agreed_actions"
    )
    order = models.PositiveSmallIntegerField(default=0)
    action = models.TextField("what will be done")
    owner = models.CharField("who", max_length=100)
    due_on = models.DateField("by when")
    closed_on = models.DateField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.action[:40]} ({self.owner}, by {self.due_on:%d %b %Y})"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """An evaluator's private iCalendar feed: the token in its URL is the only key."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["token"])

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

"""Reads for visits, notes of visit, agreed actions and calendar feeds, scoped to the user."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from kqm.models import SETTING_ROLES, Role, User

from .models import (
    Accreditation,
    AgreedAction,
    CalendarFeed,
    NoteComment,
    NoteOfVisit,
    NoteSection,
    NoteStatus,
    NoteTemplate,
    NoteTemplateSection,
    Visit,
)
from .selectors import accreditations_visible_to

# What the setting sees of a note: never the evaluator's draft.
VISIBLE_TO_SETTING = (NoteStatus.SHARED, NoteStatus.AGREED)


def _no_viewers(user: User) -> None:
    if user.role == Role.VIEWER:
        raise PermissionDenied("Viewers see reports, not individual accreditations.")


def visits_of(accreditation: Accreditation) -> list[Visit]:
    """The accreditation's visits in date order, each with its note (if any)."""
    return list(
        Visit.objects.filter(accreditation=accreditation)
        .select_related("note")
        .order_by("date", "start_time", "pk")
    )


def access_visit_by_id(user: User, visit_id: int) -> Visit:
    _no_viewers(user)
    try:
        return Visit.objects.select_related(
            "accreditation__setting", "accreditation__cohort", "accreditation__evaluator"
        ).get(pk=visit_id, accreditation__in=accreditations_visible_to(user).values("pk"))
    except Visit.DoesNotExist:
        raise Http404("No such visit.") from None


@dataclass
class Reschedule:
    when: datetime.datetime
    who: str
    old: str
    new: str
    reason: str


def _slot(record: object) -> str:
    date: datetime.date = record.date  # type: ignore[attr-defined]
    start: datetime.time = record.start_time  # type: ignore[attr-defined]
    end: datetime.time = record.end_time  # type: ignore[attr-defined]
    return f"{date:%-d %b %Y}, {start:%H:%M} to {end:%H:%M}"


def reschedules(visit: Visit) -> list[Reschedule]:
    """Every earlier date and time of the visit, newest first (from its audit trail)."""
    records = list(
        visit.history.select_related("history_user").order_by("history_date", "history_id")
    )
    rows: list[Reschedule] = []
    for before, after in itertools.pairwise(records):
        if _slot(before) != _slot(after):
            rows.append(
                Reschedule(
                    when=after.history_date,
                    who=str(after.history_user) if after.history_user else "System",
                    old=_slot(before),
                    new=_slot(after),
                    reason=after.history_change_reason or "",
                )
            )
    return rows[::-1]


def access_note_by_visit_id(user: User, visit_id: int) -> tuple[Visit, NoteOfVisit | None]:
    """The visit and its note. Setting staff see a note only once it is shared (else 404)."""
    visit = access_visit_by_id(user, visit_id)
    note = NoteOfVisit.objects.filter(visit=visit).select_related("written_by", "agreed_by").first()
    if user.role in SETTING_ROLES and (note is None or note.status not in VISIBLE_TO_SETTING):
        raise Http404("This note of visit has not been shared with the setting yet.")
    if note is not None:
        note.visit = visit
    return visit, note


def note_sections(note: NoteOfVisit) -> list[NoteSection]:
    return list(note.sections.order_by("order", "pk"))


def note_actions(note: NoteOfVisit) -> list[AgreedAction]:
    return list(note.actions.order_by("order", "pk"))


def note_comments(note: NoteOfVisit) -> list[NoteComment]:
    return list(note.comments.select_related("author").order_by("created_at", "pk"))


def action_list(accreditation: Accreditation, *, state: str = "") -> QuerySet[AgreedAction]:
    """Actions from agreed notes of visit: open ones first by due date, then closed ones."""
    actions = (
        AgreedAction.objects.filter(accreditation=accreditation, note__status=NoteStatus.AGREED)
        .select_related("note__visit", "closed_by")
        .order_by("closed_on", "due_on", "order", "pk")
    )
    if state == "open":
        actions = actions.filter(closed_on__isnull=True)
    elif state == "closed":
        actions = actions.filter(closed_on__isnull=False)
    return actions


def access_action_by_id(user: User, action_id: int) -> AgreedAction:
    _no_viewers(user)
    try:
        return AgreedAction.objects.select_related("accreditation", "note").get(
            pk=action_id,
            note__status=NoteStatus.AGREED,
            accreditation__in=accreditations_visible_to(user).values("pk"),
        )
    except AgreedAction.DoesNotExist:
        raise Http404("No such action.") from None


def feed_of(user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


def visits_for_feed(token: str) -> tuple[User, list[Visit]] | None:
    """The evaluator owning the token and the visits on their accreditations; None if unknown."""
    if not token or len(token) > 64:
        return None
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active or feed.user.role != Role.EVALUATOR:
        return None
    visits = list(
        Visit.objects.filter(accreditation__evaluator=feed.user)
        .select_related("accreditation__setting", "accreditation__cohort")
        .order_by("date", "start_time", "pk")
    )
    return feed.user, visits


def current_note_template() -> NoteTemplate | None:
    return NoteTemplate.objects.order_by("pk").first()


def template_sections(template: NoteTemplate) -> list[NoteTemplateSection]:
    return list(template.sections.order_by("order", "pk"))


def access_template_section_by_id(user: User, section_id: int) -> NoteTemplateSection:
    if user.role != Role.MANAGER:
        raise PermissionDenied("Only the KQM manager configures the notes of visit.")
    try:
        return NoteTemplateSection.objects.select_related("template").get(pk=section_id)
    except NoteTemplateSection.DoesNotExist:
        raise Http404("No such section.") from None

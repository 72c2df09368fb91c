"""The accreditation year as a task list: every requirement with its status.

Four queries whatever the size of the setting: visits with their notes, the initial
and end-of-year audits, the case studies, and the rooms with their screenings per term.
Unit B items join the list with the issue that builds them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse

from audits.models import Audit, AuditStatus, Group, Occasion, Term
from kqm.models import SETTING_ROLES, Role, User

from .models import (
    Accreditation,
    CaseStudy,
    CaseStudyStatus,
    NoteStatus,
    Visit,
    VisitType,
)
from .models.case_studies import CASE_STUDIES_PER_ACCREDITATION
from .models.visits import MENTORING_VISITS

COMPLETED = "Completed"


@dataclass
class Task:
    key: str
    name: str
    status: str
    colour: str = ""  # a GOV.UK tag colour; empty for "Completed" shown as plain text
    url: str = ""
    hint: str = ""

    @property
    def done(self) -> bool:
        return self.status == COMPLETED


@dataclass
class TaskGroup:
    heading: str
    tasks: list[Task] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for task in self.tasks if task.done)


def _url(name: str, *args: object) -> str:
    """The page's address, or '' while the page does not exist (another part of KQM)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _day(date: datetime.date) -> str:
    return f"{date:%-d %b %Y}"


def _slot(visit: Visit) -> str:
    return f"{_day(visit.date)}, {visit.start_time:%H:%M} to {visit.end_time:%H:%M}"


def _audit_task(key: str, name: str, audit: Audit | None, visit: Visit | None) -> Task:
    if audit is not None and audit.status == AuditStatus.COMPLETED:
        return Task(
            key,
            name,
            COMPLETED,
            url=_url("audits:audit-detail", audit.pk),
            hint=f"Completed on {_day(audit.date)}",
        )
    if audit is not None:
        return Task(
            key, name, "In progress", "light-blue", url=_url("audits:audit-detail", audit.pk)
        )
    if visit is not None:
        return Task(key, name, "Booked", "blue", url=visit.get_absolute_url(), hint=_slot(visit))
    return Task(key, name, "Not yet booked", "grey")


def _visit_task(key: str, name: str, visit: Visit | None, user: User) -> Task:
    if visit is None:
        return Task(key, name, "Not yet booked", "grey")
    note = visit.note_or_none
    url = visit.get_absolute_url()
    hint = _slot(visit)
    if note is not None and note.status == NoteStatus.AGREED:
        return Task(key, name, COMPLETED, url=url, hint=hint + "; note of visit agreed")
    if note is not None and note.status == NoteStatus.SHARED:
        to_agree = "Note to agree" if user.role == Role.SETTING_MANAGER else "Note with the setting"
        return Task(key, name, to_agree, "blue", url=url, hint=hint)
    if note is not None and user.role not in SETTING_ROLES:
        return Task(key, name, "Note being written", "light-blue", url=url, hint=hint)
    return Task(key, name, "Booked", "blue", url=url, hint=hint)


CASE_STUDY_STATUS = {
    CaseStudyStatus.DRAFT: ("In progress", "light-blue"),
    CaseStudyStatus.SUBMITTED: ("Submitted", "blue"),
    CaseStudyStatus.RETURNED: ("Returned for more work", "orange"),
    CaseStudyStatus.ACCEPTED: (COMPLETED, ""),
}


def _case_study_task(
    accreditation: Accreditation, number: int, case_study: CaseStudy | None, user: User
) -> Task:
    url = reverse("accreditation:case-study-detail", args=[accreditation.pk, number])
    name = f"Case study {number}"
    if case_study is None:
        return Task(f"case-study-{number}", name, "Not started", "grey", url=url)
    status, colour = CASE_STUDY_STATUS[CaseStudyStatus(case_study.status)]
    if case_study.status == CaseStudyStatus.SUBMITTED and user.role in (
        Role.MANAGER,
        Role.EVALUATOR,
    ):
        status = "To review"
    return Task(f"case-study-{number}", name, status, colour, url=url, hint=case_study.title)


def _screening_task(term: str, groups: list[Group]) -> Task:
    name = f"Leuven screening, {Term(term).label.lower()} term"
    key = f"screening-{term}"
    if not groups:
        return Task(key, name, "Not started", "grey", hint="No rooms or groups set up yet")
    screened = sum(1 for g in groups if getattr(g, f"screened_{term}"))
    if screened == len(groups):
        return Task(key, name, COMPLETED, hint=f"Every room screened ({len(groups)})")
    if screened:
        return Task(
            key,
            name,
            "In progress",
            "light-blue",
            hint=f"{screened} of {len(groups)} rooms screened",
        )
    return Task(
        key,
        name,
        "Not started",
        "grey",
        hint=f"{len(groups)} {'room' if len(groups) == 1 else 'rooms'} to screen",
    )


def accreditation_tasks(accreditation: Accreditation, user: User) -> list[TaskGroup]:
    visits = {
        v.visit_type: v
        for v in Visit.objects.filter(accreditation=accreditation).select_related("note")
    }
    audits: dict[str, Audit] = {}
    for audit in Audit.objects.filter(
        accreditation=accreditation, occasion__in=[Occasion.INITIAL, Occasion.END_OF_YEAR]
    ).order_by("date", "pk"):
        # A completed audit of the occasion counts over one still in progress.
        held = audits.get(audit.occasion)
        if held is None or held.status != AuditStatus.COMPLETED:
            audits[audit.occasion] = audit
    case_studies = {
        c.number: c
        for c in CaseStudy.objects.filter(accreditation=accreditation).only(
            "pk", "number", "status", "title", "accreditation_id"
        )
    }
    screened = {
        f"screened_{term}": Count(
            "screenings",
            filter=Q(screenings__term=term, screenings__scores__isnull=False),
            distinct=True,
        )
        for term in Term.values
    }
    groups = list(
        Group.objects.filter(
            setting_id=accreditation.setting_id,
            programme_year=accreditation.cohort.programme_year,
        )
        .annotate(**screened)
        .order_by("name", "pk")
    )

    mentoring = [_visit_task(t, VisitType(t).label, visits.get(t), user) for t in MENTORING_VISITS]
    return [
        TaskGroup(
            "Start of the year",
            [
                _audit_task(
                    "initial-audit",
                    "Initial ECERS/ITERS audit",
                    audits.get(Occasion.INITIAL),
                    visits.get(VisitType.INITIAL_AUDIT),
                )
            ],
        ),
        TaskGroup("Evaluator visits", mentoring),
        TaskGroup(
            "Unit A: improving outcomes for children",
            [
                *(
                    _case_study_task(accreditation, n, case_studies.get(n), user)
                    for n in range(1, CASE_STUDIES_PER_ACCREDITATION + 1)
                ),
                *(_screening_task(term, groups) for term in Term.values),
            ],
        ),
        TaskGroup(
            "End of the year",
            [
                _audit_task(
                    "end-of-year-audit",
                    "End-of-year ECERS/ITERS audit",
                    audits.get(Occasion.END_OF_YEAR),
                    visits.get(VisitType.END_OF_YEAR_AUDIT),
                )
            ],
        ),
    ]

"""The accreditation year as a task list: every requirement with its status.

Six queries whatever the size of the setting: visits with their notes, the audits
(ECERS/ITERS, leadership and parent partnership), the case studies, the rooms with their
screenings per term, the SEF and improvement-plan counts, and the staff questionnaire rounds.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from audits.models import (
    Audit,
    AuditStatus,
    Group,
    InstrumentKind,
    Occasion,
    QuestionnaireKind,
    QuestionnaireRound,
    Term,
)
from kqm.models import SETTING_ROLES, Role, User

from . import policy
from .models import (
    Accreditation,
    CaseStudy,
    CaseStudyStatus,
    NoteStatus,
    Visit,
    VisitType,
)
from .models.case_studies import CASE_STUDIES_PER_ACCREDITATION
from .models.unit_b import OPEN_ACTION_STATUSES, SEF_SECTIONS
from .models.visits import MENTORING_VISITS

COMPLETED = "Completed"
# Who may open the Unit B pages (SEF, improvement plan, questionnaire rounds).
# The audit tools of Unit B; every other instrument kind is an ECERS/ITERS-style audit.
UNIT_B_KINDS = (InstrumentKind.LEADERSHIP, InstrumentKind.PARTNERSHIP)


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
    if visit.date > timezone.localdate():  # a note dated before its visit does not count
        return Task(key, name, "Booked", "blue", url=url, hint=hint)
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


def start_audit_url(accreditation: Accreditation, occasion: str = "", kind: str = "") -> str:
    """The page that starts an audit filed under ``accreditation`` (named explicitly);
    ``kind`` names a whole-setting tool (leadership, PPEL) so its instrument is chosen."""
    start = _url("audits:audit-new")
    if not start:
        return ""
    url = f"{start}?setting={accreditation.setting_id}&accreditation={accreditation.pk}"
    url = f"{url}&occasion={occasion}" if occasion else url
    return f"{url}&kind={kind}" if kind else url


def _self_audit_task(
    key: str,
    name: str,
    audit: Audit | None,
    accreditation: Accreditation,
    user: User,
    occasion: str,
    kind: str,
) -> Task:
    """A Unit B audit tool that the setting scores itself: no visit to book."""
    if audit is not None:
        return _audit_task(key, name, audit, None)
    if user.role == Role.SETTING_MANAGER and not accreditation.is_closed:
        url = start_audit_url(accreditation, occasion, kind)
        return Task(key, name, "Not started", "grey", url=url, hint="Start it as a self-audit")
    return Task(key, name, "Not started", "grey")


def _leadership_task(audit: Audit | None, accreditation: Accreditation, user: User) -> Task:
    """The leadership self-audit is done once its evaluator has completed the review."""
    key, name = "leadership-audit", "Leadership audit"
    if audit is None or audit.status != AuditStatus.COMPLETED:
        return _self_audit_task(
            key, name, audit, accreditation, user, Occasion.INITIAL, InstrumentKind.LEADERSHIP
        )
    reviewed_at = getattr(audit, "reviewed_at", None)
    if reviewed_at is not None:
        url = _url("audits:leadership-review-results", audit.pk)
        hint = f"Self-audit reviewed on {_day(timezone.localdate(reviewed_at))}"
        return Task(key, name, COMPLETED, url=url, hint=hint)
    hint = f"Self-audit completed on {_day(audit.date)}; waiting for the evaluator's review"
    if user.role in (Role.MANAGER, Role.EVALUATOR):
        url = _url("audits:leadership-review", audit.pk)
        return Task(key, name, "To review", "blue", url=url, hint=hint)
    url = _url("audits:audit-detail", audit.pk)
    return Task(key, name, "Waiting for review", "blue", url=url, hint=hint)


def _unit_b_url(user: User, name: str, *args: object) -> str:
    return _url(name, *args) if user.role in policy.UNIT_B_READERS else ""


def _sef_task(accreditation: Accreditation, entries: int, user: User) -> Task:
    url = _unit_b_url(user, "accreditation:self-evaluation", accreditation.pk)
    name = "Self-evaluation (SEF)"
    total = len(SEF_SECTIONS)
    if entries >= total:
        return Task("sef", name, COMPLETED, url=url, hint=f"Every section judged ({total})")
    if entries:
        hint = f"{entries} of {total} sections judged"
        return Task("sef", name, "In progress", "light-blue", url=url, hint=hint)
    return Task("sef", name, "Not started", "grey", url=url)


def _plan_task(accreditation: Accreditation, actions: int, open_actions: int, user: User) -> Task:
    url = _unit_b_url(user, "accreditation:improvement-plan", accreditation.pk)
    name = "Improvement plan"
    if not actions:
        return Task("improvement-plan", name, "Not started", "grey", url=url)
    noun = "action" if actions == 1 else "actions"
    if open_actions:
        hint = f"{actions - open_actions} of {actions} {noun} finished"
        return Task("improvement-plan", name, "In progress", "light-blue", url=url, hint=hint)
    hint = f"{actions} {noun} finished"
    return Task("improvement-plan", name, COMPLETED, url=url, hint=hint)


def _questionnaire_task(
    rounds: list[QuestionnaireRound], accreditation: Accreditation, user: User
) -> Task:
    name = "Staff questionnaire"
    key = "staff-questionnaire"
    if not rounds:
        url = _unit_b_url(user, "audits:questionnaire-list")
        if user.role == Role.SETTING_MANAGER and not accreditation.is_closed:
            start = _url("audits:questionnaire-new")
            url = f"{start}?accreditation={accreditation.pk}&kind=staff" if start else ""
        return Task(key, name, "Not started", "grey", url=url)
    today = timezone.localdate()
    closed = [r for r in rounds if not r.is_open(today)]
    if closed:
        latest = closed[0]
        url = _unit_b_url(user, "audits:questionnaire-detail", latest.pk)
        hint = f"{latest.title}, closed on {_day(latest.closed_on())}"
        return Task(key, name, COMPLETED, url=url, hint=hint)
    latest = rounds[0]
    url = _unit_b_url(user, "audits:questionnaire-detail", latest.pk)
    hint = f"{latest.title}, open until {_day(latest.closes_on)}"
    return Task(key, name, "Open for answers", "blue", url=url, hint=hint)


def accreditation_tasks(accreditation: Accreditation, user: User) -> list[TaskGroup]:
    visits = {
        v.visit_type: v
        for v in Visit.objects.filter(accreditation=accreditation).select_related("note")
    }
    # Keyed by (kind, occasion); the leadership audit by (kind, "") whatever its occasion.
    audits: dict[tuple[str, str], Audit] = {}
    for audit in (
        Audit.objects.filter(accreditation=accreditation)
        .filter(
            Q(occasion__in=[Occasion.INITIAL, Occasion.END_OF_YEAR])
            | Q(version__instrument__kind=InstrumentKind.LEADERSHIP)
        )
        .annotate(kind=F("version__instrument__kind"), reviewed_at=F("review__completed_at"))
        .order_by("date", "pk")
    ):
        kind = getattr(audit, "kind", "")
        kind = kind if kind in UNIT_B_KINDS else InstrumentKind.RATING_SCALE
        slot = (kind, "" if kind == InstrumentKind.LEADERSHIP else audit.occasion)
        # A completed audit of the occasion counts over one still in progress (and a
        # reviewed leadership audit over one not reviewed yet).
        held = audits.get(slot)
        if (
            held is None
            or held.status != AuditStatus.COMPLETED
            or (
                getattr(held, "reviewed_at", None) is None and audit.status == AuditStatus.COMPLETED
            )
        ):
            audits[slot] = audit
    unit_b = Accreditation.objects.filter(pk=accreditation.pk).aggregate(
        entries=Count("self_evaluation_entries", distinct=True),
        actions=Count("improvement_actions", distinct=True),
        open_actions=Count(
            "improvement_actions",
            filter=Q(improvement_actions__status__in=OPEN_ACTION_STATUSES),
            distinct=True,
        ),
    )
    rounds = list(
        QuestionnaireRound.objects.filter(
            accreditation=accreditation, questionnaire__kind=QuestionnaireKind.STAFF
        ).order_by("-created_at", "-pk")
    )
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
                    audits.get((InstrumentKind.RATING_SCALE, Occasion.INITIAL)),
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
            "Unit B: leadership and partnership with parents",
            [
                _leadership_task(audits.get((InstrumentKind.LEADERSHIP, "")), accreditation, user),
                _questionnaire_task(rounds, accreditation, user),
                _sef_task(accreditation, unit_b["entries"], user),
                _plan_task(accreditation, unit_b["actions"], unit_b["open_actions"], user),
                _self_audit_task(
                    "ppel-initial",
                    "Parent partnership (PPEL) audit, start of the year",
                    audits.get((InstrumentKind.PARTNERSHIP, Occasion.INITIAL)),
                    accreditation,
                    user,
                    Occasion.INITIAL,
                    InstrumentKind.PARTNERSHIP,
                ),
                _self_audit_task(
                    "ppel-end-of-year",
                    "Parent partnership (PPEL) audit, end of the year",
                    audits.get((InstrumentKind.PARTNERSHIP, Occasion.END_OF_YEAR)),
                    accreditation,
                    user,
                    Occasion.END_OF_YEAR,
                    InstrumentKind.PARTNERSHIP,
                ),
            ],
        ),
        TaskGroup(
            "End of the year",
            [
                _audit_task(
                    "end-of-year-audit",
                    "End-of-year ECERS/ITERS audit",
                    audits.get((InstrumentKind.RATING_SCALE, Occasion.END_OF_YEAR)),
                    visits.get(VisitType.END_OF_YEAR_AUDIT),
                )
            ],
        ),
    ]

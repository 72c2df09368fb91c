"""What each role has to do next: the dashboard's to-do list.

One selector per role builds every section of that role's list. Each section is one
query, whatever the number of items (the tests count them at 5 and at 100 items), and
lists its items oldest first: by the due date where there is one, otherwise by the
date the work has been waiting since. Each section says, when empty, what will
appear there. Items name settings and records, never a child (counts only).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from audits.models import (
    ActionPoint,
    Audit,
    AuditStatus,
    Group,
    InstrumentKind,
    LeuvenScore,
    Occasion,
    QuestionnaireKind,
    QuestionnaireRound,
    Screening,
    Term,
)
from kqm.models import SETTING_ROLES, Role, User
from settings.models import Setting

from .models import (
    Accreditation,
    AccreditationStatusChange,
    AnnualReview,
    Award,
    CaseStudy,
    CaseStudyStatus,
    NoteOfVisit,
    NoteStatus,
    Recommendation,
    Requirement,
    ReviewStatus,
    Status,
    Visit,
)
from .models.after_award import ReaccreditationStatus
from .models.case_studies import CASE_STUDIES_PER_ACCREDITATION, SECTION_KEYS

# The most items a section shows (the oldest); it says when there are more.
SECTION_LIMIT = 10
VISITS_AHEAD_DAYS = 14
NOTES_AGREED_RECENTLY_DAYS = 14
EXPIRING_WITHIN_DAYS = 90
REVIEW_DUE_WITHIN_DAYS = 90
# Journeys still working towards the award: their tasks of the year are open.
WORKING_STATUSES = (Status.ACCEPTED, Status.IN_PROGRESS, Status.NOT_YET_MET)
# Settings that need a setting manager's account: in the programme or holding the mark.
ACTIVE_STATUSES = (
    *WORKING_STATUSES,
    Status.SUBMITTED,
    Status.ACCREDITED,
    Status.REVIEW_DUE,
    Status.REVIEWED,
    Status.REACCREDITATION_DUE,
    Status.REACCREDITED,
)


@dataclass(frozen=True)
class TodoItem:
    title: str
    url: str
    setting: str = ""
    due: datetime.date | None = None
    since: datetime.date | None = None
    detail: str = ""

    @property
    def sort_date(self) -> datetime.date:
        return self.due or self.since or datetime.date.max


@dataclass
class TodoSection:
    key: str
    heading: str
    empty: str
    items: list[TodoItem] = field(default_factory=list)
    more: bool = False

    def fill(self, items: Iterable[TodoItem]) -> TodoSection:
        ordered = sorted(items, key=lambda item: item.sort_date)
        self.items = ordered[:SECTION_LIMIT]
        self.more = len(ordered) > SECTION_LIMIT
        return self


def _date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment is not None else None


def _capped(queryset: QuerySet[Any]) -> list[Any]:
    """One more row than a section shows, so it can say there are more."""
    return list(queryset[: SECTION_LIMIT + 1])


def current_term(today: datetime.date) -> tuple[int, str]:
    """The programme year (the year its autumn term starts) and the term ``today`` is in:
    autumn from September, spring from January, summer from April."""
    if today.month >= 9:
        return today.year, Term.AUTUMN
    return today.year - 1, Term.SPRING if today.month <= 3 else Term.SUMMER


# --- Evaluator ---------------------------------------------------------------------------


def _case_studies_to_review(user: User) -> TodoSection:
    section = TodoSection(
        "case-studies",
        "Case studies to review",
        "Case studies your settings send in for review will appear here.",
    )
    rows = _capped(
        CaseStudy.objects.filter(accreditation__evaluator=user, status=CaseStudyStatus.SUBMITTED)
        .select_related("accreditation__setting")
        .annotate(sent_at=Max("versions__submitted_at"))
        .order_by("sent_at", "pk")
    )
    return section.fill(
        TodoItem(
            title=str(row),
            url=row.get_absolute_url(),
            setting=row.accreditation.setting.display_name,
            since=_date(row.sent_at),
        )
        for row in rows
    )


def _leadership_reviews(user: User) -> TodoSection:
    section = TodoSection(
        "leadership-reviews",
        "Leadership audits to review",
        "Leadership self-audits your settings complete will appear here for your review.",
    )
    rows = _capped(
        Audit.objects.filter(
            accreditation__evaluator=user,
            version__instrument__kind=InstrumentKind.LEADERSHIP,
            status=AuditStatus.COMPLETED,
            paired_with__isnull=True,
        )
        .filter(Q(review__isnull=True) | Q(review__completed_at__isnull=True))
        .select_related("setting")
        .order_by("completed_at", "pk")
    )
    return section.fill(
        TodoItem(
            title=f"Leadership self-audit, {row.room}",
            url=reverse("audits:leadership-review", args=[row.pk]),
            setting=row.setting.display_name,
            since=_date(row.completed_at) or row.date,
        )
        for row in rows
    )


def _notes_answered(user: User, today: datetime.date) -> TodoSection:
    section = TodoSection(
        "notes",
        "Notes of visit the setting commented on or agreed",
        "Notes of visit appear here when a setting comments on one you shared, and for "
        f"{NOTES_AGREED_RECENTLY_DAYS} days after a setting agrees one.",
    )
    from_setting = Q(comments__author__role__in=SETTING_ROLES)
    rows = _capped(
        NoteOfVisit.objects.filter(visit__accreditation__evaluator=user)
        .annotate(
            setting_said=Max("comments__created_at", filter=from_setting),
            we_said=Max("comments__created_at", filter=~from_setting),
        )
        .filter(
            Q(
                status=NoteStatus.AGREED,
                agreed_at__date__gte=today - datetime.timedelta(days=NOTES_AGREED_RECENTLY_DAYS),
            )
            | Q(status=NoteStatus.SHARED, setting_said__isnull=False)
            & (Q(we_said__isnull=True) | Q(setting_said__gt=F("we_said")))
        )
        .select_related("visit__accreditation__setting")
        .order_by("pk")
    )
    return section.fill(
        TodoItem(
            title=(
                f"{row.visit.get_visit_type_display()}: note agreed"
                if row.status == NoteStatus.AGREED
                else f"{row.visit.get_visit_type_display()}: the setting commented"
            ),
            url=row.get_absolute_url(),
            setting=row.visit.accreditation.setting.display_name,
            since=_date(row.agreed_at if row.status == NoteStatus.AGREED else row.setting_said),
        )
        for row in rows
    )


def _annual_reviews_sent(user: User) -> TodoSection:
    section = TodoSection(
        "annual-reviews",
        "Annual reviews sent in",
        "Annual reviews your settings send in will appear here for you to sign off.",
    )
    rows = _capped(
        AnnualReview.objects.filter(
            award__accreditation__evaluator=user, status=ReviewStatus.SUBMITTED
        )
        .select_related("award__setting")
        .order_by("submitted_at", "pk")
    )
    return section.fill(
        TodoItem(
            title=f"Annual review, year {row.year}",
            url=row.get_absolute_url(),
            setting=row.award.setting.display_name,
            since=_date(row.submitted_at),
        )
        for row in rows
    )


def _evidence_to_judge(user: User) -> TodoSection:
    section = TodoSection(
        "reaccreditation-evidence",
        "Re-accreditation evidence to judge",
        "Evidence settings add to a re-accreditation requirement will appear here.",
    )
    rows = _capped(
        Requirement.objects.filter(
            reaccreditation__accreditation__evaluator=user,
            reaccreditation__status__in=(
                ReaccreditationStatus.OPEN,
                ReaccreditationStatus.SUBMITTED,
            ),
            judgement="",
            updated_at__isnull=False,
        )
        .select_related("reaccreditation__setting")
        .order_by("updated_at", "pk")
    )
    return section.fill(
        TodoItem(
            title=row.get_kind_display(),
            url=reverse(
                "accreditation:reaccreditation-requirement",
                args=[row.reaccreditation_id, row.kind],
            ),
            setting=row.reaccreditation.setting.display_name,
            since=_date(row.updated_at),
        )
        for row in rows
    )


def _visits_ahead(visits: QuerySet[Visit], today: datetime.date) -> TodoSection:
    section = TodoSection(
        "visits",
        f"Visits in the next {VISITS_AHEAD_DAYS} days",
        f"Visits booked in the next {VISITS_AHEAD_DAYS} days will appear here.",
    )
    rows = _capped(
        visits.filter(date__range=(today, today + datetime.timedelta(days=VISITS_AHEAD_DAYS)))
        .select_related("accreditation__setting")
        .order_by("date", "start_time", "pk")
    )
    return section.fill(
        TodoItem(
            title=row.get_visit_type_display(),
            url=row.get_absolute_url(),
            setting=row.accreditation.setting.display_name,
            due=row.date,
            detail=f"{row.start_time:%H:%M} to {row.end_time:%H:%M}",
        )
        for row in rows
    )


def _second_observations(user: User) -> TodoSection:
    section = TodoSection(
        "second-observations",
        "Second observations to finish",
        "Audits you are scoring as the second observer will appear here until you complete them.",
    )
    rows = _capped(
        Audit.objects.filter(
            observers=user,
            paired_with__isnull=False,
            is_consensus=False,
            status=AuditStatus.IN_PROGRESS,
        )
        .select_related("setting", "version__instrument")
        .order_by("date", "pk")
    )
    return section.fill(
        TodoItem(
            title=f"{row.version.instrument.name}, {row.room}",
            url=row.get_absolute_url(),
            setting=row.setting.display_name,
            since=row.date,
        )
        for row in rows
    )


def evaluator_todo(user: User, today: datetime.date | None = None) -> list[TodoSection]:
    today = today or timezone.localdate()
    return [
        _case_studies_to_review(user),
        _leadership_reviews(user),
        _notes_answered(user, today),
        _annual_reviews_sent(user),
        _evidence_to_judge(user),
        _visits_ahead(Visit.objects.filter(accreditation__evaluator=user), today),
        _second_observations(user),
    ]


# --- Setting manager ---------------------------------------------------------------------


def _notes_to_agree(user: User) -> TodoSection:
    section = TodoSection(
        "notes-to-agree",
        "Notes of visit to agree",
        "Your evaluator's notes of visit will appear here when they are shared with you.",
    )
    rows = _capped(
        NoteOfVisit.objects.filter(
            status=NoteStatus.SHARED, visit__accreditation__setting__members=user
        )
        .select_related("visit__accreditation__setting")
        .order_by("shared_at", "pk")
    )
    return section.fill(
        TodoItem(
            title=row.visit.get_visit_type_display(),
            url=row.get_absolute_url(),
            setting=row.visit.accreditation.setting.display_name,
            since=_date(row.shared_at),
        )
        for row in rows
    )


def _returned_case_studies(user: User) -> TodoSection:
    section = TodoSection(
        "returned-case-studies",
        "Case studies returned for more work",
        "Case studies your evaluator returns with feedback will appear here.",
    )
    rows = _capped(
        CaseStudy.objects.filter(
            status=CaseStudyStatus.RETURNED, accreditation__setting__members=user
        )
        .select_related("accreditation__setting")
        .annotate(returned_at=Max("versions__decided_at"))
        .order_by("returned_at", "pk")
    )
    return section.fill(
        TodoItem(
            title=str(row),
            url=row.get_absolute_url(),
            setting=row.accreditation.setting.display_name,
            since=_date(row.returned_at),
        )
        for row in rows
    )


def _children_without_action(user: User) -> TodoSection:
    section = TodoSection(
        "children-without-action",
        "Children in the red or amber zone with no action point",
        "Screenings with children in the red or amber zone (Leuven) and no action point "
        "will appear here.",
    )
    needing = (
        LeuvenScore.objects.filter(
            screening=OuterRef("pk"), child__left_on__isnull=True, wellbeing__isnull=False
        )
        .filter(involvement__isnull=False)
        .filter(Q(wellbeing__lte=3) | Q(involvement__lte=3))
        .exclude(Exists(ActionPoint.objects.filter(score=OuterRef("pk"))))
        .values("screening")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = _capped(
        Screening.objects.filter(group__setting__members=user)
        .annotate(missing=Subquery(needing))
        .filter(missing__gt=0)
        .select_related("group__setting")
        .order_by("date", "pk")
    )
    return section.fill(
        TodoItem(
            title=(
                f"{row.missing} {'child has' if row.missing == 1 else 'children have'} "
                "no action point"
            ),
            url=row.get_absolute_url(),
            setting=row.group.setting.display_name,
            since=row.date,
            detail=f"{row.group.name}, {row.get_term_display()} term screening",
        )
        for row in rows
    )


def _open_questionnaires(user: User, today: datetime.date) -> TodoSection:
    section = TodoSection(
        "questionnaires",
        "Questionnaires open for answers",
        "Staff and parent questionnaires you open will appear here with their responses "
        "so far until they close.",
    )
    rows = _capped(
        QuestionnaireRound.objects.filter(
            setting__members=user, closed_at__isnull=True, closes_on__gte=today
        )
        .select_related("setting")
        .annotate(answers=Count("responses"))
        .order_by("closes_on", "pk")
    )
    return section.fill(
        TodoItem(
            title=row.title,
            url=reverse("audits:questionnaire-detail", args=[row.pk]),
            setting=row.setting.display_name if row.setting else "",
            due=row.closes_on,
            detail=f"{row.answers} {'response' if row.answers == 1 else 'responses'} so far",
        )
        for row in rows
    )


def _tasks_not_started(user: User) -> TodoSection:
    """The year's tasks the setting starts itself, not started yet, due by the cohort's end."""
    section = TodoSection(
        "tasks-not-started",
        "Tasks of the year not started",
        "Tasks of your accreditation year that nobody has started yet will appear here, "
        "with the date everything is to be sent in.",
    )

    def audit_of(kind: str, occasion: str = "") -> Exists:
        audits = Audit.objects.filter(
            accreditation=OuterRef("pk"), version__instrument__kind=kind, paired_with__isnull=True
        )
        return Exists(audits.filter(occasion=occasion) if occasion else audits)

    rows = _capped(
        Accreditation.objects.filter(setting__members=user, status__in=WORKING_STATUSES)
        .select_related("setting", "cohort")
        .annotate(
            case_study_count=Count("case_studies", distinct=True),
            has_leadership=audit_of(InstrumentKind.LEADERSHIP),
            has_ppel=audit_of(InstrumentKind.PARTNERSHIP, Occasion.INITIAL),
            has_questionnaire=Exists(
                QuestionnaireRound.objects.filter(
                    accreditation=OuterRef("pk"), questionnaire__kind=QuestionnaireKind.STAFF
                )
            ),
            sef_count=Count("self_evaluation_entries", distinct=True),
            plan_count=Count("improvement_actions", distinct=True),
        )
        .order_by("cohort__end_date", "pk")
    )
    items: list[TodoItem] = []
    for row in rows:
        url = row.get_absolute_url() + "#tasks"
        missing = [
            *(
                f"Case study {n}"
                for n in range(row.case_study_count + 1, CASE_STUDIES_PER_ACCREDITATION + 1)
            ),
            *(["Leadership self-audit"] if not row.has_leadership else []),
            *(["Staff questionnaire"] if not row.has_questionnaire else []),
            *(["Self-evaluation (SEF)"] if not row.sef_count else []),
            *(["Improvement plan"] if not row.plan_count else []),
            *(["Parent partnership (PPEL) audit"] if not row.has_ppel else []),
        ]
        items.extend(
            TodoItem(
                title=name,
                url=url,
                setting=row.setting.display_name,
                due=row.cohort.end_date,
                detail=f"{row.cohort.name}: send everything in by the end of the cohort",
            )
            for name in missing
        )
    return section.fill(items)


def _annual_reviews_due(user: User, today: datetime.date) -> TodoSection:
    section = TodoSection(
        "annual-reviews-due",
        "Annual reviews to send",
        f"Annual reviews appear here {REVIEW_DUE_WITHIN_DAYS} days before they are due.",
    )
    rows = _capped(
        AnnualReview.objects.filter(
            award__setting__members=user,
            status__in=(ReviewStatus.DUE, ReviewStatus.MORE_REQUESTED),
            due_date__lte=today + datetime.timedelta(days=REVIEW_DUE_WITHIN_DAYS),
        )
        .select_related("award__setting")
        .order_by("due_date", "pk")
    )
    return section.fill(
        TodoItem(
            title=f"Annual review, year {row.year}",
            url=row.get_absolute_url(),
            setting=row.award.setting.display_name,
            due=row.due_date,
            detail=row.get_status_display(),
        )
        for row in rows
    )


def setting_manager_todo(user: User, today: datetime.date | None = None) -> list[TodoSection]:
    today = today or timezone.localdate()
    return [
        _notes_to_agree(user),
        _returned_case_studies(user),
        _children_without_action(user),
        _open_questionnaires(user, today),
        _tasks_not_started(user),
        _annual_reviews_due(user, today),
    ]


# --- Practitioner ------------------------------------------------------------------------


def _screenings_due(user: User, today: datetime.date) -> TodoSection:
    year, term = current_term(today)
    label = Term(term).label.lower()
    section = TodoSection(
        "screenings-due",
        f"Leuven screenings due this term ({label})",
        f"Rooms of your setting not yet screened in the {label} term will appear here.",
    )
    screened = Screening.objects.filter(group=OuterRef("pk"), term=term, scores__isnull=False)
    rows = _capped(
        Group.objects.filter(setting__members=user, programme_year=year)
        .exclude(Exists(screened))
        .select_related("setting")
        .order_by("name", "pk")
    )
    return section.fill(
        TodoItem(
            title=f"Screen {row.name}",
            url=row.get_absolute_url(),
            setting=row.setting.display_name,
        )
        for row in rows
    )


def _sections_to_write(user: User) -> TodoSection:
    section = TodoSection(
        "case-study-sections",
        "Case-study sections you can write",
        "Case studies of your setting being drafted or returned for more work will appear "
        "here with the sections still empty.",
    )
    rows = _capped(
        CaseStudy.objects.filter(
            accreditation__setting__members=user,
            accreditation__status__in=WORKING_STATUSES,
            status__in=(CaseStudyStatus.DRAFT, CaseStudyStatus.RETURNED),
        )
        .select_related("accreditation__setting")
        .order_by("saved_at", "pk")
    )
    items = []
    for row in rows:
        empty = sum(1 for key in SECTION_KEYS if not getattr(row, key).strip())
        written = len(SECTION_KEYS) - empty
        items.append(
            TodoItem(
                title=str(row),
                url=row.get_absolute_url(),
                setting=row.accreditation.setting.display_name,
                since=_date(row.saved_at),
                detail=f"{written} of {len(SECTION_KEYS)} sections written; "
                f"{row.get_status_display().lower()}",
            )
        )
    return section.fill(items)


def practitioner_todo(user: User, today: datetime.date | None = None) -> list[TodoSection]:
    today = today or timezone.localdate()
    return [_screenings_due(user, today), _sections_to_write(user)]


# --- KQM manager -------------------------------------------------------------------------


def _decisions_waiting() -> TodoSection:
    section = TodoSection(
        "panel",
        "Today's panel: decisions waiting",
        "Submissions appear here once their evaluator has written a recommendation.",
    )
    latest_submission = (
        AccreditationStatusChange.objects.filter(
            accreditation=OuterRef("accreditation"), to_status=Status.SUBMITTED
        )
        .order_by("-changed_at", "-pk")
        .values("pk")[:1]
    )
    rows = _capped(
        Recommendation.objects.filter(
            accreditation__status=Status.SUBMITTED, submission=Subquery(latest_submission)
        )
        .select_related("accreditation__setting", "accreditation__cohort")
        .order_by("written_at", "pk")
    )
    return section.fill(
        TodoItem(
            title=f"Recommended: {row.get_outcome_display()}",
            url=row.accreditation.get_absolute_url(),
            setting=row.accreditation.setting.display_name,
            since=_date(row.written_at),
            detail=row.accreditation.cohort.name,
        )
        for row in rows
    )


def _settings_without_manager() -> TodoSection:
    section = TodoSection(
        "no-setting-manager",
        "Settings with no setting manager's account",
        "Settings in the programme or holding the mark with nobody to receive their "
        "reminders will appear here.",
    )
    managers = User.objects.filter(
        settings=OuterRef("pk"), role=Role.SETTING_MANAGER, is_active=True
    )
    rows = _capped(
        Setting.objects.filter(
            Exists(Accreditation.objects.filter(setting=OuterRef("pk"), status__in=ACTIVE_STATUSES))
        )
        .exclude(Exists(managers))
        .order_by("name", "pk")
    )
    invite = reverse("users:invite")
    return section.fill(
        TodoItem(
            title=f"Invite a setting manager for {row.display_name}",
            url=f"{invite}?{urlencode({'role': Role.SETTING_MANAGER, 'settings': row.urn})}",
            detail=f"URN {row.urn}: nobody there can receive reminders or agree notes",
        )
        for row in rows
    )


def _awards_expiring(today: datetime.date) -> TodoSection:
    section = TodoSection(
        "awards-expiring",
        f"Awards expiring within {EXPIRING_WITHIN_DAYS} days",
        f"Awards appear here {EXPIRING_WITHIN_DAYS} days before they expire.",
    )
    rows = _capped(
        Award.objects.valid(today)
        .filter(expiry_date__lte=today + datetime.timedelta(days=EXPIRING_WITHIN_DAYS))
        .select_related("setting")
        .order_by("expiry_date", "pk")
    )
    return section.fill(
        TodoItem(
            title=f"Award {row.number}",
            url=row.get_absolute_url(),
            setting=row.setting.display_name,
            due=row.expiry_date,
        )
        for row in rows
    )


def manager_todo(today: datetime.date | None = None) -> list[TodoSection]:
    today = today or timezone.localdate()
    return [_decisions_waiting(), _settings_without_manager(), _awards_expiring(today)]


def todo_for(user: User, today: datetime.date | None = None) -> list[TodoSection]:
    """The to-do list of ``user``'s role (empty for viewers: they only read reports)."""
    if user.role == Role.MANAGER:
        return manager_todo(today)
    if user.role == Role.EVALUATOR:
        return evaluator_todo(user, today)
    if user.role == Role.SETTING_MANAGER:
        return setting_manager_todo(user, today)
    if user.role == Role.PRACTITIONER:
        return practitioner_todo(user, today)
    return []

"""Reads for Unit B's self-evaluation and improvement plan, scoped to the user asking.

Both are read by the setting's manager, its evaluator and the KQM manager; setting
practitioners and viewers get 403, and another setting's record is a 404.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from audits.models import Audit, Screening, Subscale
from kqm.models import User

from . import policy
from .models import (
    Accreditation,
    ActionEvidence,
    ActionReview,
    ActionStatus,
    ImprovementAction,
    SelfEvaluationEntry,
)
from .models.unit_b import (
    OPEN_ACTION_STATUSES,
    SEF_SECTION_BY_CODE,
    SEF_SECTIONS,
    SefSection,
)
from .selectors import accreditations_visible_to

ACTION_SORTS: dict[str, tuple[str, ...]] = {
    "due": ("due_date", "pk"),
    "status": ("status_order", "due_date", "pk"),
    "newest": ("-created_at", "-pk"),
}


def access_unit_b_accreditation(user: User, accreditation_id: int) -> Accreditation:
    """The accreditation whose SEF and plan the user may read."""
    if user.role not in policy.UNIT_B_READERS:
        raise PermissionDenied("Your role does not give you access to self-evaluation or plans.")
    try:
        return accreditations_visible_to(user).get(pk=accreditation_id)
    except Accreditation.DoesNotExist:
        raise Http404("No such accreditation.") from None


# --- Self-evaluation ------------------------------------------------------------------------


@dataclass
class SefRow:
    section: SefSection
    entry: SelfEvaluationEntry | None
    versions: int


def sef_overview(accreditation: Accreditation) -> list[SefRow]:
    """Every section in the data's order, with its entry (or None) and how many versions."""
    versions = (
        SelfEvaluationEntry.history.model.objects.filter(id=OuterRef("pk"))
        .order_by()
        .values("id")
        .annotate(n=Count("history_id"))
        .values("n")
    )
    entries = {
        entry.section: entry
        for entry in SelfEvaluationEntry.objects.filter(accreditation=accreditation)
        .select_related("updated_by")
        .annotate(version_count=Coalesce(Subquery(versions, output_field=IntegerField()), 0))
    }
    return [
        SefRow(
            section,
            entries.get(section.code),
            getattr(entries.get(section.code), "version_count", 0),
        )
        for section in SEF_SECTIONS
    ]


def access_sef_section(
    user: User, accreditation_id: int, code: str
) -> tuple[Accreditation, SefSection, SelfEvaluationEntry | None]:
    accreditation = access_unit_b_accreditation(user, accreditation_id)
    section = SEF_SECTION_BY_CODE.get(code)
    if section is None:
        raise Http404("The self-evaluation has no such section.")
    entry = (
        SelfEvaluationEntry.objects.select_related("updated_by")
        .filter(accreditation=accreditation, section=code)
        .first()
    )
    return accreditation, section, entry


def sef_versions(entry: SelfEvaluationEntry | None) -> list[Any]:
    """Every saved version of a section, newest first, with who saved it."""
    if entry is None:
        return []
    return list(
        entry.history.select_related("history_user").order_by("-history_date", "-history_id")
    )


# --- The improvement plan -----------------------------------------------------------------------


def _last_review() -> Subquery:
    return Subquery(
        ActionReview.objects.filter(action=OuterRef("pk"))
        .order_by("-reviewed_on", "-pk")
        .values("reviewed_on")[:1]
    )


def _count(model: Any) -> Coalesce:
    rows = (
        model.objects.filter(action=OuterRef("pk"))
        .order_by()
        .values("action")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def with_plan_figures(
    actions: QuerySet[ImprovementAction], today: datetime.date
) -> QuerySet[ImprovementAction]:
    return actions.annotate(
        overdue=Case(
            When(Q(status__in=OPEN_ACTION_STATUSES, due_date__lt=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        status_order=Case(
            *(When(status=value, then=Value(i)) for i, value in enumerate(ActionStatus.values)),
            output_field=IntegerField(),
        ),
        review_count=_count(ActionReview),
        evidence_count=_count(ActionEvidence),
        last_reviewed_on=_last_review(),
    )


def plan_actions(
    accreditation: Accreditation,
    *,
    status: str = "",
    search: str = "",
    sort: str = "",
    today: datetime.date | None = None,
) -> QuerySet[ImprovementAction]:
    """The plan's actions, overdue ones first, then by ``sort`` (due date by default).

    One query per page, whatever the number of reviews and evidence.
    """
    today = today or timezone.localdate()
    actions = with_plan_figures(
        ImprovementAction.objects.filter(accreditation=accreditation).select_related(
            "audit__version__instrument", "subscale", "screening__group"
        ),
        today,
    )
    if status == "open":
        actions = actions.filter(status__in=OPEN_ACTION_STATUSES)
    elif status == "overdue":
        actions = actions.filter(status__in=OPEN_ACTION_STATUSES, due_date__lt=today)
    elif status in ActionStatus.values:
        actions = actions.filter(status=status)
    if search:
        actions = actions.filter(
            Q(description__icontains=search)
            | Q(success_measure__icontains=search)
            | Q(owner__icontains=search)
        )
    return actions.order_by("-overdue", *ACTION_SORTS.get(sort, ACTION_SORTS["due"]))


@dataclass
class PlanSummary:
    total: int
    open: int
    overdue: int
    done: int
    dropped: int


def plan_summary(accreditation: Accreditation, today: datetime.date | None = None) -> PlanSummary:
    today = today or timezone.localdate()
    open_q = Q(status__in=OPEN_ACTION_STATUSES)
    figures = ImprovementAction.objects.filter(accreditation=accreditation).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=open_q),
        overdue=Count("pk", filter=open_q & Q(due_date__lt=today)),
        done=Count("pk", filter=Q(status=ActionStatus.DONE)),
        dropped=Count("pk", filter=Q(status=ActionStatus.DROPPED)),
    )
    return PlanSummary(**figures)


def access_action_by_id(user: User, action_id: int) -> ImprovementAction:
    if user.role not in policy.UNIT_B_READERS:
        raise PermissionDenied("Your role does not give you access to improvement plans.")
    visible = accreditations_visible_to(user).values("pk")
    try:
        return (
            with_plan_figures(ImprovementAction.objects.all(), timezone.localdate())
            .select_related(
                "accreditation__setting",
                "accreditation__cohort",
                "accreditation__evaluator",
                "audit__version__instrument",
                "subscale",
                "screening__group",
                "created_by",
            )
            .get(pk=action_id, accreditation__in=visible)
        )
    except ImprovementAction.DoesNotExist:
        raise Http404("No such action.") from None


def action_reviews(action: ImprovementAction) -> list[ActionReview]:
    return list(action.reviews.select_related("author").order_by("-reviewed_on", "-pk"))


def action_evidence(action: ImprovementAction) -> list[ActionEvidence]:
    return list(
        action.evidence.select_related(
            "added_by", "audit__version__instrument", "screening__group"
        ).order_by("added_at", "pk")
    )


def access_action_evidence(user: User, action_id: int, evidence_id: int) -> ActionEvidence:
    action = access_action_by_id(user, action_id)
    try:
        evidence = action.evidence.get(pk=evidence_id)
    except ActionEvidence.DoesNotExist:
        raise Http404("No such evidence.") from None
    evidence.action = action
    return evidence


# --- Choices for the plan's forms ----------------------------------------------------------------


def setting_audits(accreditation: Accreditation) -> list[Audit]:
    """The setting's audits (primary scorings only), newest first, with their instrument."""
    return list(
        Audit.objects.filter(setting_id=accreditation.setting_id, paired_with__isnull=True)
        .select_related("version__instrument")
        .order_by("-date", "-pk")
    )


def audit_subscales(audits: list[Audit]) -> dict[int, list[Subscale]]:
    """Version id -> its subscales, for the audits given (one query)."""
    versions = {audit.version_id for audit in audits}
    result: dict[int, list[Subscale]] = {}
    for subscale in Subscale.objects.filter(version_id__in=versions).order_by("number"):
        result.setdefault(subscale.version_id, []).append(subscale)
    return result


def setting_screenings(accreditation: Accreditation) -> list[Screening]:
    return list(
        Screening.objects.filter(group__setting_id=accreditation.setting_id)
        .select_related("group")
        .order_by("-date", "group__name", "-pk")
    )

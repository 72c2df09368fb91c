"""Reads of annual reviews, always scoped to the user asking.

The KQM manager sees every review; an evaluator the reviews of the settings assigned to
them; a setting manager their own settings' reviews. Anyone else gets 403.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kqm.models import Role, User
from kqm.parsing import parse_id
from settings.models import Inspection, Setting

from . import policy
from .models import Accreditation, AnnualReview, ImprovementAction, ReviewStatus
from .models.after_award import SENT_REVIEW_STATUSES

# The list's orders: key -> (label, ordering).
REVIEW_SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "due": ("Due soonest", ("due_date", "award__setting__name", "pk")),
    "-due": ("Due latest", ("-due_date", "award__setting__name", "-pk")),
    "setting": ("Setting name", ("award__setting__name", "due_date", "pk")),
}
DEFAULT_REVIEW_SORT = "due"


def annual_reviews_visible_to(user: User) -> QuerySet[AnnualReview]:
    reviews = AnnualReview.objects.select_related(
        "award__setting", "award__accreditation__cohort", "award__accreditation__evaluator"
    )
    if user.role == Role.MANAGER:
        return reviews
    if user.role == Role.EVALUATOR:
        return reviews.filter(award__accreditation__evaluator=user)
    if user.role == Role.SETTING_MANAGER:
        return reviews.filter(award__setting__in=user.settings.all())
    return reviews.none()


def access_annual_review_by_id(user: User, review_id: int) -> AnnualReview:
    """The review if the user may see it: 403 for other roles, 404 for others' reviews."""
    if user.role not in policy.ANNUAL_REVIEW_READERS:
        raise PermissionDenied("Only the KQM team and the setting's manager see annual reviews.")
    try:
        return (
            annual_reviews_visible_to(user)
            .select_related("latest_inspection", "submitted_by", "decided_by")
            .get(pk=review_id)
        )
    except AnnualReview.DoesNotExist:
        raise Http404("No such annual review.") from None


def overdue_filter(today: datetime.date) -> Q:
    return Q(due_date__lt=today) & ~Q(status__in=SENT_REVIEW_STATUSES)


def annual_review_list(
    user: User,
    *,
    status: str = "",
    overdue: bool = False,
    cohort_id: str = "",
    sort: str = "",
    today: datetime.date | None = None,
) -> QuerySet[AnnualReview]:
    """The reviews the user may see, filtered and sorted; one query per page."""
    today = today or timezone.localdate()
    reviews = annual_reviews_visible_to(user)
    if status in ReviewStatus.values:
        reviews = reviews.filter(status=status)
    if overdue:
        reviews = reviews.filter(overdue_filter(today))
    if (cohort := parse_id(cohort_id)) is not None:
        reviews = reviews.filter(award__accreditation__cohort_id=cohort)
    ordering = REVIEW_SORTS.get(sort, REVIEW_SORTS[DEFAULT_REVIEW_SORT])[1]
    return reviews.order_by(*ordering)


def reviews_of_accreditation(accreditation: Accreditation) -> list[AnnualReview]:
    return list(
        AnnualReview.objects.filter(award__accreditation=accreditation)
        .select_related("award")
        .order_by("due_date", "pk")
    )


def setting_inspections(setting_id: int) -> QuerySet[Inspection]:
    return Inspection.objects.filter(setting_id=setting_id).order_by("-inspection_date", "-pk")


def plan_actions(review: AnnualReview) -> list[ImprovementAction]:
    """The improvement plan of the review's accreditation, with each action's status."""
    return list(
        ImprovementAction.objects.filter(accreditation_id=review.award.accreditation_id).order_by(
            "due_date", "pk"
        )
    )


@dataclass(frozen=True)
class LeuvenTerm:
    label: str
    children: int
    red: int | None
    amber: int | None
    green: int | None


@dataclass(frozen=True)
class LeuvenContext:
    year: int
    terms: list[LeuvenTerm]


def leuven_context(setting: Setting) -> LeuvenContext | None:
    """The setting's latest programme year of Leuven screenings, as zone shares per term.

    Aggregate figures only (percentages of children), never individual children.
    """
    from audits import leuven_analysis as analysis
    from audits.selectors.leuven import setting_programme_years, year_data

    for year in setting_programme_years(setting):
        data = year_data(setting, year)
        figures = analysis.figures_by_term(data.records)
        if figures:
            return LeuvenContext(
                year=year,
                terms=[
                    LeuvenTerm(
                        label=term.term_label,
                        children=term.children,
                        red=term.zones.red_percent,
                        amber=term.zones.amber_percent,
                        green=term.zones.green_percent,
                    )
                    for term in figures
                ],
            )
    return None

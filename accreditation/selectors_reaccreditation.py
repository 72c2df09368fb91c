"""Reads for re-accreditation: the user-scoped record, a requirement, and the records
requirements link or show (their specs and statuses are in ``accreditation.requirements``).

The KQM manager sees every re-accreditation, an evaluator those of the accreditations
assigned to them, setting staff their own setting's; viewers get 403 and anything
else is a 404.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, QuerySet, When
from django.http import Http404
from django.utils import timezone

from audits import leuven_analysis as analysis
from audits.models import Audit, AuditStatus, Occasion
from audits.selectors.leuven import setting_programme_years, setting_report, year_data
from kqm.models import Role, User

from . import policy
from .models import (
    Reaccreditation,
    ReaccreditationStatus,
    Requirement,
    WorkshopBooking,
)
from .models.unit_b import SEF_SECTIONS
from .selectors_unit_b import PlanSummary, SefRow, plan_summary, sef_overview


def reaccreditations_visible_to(user: User) -> QuerySet[Reaccreditation]:
    qs = Reaccreditation.objects.select_related(
        "award",
        "new_award",
        "setting",
        "accreditation__cohort",
        "accreditation__evaluator",
        "visit",
    )
    if user.role == Role.MANAGER:
        return qs
    if user.role == Role.EVALUATOR:
        return qs.filter(accreditation__evaluator=user)
    if user.role in (Role.SETTING_MANAGER, Role.PRACTITIONER):
        return qs.filter(setting__members=user)
    return qs.none()


def access_reaccreditation_by_id(user: User, reaccreditation_id: int) -> Reaccreditation:
    if user.role not in policy.REACCREDITATION_READERS:
        raise PermissionDenied("Viewers see reports, not individual re-accreditations.")
    try:
        return reaccreditations_visible_to(user).get(pk=reaccreditation_id)
    except Reaccreditation.DoesNotExist:
        raise Http404("No such re-accreditation.") from None


def access_requirement(
    user: User, reaccreditation_id: int, slug: str
) -> tuple[Reaccreditation, Requirement]:
    reaccreditation = access_reaccreditation_by_id(user, reaccreditation_id)
    if "_" in slug:  # the URL names a requirement as its kind with hyphens
        raise Http404("Re-accreditation has no such requirement.")
    kind = slug.replace("-", "_")
    try:
        requirement = Requirement.objects.select_related(
            "audit__version__instrument", "booking__workshop", "updated_by", "judged_by"
        ).get(reaccreditation=reaccreditation, kind=kind)
    except Requirement.DoesNotExist:
        raise Http404("Re-accreditation has no such requirement.") from None
    requirement.reaccreditation = reaccreditation
    return reaccreditation, requirement


def reaccreditation_for_award(award_id: int) -> Reaccreditation | None:
    return Reaccreditation.objects.filter(award_id=award_id).first()


def reaccreditation_list(user: User) -> QuerySet[Reaccreditation]:
    """The re-accreditations the user may see: open ones first, then the newest."""
    return reaccreditations_visible_to(user).order_by(
        Case(
            When(status__in=[ReaccreditationStatus.OPEN, ReaccreditationStatus.SUBMITTED], then=0),
            default=1,
            output_field=IntegerField(),
        ),
        "-opened_at",
        "-pk",
    )


def visit_has_taken_place(
    reaccreditation: Reaccreditation, today: datetime.date | None = None
) -> bool:
    visit = reaccreditation.visit
    return visit is not None and visit.date <= (today or timezone.localdate())


# --- The records each requirement links or shows ---------------------------------------------


def eligible_audits(reaccreditation: Reaccreditation, instrument_kind: str) -> list[Audit]:
    """Completed audits of the setting dated after the award, with that kind of instrument;
    audits made for re-accreditation first, then the newest."""
    return list(
        Audit.objects.filter(
            setting_id=reaccreditation.setting_id,
            version__instrument__kind=instrument_kind,
            status=AuditStatus.COMPLETED,
            date__gt=reaccreditation.award.award_date,
            paired_with__isnull=True,
        )
        .select_related("version__instrument")
        .annotate(
            preferred=Case(
                When(occasion=Occasion.REACCREDITATION, then=0),
                default=1,
                output_field=IntegerField(),
            )
        )
        .order_by("preferred", "-date", "-pk")
    )


def attended_workshop(reaccreditation: Reaccreditation) -> WorkshopBooking | None:
    from .selectors_workshops import workshop_attended

    return workshop_attended(reaccreditation.setting_id)


@dataclass
class PlanFigures:
    summary: PlanSummary
    url: str


@dataclass
class SefFigures:
    sections: int
    written: int
    last_updated: datetime.datetime | None
    since_award: int
    url: str
    rows: list[SefRow] = field(default_factory=list)


@dataclass
class LeuvenFigures:
    """The setting's Leuven progress in one programme year: aggregates only, no child."""

    year: int
    terms: list[analysis.TermFigures]
    trends: analysis.TrendCounts
    children: int

    @property
    def year_label(self) -> str:
        return f"{self.year} to {self.year + 1}"


def plan_figures(reaccreditation: Reaccreditation) -> PlanFigures:
    from django.urls import reverse

    return PlanFigures(
        summary=plan_summary(reaccreditation.accreditation),
        url=reverse("accreditation:improvement-plan", args=[reaccreditation.accreditation_id]),
    )


def sef_figures(reaccreditation: Reaccreditation) -> SefFigures:
    from django.urls import reverse

    rows = sef_overview(reaccreditation.accreditation)
    entries = [row.entry for row in rows if row.entry is not None]
    award_date = reaccreditation.award.award_date
    return SefFigures(
        sections=len(SEF_SECTIONS),
        written=len(entries),
        last_updated=max((entry.updated_at for entry in entries), default=None),
        since_award=sum(
            1 for entry in entries if timezone.localdate(entry.updated_at) > award_date
        ),
        url=reverse("accreditation:self-evaluation", args=[reaccreditation.accreditation_id]),
        rows=rows,
    )


def leuven_figures(reaccreditation: Reaccreditation) -> LeuvenFigures | None:
    """The latest programme year with screenings: zone shares per term and the trends."""
    years = setting_programme_years(reaccreditation.setting)
    for year in years:
        data = year_data(reaccreditation.setting, year)
        if not data.records:
            continue
        report = setting_report(data)
        return LeuvenFigures(
            year=year,
            terms=[term.figures for term in report.terms],
            trends=report.trend_counts,
            children=report.children,
        )
    return None

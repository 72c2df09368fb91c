"""Reads for re-accreditation: the user-scoped record, its seven requirements and their records.

The KQM manager sees every re-accreditation, an evaluator those of the accreditations
assigned to them, setting staff their own setting's; viewers get 403 and anything
else is a 404. Each requirement's status is derived from what it holds:

- *Not started*: no evidence, no file and no linked record.
- *In progress*: something saved, but not everything the requirement needs yet.
- *Ready for judging*: the evidence is written and the record it needs is linked.
- *Met* / *Not met*: the evaluator's or the KQM manager's judgement.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, QuerySet, When
from django.http import Http404
from django.utils import timezone

from audits import leuven_analysis as analysis
from audits.models import Audit, AuditStatus, InstrumentKind, Occasion
from audits.selectors.leuven import setting_programme_years, setting_report, year_data
from kqm.models import Role, User

from .models import (
    Judgement,
    Reaccreditation,
    ReaccreditationStatus,
    Requirement,
    RequirementKind,
    WorkshopBooking,
)
from .models.unit_b import SEF_SECTIONS
from .selectors_unit_b import PlanSummary, SefRow, plan_summary, sef_overview

READ_ROLES = (Role.MANAGER, Role.EVALUATOR, Role.SETTING_MANAGER, Role.PRACTITIONER)
EVIDENCE_EDITORS = (Role.MANAGER, Role.SETTING_MANAGER)
JUDGES = (Role.MANAGER, Role.EVALUATOR)
SUBMITTERS = (Role.MANAGER, Role.SETTING_MANAGER)

# The requirements whose evidence includes a record the setting picks or has to hold.
AUDIT_KINDS: dict[str, str] = {
    RequirementKind.ECERS_AUDIT: InstrumentKind.RATING_SCALE,
    RequirementKind.LEADERSHIP_AUDIT: InstrumentKind.LEADERSHIP,
}
REQUIREMENT_ORDER = [kind.value for kind in RequirementKind]
KIND_SLUGS = {kind.value: kind.value.replace("_", "-") for kind in RequirementKind}
SLUG_KINDS = {slug: kind for kind, slug in KIND_SLUGS.items()}
REQUIREMENT_HINTS: dict[str, str] = {
    RequirementKind.ENTRY_CRITERIA: "Show that the setting still meets every entry criterion.",
    RequirementKind.ECERS_AUDIT: "A completed ECERS or ITERS audit carried out after the award.",
    RequirementKind.LEADERSHIP_AUDIT: "A completed leadership self-audit after the award.",
    RequirementKind.IMPROVEMENT_PLAN: "The improvement plan, kept up to date since the award.",
    RequirementKind.SELF_EVALUATION: "The self-evaluation, kept up to date since the award.",
    RequirementKind.WELLBEING_ACCOUNT: (
        "A reflective account of how the well-being and involvement work has improved "
        "outcomes for children, with the Leuven figures and progress data for each area of "
        "learning."
    ),
    RequirementKind.WORKSHOP: "Someone from the setting attended a half-day workshop.",
}


class RequirementStatus:
    NOT_STARTED = "Not started"
    IN_PROGRESS = "In progress"
    READY = "Ready for judging"
    MET = "Met"
    NOT_MET = "Not met"


STATUS_COLOURS = {
    RequirementStatus.NOT_STARTED: "grey",
    RequirementStatus.IN_PROGRESS: "light-blue",
    RequirementStatus.READY: "blue",
    RequirementStatus.MET: "green",
    RequirementStatus.NOT_MET: "red",
}


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
    if user.role not in READ_ROLES:
        raise PermissionDenied("Viewers see reports, not individual re-accreditations.")
    try:
        return reaccreditations_visible_to(user).get(pk=reaccreditation_id)
    except Reaccreditation.DoesNotExist:
        raise Http404("No such re-accreditation.") from None


def access_requirement(
    user: User, reaccreditation_id: int, slug: str
) -> tuple[Reaccreditation, Requirement]:
    reaccreditation = access_reaccreditation_by_id(user, reaccreditation_id)
    kind = SLUG_KINDS.get(slug)
    if kind is None:
        raise Http404("Re-accreditation has no such requirement.")
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


# --- Requirements and their status ---------------------------------------------------------------


def needs_record(requirement: Requirement) -> bool:
    return requirement.kind in AUDIT_KINDS or requirement.kind == RequirementKind.WORKSHOP


def has_record(requirement: Requirement) -> bool:
    if requirement.kind in AUDIT_KINDS:
        return requirement.audit_id is not None
    if requirement.kind == RequirementKind.WORKSHOP:
        return requirement.booking_id is not None
    return True


def has_content(requirement: Requirement) -> bool:
    return bool(
        requirement.evidence.strip()
        or requirement.evidence_file
        or requirement.audit_id
        or requirement.booking_id
    )


def is_ready(requirement: Requirement) -> bool:
    """Ready for judging: the evidence is written and the record it needs is linked."""
    return bool(requirement.evidence.strip()) and has_record(requirement)


def what_is_missing(requirement: Requirement) -> str:
    if not requirement.evidence.strip():
        return "the evidence is not written yet"
    if requirement.kind == RequirementKind.ECERS_AUDIT:
        return "no completed ECERS or ITERS audit is linked"
    if requirement.kind == RequirementKind.LEADERSHIP_AUDIT:
        return "no completed leadership audit is linked"
    if requirement.kind == RequirementKind.WORKSHOP:
        return "no attended workshop is recorded"
    return ""


def requirement_status(requirement: Requirement) -> str:
    if requirement.judgement == Judgement.MET:
        return RequirementStatus.MET
    if requirement.judgement == Judgement.NOT_MET:
        return RequirementStatus.NOT_MET
    if is_ready(requirement):
        return RequirementStatus.READY
    if has_content(requirement):
        return RequirementStatus.IN_PROGRESS
    return RequirementStatus.NOT_STARTED


@dataclass
class RequirementRow:
    number: int
    requirement: Requirement
    slug: str
    name: str
    hint: str
    status: str
    colour: str

    @property
    def ready(self) -> bool:
        return is_ready(self.requirement)

    @property
    def met(self) -> bool:
        return self.requirement.judgement == Judgement.MET


def requirement_row(requirement: Requirement) -> RequirementRow:
    status = requirement_status(requirement)
    return RequirementRow(
        number=REQUIREMENT_ORDER.index(requirement.kind) + 1,
        requirement=requirement,
        slug=KIND_SLUGS[requirement.kind],
        name=requirement.get_kind_display(),
        hint=REQUIREMENT_HINTS[requirement.kind],
        status=status,
        colour=STATUS_COLOURS[status],
    )


def requirement_rows(reaccreditation: Reaccreditation) -> list[RequirementRow]:
    """The seven requirements in the task list's order (one query)."""
    requirements = sorted(
        Requirement.objects.filter(reaccreditation=reaccreditation).select_related(
            "audit__version__instrument", "booking__workshop"
        ),
        key=lambda r: REQUIREMENT_ORDER.index(r.kind),
    )
    return [requirement_row(requirement) for requirement in requirements]


@dataclass
class Progress:
    rows: list[RequirementRow] = field(default_factory=list)

    @property
    def ready(self) -> int:
        return sum(1 for row in self.rows if row.ready)

    @property
    def met(self) -> int:
        return sum(1 for row in self.rows if row.met)

    @property
    def all_ready(self) -> bool:
        return bool(self.rows) and all(row.ready for row in self.rows)

    @property
    def all_met(self) -> bool:
        return bool(self.rows) and all(row.met for row in self.rows)


def visit_has_taken_place(
    reaccreditation: Reaccreditation, today: datetime.date | None = None
) -> bool:
    visit = reaccreditation.visit
    return visit is not None and visit.date <= (today or timezone.localdate())


# --- The records each requirement links or shows ---------------------------------------------


def eligible_audits(reaccreditation: Reaccreditation, kind: str) -> list[Audit]:
    """Completed audits of the setting dated after the award, of the requirement's instrument
    kind; audits made for re-accreditation first, then the newest."""
    instrument_kind = AUDIT_KINDS[kind]
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

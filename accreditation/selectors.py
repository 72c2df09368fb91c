"""Reads for the programme, always scoped to the user asking."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from kqm.models import Role, User
from kqm.parsing import parse_id, parse_int
from settings.models import Setting

from .models import (
    Accreditation,
    AccreditationStatusChange,
    Application,
    ApplicationAnswer,
    ApplicationEvidence,
    ApplicationStatus,
    Attendance,
    Cohort,
    EvaluatorProfile,
    MeetingAttendance,
    NetworkMeeting,
    Status,
    TimeEntry,
    TrainingSession,
)
from .models.applications import OPEN_APPLICATION_STATUSES


def accreditations_visible_to(user: User) -> QuerySet[Accreditation]:
    qs = Accreditation.objects.select_related("setting", "cohort", "evaluator")
    if user.role == Role.MANAGER:
        return qs
    if user.role == Role.EVALUATOR:
        return qs.filter(evaluator=user)
    if user.role in (Role.SETTING_MANAGER, Role.PRACTITIONER):
        return qs.filter(setting__members=user)
    return qs.none()


def access_accreditation_by_id(user: User, accreditation_id: int) -> Accreditation:
    if user.role == Role.VIEWER:
        raise PermissionDenied("Viewers see reports, not individual accreditations.")
    try:
        return accreditations_visible_to(user).get(pk=accreditation_id)
    except Accreditation.DoesNotExist:
        raise Http404("No such accreditation.") from None


def applications_visible_to(user: User) -> QuerySet[Application]:
    qs = Application.objects.select_related("setting", "cohort", "submitted_by")
    if user.role == Role.MANAGER:
        return qs
    if user.role == Role.SETTING_MANAGER:
        return qs.filter(setting__members=user)
    return qs.none()


def access_application_by_id(user: User, application_id: int) -> Application:
    if user.role not in (Role.MANAGER, Role.SETTING_MANAGER):
        raise PermissionDenied("Only the KQM manager and setting managers see applications.")
    try:
        return applications_visible_to(user).get(pk=application_id)
    except Application.DoesNotExist:
        raise Http404("No such application.") from None


# --- Applications and the accreditation record -------------------------------------------------


def cohorts_open_for_applications(today: datetime.date | None = None) -> QuerySet[Cohort]:
    """Cohorts taking applications: switched on by the KQM manager and not yet over."""
    today = today or timezone.localdate()
    return Cohort.objects.filter(applications_open=True, end_date__gte=today).order_by(
        "start_date", "name"
    )


def application_list(
    user: User, *, search: str = "", cohort_id: str = "", status: str = ""
) -> QuerySet[Application]:
    """The user's applications, newest first, with their evidence counted in the same query."""
    applications = (
        applications_visible_to(user)
        .annotate(evidence_count=Count("evidence", distinct=True))
        .order_by("-submitted_at", "-id")
    )
    if search:
        applications = applications.filter(
            Q(setting__name__icontains=search) | Q(setting__urn__iexact=search)
        )
    if (cohort := parse_id(cohort_id)) is not None:
        applications = applications.filter(cohort_id=cohort)
    if status == "open":
        applications = applications.filter(status__in=OPEN_APPLICATION_STATUSES)
    elif status in ApplicationStatus.values:
        applications = applications.filter(status=status)
    return applications


def application_answers(application: Application) -> list[ApplicationAnswer]:
    return list(application.answers.select_related("criterion").order_by("criterion__order"))


def application_evidence(application: Application) -> list[ApplicationEvidence]:
    return list(application.evidence.select_related("uploaded_by").order_by("uploaded_at", "id"))


def access_evidence_by_id(user: User, application_id: int, evidence_id: int) -> ApplicationEvidence:
    """An evidence file of an application the user may see; 404 otherwise."""
    application = access_application_by_id(user, application_id)
    try:
        return application.evidence.get(pk=evidence_id)
    except ApplicationEvidence.DoesNotExist:
        raise Http404("No such evidence file.") from None


def accreditation_list(
    *, search: str = "", cohort_id: str = "", status: str = "", evaluator_id: str = ""
) -> QuerySet[Accreditation]:
    """Every accreditation (the KQM manager's list), filtered, newest first."""
    accreditations = Accreditation.objects.select_related(
        "setting", "cohort", "evaluator"
    ).order_by("-created_at", "-id")
    if search:
        accreditations = accreditations.filter(
            Q(setting__name__icontains=search) | Q(setting__urn__iexact=search)
        )
    if (cohort := parse_id(cohort_id)) is not None:
        accreditations = accreditations.filter(cohort_id=cohort)
    if status in Status.values:
        accreditations = accreditations.filter(status=status)
    if evaluator_id == "none":
        accreditations = accreditations.filter(evaluator__isnull=True)
    elif (evaluator_pk := parse_id(evaluator_id)) is not None:
        accreditations = accreditations.filter(evaluator_id=evaluator_pk)
    return accreditations


def status_history(accreditation: Accreditation) -> list[AccreditationStatusChange]:
    """Every status change, newest first, with who made it."""
    return list(accreditation.status_changes.select_related("changed_by"))


def evaluators_for_filter() -> QuerySet[User]:
    return User.objects.filter(role=Role.EVALUATOR).order_by("full_name", "email")


def applications_awaiting_decision() -> int:
    return Application.objects.filter(status__in=OPEN_APPLICATION_STATUSES).count()


def accreditations_by_status() -> list[dict[str, object]]:
    """Accreditations per status (only statuses in use), in pipeline order."""
    counts = dict(
        Accreditation.objects.values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [
        {"status": label, "value": value, "count": counts[value]}
        for value, label in Status.choices
        if counts.get(value)
    ]


# --- Cohorts, network meetings, evaluators and their workload ----------------------------------

# An accreditation in one of these statuses does not hold one of its cohort's places.
NOT_HOLDING_A_PLACE = frozenset(
    {Status.APPLIED, Status.DECLINED, Status.WAITLISTED, Status.WITHDRAWN}
)
# Days budgeted on these accreditations are not part of an evaluator's workload.
NOT_IN_WORKLOAD = frozenset({Status.DECLINED, Status.WITHDRAWN})

DAYS: DecimalField[Any, Any] = DecimalField(max_digits=7, decimal_places=1)
MONEY: DecimalField[Any, Any] = DecimalField(max_digits=12, decimal_places=2)
ZERO_DAYS = Value(Decimal("0"), output_field=DAYS)

COHORT_SORTS: dict[str, tuple[str, ...]] = {
    "year": ("-programme_year", "name"),
    "name": ("name",),
    "start": ("-start_date", "name"),
}
EVALUATOR_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("full_name", "email"),
    "budgeted": ("-days_budgeted", "full_name"),
    "logged": ("-days_logged", "full_name"),
}


def _require_manager(user: User) -> None:
    if user.role != Role.MANAGER:
        raise PermissionDenied("Only the KQM manager runs cohorts and evaluators.")


def _total(rows: QuerySet[Any], group: str, aggregate: Any, output: Any) -> Coalesce:
    """A correlated subquery: ``aggregate`` over ``rows`` (filtered on an OuterRef), or 0."""
    total = rows.order_by().values(group).annotate(total=aggregate).values("total")
    zero = ZERO_DAYS if isinstance(output, DecimalField) else Value(0)
    return Coalesce(Subquery(total, output_field=output), zero, output_field=output)


def _places_used() -> Count:
    return Count("accreditations", filter=~Q(accreditations__status__in=NOT_HOLDING_A_PLACE))


def programme_years() -> list[int]:
    """Every programme year with a cohort, newest first."""
    return list(
        Cohort.objects.order_by("-programme_year")
        .values_list("programme_year", flat=True)
        .distinct()
    )


def cohort_list(*, search: str = "", year: str = "", sort: str = "") -> QuerySet[Cohort]:
    """Cohorts with their accreditations and places used counted in the same query."""
    cohorts = Cohort.objects.annotate(
        accreditation_count=Count("accreditations"), places_used=_places_used()
    )
    if search:
        cohorts = cohorts.filter(name__icontains=search)
    if (programme_year := parse_int(year, minimum=0, maximum=9999)) is not None:
        cohorts = cohorts.filter(programme_year=programme_year)
    return cohorts.order_by(*COHORT_SORTS.get(sort, COHORT_SORTS["year"]), "pk")


def access_cohort_by_id(user: User, cohort_id: int) -> Cohort:
    _require_manager(user)
    try:
        return Cohort.objects.annotate(
            accreditation_count=Count("accreditations"), places_used=_places_used()
        ).get(pk=cohort_id)
    except Cohort.DoesNotExist:
        raise Http404("No such cohort.") from None


def days_logged_on_accreditation(evaluator: User | None = None) -> Coalesce:
    """Days logged against the outer accreditation (only ``evaluator``'s, when given)."""
    entries = TimeEntry.objects.filter(accreditation=OuterRef("pk"))
    if evaluator is not None:
        entries = entries.filter(evaluator=evaluator)
    return _total(entries, "accreditation", Sum("days"), DAYS)


def cohort_accreditations(
    cohort: Cohort, *, status: str = "", evaluator: str = ""
) -> QuerySet[Accreditation]:
    """The cohort's settings with status, evaluator and days logged, by setting name."""
    accreditations = (
        Accreditation.objects.filter(cohort=cohort)
        .select_related("setting", "evaluator")
        .annotate(days_logged=days_logged_on_accreditation())
        .order_by("setting__name", "setting__urn", "pk")
    )
    if status in Status.values:
        accreditations = accreditations.filter(status=status)
    if evaluator == "none":
        accreditations = accreditations.filter(evaluator__isnull=True)
    elif evaluator == "assigned":
        accreditations = accreditations.filter(evaluator__isnull=False)
    elif (evaluator_pk := parse_id(evaluator)) is not None:
        accreditations = accreditations.filter(evaluator_id=evaluator_pk)
    return accreditations


def cohort_meetings(cohort: Cohort) -> list[NetworkMeeting]:
    """The cohort's network meetings in date order, with attendance counted per status."""

    def counted(status: str) -> Count:
        return Count("attendance", filter=Q(attendance__status=status))

    return list(
        NetworkMeeting.objects.filter(cohort=cohort)
        .annotate(
            attended=counted(Attendance.ATTENDED),
            apologies=counted(Attendance.APOLOGIES),
            absent=counted(Attendance.ABSENT),
        )
        .order_by("date", "pk")
    )


def access_meeting_by_id(user: User, meeting_id: int) -> NetworkMeeting:
    _require_manager(user)
    try:
        return NetworkMeeting.objects.select_related("cohort").get(pk=meeting_id)
    except NetworkMeeting.DoesNotExist:
        raise Http404("No such network meeting.") from None


def meeting_settings(meeting: NetworkMeeting) -> list[Setting]:
    """Who the register is taken for: settings holding a place in the cohort, and any
    setting already recorded for this meeting (for example one that has since withdrawn)."""
    in_cohort = (
        Accreditation.objects.filter(cohort_id=meeting.cohort_id)
        .exclude(status__in=NOT_HOLDING_A_PLACE)
        .values("setting_id")
    )
    recorded = MeetingAttendance.objects.filter(meeting=meeting).values("setting_id")
    return list(
        Setting.objects.filter(Q(pk__in=in_cohort) | Q(pk__in=recorded)).order_by("name", "urn")
    )


def meeting_attendance(meeting: NetworkMeeting) -> dict[int, str]:
    """Setting id -> attendance recorded for the meeting."""
    return dict(
        MeetingAttendance.objects.filter(meeting=meeting).values_list("setting_id", "status")
    )


def _evaluator_workload_rows(
    year: int | None,
) -> tuple[QuerySet[Accreditation], QuerySet[TimeEntry]]:
    work = Accreditation.objects.filter(evaluator=OuterRef("pk")).exclude(
        status__in=NOT_IN_WORKLOAD
    )
    entries = TimeEntry.objects.filter(evaluator=OuterRef("pk"))
    if year is not None:
        work = work.filter(cohort__programme_year=year)
        entries = entries.filter(accreditation__cohort__programme_year=year)
    return work, entries


def evaluator_list(
    *, search: str = "", status: str = "active", year: int | None = None, sort: str = ""
) -> QuerySet[User]:
    """Evaluators with their profile, assignments, days budgeted and logged, cost and training.

    Each figure is a correlated subquery, so a page costs one query however many
    evaluators, assignments or time entries there are. With ``year`` the figures
    cover that programme year only. Days logged are every day the evaluator logged
    (what they are paid for), including on settings since withdrawn or reassigned.
    """
    work, entries = _evaluator_workload_rows(year)
    training = TrainingSession.objects.filter(evaluator__user=OuterRef("pk"))
    evaluators = (
        User.objects.filter(role=Role.EVALUATOR)
        .select_related("evaluator_profile")
        .annotate(
            assigned_count=_total(work, "evaluator", Count("pk"), IntegerField()),
            days_budgeted=_total(work, "evaluator", Sum("days_budget"), DAYS),
            days_logged=_total(entries, "evaluator", Sum("days"), DAYS),
            training_count=_total(training, "evaluator", Count("pk"), IntegerField()),
        )
        .annotate(
            cost=ExpressionWrapper(
                F("days_logged") * F("evaluator_profile__day_rate"), output_field=MONEY
            )
        )
    )
    if search:
        evaluators = evaluators.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    if status == "active":
        evaluators = evaluators.filter(is_active=True)
    elif status == "inactive":
        evaluators = evaluators.filter(is_active=False)
    return evaluators.order_by(*EVALUATOR_SORTS.get(sort, EVALUATOR_SORTS["name"]), "pk")


def access_evaluator_by_id(user: User, evaluator_id: int) -> User:
    """An evaluator (a user with the evaluator role) with their profile; managers only."""
    _require_manager(user)
    try:
        return User.objects.select_related("evaluator_profile").get(
            pk=evaluator_id, role=Role.EVALUATOR
        )
    except User.DoesNotExist:
        raise Http404("No such evaluator.") from None


def evaluator_profile(evaluator: User) -> EvaluatorProfile | None:
    try:
        return evaluator.evaluator_profile
    except EvaluatorProfile.DoesNotExist:
        return None


def evaluator_training(evaluator: User) -> list[TrainingSession]:
    return list(TrainingSession.objects.filter(evaluator__user=evaluator).order_by("-date", "-pk"))


def access_training_session_by_id(user: User, session_id: int) -> TrainingSession:
    _require_manager(user)
    try:
        return TrainingSession.objects.select_related("evaluator__user").get(pk=session_id)
    except TrainingSession.DoesNotExist:
        raise Http404("No such training session.") from None


def evaluator_candidates(accreditation: Accreditation) -> list[User]:
    """Active evaluators, each with ``days_budgeted`` in the accreditation's programme year
    on their other accreditations (so the choice shows what taking this one would mean)."""
    work = (
        Accreditation.objects.filter(
            evaluator=OuterRef("pk"), cohort__programme_year=accreditation.cohort.programme_year
        )
        .exclude(status__in=NOT_IN_WORKLOAD)
        .exclude(pk=accreditation.pk)
    )
    return list(
        User.objects.filter(role=Role.EVALUATOR, is_active=True)
        .select_related("evaluator_profile")
        .annotate(days_budgeted=_total(work, "evaluator", Sum("days_budget"), DAYS))
        .order_by("full_name", "email", "pk")
    )


def budgeted_days_in_year(
    evaluator: User, programme_year: int, *, excluding: Accreditation | None = None
) -> Decimal:
    """The evaluator's days budgeted on their accreditations of one programme year."""
    work = Accreditation.objects.filter(
        evaluator=evaluator, cohort__programme_year=programme_year
    ).exclude(status__in=NOT_IN_WORKLOAD)
    if excluding is not None:
        work = work.exclude(pk=excluding.pk)
    total = work.aggregate(total=Sum("days_budget"))["total"]
    return total if total is not None else Decimal("0")


@dataclass
class YearWorkload:
    """An evaluator's figures for one programme year (or the total of several)."""

    year: int | None
    settings: int = 0
    budgeted: Decimal = Decimal("0")
    logged: Decimal = Decimal("0")
    logged_elsewhere: Decimal = Decimal("0")  # on settings since withdrawn or reassigned
    capacity: Decimal | None = None
    day_rate: Decimal | None = None

    @property
    def remaining(self) -> Decimal:
        return self.budgeted - self.logged

    @property
    def cost(self) -> Decimal | None:
        if self.day_rate is None:
            return None
        return (self.logged * self.day_rate).quantize(Decimal("0.01"))

    @property
    def capacity_used_percent(self) -> int | None:
        if not self.capacity:
            return None
        return round(self.budgeted * 100 / self.capacity)

    @property
    def over_capacity(self) -> bool:
        return self.capacity is not None and self.budgeted > self.capacity


@dataclass
class Workload:
    evaluator: User
    profile: EvaluatorProfile | None
    years: list[YearWorkload]  # newest first; one per programme year with work
    year: int | None  # the year shown, None for every year
    totals: YearWorkload = field(init=False)

    def __post_init__(self) -> None:
        shown = [y for y in self.years if self.year is None or y.year == self.year]
        self.totals = YearWorkload(
            year=self.year,
            settings=sum(y.settings for y in shown),
            budgeted=sum((y.budgeted for y in shown), Decimal("0")),
            logged=sum((y.logged for y in shown), Decimal("0")),
            logged_elsewhere=sum((y.logged_elsewhere for y in shown), Decimal("0")),
            capacity=shown[0].capacity if self.year is not None and shown else None,
            day_rate=self.profile.day_rate if self.profile else None,
        )


def workload(evaluator: User, *, year: int | None = None) -> Workload:
    """Per programme year: settings, days budgeted and logged, against the evaluator's capacity.

    Two queries whatever the number of accreditations or time entries.
    """
    profile = evaluator_profile(evaluator)
    capacity = profile.capacity_days if profile else None
    day_rate = profile.day_rate if profile else None
    budget_rows = (
        Accreditation.objects.filter(evaluator=evaluator)
        .exclude(status__in=NOT_IN_WORKLOAD)
        .values("cohort__programme_year")
        .annotate(settings=Count("pk"), budgeted=Sum("days_budget"))
        .order_by()
    )
    on_workload = Q(accreditation__evaluator=evaluator) & ~Q(
        accreditation__status__in=NOT_IN_WORKLOAD
    )
    logged_rows = (
        TimeEntry.objects.filter(evaluator=evaluator)
        .values("accreditation__cohort__programme_year")
        .annotate(logged=Sum("days", filter=on_workload), everything=Sum("days"))
        .order_by()
    )
    years: dict[int, YearWorkload] = {}
    for row in budget_rows:
        years[row["cohort__programme_year"]] = YearWorkload(
            year=row["cohort__programme_year"],
            settings=row["settings"],
            budgeted=row["budgeted"] or Decimal("0"),
            capacity=capacity,
            day_rate=day_rate,
        )
    for row in logged_rows:
        key = row["accreditation__cohort__programme_year"]
        summary = years.setdefault(
            key, YearWorkload(year=key, capacity=capacity, day_rate=day_rate)
        )
        summary.logged = row["logged"] or Decimal("0")
        summary.logged_elsewhere = (row["everything"] or Decimal("0")) - summary.logged
    ordered = [years[key] for key in sorted(years, reverse=True)]
    return Workload(evaluator=evaluator, profile=profile, years=ordered, year=year)


def workload_accreditations(
    evaluator: User, *, year: int | None = None, day_rate: Decimal | None = None
) -> QuerySet[Accreditation]:
    """The evaluator's assigned settings with days logged by them, remaining and cost."""
    accreditations = (
        Accreditation.objects.filter(evaluator=evaluator)
        .exclude(status__in=NOT_IN_WORKLOAD)
        .select_related("setting", "cohort")
        .annotate(days_logged=days_logged_on_accreditation(evaluator))
        .annotate(
            days_remaining=ExpressionWrapper(
                F("days_budget") - F("days_logged"), output_field=DAYS
            ),
            days_over=ExpressionWrapper(F("days_logged") - F("days_budget"), output_field=DAYS),
        )
        .order_by("-cohort__programme_year", "cohort__name", "setting__name", "pk")
    )
    if day_rate is not None:
        accreditations = accreditations.annotate(
            cost=ExpressionWrapper(
                F("days_logged") * Value(day_rate, output_field=MONEY), output_field=MONEY
            )
        )
    if year is not None:
        accreditations = accreditations.filter(cohort__programme_year=year)
    return accreditations

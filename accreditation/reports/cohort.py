"""Programme report for one cohort: Unit A/B completion, ECERS/ITERS, Leuven zones, PPEL.

Definitions, stated on the report page too:

* **Settings taking part.** The cohort's accreditations except those that never started
  or left (applied, on the waiting list, declined, withdrawn). Every section counts only
  these.
* **Unit A / Unit B completion.** As on each setting's task list
  (``selectors_tasks``): a case study is done when accepted; the self-evaluation when
  every SEF section is judged; the improvement plan when it has actions and none is
  still open; the leadership audit and the PPEL audits (start and end of the year) when
  completed.
* **ECERS/ITERS.** The completed audits of record of every environment rating scale
  (a primary audit, or its agreed consensus; never an independent second observation)
  at the initial and end-of-year occasions. Each audit's subscale mean follows the
  scoring rules (``audits.scoring``: N/A left out, the sum of scored items over their
  count, 2 dp half up); the cohort figure is the mean of those subscale means, each
  audit (one room on one occasion) counting once, per instrument version and subscale.
* **Leuven zones.** Every score of the programme year in the rooms of the settings
  taking part, one per child and term (the later screening when a child was screened
  twice in a term). A child's zone needs both scores (``audits.models.leuven.zone_for``);
  each scale on its own is low (below 3), moderate (3) or high (4 or 5).
* **PPEL change.** For each accreditation with a completed parent partnership (PPEL)
  audit at both the start and the end of the year (the latest of each), the mean of
  every scored item at each, and the change. It *increased* when the end-of-year mean,
  to 2 dp, is above the initial one.

Each section is one query: the database aggregates item scores to one row per audit and
subscale, Leuven scores to one row per term, and PPEL scores to one row per
accreditation; nothing is read per setting.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from audits.leuven_analysis import TERM_LABELS, TERM_RANK, ZoneShares
from audits.models import Audit, AuditStatus, InstrumentKind, ItemScore, LeuvenScore, Occasion
from audits.progress_analysis import ProgressReport
from audits.scoring import TWO_PLACES, difference, mean
from audits.selectors.progress import settings_progress
from audits.selectors.ratings import audits_of_record

from ..models import (
    Accreditation,
    CaseStudy,
    CaseStudyStatus,
    Cohort,
    ImprovementAction,
    SelfEvaluationEntry,
    Status,
)
from ..models.case_studies import CASE_STUDIES_PER_ACCREDITATION
from ..models.unit_b import OPEN_ACTION_STATUSES, SEF_SECTIONS
from .outcomes import percent

# Accreditations that never started or have left the programme.
NOT_TAKING_PART = (Status.APPLIED, Status.WAITLISTED, Status.DECLINED, Status.WITHDRAWN)
COMPARED_OCCASIONS = (Occasion.INITIAL, Occasion.END_OF_YEAR)


def taking_part(cohort: Cohort | None = None) -> QuerySet[Accreditation]:
    """The cohort's accreditations taking part (every cohort's when ``cohort`` is None)."""
    qs = Accreditation.objects.exclude(status__in=NOT_TAKING_PART)
    return qs if cohort is None else qs.filter(cohort=cohort)


def current_of(cohorts: Iterable[Cohort], today: datetime.date) -> Cohort | None:
    """The cohort running today, else the latest one to have started, else the newest."""
    every = sorted(cohorts, key=lambda c: (c.start_date, c.programme_year), reverse=True)
    started = [c for c in every if c.start_date <= today]
    running = [c for c in started if c.end_date >= today]
    if running or started:
        return (running or started)[0]
    return max(every, key=lambda c: c.programme_year, default=None)


def current_cohort(today: datetime.date | None = None) -> Cohort | None:
    """One query: the current cohort (see ``current_of``)."""
    return current_of(Cohort.objects.all(), today or timezone.localdate())


# --- Unit A / Unit B completion ---------------------------------------------------------------


@dataclass(frozen=True)
class CompletionRow:
    label: str
    done: int
    of: int

    @property
    def done_percent(self) -> float | None:
        return percent(self.done, self.of)


@dataclass
class UnitCompletion:
    settings: int  # taking part
    unit_a: list[CompletionRow]
    unit_b: list[CompletionRow]


def _count(queryset: QuerySet[Any]) -> Coalesce:
    return Coalesce(
        Subquery(
            queryset.order_by().values("accreditation").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _completed_audit(kind: str, occasion: str = "") -> Exists:
    audits = Audit.objects.filter(
        accreditation=OuterRef("pk"),
        version__instrument__kind=kind,
        status=AuditStatus.COMPLETED,
    )
    return Exists(audits.filter(occasion=occasion) if occasion else audits)


def unit_completion(cohort: Cohort) -> UnitCompletion:
    """One query: each accreditation's tasks as subqueries, counted across the cohort."""
    per_accreditation = taking_part(cohort).annotate(
        accepted=_count(
            CaseStudy.objects.filter(accreditation=OuterRef("pk"), status=CaseStudyStatus.ACCEPTED)
        ),
        sef_sections=_count(SelfEvaluationEntry.objects.filter(accreditation=OuterRef("pk"))),
        actions=_count(ImprovementAction.objects.filter(accreditation=OuterRef("pk"))),
        open_actions=_count(
            ImprovementAction.objects.filter(
                accreditation=OuterRef("pk"), status__in=OPEN_ACTION_STATUSES
            )
        ),
        leadership=_completed_audit(InstrumentKind.LEADERSHIP),
        ppel_initial=_completed_audit(InstrumentKind.PARTNERSHIP, Occasion.INITIAL),
        ppel_end=_completed_audit(InstrumentKind.PARTNERSHIP, Occasion.END_OF_YEAR),
    )
    sef_done = Q(sef_sections__gte=len(SEF_SECTIONS))
    plan_done = Q(actions__gt=0, open_actions=0)
    unit_b_done = sef_done & plan_done & Q(leadership=True, ppel_initial=True, ppel_end=True)
    counts = per_accreditation.aggregate(
        total=Count("pk"),
        **{
            f"case_studies_{n}": Count("pk", filter=Q(accepted__gte=n))
            for n in range(1, CASE_STUDIES_PER_ACCREDITATION + 1)
        },
        n_sef=Count("pk", filter=sef_done),
        n_plan=Count("pk", filter=plan_done),
        n_leadership=Count("pk", filter=Q(leadership=True)),
        n_ppel_initial=Count("pk", filter=Q(ppel_initial=True)),
        n_ppel_end=Count("pk", filter=Q(ppel_end=True)),
        n_unit_b=Count("pk", filter=unit_b_done),
    )
    total = counts["total"]
    unit_a = [
        CompletionRow(
            "Both case studies accepted"
            if n == CASE_STUDIES_PER_ACCREDITATION
            else f"At least {n} case stud{'y' if n == 1 else 'ies'} accepted",
            counts[f"case_studies_{n}"],
            total,
        )
        for n in range(1, CASE_STUDIES_PER_ACCREDITATION + 1)
    ]
    unit_b = [
        CompletionRow("Self-evaluation (SEF): every section judged", counts["n_sef"], total),
        CompletionRow("Improvement plan: every action finished", counts["n_plan"], total),
        CompletionRow("Leadership audit completed", counts["n_leadership"], total),
        CompletionRow("PPEL audit at the start of the year", counts["n_ppel_initial"], total),
        CompletionRow("PPEL audit at the end of the year", counts["n_ppel_end"], total),
        CompletionRow("All of Unit B", counts["n_unit_b"], total),
    ]
    return UnitCompletion(settings=total, unit_a=unit_a, unit_b=unit_b)


# --- ECERS/ITERS initial against end of year ----------------------------------------------------


def mean_of_sum(total: int | Decimal, count: int) -> Decimal | None:
    """``total / count`` to 2 dp, rounded half up: ``scoring.mean`` from a sum and a count."""
    if not count:
        return None
    return (Decimal(total) / count).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass
class SubscaleChange:
    """One subscale of one instrument version across the cohort's audits."""

    instrument: str
    version: str
    number: int
    name: str
    initial_mean: Decimal | None
    end_mean: Decimal | None
    initial_audits: int
    end_audits: int
    initial_settings: int
    end_settings: int
    # Settings with both an initial and an end-of-year audit: only they are compared,
    # so a change is never one group of settings against another.
    compared: int = 0

    @property
    def left_out(self) -> int:
        """Settings with one of the two audits only, left out of the comparison."""
        return self.initial_settings + self.end_settings - 2 * self.compared

    @property
    def change(self) -> Decimal | None:
        return difference(self.initial_mean, self.end_mean)

    @property
    def instrument_label(self) -> str:
        return f"{self.instrument} ({self.version})"

    @property
    def label(self) -> str:
        return f"{self.number}. {self.name}"


@dataclass
class _Collect:
    instrument: str
    version: str
    number: int
    name: str
    # occasion -> (setting, the subscale mean of one of its audits)
    means: dict[str, list[tuple[int, Decimal]]] = field(default_factory=lambda: defaultdict(list))
    settings: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def paired_means(self, occasion: str) -> list[Decimal]:
        """The occasion's means of the settings audited on both occasions."""
        both = self.settings[Occasion.INITIAL] & self.settings[Occasion.END_OF_YEAR]
        return [value for setting, value in self.means[occasion] if setting in both]


def rating_subscales(cohort: Cohort) -> list[SubscaleChange]:
    """One query: the scored items summed per audit and subscale, then averaged here."""
    audits = audits_of_record(
        Audit.objects.filter(
            accreditation__in=taking_part(cohort),
            version__instrument__kind=InstrumentKind.RATING_SCALE,
            occasion__in=COMPARED_OCCASIONS,
        )
    )
    rows = (
        ItemScore.objects.filter(audit__in=audits, not_applicable=False, score__isnull=False)
        .order_by()
        .values(
            "audit_id",
            "audit__occasion",
            "audit__setting_id",
            "audit__version_id",
            "audit__version__label",
            "audit__version__instrument__name",
            "item__subscale_id",
            "item__subscale__number",
            "item__subscale__name",
        )
        .annotate(total=Sum("score"), scored=Count("score"))
    )
    collected: dict[tuple[int, int], _Collect] = {}
    for row in rows:
        key = (row["audit__version_id"], row["item__subscale_id"])
        one = collected.get(key)
        if one is None:
            one = collected[key] = _Collect(
                row["audit__version__instrument__name"],
                row["audit__version__label"],
                row["item__subscale__number"],
                row["item__subscale__name"],
            )
        subscale_mean = mean_of_sum(row["total"], row["scored"])
        assert subscale_mean is not None  # rows only exist for scored items
        one.means[row["audit__occasion"]].append((row["audit__setting_id"], subscale_mean))
        one.settings[row["audit__occasion"]].add(row["audit__setting_id"])
    result = [
        SubscaleChange(
            instrument=c.instrument,
            version=c.version,
            number=c.number,
            name=c.name,
            initial_mean=mean(c.paired_means(Occasion.INITIAL)),
            end_mean=mean(c.paired_means(Occasion.END_OF_YEAR)),
            initial_audits=len(c.paired_means(Occasion.INITIAL)),
            end_audits=len(c.paired_means(Occasion.END_OF_YEAR)),
            initial_settings=len(c.settings[Occasion.INITIAL]),
            end_settings=len(c.settings[Occasion.END_OF_YEAR]),
            compared=len(c.settings[Occasion.INITIAL] & c.settings[Occasion.END_OF_YEAR]),
        )
        for c in collected.values()
    ]
    return sorted(result, key=lambda r: (r.instrument, r.version, r.number))


def by_instrument(rows: list[SubscaleChange]) -> list[tuple[str, list[SubscaleChange]]]:
    """The subscale rows grouped per instrument version, in order."""
    grouped: dict[str, list[SubscaleChange]] = {}
    for row in rows:
        grouped.setdefault(row.instrument_label, []).append(row)
    return list(grouped.items())


# --- Leuven zone shares by term ----------------------------------------------------------------


@dataclass
class TermZones:
    term: str
    settings: int
    children: int  # children with a score this term (one record per child)
    zones: ZoneShares  # children with both scores: red / amber / green
    wellbeing: ZoneShares  # low (1-2) / moderate (3) / high (4-5)
    involvement: ZoneShares

    @property
    def term_label(self) -> str:
        return TERM_LABELS.get(self.term, self.term)


def leuven_zone_shares(cohort: Cohort) -> list[TermZones]:
    """One query: zone counts per term of the cohort's programme year."""
    year = cohort.programme_year
    later = LeuvenScore.objects.filter(
        child=OuterRef("child"),
        screening__term=OuterRef("screening__term"),
        screening__group__programme_year=year,
    ).filter(
        Q(screening__date__gt=OuterRef("screening__date"))
        | Q(screening__date=OuterRef("screening__date"), screening_id__gt=OuterRef("screening_id"))
    )
    both = Q(wellbeing__isnull=False, involvement__isnull=False)
    scored = Q(wellbeing__isnull=False) | Q(involvement__isnull=False)
    red = both & (Q(wellbeing__lt=3) | Q(involvement__lt=3))
    amber = Q(wellbeing__gte=3, involvement__gte=3) & (Q(wellbeing=3) | Q(involvement=3))
    green = Q(wellbeing__gt=3, involvement__gt=3)
    rows = (
        LeuvenScore.objects.filter(
            screening__group__programme_year=year,
            screening__group__setting__in=taking_part(cohort).values("setting"),
        )
        .filter(~Exists(later))
        .order_by()
        .values("screening__term")
        .annotate(
            children=Count("pk", filter=scored),
            settings=Count("screening__group__setting", distinct=True, filter=scored),
            red=Count("pk", filter=red),
            amber=Count("pk", filter=amber),
            green=Count("pk", filter=green),
            wb_low=Count("pk", filter=Q(wellbeing__lt=3)),
            wb_moderate=Count("pk", filter=Q(wellbeing=3)),
            wb_high=Count("pk", filter=Q(wellbeing__gt=3)),
            inv_low=Count("pk", filter=Q(involvement__lt=3)),
            inv_moderate=Count("pk", filter=Q(involvement=3)),
            inv_high=Count("pk", filter=Q(involvement__gt=3)),
        )
    )
    terms = [
        TermZones(
            term=row["screening__term"],
            settings=row["settings"],
            children=row["children"],
            zones=ZoneShares(row["red"], row["amber"], row["green"]),
            wellbeing=ZoneShares(row["wb_low"], row["wb_moderate"], row["wb_high"]),
            involvement=ZoneShares(row["inv_low"], row["inv_moderate"], row["inv_high"]),
        )
        for row in rows
    ]
    return sorted(terms, key=lambda t: TERM_RANK.get(t.term, 0))


# --- PPEL change -------------------------------------------------------------------------------


@dataclass
class CohortPpelChange:
    """Parental involvement (PPEL overall mean) at the start and end of the year."""

    compared: int = 0  # accreditations with both audits
    increased: int = 0
    same: int = 0
    decreased: int = 0
    initial_only: int = 0  # a start-of-year audit but no end-of-year one yet
    initial_means: list[Decimal] = field(default_factory=list)
    end_means: list[Decimal] = field(default_factory=list)
    changes: list[Decimal] = field(default_factory=list)

    @property
    def increased_percent(self) -> float | None:
        return percent(self.increased, self.compared)

    @property
    def same_percent(self) -> float | None:
        return percent(self.same, self.compared)

    @property
    def decreased_percent(self) -> float | None:
        return percent(self.decreased, self.compared)

    @property
    def initial_mean(self) -> Decimal | None:
        return mean(self.initial_means)

    @property
    def end_mean(self) -> Decimal | None:
        return mean(self.end_means)

    @property
    def mean_change(self) -> Decimal | None:
        return mean(self.changes)

    @property
    def headline(self) -> str:
        if not self.compared:
            return "No setting has a PPEL audit at both the start and the end of the year yet"
        noun = "setting" if self.compared == 1 else "settings"
        return (
            f"{self.increased} of {self.compared} {noun} ({self.increased_percent}%) "
            f"increased parental involvement"
        )


def _ppel_audit(occasion: str) -> Subquery:
    latest = (
        audits_of_record(
            Audit.objects.filter(
                accreditation=OuterRef("pk"),
                version__instrument__kind=InstrumentKind.PARTNERSHIP,
                occasion=occasion,
            )
        )
        .order_by("-date", "-pk")
        .values("pk")[:1]
    )
    return Subquery(latest)


def _scored(audit_field: str, aggregate: Sum | Count) -> Subquery:
    scores = (
        ItemScore.objects.filter(
            audit=OuterRef(audit_field), not_applicable=False, score__isnull=False
        )
        .order_by()
        .values("audit")
        .annotate(value=aggregate)
        .values("value")
    )
    return Subquery(scores, output_field=IntegerField())


def cohort_ppel_change(cohort: Cohort | None) -> CohortPpelChange:
    """One query, one row per accreditation with a PPEL audit; every cohort when None.

    The per-setting view is ``audits.ppel``; this is the cohort's aggregate.
    """
    rows = (
        taking_part(cohort)
        .annotate(initial_audit=_ppel_audit(Occasion.INITIAL))
        .filter(initial_audit__isnull=False)
        .annotate(end_audit=_ppel_audit(Occasion.END_OF_YEAR))
        .annotate(
            initial_total=_scored("initial_audit", Sum("score")),
            initial_scored=_scored("initial_audit", Count("score")),
            end_total=_scored("end_audit", Sum("score")),
            end_scored=_scored("end_audit", Count("score")),
        )
        .order_by()
        .values_list("initial_total", "initial_scored", "end_audit", "end_total", "end_scored")
    )
    result = CohortPpelChange()
    for initial_total, initial_scored, end_audit, end_total, end_scored in rows:
        if end_audit is None:
            result.initial_only += 1
            continue
        before = mean_of_sum(initial_total or 0, initial_scored or 0)
        after = mean_of_sum(end_total or 0, end_scored or 0)
        change = difference(before, after)
        if before is None or after is None or change is None:
            continue  # every item N/A: no mean to compare
        result.compared += 1
        result.initial_means.append(before)
        result.end_means.append(after)
        result.changes.append(change)
        if change > 0:
            result.increased += 1
        elif change < 0:
            result.decreased += 1
        else:
            result.same += 1
    return result


# --- The whole cohort --------------------------------------------------------------------------


def cohort_progress(cohort: Cohort) -> ProgressReport:
    """Learning progress of the settings taking part in the cohort's programme year (two
    queries; ``audits.progress_analysis`` says how each figure is worked out)."""
    return settings_progress(taking_part(cohort).values("setting"), cohort.programme_year)


@dataclass
class CohortReport:
    cohort: Cohort
    completion: UnitCompletion
    subscales: list[SubscaleChange]
    leuven: list[TermZones]
    ppel: CohortPpelChange

    @property
    def instruments(self) -> list[tuple[str, list[SubscaleChange]]]:
        return by_instrument(self.subscales)


def cohort_report(cohort: Cohort) -> CohortReport:
    """Four queries whatever the size of the cohort."""
    return CohortReport(
        cohort=cohort,
        completion=unit_completion(cohort),
        subscales=rating_subscales(cohort),
        leuven=leuven_zone_shares(cohort),
        ppel=cohort_ppel_change(cohort),
    )

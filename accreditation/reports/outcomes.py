"""Does the mark work? KQM settings' Ofsted outcomes against the other settings.

The definitions follow the published practice example, and the report page states them:

* **KQM setting at a date.** A setting holding an award on that date (on or after the
  award date, before the expiry date, not revoked by then), or, by default, one taking
  part in a cohort whose programme year covers the date (accepted and not withdrawn by
  then). The choice "accredited only" leaves out the settings in the programme. With a
  cohort chosen, only that cohort's settings are KQM settings.
* **Snapshot.** For each sector, the settings of the sector (and local authority) with
  an Early Years Register inspection on or before the snapshot date, each with its most
  recent one, whatever its date. KQM settings are those that are KQM at the snapshot
  date; the benchmark is every setting of the sector, or (the other choice) the settings
  that are not KQM. Each setting is one row: Childcare Register (and any other register's)
  inspections never replace the Early Years Register one, and are reported apart as
  compliance (met or not met).
* **Before and after.** Settings of the sector with an Early Years Register inspection in
  the period. A setting is a KQM setting when it was KQM at the date of one of those
  inspections: its latest such inspection is compared with its previous Early Years
  Register inspection (whatever the date). Other settings form the comparison group, with
  their latest inspection in the period. Overall effectiveness is compared by ``RANK``
  across the 2008, 2015 and 2019 frameworks (Satisfactory and Requires improvement both
  third); area judgements only when both inspections are under the same framework. The
  renewed framework (10 November 2025) gives no overall grade, so a move from an older
  grade to a renewed-framework result is counted as *not comparable*, never as improved
  or declined.

Queries: one for the snapshot tables of every sector, one for Childcare Register
compliance, one for the renewed framework's areas at the snapshot, and one for the
inspections in the period with their previous inspection. None grows with the register.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings as django_settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from settings.models import Inspection, Register, Sector
from settings.ofsted import FRAMEWORKS, GOOD_OR_BETTER, RANK, Framework, Grade

from .. import statistics
from ..models import Accreditation, Award, Status
from .rounding import percent as percent  # the one rounding helper, re-exported
from .rounding import round_half_up

# Overall grades in report order; Satisfactory (2008) and Requires improvement side by side.
OVERALL_ORDER: tuple[str, ...] = (
    Grade.OUTSTANDING,
    Grade.GOOD,
    Grade.SATISFACTORY,
    Grade.REQUIRES_IMPROVEMENT,
    Grade.INADEQUATE,
)
RENEWED_ROW = "renewed"
NOT_GRADED_ROW = "not_graded"
_RANK: dict[str, int] = {str(grade): rank for grade, rank in RANK.items()}
# The renewed framework's five-point area scale, best first (areas compared within it only).
_RANK_2025: dict[str, int] = {
    str(grade): rank for rank, grade in enumerate(FRAMEWORKS[Framework.RENEWED_2025].area_scale, 1)
}
STRONG_OR_ABOVE = frozenset({Grade.EXCEPTIONAL, Grade.STRONG})
# Statuses of an accreditation that has taken part in the programme (accepted at least).
NEVER_TOOK_PART = (Status.APPLIED, Status.DECLINED, Status.WAITLISTED, Status.WITHDRAWN)
SMALL_GROUP = 10  # fewer settings than this in a group: too few to say


class Membership(models.TextChoices):
    ENGAGED = "engaged", "In the programme or accredited"
    ACCREDITED = "accredited", "Accredited only"


class Benchmark(models.TextChoices):
    ALL = "all", "All settings, KQM settings included"
    OTHERS = "others", "Other settings only, KQM settings left out"


@dataclass(frozen=True)
class Period:
    start: datetime.date | None = None
    end: datetime.date | None = None

    def q(self, prefix: str = "") -> Q:
        query = Q()
        if self.start:
            query &= Q(**{f"{prefix}inspection_date__gte": self.start})
        if self.end:
            query &= Q(**{f"{prefix}inspection_date__lte": self.end})
        return query


@dataclass(frozen=True)
class Filters:
    """What the report covers. ``snapshot`` None means today."""

    sector: str = ""
    local_authority: str = ""
    snapshot: datetime.date | None = None
    period: Period = field(default_factory=Period)
    cohort_id: int | None = None
    cohort_name: str = ""
    membership: str = Membership.ENGAGED
    benchmark: str = Benchmark.ALL

    @property
    def snapshot_date(self) -> datetime.date:
        return self.snapshot or timezone.localdate()

    def setting_q(self, prefix: str = "setting__") -> Q:
        query = Q()
        if self.sector:
            query &= Q(**{f"{prefix}sector": self.sector})
        if self.local_authority:
            query &= Q(**{f"{prefix}local_authority__iexact": self.local_authority})
        return query

    @property
    def sector_label(self) -> str:
        return Sector(self.sector).label if self.sector else "All sectors"

    @property
    def membership_label(self) -> str:
        return Membership(self.membership).label

    @property
    def benchmark_label(self) -> str:
        return Benchmark(self.benchmark).label


def kqm_at(when: Any, filters: Filters, setting: Any = None) -> Q:
    """The setting (``OuterRef`` of its id) is a KQM setting on ``when`` (a date or an
    ``OuterRef`` to one), as a condition for ``.filter`` or ``.annotate``."""
    setting = setting if setting is not None else OuterRef("setting_id")
    awards = Award.objects.filter(
        Q(revoked_at__isnull=True) | Q(revoked_at__date__gt=when),
        setting=setting,
        award_date__lte=when,
        expiry_date__gt=when,
    )
    condition = Q(Exists(awards))
    if filters.membership == Membership.ENGAGED:
        programme = Accreditation.objects.filter(
            Q(~Q(status__in=NEVER_TOOK_PART))
            | Q(status=Status.WITHDRAWN, status_changed_at__date__gt=when),
            setting=setting,
            cohort__start_date__lte=when,
            cohort__end_date__gte=when,
        )
        condition |= Q(Exists(programme))
    if filters.cohort_id is not None:
        in_cohort = Accreditation.objects.filter(setting=setting, cohort_id=filters.cohort_id)
        condition &= Q(Exists(in_cohort.exclude(status__in=NEVER_TOOK_PART[:3])))
    return condition


def _flag(condition: Q) -> models.ExpressionWrapper:
    return models.ExpressionWrapper(condition, output_field=models.BooleanField())


def _latest_eyr(filters: Filters) -> models.QuerySet[Inspection]:
    """Each setting's most recent Early Years Register inspection on or before the snapshot."""
    snapshot = filters.snapshot_date
    later = Inspection.objects.filter(
        setting=OuterRef("setting"),
        register=Register.EYR,
        inspection_date__gt=OuterRef("inspection_date"),
        inspection_date__lte=snapshot,
    )
    return (
        Inspection.objects.filter(
            filters.setting_q(), register=Register.EYR, inspection_date__lte=snapshot
        )
        .filter(~Exists(later))
        .annotate(kqm=_flag(kqm_at(snapshot, filters)))
    )


# --- The snapshot --------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeRow:
    key: str  # a grade, RENEWED_ROW or NOT_GRADED_ROW
    label: str
    kqm: int
    kqm_percent: float | None  # of the graded settings; None for rows without a grade
    benchmark: int
    benchmark_percent: float | None


@dataclass
class SnapshotTable:
    """One sector: KQM settings against the benchmark at each overall outcome."""

    sector: str
    rows: list[GradeRow]
    kqm_total: int  # settings (one row each)
    benchmark_total: int
    kqm_graded: int  # ... with an overall grade: the percentages' denominator
    benchmark_graded: int

    @property
    def sector_label(self) -> str:
        return Sector(self.sector).label

    def _count(self, grades: Iterable[str], kqm: bool) -> int:
        wanted = set(grades)
        return sum(row.kqm if kqm else row.benchmark for row in self.rows if row.key in wanted)

    @property
    def kqm_outstanding(self) -> int:
        return self._count([Grade.OUTSTANDING], True)

    @property
    def benchmark_outstanding(self) -> int:
        return self._count([Grade.OUTSTANDING], False)

    @property
    def kqm_good_or_better(self) -> int:
        return self._count(GOOD_OR_BETTER, True)

    @property
    def benchmark_good_or_better(self) -> int:
        return self._count(GOOD_OR_BETTER, False)

    @property
    def kqm_outstanding_percent(self) -> float | None:
        return percent(self.kqm_outstanding, self.kqm_graded)

    @property
    def benchmark_outstanding_percent(self) -> float | None:
        return percent(self.benchmark_outstanding, self.benchmark_graded)

    @property
    def kqm_good_or_better_percent(self) -> float | None:
        return percent(self.kqm_good_or_better, self.kqm_graded)

    @property
    def benchmark_good_or_better_percent(self) -> float | None:
        return percent(self.benchmark_good_or_better, self.benchmark_graded)


@dataclass(frozen=True)
class ShareRow:
    """A share of KQM settings and of the benchmark (renewed areas, safeguarding, compliance)."""

    label: str
    kqm: int
    kqm_of: int
    benchmark: int
    benchmark_of: int

    @property
    def kqm_percent(self) -> float | None:
        return percent(self.kqm, self.kqm_of)

    @property
    def benchmark_percent(self) -> float | None:
        return percent(self.benchmark, self.benchmark_of)


@dataclass
class RenewedSection:
    """Settings whose latest inspection is under the renewed framework, per area."""

    sector: str
    kqm_total: int
    benchmark_total: int
    areas: list[ShareRow]  # judged at strong standard or above, of those judged in the area
    safeguarding: ShareRow  # met, of those with safeguarding recorded

    @property
    def sector_label(self) -> str:
        return Sector(self.sector).label


def _grade_label(key: str) -> str:
    if key == RENEWED_ROW:
        return "No overall grade: renewed framework"
    if key == NOT_GRADED_ROW:
        return "No overall grade given"
    return Grade(key).label


def snapshot_tables(filters: Filters) -> list[SnapshotTable]:
    """One query: settings per sector, overall outcome and KQM at the snapshot."""
    counts = (
        _latest_eyr(filters)
        .order_by()
        .values("setting__sector", "framework", "overall_effectiveness", "kqm")  # type: ignore[misc]
        .annotate(n=Count("pk"))
    )
    by_sector: dict[str, Counter[tuple[str, bool]]] = defaultdict(Counter)
    for row in counts:
        grade = row["overall_effectiveness"] or ""
        if grade not in _RANK:
            grade = RENEWED_ROW if row["framework"] == Framework.RENEWED_2025 else NOT_GRADED_ROW
        by_sector[row["setting__sector"]][(grade, bool(row["kqm"]))] += row["n"]
    tables = []
    for sector in Sector.values:
        if sector not in by_sector:
            continue
        tables.append(_snapshot_table(sector, by_sector[sector], filters.benchmark))
    return tables


def _snapshot_table(
    sector: str, counts: Counter[tuple[str, bool]], benchmark: str
) -> SnapshotTable:
    def kqm(key: str) -> int:
        return counts[(key, True)]

    def bench(key: str) -> int:
        others = counts[(key, False)]
        return others + kqm(key) if benchmark == Benchmark.ALL else others

    keys = [*OVERALL_ORDER, RENEWED_ROW, NOT_GRADED_ROW]
    kqm_graded = sum(kqm(k) for k in OVERALL_ORDER)
    bench_graded = sum(bench(k) for k in OVERALL_ORDER)
    always = {Grade.OUTSTANDING, Grade.GOOD, Grade.INADEQUATE}
    rows = [
        GradeRow(
            key=key,
            label=_grade_label(key),
            kqm=kqm(key),
            kqm_percent=percent(kqm(key), kqm_graded) if key in _RANK else None,
            benchmark=bench(key),
            benchmark_percent=percent(bench(key), bench_graded) if key in _RANK else None,
        )
        for key in keys
        if key in always or kqm(key) or bench(key)
    ]
    return SnapshotTable(
        sector=sector,
        rows=rows,
        kqm_total=sum(kqm(k) for k in keys),
        benchmark_total=sum(bench(k) for k in keys),
        kqm_graded=kqm_graded,
        benchmark_graded=bench_graded,
    )


def renewed_sections(filters: Filters) -> list[RenewedSection]:
    """One query: the latest inspections under the renewed framework, with their areas."""
    rows = (
        _latest_eyr(filters)  # type: ignore[misc]
        .filter(framework=Framework.RENEWED_2025)
        .order_by()
        .values_list("setting__sector", "kqm", "safeguarding", "judgements")
    )
    spec = FRAMEWORKS[Framework.RENEWED_2025]
    # sector -> counter keyed by (what, kqm): what is "total", "sg", "sg_met", area, area+"+"
    tally: dict[str, Counter[tuple[str, bool]]] = defaultdict(Counter)
    for sector, kqm, safeguarding, judgements in rows:
        count = tally[sector]
        kqm = bool(kqm)
        count[("total", kqm)] += 1
        if safeguarding:
            count[("sg", kqm)] += 1
            count[("sg_met", kqm)] += safeguarding == Grade.MET
        for area, _label in spec.areas:
            grade = (judgements or {}).get(area)
            if grade in _RANK_2025:
                count[(area, kqm)] += 1
                count[(area + "+", kqm)] += grade in STRONG_OR_ABOVE
    sections = []
    for sector in Sector.values:
        if sector not in tally:
            continue
        count = tally[sector]

        def share(
            label: str, part: str, whole: str, c: Counter[tuple[str, bool]] = count
        ) -> ShareRow:
            bench_part, bench_whole = c[(part, False)], c[(whole, False)]
            if filters.benchmark == Benchmark.ALL:
                bench_part, bench_whole = (
                    bench_part + c[(part, True)],
                    bench_whole + c[(whole, True)],
                )
            return ShareRow(label, c[(part, True)], c[(whole, True)], bench_part, bench_whole)

        totals = share("", "total", "total")
        sections.append(
            RenewedSection(
                sector=sector,
                kqm_total=totals.kqm,
                benchmark_total=totals.benchmark,
                areas=[share(label, area + "+", area) for area, label in spec.areas],
                safeguarding=share("Safeguarding met", "sg_met", "sg"),
            )
        )
    return sections


@dataclass
class Compliance:
    """The latest Childcare Register inspection on or before the snapshot: met or not met."""

    rows: list[GradeRow]  # Met, Not met, No outcome recorded (percentages of those with one)
    kqm_total: int
    benchmark_total: int


def childcare_register_compliance(filters: Filters) -> Compliance:
    """One query: each setting's latest Childcare Register inspection, met or not."""
    snapshot = filters.snapshot_date
    later = Inspection.objects.filter(
        setting=OuterRef("setting"),
        register=Register.CR,
        inspection_date__gt=OuterRef("inspection_date"),
        inspection_date__lte=snapshot,
    )
    counts = (
        Inspection.objects.filter(
            filters.setting_q(), register=Register.CR, inspection_date__lte=snapshot
        )
        .filter(~Exists(later))
        .annotate(kqm=_flag(kqm_at(snapshot, filters)))
        .order_by()
        .values("overall_effectiveness", "kqm")
        .annotate(n=Count("pk"))
    )
    tally: Counter[tuple[str, bool]] = Counter()
    for row in counts:
        outcome = row["overall_effectiveness"]
        key = outcome if outcome in (Grade.MET, Grade.NOT_MET) else ""
        tally[(key, bool(row["kqm"]))] += row["n"]

    def bench(key: str) -> int:
        others = tally[(key, False)]
        return others + tally[(key, True)] if filters.benchmark == Benchmark.ALL else others

    judged_kqm = tally[(Grade.MET, True)] + tally[(Grade.NOT_MET, True)]
    judged_bench = bench(Grade.MET) + bench(Grade.NOT_MET)
    rows = [
        GradeRow(
            key=key,
            label=label,
            kqm=tally[(key, True)],
            kqm_percent=percent(tally[(key, True)], judged_kqm) if key else None,
            benchmark=bench(key),
            benchmark_percent=percent(bench(key), judged_bench) if key else None,
        )
        for key, label in (
            (Grade.MET, "Met"),
            (Grade.NOT_MET, "Not met"),
            ("", "No outcome recorded"),
        )
        if key or tally[("", True)] or bench("")
    ]
    return Compliance(
        rows=rows,
        kqm_total=sum(r.kqm for r in rows),
        benchmark_total=sum(r.benchmark for r in rows),
    )


# --- Before and after ----------------------------------------------------------------------


@dataclass
class AreaChange:
    framework: str
    area: str
    label: str
    improved: int = 0
    same: int = 0
    declined: int = 0
    not_graded: int = 0  # not judged in one of the two inspections

    @property
    def compared(self) -> int:
        return self.improved + self.same + self.declined

    @property
    def total(self) -> int:
        return self.compared + self.not_graded

    @property
    def improved_percent(self) -> float | None:
        return percent(self.improved, self.compared)

    @property
    def same_percent(self) -> float | None:
        return percent(self.same, self.compared)

    @property
    def declined_percent(self) -> float | None:
        return percent(self.declined, self.compared)

    @property
    def framework_label(self) -> str:
        return Framework(self.framework).label


@dataclass
class BeforeAfter:
    """Each setting's inspection in the period against its previous one."""

    inspected: int = 0  # settings (one row each)
    no_previous: int = 0  # no earlier Early Years Register inspection
    not_comparable: int = 0  # an older grade, then a renewed-framework result
    both_renewed: int = 0  # both under the renewed framework: no overall grade either side
    not_graded: int = 0  # an overall grade missing on one side (e.g. met / not met)
    improved: int = 0
    same: int = 0
    declined: int = 0
    by_grades: Counter[int] = field(default_factory=Counter)  # +2 = up two grades
    areas: list[AreaChange] = field(default_factory=list)

    @property
    def compared(self) -> int:
        return self.improved + self.same + self.declined

    def share(self, count: int) -> float | None:
        return percent(count, self.compared)

    @property
    def improved_percent(self) -> float | None:
        return self.share(self.improved)

    @property
    def same_percent(self) -> float | None:
        return self.share(self.same)

    @property
    def declined_percent(self) -> float | None:
        return self.share(self.declined)

    @property
    def steps(self) -> list[tuple[str, int, float | None]]:
        """(how far, settings, % of compared), from up the most grades to down the most."""
        return [
            (step_label(step), self.by_grades[step], self.share(self.by_grades[step]))
            for step in sorted(self.by_grades, reverse=True)
        ]

    @property
    def accounted(self) -> list[tuple[str, int, float | None]]:
        """Every setting inspected, in exactly one row (the counts add up to ``inspected``),
        with the share of the compared settings for the rows that were compared."""
        return [
            ("Improved", self.improved, self.improved_percent),
            ("Stayed the same", self.same, self.same_percent),
            ("Declined", self.declined, self.declined_percent),
            (
                "Not comparable: an older grade, then the renewed framework",
                self.not_comparable,
                None,
            ),
            (
                "Both inspections under the renewed framework (no overall grade)",
                self.both_renewed,
                None,
            ),
            ("No overall grade in one of the two inspections", self.not_graded, None),
            ("No earlier inspection", self.no_previous, None),
        ]


def step_label(step: int) -> str:
    if step == 0:
        return "Same grade"
    grades = "grade" if abs(step) == 1 else "grades"
    return f"{'Up' if step > 0 else 'Down'} {abs(step)} {grades}"


PAIR_FIELDS = (
    "setting_id",
    "inspection_date",
    "framework",
    "overall_effectiveness",
    "judgements_text",
    "kqm",
    "prev_framework",
    "prev_overall",
    "prev_judgements",
)


def inspection_pairs(filters: Filters) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One query: (KQM pairs, comparison pairs), one per setting inspected in the period.

    A setting that was KQM at one of its inspections in the period gives its latest such
    inspection; any other setting its latest inspection in the period.
    """
    previous = Inspection.objects.filter(
        setting=OuterRef("setting"),
        register=Register.EYR,
        inspection_date__lt=OuterRef("inspection_date"),
    ).order_by("-inspection_date")
    # The judgements come back as text and are read only for the pairs whose areas are
    # compared (both inspections under the same framework): most of the cost otherwise.
    rows = (
        Inspection.objects.filter(filters.setting_q(), filters.period.q(), register=Register.EYR)
        .annotate(
            kqm=_flag(kqm_at(OuterRef("inspection_date"), filters)),
            judgements_text=Cast("judgements", models.TextField()),
            prev_framework=Subquery(previous.values("framework")[:1]),
            prev_overall=Subquery(previous.values("overall_effectiveness")[:1]),
            prev_judgements=Subquery(
                previous.annotate(text=Cast("judgements", models.TextField())).values("text")[:1],
                output_field=models.TextField(),
            ),
        )
        .order_by()
        .values(*PAIR_FIELDS)
    )
    chosen: dict[int, dict[str, Any]] = {}
    for row in rows:
        current = chosen.get(row["setting_id"])
        key = (bool(row["kqm"]), row["inspection_date"])
        if current is None or key > (bool(current["kqm"]), current["inspection_date"]):
            chosen[row["setting_id"]] = row
    kqm = [row for row in chosen.values() if row["kqm"]]
    others = [row for row in chosen.values() if not row["kqm"]]
    return kqm, others


def overall_step(row: dict[str, Any]) -> int | str:
    """Grades moved up (positive) or down, or why the pair cannot be compared."""
    if not row["prev_framework"]:
        return "no_previous"
    before_renewed = row["prev_framework"] == Framework.RENEWED_2025
    after_renewed = row["framework"] == Framework.RENEWED_2025
    if before_renewed and after_renewed:
        return "both_renewed"
    if before_renewed or after_renewed:
        return "not_comparable"
    before, after = row["prev_overall"] or "", row["overall_effectiveness"] or ""
    if before not in _RANK or after not in _RANK:
        return "not_graded"
    return _RANK[before] - _RANK[after]


def _judgements(value: str | dict[str, str] | None) -> dict[str, str]:
    """Area judgements as stored (JSON text from ``inspection_pairs``, or a dict)."""
    if not value:
        return {}
    return json.loads(value) if isinstance(value, str) else value


def compare_pairs(rows: Iterable[dict[str, Any]]) -> BeforeAfter:
    result = BeforeAfter()
    areas: dict[tuple[str, str], AreaChange] = {}
    for row in rows:
        result.inspected += 1
        step = overall_step(row)
        if isinstance(step, str):
            setattr(result, step, getattr(result, step) + 1)
        else:
            if step > 0:
                result.improved += 1
            elif step < 0:
                result.declined += 1
            else:
                result.same += 1
            result.by_grades[step] += 1
        framework = row["framework"]
        if not row["prev_framework"] or row["prev_framework"] != framework:
            continue
        ranks = _RANK_2025 if framework == Framework.RENEWED_2025 else _RANK
        before_j = _judgements(row["prev_judgements"])
        after_j = _judgements(row.get("judgements_text", row.get("judgements")))
        for area, label in FRAMEWORKS[framework].areas:
            change = areas.setdefault((framework, area), AreaChange(str(framework), area, label))
            b, a = before_j.get(area), after_j.get(area)
            if b not in ranks or a not in ranks:
                change.not_graded += 1
                continue
            move = ranks[b] - ranks[a]
            if move > 0:
                change.improved += 1
            elif move < 0:
                change.declined += 1
            else:
                change.same += 1
    for framework, spec in FRAMEWORKS.items():
        for area, _label in spec.areas:
            found = areas.get((framework, area))
            if found is not None and found.compared:
                result.areas.append(found)
    return result


# --- The fair comparison -------------------------------------------------------------------

PREVIOUS_GRADES: tuple[tuple[int, str], ...] = (
    (1, "Outstanding"),
    (2, "Good"),
    (3, "Satisfactory or requires improvement"),
    (4, "Inadequate"),
)


@dataclass(frozen=True)
class Rate:
    improved: int
    of: int

    @property
    def percent(self) -> float | None:
        return percent(self.improved, self.of)

    @property
    def interval(self) -> statistics.Interval | None:
        return statistics.wilson(self.improved, self.of) if self.of else None

    @property
    def low_percent(self) -> float | None:
        return None if self.interval is None else round_half_up(100 * self.interval.low)

    @property
    def high_percent(self) -> float | None:
        return None if self.interval is None else round_half_up(100 * self.interval.high)


@dataclass(frozen=True)
class Difference:
    interval: statistics.Interval

    @property
    def points(self) -> float:
        return round_half_up(100 * self.interval.estimate)

    @property
    def low(self) -> float:
        return round_half_up(100 * self.interval.low)

    @property
    def high(self) -> float:
        return round_half_up(100 * self.interval.high)


@dataclass(frozen=True)
class StratumRow:
    label: str
    kqm: Rate
    comparison: Rate
    difference: Difference | None  # None when a group is empty
    p_value: float | None  # Fisher's exact test

    @property
    def small(self) -> bool:
        return min(self.kqm.of, self.comparison.of) < SMALL_GROUP


@dataclass
class Comparison:
    """The KQM settings' improvement rate against similar settings, per previous grade."""

    strata: list[StratumRow]
    kqm: Rate  # over the previous grades both groups have
    comparison_crude: Rate  # the comparison group as it is
    comparison_weighted: statistics.Interval | None  # standardised to the KQM mix (0-1)
    difference: Difference | None  # KQM minus the weighted comparison rate
    p_value: float | None  # Fisher's exact test of the 2x2 table (not weighted)
    kqm_left_out: int  # KQM settings whose previous grade no comparison setting shares

    @property
    def comparison_weighted_percent(self) -> float | None:
        if self.comparison_weighted is None:
            return None
        return round_half_up(100 * self.comparison_weighted.estimate)

    @property
    def comparison_weighted_low(self) -> float | None:
        if self.comparison_weighted is None:
            return None
        return round_half_up(100 * self.comparison_weighted.low)

    @property
    def comparison_weighted_high(self) -> float | None:
        if self.comparison_weighted is None:
            return None
        return round_half_up(100 * self.comparison_weighted.high)

    @property
    def too_small(self) -> bool:
        return min(self.kqm.of, self.comparison_crude.of) < SMALL_GROUP

    @property
    def p_text(self) -> str:
        return p_text(self.p_value)

    @property
    def sentence(self) -> str:
        kqm_n, other_n = self.kqm.of, self.comparison_crude.of
        if self.too_small or self.difference is None:
            return (
                f"Too few settings to say: {kqm_n} KQM setting{'s' if kqm_n != 1 else ''} and "
                f"{other_n} similar setting{'s' if other_n != 1 else ''} could be compared; "
                f"at least {SMALL_GROUP} of each are needed."
            )
        kqm_p = round_half_up(100 * self.kqm.improved / kqm_n, 0)
        weighted = self.comparison_weighted
        other_p = round_half_up(100 * weighted.estimate if weighted else 0, 0)
        diff = self.difference.interval
        points = round_half_up(100 * diff.estimate, 0)
        low, high = round_half_up(100 * diff.low, 0), round_half_up(100 * diff.high, 0)
        figures = (
            f"{kqm_p:.0f}% against {other_p:.0f}%, a difference of {points:.0f} points, "
            f"95% interval {low:.0f} to {high:.0f} points"
        )
        if diff.low > 0:
            return f"KQM settings improved more often than similar settings: {figures}."
        if diff.high < 0:
            return f"KQM settings improved less often than similar settings: {figures}."
        return (
            f"The data cannot tell KQM settings apart from similar settings: {figures}, "
            "an interval that includes no difference at all."
        )


def p_text(value: float | None) -> str:
    if value is None:
        return ""
    if value < 0.001:
        return "below 0.001"
    return f"{round_half_up(value, 3):.3f}"


def _previous_rank(row: dict[str, Any]) -> int | None:
    step = overall_step(row)
    return None if isinstance(step, str) else _RANK[row["prev_overall"]]


def fair_comparison(kqm_rows: list[dict[str, Any]], other_rows: list[dict[str, Any]]) -> Comparison:
    """KQM settings against non-KQM settings with the same previous grade."""
    counts: dict[tuple[bool, int], list[int]] = defaultdict(lambda: [0, 0])  # improved, of
    for is_kqm, rows in ((True, kqm_rows), (False, other_rows)):
        for row in rows:
            rank = _previous_rank(row)
            if rank is None:
                continue
            cell = counts[(is_kqm, rank)]
            cell[0] += overall_step(row) > 0  # type: ignore[operator]
            cell[1] += 1
    strata = []
    shared: list[tuple[int, int, int, int, int]] = []  # rank, kqm k, kqm n, other k, other n
    left_out = 0
    for rank, label in PREVIOUS_GRADES:
        k1, n1 = counts[(True, rank)]
        k2, n2 = counts[(False, rank)]
        if not n1 and not n2:
            continue
        both = bool(n1 and n2)
        strata.append(
            StratumRow(
                label=label,
                kqm=Rate(k1, n1),
                comparison=Rate(k2, n2),
                difference=Difference(statistics.newcombe(k1, n1, k2, n2)) if both else None,
                p_value=statistics.fisher_exact(k1, n1 - k1, k2, n2 - k2) if both else None,
            )
        )
        if both:
            shared.append((rank, k1, n1, k2, n2))
        else:
            left_out += n1
    k = sum(s[1] for s in shared)
    n = sum(s[2] for s in shared)
    k_other = sum(s[3] for s in shared)
    n_other = sum(s[4] for s in shared)
    weighted = difference = p_value = None
    if n and n_other:
        weights = [(n1 / n, k2, n2) for _rank, _k1, n1, k2, n2 in shared]
        weighted = statistics.weighted_rate(weights)
        difference = Difference(statistics.weighted_difference(k, n, weights))
        p_value = statistics.fisher_exact(k, n - k, k_other, n_other - k_other)
    return Comparison(
        strata=strata,
        kqm=Rate(k, n),
        comparison_crude=Rate(k_other, n_other),
        comparison_weighted=weighted,
        difference=difference,
        p_value=p_value,
        kqm_left_out=left_out,
    )


# --- The whole report ----------------------------------------------------------------------


@dataclass
class Outcomes:
    filters: Filters
    snapshot: list[SnapshotTable]
    renewed: list[RenewedSection]
    compliance: Compliance
    change: BeforeAfter
    comparison_change: BeforeAfter
    comparison: Comparison


def outcomes(filters: Filters) -> Outcomes:
    """Four queries, whatever the size of the register."""
    kqm_rows, other_rows = inspection_pairs(filters)
    return Outcomes(
        filters=filters,
        snapshot=snapshot_tables(filters),
        renewed=renewed_sections(filters),
        compliance=childcare_register_compliance(filters),
        change=compare_pairs(kqm_rows),
        comparison_change=compare_pairs(other_rows),
        comparison=fair_comparison(kqm_rows, other_rows),
    )


HEADLINE_SECTORS = (Sector.PVI, Sector.MAINTAINED)


def outcome_headlines(local_authority: str = "") -> list[SnapshotTable]:
    """The viewer's home page: KQM settings against all, PVI and maintained, today (one query)."""
    filters = Filters(local_authority=local_authority or django_settings.KQM_LOCAL_AUTHORITY)
    return [t for t in snapshot_tables(filters) if t.sector in HEADLINE_SECTORS]

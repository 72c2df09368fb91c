"""Does the mark work? Accredited settings' Ofsted outcomes against the register.

Definitions, stated on the report page too:

* **Inspections counted.** For each setting of the chosen sector, its latest
  inspection whose date falls in the chosen period (one inspection per setting).
* **Accredited.** A setting counts as accredited when that inspection fell while it
  held an award: on or after the award date, before the expiry date, and not after
  the award was revoked. The **benchmark** is every setting of the same sector in
  the register inspected in the period, accredited ones included.
* **Before and after.** For each setting whose first award falls before an
  inspection in the period: its latest inspection before that award date against
  its first inspection on or after it (within the period). Overall effectiveness is
  compared across the four-point frameworks (2008, 2015 and 2019) by ``RANK``,
  where Satisfactory (2008) and Requires improvement share rank 3. Area judgements
  are compared only when both inspections are under the same framework, since the
  areas differ between frameworks. An inspection under the renewed framework
  (November 2025) gives no overall grade, so such a pair is counted as *not
  comparable*; no grade is mapped between the renewed framework and the others.

The outcome distribution is aggregated in the database in one query; the before
and after pairs come back in one query, one row per awarded setting.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery

from settings.models import Inspection, Sector, Setting
from settings.ofsted import FRAMEWORKS, GOOD_OR_BETTER, RANK, Framework, Grade

from ..models import Award

# Overall grades in report order; Satisfactory (2008) and Requires improvement side by side.
OVERALL_ORDER: tuple[str, ...] = (
    Grade.OUTSTANDING,
    Grade.GOOD,
    Grade.SATISFACTORY,
    Grade.REQUIRES_IMPROVEMENT,
    Grade.INADEQUATE,
)
NO_OVERALL = ""  # renewed framework: no overall grade
_RANK: dict[str, int] = {str(grade): rank for grade, rank in RANK.items()}


def percent(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` as a percentage to one decimal place; None when nothing to share."""
    if not whole:
        return None
    return round(100 * part / whole, 1)


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
class OutcomeRow:
    grade: str  # "" for "no overall grade"
    label: str
    accredited: int
    accredited_percent: float | None
    all: int
    all_percent: float | None


@dataclass
class OutcomeTable:
    """Accredited settings against all settings of the sector at each overall outcome."""

    rows: list[OutcomeRow]
    accredited_inspected: int  # settings inspected in the period while accredited
    all_inspected: int  # settings of the sector inspected in the period
    accredited_graded: int  # ... of which with an overall grade (the percentages' denominator)
    all_graded: int
    accredited_outstanding: int
    all_outstanding: int
    accredited_good_or_better: int
    all_good_or_better: int

    @property
    def accredited_outstanding_percent(self) -> float | None:
        return percent(self.accredited_outstanding, self.accredited_graded)

    @property
    def all_outstanding_percent(self) -> float | None:
        return percent(self.all_outstanding, self.all_graded)

    @property
    def accredited_good_or_better_percent(self) -> float | None:
        return percent(self.accredited_good_or_better, self.accredited_graded)

    @property
    def all_good_or_better_percent(self) -> float | None:
        return percent(self.all_good_or_better, self.all_graded)

    @property
    def not_graded_accredited(self) -> int:
        return self.accredited_inspected - self.accredited_graded

    @property
    def not_graded_all(self) -> int:
        return self.all_inspected - self.all_graded


def _latest_in_period(period: Period, sector: str) -> models.QuerySet[Inspection]:
    """Each setting's latest inspection in the period (the sector's settings only)."""
    later = Inspection.objects.filter(
        period.q(),
        setting=OuterRef("setting"),
        inspection_date__gt=OuterRef("inspection_date"),
    )
    held_award = Award.objects.filter(
        Q(revoked_at__isnull=True) | Q(revoked_at__date__gt=OuterRef("inspection_date")),
        setting=OuterRef("setting"),
        award_date__lte=OuterRef("inspection_date"),
        expiry_date__gt=OuterRef("inspection_date"),
    )
    qs = Inspection.objects.filter(period.q())
    if sector:
        qs = qs.filter(setting__sector=sector)
    return qs.filter(~Exists(later)).annotate(accredited=Exists(held_award))


def outcome_table(*, sector: str = "", period: Period | None = None) -> OutcomeTable:
    """One query: counts per overall grade, accredited (at the inspection date) and all."""
    period = period or Period()
    counts = (
        _latest_in_period(period, sector)
        .order_by()
        .values("overall_effectiveness")
        .annotate(all=Count("pk"), accredited_count=Count("pk", filter=Q(accredited=True)))
    )
    by_grade: dict[str, tuple[int, int]] = {
        row["overall_effectiveness"]: (row["accredited_count"], row["all"]) for row in counts
    }
    acc_total = sum(a for a, _ in by_grade.values())
    all_total = sum(n for _, n in by_grade.values())
    acc_graded = sum(a for g, (a, _) in by_grade.items() if g in _RANK)
    all_graded = sum(n for g, (_, n) in by_grade.items() if g in _RANK)
    rows = []
    for grade in (*OVERALL_ORDER, NO_OVERALL):
        acc, total = by_grade.get(grade, (0, 0))
        if grade in (Grade.SATISFACTORY, Grade.REQUIRES_IMPROVEMENT, NO_OVERALL) and not total:
            continue  # shown only when some inspection has it
        graded = grade != NO_OVERALL
        rows.append(
            OutcomeRow(
                grade=grade,
                label=Grade(grade).label if graded else "No overall grade (renewed framework)",
                accredited=acc,
                accredited_percent=percent(acc, acc_graded) if graded else None,
                all=total,
                all_percent=percent(total, all_graded) if graded else None,
            )
        )

    def _sum(grades: frozenset[str], index: int) -> int:
        return sum(v[index] for g, v in by_grade.items() if g in grades)

    outstanding = frozenset({Grade.OUTSTANDING})
    return OutcomeTable(
        rows=rows,
        accredited_inspected=acc_total,
        all_inspected=all_total,
        accredited_graded=acc_graded,
        all_graded=all_graded,
        accredited_outstanding=_sum(outstanding, 0),
        all_outstanding=_sum(outstanding, 1),
        accredited_good_or_better=_sum(frozenset(GOOD_OR_BETTER), 0),
        all_good_or_better=_sum(frozenset(GOOD_OR_BETTER), 1),
    )


@dataclass(frozen=True)
class AreaChange:
    framework: str
    area: str
    label: str
    improved: int
    same: int
    declined: int

    @property
    def compared(self) -> int:
        return self.improved + self.same + self.declined

    @property
    def improved_percent(self) -> float | None:
        return percent(self.improved, self.compared)

    @property
    def framework_label(self) -> str:
        return Framework(self.framework).label


@dataclass
class BeforeAfter:
    """Overall effectiveness before and after the award, and per area judgement."""

    awarded_inspected: int = 0  # awarded settings with an inspection after the award
    no_earlier_inspection: int = 0
    not_comparable: int = 0  # one side under the renewed framework (no overall grade)
    improved: int = 0
    same: int = 0
    declined: int = 0
    by_grades: Counter[int] = field(default_factory=Counter)  # +2 = up two grades, -1 = down one
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


def step_label(step: int) -> str:
    if step == 0:
        return "Same grade"
    grades = "grade" if abs(step) == 1 else "grades"
    return f"{'Up' if step > 0 else 'Down'} {abs(step)} {grades}"


def before_after(*, sector: str = "", period: Period | None = None) -> BeforeAfter:
    """One query: per awarded setting, the inspection before its first award and the one after."""
    period = period or Period()
    first_award = Subquery(
        Award.objects.filter(setting=OuterRef("pk")).order_by("award_date").values("award_date")[:1]
    )
    settings = Setting.objects.annotate(first_award=first_award).filter(first_award__isnull=False)
    if sector:
        settings = settings.filter(sector=sector)
    before = Inspection.objects.filter(
        setting=OuterRef("pk"), inspection_date__lt=OuterRef("first_award")
    ).order_by("-inspection_date")
    after = Inspection.objects.filter(
        period.q(), setting=OuterRef("pk"), inspection_date__gte=OuterRef("first_award")
    ).order_by("inspection_date")
    rows = (
        settings.annotate(
            before_framework=Subquery(before.values("framework")[:1]),
            before_overall=Subquery(before.values("overall_effectiveness")[:1]),
            before_judgements=Subquery(
                before.values("judgements")[:1], output_field=models.JSONField()
            ),
            after_framework=Subquery(after.values("framework")[:1]),
            after_overall=Subquery(after.values("overall_effectiveness")[:1]),
            after_judgements=Subquery(
                after.values("judgements")[:1], output_field=models.JSONField()
            ),
        )
        .filter(after_framework__isnull=False)
        .values(
            "before_framework",
            "before_overall",
            "before_judgements",
            "after_framework",
            "after_overall",
            "after_judgements",
        )
    )
    return compare_pairs(list(rows))


def compare_pairs(rows: list[dict[str, Any]]) -> BeforeAfter:
    result = BeforeAfter()
    area_counts: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        result.awarded_inspected += 1
        if not row["before_framework"]:
            result.no_earlier_inspection += 1
            continue
        before, after = row["before_overall"] or "", row["after_overall"] or ""
        if before not in _RANK or after not in _RANK:
            result.not_comparable += 1
            continue
        step = _RANK[before] - _RANK[after]  # positive: better after the award
        if step > 0:
            result.improved += 1
        elif step < 0:
            result.declined += 1
        else:
            result.same += 1
        result.by_grades[step] += 1
        if row["before_framework"] != row["after_framework"]:
            continue
        framework = row["before_framework"]
        b_judgements = row["before_judgements"] or {}
        a_judgements = row["after_judgements"] or {}
        for area, _label in FRAMEWORKS[framework].areas:
            b, a = b_judgements.get(area), a_judgements.get(area)
            if b not in _RANK or a not in _RANK:
                continue
            counts = area_counts.setdefault((framework, area), [0, 0, 0])
            move = _RANK[b] - _RANK[a]
            counts[0 if move > 0 else 1 if move == 0 else 2] += 1
    for framework, spec in FRAMEWORKS.items():
        for area, label in spec.areas:
            if (framework, area) in area_counts:
                improved, same, declined = area_counts[(framework, area)]
                result.areas.append(
                    AreaChange(str(framework), area, label, improved, same, declined)
                )
    return result


HEADLINE_SECTORS = (Sector.PVI, Sector.MAINTAINED)


def outcome_headlines() -> list[tuple[str, OutcomeTable]]:
    """The viewer's home page: accredited against all, for PVI and maintained settings, ever."""
    return [(Sector(s).label, outcome_table(sector=s)) for s in HEADLINE_SECTORS]

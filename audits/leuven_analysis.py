"""Leuven analysis: pure functions over plain records, no database.

Selectors load the records in a fixed number of queries; these functions turn them
into the figures on the analysis pages, the year summary PDF and the tests. The
definitions below are shown to users on the analysis pages (``DEFINITIONS``).

- **Zone**: red when either scale is below 3, amber when either is exactly 3 (and
  neither is below), green otherwise. A child needs both scores to have a zone.
- **Distribution**: per scale, how many children scored 1, 2, 3, 4 and 5 in one
  screening; a child without that scale's score counts as "not scored".
- **Zone shares**: of the children with both scores, how many (and what percentage,
  rounded half up to a whole number) are red, amber and green.
- **Trend** of a child over a programme year: take the first and the last screening
  of the year (autumn, spring, summer) in which the child has both scores, and
  compare the sum well-being + involvement. Higher is *improved*, lower is
  *declined*, equal is *same*. A child with both scores in fewer than two
  screenings has *not enough screenings* for a trend. The change on each scale is
  shown as well, but only the sum decides the trend.
- **One score per child per term**: a child who moved room during a term and was
  screened in both rooms counts once, with the later screening.
- **Room of a child** for a year: the room of their latest screening that year, so a
  child who moved counts once, in the room they ended the year in.
- **Gap** for a yes/no flag (for example EAL): the figure for children with the flag
  minus the figure for children without it, in the latest term where both have scores.
- **Moderation agreement**: per scale, of the sampled children the setting also
  scored, the share where the evaluator gave the same score (exact) and the share
  where the two differ by at most one point (within one, which includes exact).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from .models.leuven import LEUVEN_LABELS, TERM_ORDER, AgeBand, Gender, Term, Zone, zone_for

SCORES = (1, 2, 3, 4, 5)
TERMS: tuple[str, ...] = (Term.AUTUMN, Term.SPRING, Term.SUMMER)
TERM_LABELS: dict[str, str] = {str(value): str(label) for value, label in Term.choices}
TERM_RANK: dict[str, int] = {str(term): rank for term, rank in TERM_ORDER.items()}

DEFINITIONS: list[tuple[str, str]] = [
    (
        "Zones",
        "A child is in the red zone when well-being or involvement is below 3 (low or "
        "extremely low), amber when either is exactly 3 (moderate) and neither is below, "
        "and green when both are 4 or 5. A child needs both scores to have a zone.",
    ),
    (
        "Trend",
        "For each child we take the first and the last screening of the year in which they "
        "have both scores and compare well-being plus involvement: higher is improved, "
        "lower is declined, equal is the same. A child with both scores in fewer than two "
        "screenings has no trend yet. The change on each scale is shown, but only the sum "
        "decides the trend.",
    ),
    (
        "Children who moved room",
        "A child counts once per term (their later screening if they were screened twice) "
        "and, for the year, in the room of their latest screening.",
    ),
    (
        "Gaps",
        "For a yes/no flag such as EAL, the gap is the figure for children with the flag "
        "minus the figure for children without it, in the latest term where both have "
        "scores. Percentages are rounded to whole numbers.",
    ),
    (
        "Moderation",
        "The evaluator re-scores a sample of children. Exact agreement is the share of "
        "sampled children given the same score; within one point includes exact agreement.",
    ),
]


def percent(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` as a whole percentage, rounded half up; None when ``whole`` is 0."""
    if not whole:
        return None
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("1"), ROUND_HALF_UP))


def mean(values: Sequence[int]) -> Decimal | None:
    """The mean to one decimal place, rounded half up; None for no values."""
    if not values:
        return None
    return (Decimal(sum(values)) / Decimal(len(values))).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --- Records -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildInfo:
    """A child's pseudonymous code and the flags used to look for gaps."""

    child_id: int
    code: str = ""
    gender: str = ""
    age_band: str = ""
    eal: bool = False
    send: bool = False
    funded_two: bool = False
    looked_after: bool = False


@dataclass(frozen=True)
class ScoreRecord:
    """One child's scores in one screening."""

    child_id: int
    term: str
    wellbeing: int | None
    involvement: int | None
    screening_id: int = 0
    group_id: int = 0
    date: datetime.date | None = None

    @property
    def zone(self) -> str | None:
        return zone_for(self.wellbeing, self.involvement)

    @property
    def complete(self) -> bool:
        return self.wellbeing is not None and self.involvement is not None

    @property
    def total(self) -> int | None:
        if self.wellbeing is None or self.involvement is None:
            return None
        return self.wellbeing + self.involvement

    @property
    def order(self) -> tuple[int, datetime.date, int]:
        return (TERM_RANK.get(self.term, 0), self.date or datetime.date.min, self.screening_id)


def one_per_child_and_term(scores: Iterable[ScoreRecord]) -> list[ScoreRecord]:
    """Keep each child's later screening when they were screened twice in one term."""
    kept: dict[tuple[int, str], ScoreRecord] = {}
    for record in scores:
        key = (record.child_id, record.term)
        if key not in kept or record.order > kept[key].order:
            kept[key] = record
    return sorted(kept.values(), key=lambda r: (r.order, r.child_id))


def by_term(scores: Iterable[ScoreRecord]) -> dict[str, list[ScoreRecord]]:
    """Records per term in term order (only terms that have records)."""
    grouped: dict[str, list[ScoreRecord]] = defaultdict(list)
    for record in one_per_child_and_term(scores):
        grouped[record.term].append(record)
    return {term: grouped[term] for term in TERMS if term in grouped}


def room_of_each_child(scores: Iterable[ScoreRecord]) -> dict[int, int]:
    """Child id -> the group of their latest screening of the year."""
    latest: dict[int, ScoreRecord] = {}
    for record in scores:
        if record.child_id not in latest or record.order > latest[record.child_id].order:
            latest[record.child_id] = record
    return {child_id: record.group_id for child_id, record in latest.items()}


# --- Distribution and zones ----------------------------------------------------------------


@dataclass
class Distribution:
    """How many children got each score on each scale."""

    wellbeing: dict[int, int]
    involvement: dict[int, int]
    wellbeing_unscored: int = 0
    involvement_unscored: int = 0

    def rows(self) -> list[tuple[int, str, int, int]]:
        """(score, label, well-being count, involvement count) for scores 1 to 5."""
        return [
            (score, LEUVEN_LABELS[score], self.wellbeing[score], self.involvement[score])
            for score in SCORES
        ]


def distribution(scores: Iterable[ScoreRecord]) -> Distribution:
    result = Distribution(wellbeing=dict.fromkeys(SCORES, 0), involvement=dict.fromkeys(SCORES, 0))
    for record in scores:
        if record.wellbeing is None:
            result.wellbeing_unscored += 1
        else:
            result.wellbeing[record.wellbeing] += 1
        if record.involvement is None:
            result.involvement_unscored += 1
        else:
            result.involvement[record.involvement] += 1
    return result


@dataclass
class ZoneShares:
    red: int = 0
    amber: int = 0
    green: int = 0

    @property
    def total(self) -> int:
        return self.red + self.amber + self.green

    @property
    def red_percent(self) -> int | None:
        return percent(self.red, self.total)

    @property
    def amber_percent(self) -> int | None:
        return percent(self.amber, self.total)

    @property
    def green_percent(self) -> int | None:
        return percent(self.green, self.total)

    @property
    def red_or_amber(self) -> int:
        return self.red + self.amber

    @property
    def red_or_amber_percent(self) -> int | None:
        return percent(self.red_or_amber, self.total)


def zone_shares(scores: Iterable[ScoreRecord]) -> ZoneShares:
    shares = ZoneShares()
    for record in scores:
        zone = record.zone
        if zone == Zone.RED:
            shares.red += 1
        elif zone == Zone.AMBER:
            shares.amber += 1
        elif zone == Zone.GREEN:
            shares.green += 1
    return shares


# --- Trends ------------------------------------------------------------------------------


class Trend(StrEnum):
    IMPROVED = "improved"
    SAME = "same"
    DECLINED = "declined"
    NOT_ENOUGH = "not_enough"

    @property
    def label(self) -> str:
        return TREND_LABELS[self]


TREND_LABELS: dict[Trend, str] = {
    Trend.IMPROVED: "Improved",
    Trend.SAME: "Same",
    Trend.DECLINED: "Declined",
    Trend.NOT_ENOUGH: "Not enough screenings",
}


@dataclass
class ChildTrend:
    child_id: int
    trend: Trend
    first: ScoreRecord | None = None
    last: ScoreRecord | None = None

    def _change(self, scale: str) -> int | None:
        if self.first is None or self.last is None or self.trend == Trend.NOT_ENOUGH:
            return None
        return int(getattr(self.last, scale)) - int(getattr(self.first, scale))

    @property
    def wellbeing_change(self) -> int | None:
        return self._change("wellbeing")

    @property
    def involvement_change(self) -> int | None:
        return self._change("involvement")

    @property
    def total_change(self) -> int | None:
        return self._change("total")


def child_trend(child_id: int, scores: Iterable[ScoreRecord]) -> ChildTrend:
    """One child's trend over their screenings of a year (see the module's definition)."""
    complete = sorted((r for r in scores if r.complete), key=lambda r: r.order)
    if len(complete) < 2:
        only = complete[0] if complete else None
        return ChildTrend(child_id=child_id, trend=Trend.NOT_ENOUGH, first=only, last=only)
    first, last = complete[0], complete[-1]
    assert first.total is not None and last.total is not None
    if last.total > first.total:
        trend = Trend.IMPROVED
    elif last.total < first.total:
        trend = Trend.DECLINED
    else:
        trend = Trend.SAME
    return ChildTrend(child_id=child_id, trend=trend, first=first, last=last)


def child_trends(scores: Iterable[ScoreRecord]) -> dict[int, ChildTrend]:
    """Child id -> trend, for every child with at least one record."""
    per_child: dict[int, list[ScoreRecord]] = defaultdict(list)
    for record in one_per_child_and_term(scores):
        per_child[record.child_id].append(record)
    return {child_id: child_trend(child_id, records) for child_id, records in per_child.items()}


@dataclass
class TrendCounts:
    improved: int = 0
    same: int = 0
    declined: int = 0
    not_enough: int = 0

    @property
    def with_trend(self) -> int:
        return self.improved + self.same + self.declined

    @property
    def improved_percent(self) -> int | None:
        return percent(self.improved, self.with_trend)

    @property
    def same_percent(self) -> int | None:
        return percent(self.same, self.with_trend)

    @property
    def declined_percent(self) -> int | None:
        return percent(self.declined, self.with_trend)


def trend_counts(trends: Iterable[ChildTrend]) -> TrendCounts:
    counts = TrendCounts()
    for item in trends:
        setattr(counts, item.trend.value, getattr(counts, item.trend.value) + 1)
    return counts


# --- Per-term figures --------------------------------------------------------------------


@dataclass
class TermFigures:
    """One term's figures for a set of children."""

    term: str
    children: int  # children with a record this term
    zones: ZoneShares
    distribution: Distribution
    mean_wellbeing: Decimal | None
    mean_involvement: Decimal | None

    @property
    def term_label(self) -> str:
        return TERM_LABELS.get(self.term, self.term)


def term_figures(term: str, scores: Sequence[ScoreRecord]) -> TermFigures:
    return TermFigures(
        term=term,
        children=len(scores),
        zones=zone_shares(scores),
        distribution=distribution(scores),
        mean_wellbeing=mean([r.wellbeing for r in scores if r.wellbeing is not None]),
        mean_involvement=mean([r.involvement for r in scores if r.involvement is not None]),
    )


def figures_by_term(scores: Iterable[ScoreRecord]) -> list[TermFigures]:
    return [term_figures(term, records) for term, records in by_term(scores).items()]


# --- Breakdowns by flag -------------------------------------------------------------------


@dataclass(frozen=True)
class FlagSpec:
    name: str
    label: str
    values: tuple[tuple[object, str], ...]  # (value, label) in display order

    @property
    def is_yes_no(self) -> bool:
        return [value for value, _ in self.values] == [True, False]


FLAGS: tuple[FlagSpec, ...] = (
    FlagSpec(
        "eal",
        "English as an additional language (EAL)",
        ((True, "EAL"), (False, "Not EAL")),
    ),
    FlagSpec(
        "send",
        "Special educational needs or disabilities (SEND)",
        ((True, "SEND"), (False, "No SEND")),
    ),
    FlagSpec(
        "funded_two",
        "Funded two-year-olds",
        ((True, "Funded two-year-old"), (False, "Not funded two-year-old")),
    ),
    FlagSpec(
        "looked_after",
        "Looked-after children",
        ((True, "Looked after"), (False, "Not looked after")),
    ),
    FlagSpec(
        "gender",
        "Gender",
        (*((str(v), str(label)) for v, label in Gender.choices), ("", "Not recorded")),
    ),
    FlagSpec(
        "age_band",
        "Age band",
        (*((str(v), str(label)) for v, label in AgeBand.choices), ("", "Not recorded")),
    ),
)
FLAG_NAMES = tuple(spec.name for spec in FLAGS)


@dataclass
class BreakdownRow:
    value: object
    label: str
    children: int
    terms: list[TermFigures]  # in term order, one per term with records for this subgroup
    trends: TrendCounts
    cells: list[TermFigures | None] = field(default_factory=list)  # per term of the breakdown

    def term(self, term: str) -> TermFigures | None:
        return next((t for t in self.terms if t.term == term), None)


@dataclass
class Gap:
    """Flag minus no flag, in ``term`` (the latest term where both subgroups have scores)."""

    term: str
    mean_wellbeing: Decimal | None
    mean_involvement: Decimal | None
    red_or_amber_points: int | None  # percentage points
    improved_points: int | None

    @property
    def term_label(self) -> str:
        return TERM_LABELS.get(self.term, self.term)


@dataclass
class FlagBreakdown:
    spec: FlagSpec
    rows: list[BreakdownRow]
    gap: Gap | None = None
    terms: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def term_labels(self) -> list[str]:
        return [TERM_LABELS.get(term, term) for term in self.terms]

    @property
    def label(self) -> str:
        return self.spec.label


def _minus_decimal(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a - b


def _minus_int(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a - b


def _gap(rows: list[BreakdownRow]) -> Gap | None:
    yes, no = rows
    shared = [t.term for t in yes.terms if no.term(t.term) is not None]
    if not shared:
        return None
    term = shared[-1]
    with_flag, without = yes.term(term), no.term(term)
    assert with_flag is not None and without is not None
    return Gap(
        term=term,
        mean_wellbeing=_minus_decimal(with_flag.mean_wellbeing, without.mean_wellbeing),
        mean_involvement=_minus_decimal(with_flag.mean_involvement, without.mean_involvement),
        red_or_amber_points=_minus_int(
            with_flag.zones.red_or_amber_percent, without.zones.red_or_amber_percent
        ),
        improved_points=_minus_int(yes.trends.improved_percent, no.trends.improved_percent),
    )


def breakdown(
    scores: Iterable[ScoreRecord],
    children: Mapping[int, ChildInfo],
    spec: FlagSpec,
    trends: Mapping[int, ChildTrend] | None = None,
) -> FlagBreakdown:
    """The figures per value of one flag; values with no children are left out.

    ``trends`` (child id -> trend) defaults to the trends of ``scores``; pass them
    when the children's trends come from a wider set of screenings.
    """
    records = one_per_child_and_term(scores)
    if trends is None:
        trends = child_trends(records)
    rows: list[BreakdownRow] = []
    for value, label in spec.values:
        in_subgroup = {
            child_id
            for child_id, info in children.items()
            if getattr(info, spec.name) == value and child_id in trends
        }
        if not in_subgroup and not spec.is_yes_no:
            continue
        subgroup_records = [r for r in records if r.child_id in in_subgroup]
        rows.append(
            BreakdownRow(
                value=value,
                label=label,
                children=len(in_subgroup),
                terms=figures_by_term(subgroup_records),
                trends=trend_counts(trends[c] for c in in_subgroup),
            )
        )
    result = FlagBreakdown(spec=spec, rows=rows, terms=list(by_term(records)))
    for row in rows:
        row.cells = [row.term(term) for term in result.terms]
    if spec.is_yes_no:
        result.gap = _gap(rows)
    return result


def breakdowns(
    scores: Iterable[ScoreRecord],
    children: Mapping[int, ChildInfo],
    trends: Mapping[int, ChildTrend] | None = None,
) -> list[FlagBreakdown]:
    records = list(scores)
    return [breakdown(records, children, spec, trends) for spec in FLAGS]


# --- Moderation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ModerationPair:
    """The setting's scores and the evaluator's re-scores of one sampled child."""

    child_id: int
    setting_wellbeing: int | None
    setting_involvement: int | None
    evaluator_wellbeing: int
    evaluator_involvement: int


@dataclass
class ScaleAgreement:
    compared: int = 0
    exact: int = 0
    within_one: int = 0

    @property
    def exact_percent(self) -> int | None:
        return percent(self.exact, self.compared)

    @property
    def within_one_percent(self) -> int | None:
        return percent(self.within_one, self.compared)


@dataclass
class Agreement:
    sampled: int
    wellbeing: ScaleAgreement
    involvement: ScaleAgreement

    @property
    def moderated(self) -> bool:
        return self.sampled > 0


def _compare(agreement: ScaleAgreement, setting_score: int | None, evaluator_score: int) -> None:
    if setting_score is None:
        return
    agreement.compared += 1
    difference = abs(setting_score - evaluator_score)
    if difference == 0:
        agreement.exact += 1
    if difference <= 1:
        agreement.within_one += 1


def agreement(pairs: Iterable[ModerationPair]) -> Agreement:
    result = Agreement(sampled=0, wellbeing=ScaleAgreement(), involvement=ScaleAgreement())
    for pair in pairs:
        result.sampled += 1
        _compare(result.wellbeing, pair.setting_wellbeing, pair.evaluator_wellbeing)
        _compare(result.involvement, pair.setting_involvement, pair.evaluator_involvement)
    return result

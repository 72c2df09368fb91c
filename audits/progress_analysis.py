"""Learning progress analysis: pure functions over plain records, no database.

Selectors load the records in a fixed number of queries (``selectors.progress``); these
functions turn them into the figures of the progress summary, the cohort section of the
programme report and the tests. The definitions are shown to users (``DEFINITIONS``).

- **At or above expected**: of the children judged in an area at a checkpoint, how many
  were judged "expected" or "above" for their age band.
- **One judgement per child per term**: a child judged in two rooms in one term counts
  once, with the later checkpoint (as for Leuven scores).
- **Change between terms**: the children judged in an area in both terms; the share at
  or above expected in each, and how many moved up or down a step (below, expected,
  above).
- **Gap** for a group such as EAL: the share at or above expected of the children in
  the group minus that of the children not in it, in the latest term; boys minus girls
  for gender.
- **Well-being and involvement link**: each child's Leuven zones over the year (their
  first and last screening with both scores, as for the Leuven trend). *Rose out of red
  or amber*: red or amber at the first, green at the last. *Stayed in red or amber*:
  red or amber at both. *Green from the start*: green at the first. For each group and
  area, the children judged at two checkpoints or more: the share at or above expected
  at their first and at their last checkpoint of the year, and how many moved up.
- **Small numbers**: a figure about fewer than five children is not shown, so that no
  child can be recognised from it.
"""

from __future__ import annotations

import datetime
import itertools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from . import leuven_analysis as leuven
from .leuven_analysis import TERM_LABELS, TERM_RANK, TERMS, ChildInfo, percent
from .models.leuven import Zone
from .models.progress import AREAS, JUDGEMENT_RANK, Area, Judgement

MIN_CHILDREN = 5
AT_OR_ABOVE = (Judgement.EXPECTED, Judgement.ABOVE)
_RANK = {str(judgement): rank for judgement, rank in JUDGEMENT_RANK.items()}

DEFINITIONS: list[tuple[str, str]] = [
    (
        "At or above expected",
        "Of the children judged in an area at a checkpoint, the share judged “expected” or "
        "“above” typical development for their Development Matters age band. A child judged "
        "in two rooms in one term counts once, with the later checkpoint.",
    ),
    (
        "Change between terms",
        "Only the children judged in the area in both terms: the share at or above expected "
        "in each term, and how many moved up or down a step (below, expected, above).",
    ),
    (
        "Gaps",
        "The share at or above expected of the children in a group (for example EAL) minus "
        "that of the children not in it, in the latest term; for gender, boys minus girls. "
        "Percentages are rounded to whole numbers.",
    ),
    (
        "Well-being and involvement",
        "From each child's Leuven screenings this year (the first and last with both scores): "
        "rose out of red or amber means red or amber at the first and green at the last; "
        "stayed in red or amber means red or amber at both. For each area, the children "
        "judged at two checkpoints or more: the share at or above expected at their first "
        "and their last checkpoint, and how many moved up a step.",
    ),
    (
        "Small numbers",
        f"A figure about fewer than {MIN_CHILDREN} children is not shown (–), so that no "
        "child can be recognised from it.",
    ),
]


# --- Records ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressRecordData:
    """One child's judgements at one checkpoint (area field -> judgement or "")."""

    child_id: int
    term: str
    judgements: Mapping[str, str]
    checkpoint_id: int = 0
    date: datetime.date | None = None

    @property
    def order(self) -> tuple[int, datetime.date, int]:
        return (TERM_RANK.get(self.term, 0), self.date or datetime.date.min, self.checkpoint_id)


def one_per_child_and_term(records: Iterable[ProgressRecordData]) -> list[ProgressRecordData]:
    kept: dict[tuple[int, str], ProgressRecordData] = {}
    for record in records:
        key = (record.child_id, record.term)
        if key not in kept or record.order > kept[key].order:
            kept[key] = record
    return sorted(kept.values(), key=lambda r: (r.order, r.child_id))


PerTerm = Mapping[str, Sequence["ProgressRecordData"]]


def _by_term(records: Iterable[ProgressRecordData]) -> dict[str, list[ProgressRecordData]]:
    grouped: dict[str, list[ProgressRecordData]] = defaultdict(list)
    for record in one_per_child_and_term(records):
        grouped[record.term].append(record)
    return {term: grouped[term] for term in TERMS if term in grouped}


# --- Figures ------------------------------------------------------------------------------


@dataclass
class Share:
    """How many children were judged, and how many at or above expected."""

    children: int = 0
    at_or_above: int = 0

    @property
    def shown(self) -> bool:
        return self.children >= MIN_CHILDREN

    @property
    def percent(self) -> int | None:
        return percent(self.at_or_above, self.children) if self.shown else None

    def add(self, judgement: str, count: int = 1) -> None:
        if judgement:
            self.children += count
            self.at_or_above += count * (judgement in AT_OR_ABOVE)


def share_of(judgements: Iterable[str]) -> Share:
    """The share of ``judgements`` (blanks left out), counted by value."""
    share = Share()
    for judgement, count in Counter(judgements).items():
        share.add(judgement, count)
    return share


@dataclass
class Change:
    """The same children judged at two points: where they were at each, and the moves."""

    children: int = 0
    before: int = 0  # at or above expected at the first point
    after: int = 0
    moved_up: int = 0
    moved_down: int = 0

    @property
    def shown(self) -> bool:
        return self.children >= MIN_CHILDREN

    @property
    def before_percent(self) -> int | None:
        return percent(self.before, self.children) if self.shown else None

    @property
    def after_percent(self) -> int | None:
        return percent(self.after, self.children) if self.shown else None

    @property
    def points(self) -> int | None:
        if self.before_percent is None or self.after_percent is None:
            return None
        return self.after_percent - self.before_percent

    @property
    def moved_up_percent(self) -> int | None:
        return percent(self.moved_up, self.children) if self.shown else None

    def add(self, first: str, last: str, count: int = 1) -> None:
        self.children += count
        self.before += count * (first in AT_OR_ABOVE)
        self.after += count * (last in AT_OR_ABOVE)
        step = _RANK[last] - _RANK[first]
        self.moved_up += count * (step > 0)
        self.moved_down += count * (step < 0)


def change_of(pairs: Iterable[tuple[str, str]]) -> Change:
    """The change over (first, last) judgement pairs, counted by value; a pair with a
    blank is left out."""
    change = Change()
    for (first, last), count in Counter(pairs).items():
        if first and last:
            change.add(first, last, count)
    return change


@dataclass
class AreaTerms:
    area: Area
    terms: list[Share]  # one per term of the report


def area_shares(per_term: PerTerm, terms: Sequence[str]) -> list[AreaTerms]:
    return [
        AreaTerms(
            area=area,
            terms=[
                share_of(r.judgements.get(area.field, "") for r in per_term.get(term, []))
                for term in terms
            ],
        )
        for area in AREAS
    ]


@dataclass
class TermChange:
    first: str
    last: str
    areas: list[tuple[Area, Change]]

    @property
    def label(self) -> str:
        return f"{TERM_LABELS[self.first]} to {TERM_LABELS[self.last]}"

    @property
    def any_shown(self) -> bool:
        return any(change.shown for _, change in self.areas)


def term_change(per_term: PerTerm, first: str, last: str) -> TermChange:
    after = {r.child_id: r for r in per_term.get(last, [])}
    both = [
        (r.judgements, after[r.child_id].judgements)
        for r in per_term.get(first, [])
        if r.child_id in after
    ]
    areas = [
        (area, change_of((a.get(area.field, ""), b.get(area.field, "")) for a, b in both))
        for area in AREAS
    ]
    return TermChange(first=first, last=last, areas=areas)


def term_changes(per_term: PerTerm, terms: Sequence[str]) -> list[TermChange]:
    """Each term against the next; and the first against the last when there are three."""
    pairs = list(itertools.pairwise(terms))
    if len(terms) > 2:
        pairs.append((terms[0], terms[-1]))
    return [term_change(per_term, first, last) for first, last in pairs]


# --- Gaps by group ------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupSpec:
    name: str
    label: str
    in_group: str
    not_in_group: str

    def split(self, info: ChildInfo) -> bool | None:
        """True in the group, False in its comparison, None in neither (gender not known)."""
        if self.name == "gender":
            return {"boy": True, "girl": False}.get(info.gender)
        return bool(getattr(info, self.name))


GROUPS: tuple[GroupSpec, ...] = (
    GroupSpec("gender", "Boys and girls", "Boys", "Girls"),
    GroupSpec("eal", "English as an additional language (EAL)", "EAL", "Not EAL"),
    GroupSpec("send", "Special educational needs or disabilities (SEND)", "SEND", "No SEND"),
    GroupSpec(
        "funded_two", "Funded two-year-olds", "Funded two-year-old", "Not funded two-year-old"
    ),
    GroupSpec("looked_after", "Looked-after children", "Looked after", "Not looked after"),
)


@dataclass
class GapCell:
    area: Area
    with_group: Share
    without: Share

    @property
    def points(self) -> int | None:
        if self.with_group.percent is None or self.without.percent is None:
            return None
        return self.with_group.percent - self.without.percent


@dataclass
class GroupGap:
    spec: GroupSpec
    term: str
    cells: list[GapCell]

    @property
    def term_label(self) -> str:
        return TERM_LABELS.get(self.term, self.term)

    @property
    def any_shown(self) -> bool:
        return any(cell.points is not None for cell in self.cells)


def group_gaps(per_term: PerTerm, children: Mapping[int, ChildInfo], term: str) -> list[GroupGap]:
    latest = [(children.get(r.child_id), r.judgements) for r in per_term.get(term, [])]
    gaps = []
    for spec in GROUPS:
        sides = [(spec.split(info), j) for info, j in latest if info is not None]
        yes = [j for side, j in sides if side is True]
        no = [j for side, j in sides if side is False]
        cells = [
            GapCell(
                area=area,
                with_group=share_of(j.get(area.field, "") for j in yes),
                without=share_of(j.get(area.field, "") for j in no),
            )
            for area in AREAS
        ]
        gaps.append(GroupGap(spec=spec, term=term, cells=cells))
    return gaps


# --- The link with well-being and involvement ----------------------------------------------


ROSE, STAYED, GREEN = "rose", "stayed", "green"
LINK_GROUPS: tuple[tuple[str, str], ...] = (
    (ROSE, "Rose out of red or amber"),
    (STAYED, "Stayed in red or amber"),
    (GREEN, "Green from the start"),
)


def leuven_paths(scores: Iterable[leuven.ScoreRecord]) -> dict[int, str]:
    """Child id -> rose / stayed / green, for children with two screenings with both scores."""
    paths: dict[int, str] = {}
    for child_id, trend in leuven.child_trends(scores).items():
        if trend.trend == leuven.Trend.NOT_ENOUGH or trend.first is None or trend.last is None:
            continue
        if trend.first.zone == Zone.GREEN:
            paths[child_id] = GREEN
        elif trend.last.zone == Zone.GREEN:
            paths[child_id] = ROSE
        else:
            paths[child_id] = STAYED
    return paths


@dataclass
class LinkRow:
    path: str
    label: str
    children: int  # children on this path with progress judgements at two checkpoints
    areas: list[tuple[Area, Change]]

    @property
    def shown(self) -> bool:
        return self.children >= MIN_CHILDREN

    @property
    def caption(self) -> str:
        return f"{self.label}: {self.children} children"


def first_and_last(records: Iterable[ProgressRecordData]) -> dict[int, dict[str, tuple[str, str]]]:
    """Child id -> area -> (first, last) judgement of the year, for areas judged twice."""
    per_child: dict[int, list[ProgressRecordData]] = defaultdict(list)
    for record in one_per_child_and_term(records):
        per_child[record.child_id].append(record)
    result: dict[int, dict[str, tuple[str, str]]] = {}
    for child_id, own in per_child.items():
        areas = {}
        for area in AREAS:
            judged = [j for r in own if (j := r.judgements.get(area.field, ""))]
            if len(judged) >= 2:
                areas[area.field] = (judged[0], judged[-1])
        result[child_id] = areas
    return result


def wellbeing_link(
    records: Sequence[ProgressRecordData], paths: Mapping[int, str]
) -> list[LinkRow]:
    """``paths``: child id -> rose / stayed / green (``leuven_paths``)."""
    moves = first_and_last(records)
    rows = []
    for path, label in LINK_GROUPS:
        children = [c for c, p in paths.items() if p == path and moves.get(c)]
        areas = [
            (area, change_of(moves[c].get(area.field, ("", "")) for c in children))
            for area in AREAS
        ]
        rows.append(LinkRow(path=path, label=label, children=len(children), areas=areas))
    return rows


# --- The whole report ---------------------------------------------------------------------


@dataclass
class ProgressReport:
    terms: list[str]
    children: int  # children with a progress record this year
    areas: list[AreaTerms]
    changes: list[TermChange]
    gaps: list[GroupGap]
    link: list[LinkRow]
    leuven_children: int = 0  # children with a Leuven path (two screenings with both scores)
    settings: int = 0

    @property
    def term_labels(self) -> list[str]:
        return [TERM_LABELS[t] for t in self.terms]

    @property
    def latest_term(self) -> str | None:
        return self.terms[-1] if self.terms else None

    @property
    def latest(self) -> list[tuple[Area, Share]]:
        """Each area's share at or above expected in the latest term."""
        return [(row.area, row.terms[-1]) for row in self.areas] if self.terms else []

    @property
    def empty(self) -> bool:
        return not self.terms

    @property
    def link_by_area(self) -> list[tuple[Area, list[Change]]]:
        """Each area with its change for each Leuven path, in ``LINK_GROUPS`` order."""
        return [
            (area, [row.areas[index][1] for row in self.link]) for index, area in enumerate(AREAS)
        ]


def progress_report(
    records: Sequence[ProgressRecordData],
    children: Mapping[int, ChildInfo],
    scores: Sequence[leuven.ScoreRecord],
    *,
    settings: int = 0,
) -> ProgressReport:
    per_term = _by_term(records)
    terms = list(per_term)
    paths = leuven_paths(scores)
    return ProgressReport(
        terms=terms,
        children=len({r.child_id for r in records}),
        areas=area_shares(per_term, terms),
        changes=term_changes(per_term, terms),
        gaps=group_gaps(per_term, children, terms[-1]) if terms else [],
        link=wellbeing_link(records, paths),
        leuven_children=len(paths),
        settings=settings,
    )

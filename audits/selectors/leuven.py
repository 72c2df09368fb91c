"""Reads for Leuven screenings, always scoped to the user asking.

Who sees what (the views' ``role_required`` says which roles may open a page; these
helpers scope the object to the user, so another setting's object is a 404):

- setting managers and practitioners: their own settings' groups, children,
  screenings, action points and figures;
- the evaluator assigned to one of the setting's accreditations: the same, read-only,
  and they moderate;
- the KQM manager: figures for every setting, and screenings and their moderation
  read-only (the only child-level pages they open, to oversee moderation);
- viewers: nothing here (every page is 403 for them).

Every list and report runs a fixed number of queries whatever the number of children.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from kqm.models import Role, User
from settings.models import Setting
from settings.selectors import access_setting_by_id, settings_visible_to

from .. import leuven_analysis as analysis
from .. import policy
from ..models import (
    ActionPoint,
    Child,
    ChildDataAccess,
    Group,
    LeuvenScore,
    ModerationScore,
    ProgressRecord,
    Screening,
    Term,
    Zone,
)

TERM_CHOICES: list[tuple[str, str]] = [(str(value), str(label)) for value, label in Term.choices]


# Both scores present, and below 3 on either / exactly 3 on either without being red.
BOTH_SCORED = Q(wellbeing__isnull=False, involvement__isnull=False)
RED = BOTH_SCORED & (Q(wellbeing__lt=3) | Q(involvement__lt=3))
AMBER = BOTH_SCORED & Q(wellbeing__gte=3, involvement__gte=3) & (Q(wellbeing=3) | Q(involvement=3))


def current_programme_year(today: datetime.date | None = None) -> int:
    """The programme year under way: it starts with the autumn term in September."""
    today = today or timezone.localdate()
    return today.year if today.month >= 9 else today.year - 1


def programme_year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 9, 1), datetime.date(year + 1, 8, 31)


def _count(rows: QuerySet[Any], outer: str) -> Coalesce:
    """A correlated subquery counting ``rows`` (already filtered on an OuterRef) or 0."""
    counted = rows.order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


# --- User-scoped fetches -------------------------------------------------------------------


def access_leuven_setting_by_id(user: User, setting_id: int) -> Setting:
    return access_setting_by_id(user, setting_id)


def _in_visible_settings(user: User) -> QuerySet[Setting]:
    return settings_visible_to(user).values("pk")  # type: ignore[return-value]


def access_group_by_id(user: User, group_id: int) -> Group:
    try:
        return Group.objects.select_related("setting").get(
            pk=group_id, setting__in=_in_visible_settings(user)
        )
    except Group.DoesNotExist:
        raise Http404("No such group.") from None


def access_child_by_id(user: User, child_id: int) -> Child:
    try:
        return Child.objects.select_related("setting", "group").get(
            pk=child_id, setting__in=_in_visible_settings(user)
        )
    except Child.DoesNotExist:
        raise Http404("No such child.") from None


def access_screening_by_id(user: User, screening_id: int) -> Screening:
    try:
        return Screening.objects.select_related("group__setting").get(
            pk=screening_id, group__setting__in=_in_visible_settings(user)
        )
    except Screening.DoesNotExist:
        raise Http404("No such screening.") from None


def access_score_by_id(user: User, score_id: int) -> LeuvenScore:
    try:
        return LeuvenScore.objects.select_related("child", "screening__group__setting").get(
            pk=score_id, screening__group__setting__in=_in_visible_settings(user)
        )
    except LeuvenScore.DoesNotExist:
        raise Http404("No such score.") from None


def access_action_point_by_id(user: User, action_id: int) -> ActionPoint:
    try:
        return ActionPoint.objects.select_related(
            "score__child", "score__screening__group__setting", "created_by"
        ).get(pk=action_id, score__screening__group__setting__in=_in_visible_settings(user))
    except ActionPoint.DoesNotExist:
        raise Http404("No such action point.") from None


# --- Settings, groups and children ----------------------------------------------------------


SETTING_SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "urn"),
    "actions": ("-open_action_count", "name", "urn"),
    "children": ("-child_count", "name", "urn"),
}
SETTING_SORT_LABELS = [
    ("name", "Name"),
    ("actions", "Most open action points"),
    ("children", "Most children"),
]


def leuven_setting_list(
    user: User, *, year: int, search: str = "", sort: str = "name"
) -> QuerySet[Setting]:
    """The user's settings with their groups, children, screenings and open actions counted.

    Setting staff and evaluators see all their settings (to start screening); the KQM
    manager sees the settings that have set up a room or group."""
    groups = Group.objects.filter(setting=OuterRef("pk"), programme_year=year)
    children = Child.objects.filter(setting=OuterRef("pk"), left_on__isnull=True)
    screenings = Screening.objects.filter(group__setting=OuterRef("pk"), group__programme_year=year)
    open_actions = ActionPoint.objects.filter(
        score__screening__group__setting=OuterRef("pk"), closed_on__isnull=True
    )
    settings = settings_visible_to(user)
    if user.role == Role.MANAGER:
        # The whole register is tens of thousands of settings: list those screening.
        settings = settings.filter(pk__in=Group.objects.values("setting_id"))
    settings = settings.annotate(
        group_count=_count(groups, "setting"),
        child_count=_count(children, "setting"),
        screening_count=_count(screenings, "group__setting"),
        open_action_count=_count(open_actions, "score__screening__group__setting"),
    )
    if search:
        settings = settings.filter(Q(name__icontains=search) | Q(urn__iexact=search))
    return settings.order_by(*SETTING_SORTS.get(sort, SETTING_SORTS["name"]), "pk")


def setting_programme_years(setting: Setting, *, also: int | None = None) -> list[int]:
    """Programme years with groups, newest first (plus ``also``, the year under way)."""
    years = set(
        Group.objects.filter(setting=setting).values_list("programme_year", flat=True).distinct()
    )
    if also is not None:
        years.add(also)
    return sorted(years, reverse=True)


def screenings_with_figures() -> QuerySet[Screening]:
    """Screenings with children scored, red, amber, sampled and open actions counted."""
    scores = LeuvenScore.objects.filter(screening=OuterRef("pk"))
    return Screening.objects.annotate(
        scored=_count(scores.filter(BOTH_SCORED), "screening"),
        red=_count(scores.filter(RED), "screening"),
        amber=_count(scores.filter(AMBER), "screening"),
        sampled=_count(ModerationScore.objects.filter(screening=OuterRef("pk")), "screening"),
        open_actions=_count(
            ActionPoint.objects.filter(score__screening=OuterRef("pk"), closed_on__isnull=True),
            "score__screening",
        ),
    )


def year_groups(setting: Setting, year: int) -> list[Group]:
    """The setting's groups of one year, children counted, screenings with their figures."""
    children = Child.objects.filter(group=OuterRef("pk"), left_on__isnull=True)
    return list(
        Group.objects.filter(setting=setting, programme_year=year)
        .annotate(child_count=_count(children, "group"))
        .prefetch_related(
            Prefetch("screenings", queryset=screenings_with_figures().order_by("date", "pk"))
        )
        .order_by("name", "pk")
    )


def group_children(group: Group) -> tuple[list[Child], list[Child]]:
    """(children in the group now, children of the group who have left), by code."""
    children = list(Child.objects.filter(group=group).order_by("code", "pk"))
    return (
        [c for c in children if c.left_on is None],
        [c for c in children if c.left_on is not None],
    )


def setting_groups(setting: Setting) -> QuerySet[Group]:
    return Group.objects.filter(setting=setting).order_by("-programme_year", "name", "pk")


def group_screenings(group: Group) -> list[Screening]:
    screenings = screenings_with_figures().filter(group=group)
    return sorted(screenings, key=lambda s: (analysis.TERM_RANK.get(s.term, 0), s.date, s.pk))


@dataclass
class ChildRecord:
    """Everything held about one child: for their page and a subject access request."""

    child: Child
    scores: list[LeuvenScore]
    actions: list[ActionPoint]
    moderation: list[ModerationScore]
    progress: list[ProgressRecord] = field(default_factory=list)


def child_record(child: Child) -> ChildRecord:
    scores = list(
        LeuvenScore.objects.filter(child=child)
        .select_related("screening__group", "updated_by")
        .order_by("screening__date", "screening__pk")
    )
    actions = list(
        ActionPoint.objects.filter(score__child=child)
        .select_related("score__screening__group", "created_by")
        .order_by("due_on", "pk")
    )
    moderation = list(
        ModerationScore.objects.filter(child=child)
        .select_related("screening__group", "evaluator")
        .order_by("moderated_on", "pk")
    )
    progress = list(
        ProgressRecord.objects.filter(child=child)
        .select_related("checkpoint__group", "band", "updated_by")
        .order_by("checkpoint__date", "checkpoint__pk")
    )
    return ChildRecord(
        child=child, scores=scores, actions=actions, moderation=moderation, progress=progress
    )


# --- A screening's children -------------------------------------------------------------------


@dataclass
class ScreeningRow:
    child: Child
    score: LeuvenScore | None
    actions: list[ActionPoint] = field(default_factory=list)

    @property
    def zone(self) -> str | None:
        return self.score.zone if self.score else None

    @property
    def needs_action(self) -> bool:
        return self.zone in (Zone.RED, Zone.AMBER)

    @property
    def open_actions(self) -> list[ActionPoint]:
        return [a for a in self.actions if a.closed_on is None]


ZONE_ORDER: dict[str | None, int] = {Zone.RED: 0, Zone.AMBER: 1, Zone.GREEN: 2, None: 3}


def screening_children(screening: Screening) -> QuerySet[Child]:
    """Who is on a screening: the group's children now, and anyone already scored in it
    (a child who has since moved room or left keeps their scores)."""
    scored = LeuvenScore.objects.filter(screening=screening).values("child_id")
    return Child.objects.filter(
        Q(setting_id=screening.group.setting_id, group_id=screening.group_id, left_on__isnull=True)
        | Q(pk__in=scored)
    ).order_by("code", "pk")


def screening_rows(screening: Screening) -> list[ScreeningRow]:
    """One row per child on the screening, by code, with their score and action points."""
    children = list(screening_children(screening))
    scores = {
        score.child_id: score
        for score in LeuvenScore.objects.filter(screening=screening).prefetch_related(
            Prefetch("actions", queryset=ActionPoint.objects.order_by("due_on", "pk"))
        )
    }
    rows = []
    for child in children:
        score = scores.get(child.pk)
        actions = list(score.actions.all()) if score else []
        rows.append(ScreeningRow(child=child, score=score, actions=actions))
    return rows


def rows_by_zone(rows: list[ScreeningRow]) -> list[ScreeningRow]:
    """Red first, then amber, then green, then children not scored yet; by code within."""
    return sorted(rows, key=lambda row: (ZONE_ORDER.get(row.zone, 3), row.child.code))


# --- Action points ---------------------------------------------------------------------------

ACTION_STATUSES = [("open", "Open"), ("closed", "Closed"), ("all", "Open and closed")]
ACTION_SORTS: dict[str, tuple[str, ...]] = {
    "due": ("due_on",),
    "code": ("score__child__code", "due_on"),
    "newest": ("-created_at",),
}
ACTION_SORT_LABELS = [("due", "Due soonest"), ("code", "Child code"), ("newest", "Newest")]


def setting_action_points(
    setting: Setting, *, status: str = "open", search: str = "", sort: str = "due"
) -> QuerySet[ActionPoint]:
    actions = ActionPoint.objects.filter(score__screening__group__setting=setting).select_related(
        "score__child", "score__screening__group"
    )
    if status == "open":
        actions = actions.filter(closed_on__isnull=True)
    elif status == "closed":
        actions = actions.filter(closed_on__isnull=False)
    if search:
        actions = actions.filter(
            Q(score__child__code__iexact=search.strip())
            | Q(owner__icontains=search)
            | Q(action__icontains=search)
        )
    return actions.order_by(*ACTION_SORTS.get(sort, ACTION_SORTS["due"]), "pk")


def open_action_points_for(user: User) -> QuerySet[ActionPoint]:
    """Open action points of the settings a setting manager or practitioner belongs to."""
    if user.role not in policy.SCORERS:
        return ActionPoint.objects.none()
    return (
        ActionPoint.objects.filter(
            closed_on__isnull=True, score__screening__group__setting__members=user
        )
        .select_related("score__child", "score__screening__group__setting")
        .order_by("due_on", "pk")
    )


# --- Moderation ------------------------------------------------------------------------------


@dataclass
class ModerationRow:
    child: Child
    setting_score: LeuvenScore | None
    moderation: ModerationScore | None


def moderation_rows(screening: Screening) -> list[ModerationRow]:
    """Every child on the screening with the setting's score and the evaluator's re-score."""
    children = list(screening_children(screening))
    scores = {s.child_id: s for s in LeuvenScore.objects.filter(screening=screening)}
    moderation = {
        m.child_id: m
        for m in ModerationScore.objects.filter(screening=screening).select_related("evaluator")
    }
    return [
        ModerationRow(child=c, setting_score=scores.get(c.pk), moderation=moderation.get(c.pk))
        for c in children
    ]


def screening_agreement(rows: list[ModerationRow]) -> analysis.Agreement:
    return analysis.agreement(
        analysis.ModerationPair(
            child_id=row.child.pk,
            setting_wellbeing=row.setting_score.wellbeing if row.setting_score else None,
            setting_involvement=row.setting_score.involvement if row.setting_score else None,
            evaluator_wellbeing=row.moderation.wellbeing,
            evaluator_involvement=row.moderation.involvement,
        )
        for row in rows
        if row.moderation is not None
    )


# --- The access log ---------------------------------------------------------------------------


def child_data_access_log(setting: Setting, *, user_search: str = "") -> QuerySet[ChildDataAccess]:
    log = ChildDataAccess.objects.filter(setting=setting).select_related("user")
    if user_search:
        log = log.filter(
            Q(user__full_name__icontains=user_search) | Q(user__email__icontains=user_search)
        )
    return log.order_by("-accessed_at", "-pk")


# --- Analysis ----------------------------------------------------------------------------------


@dataclass
class YearData:
    """Everything the analysis of one setting's programme year needs, in four queries."""

    setting: Setting
    year: int
    groups: list[Group]
    screenings: list[Screening]
    records: list[analysis.ScoreRecord]
    children: dict[int, analysis.ChildInfo]
    agreements: dict[int, analysis.Agreement]  # screening id -> moderation agreement


def year_data(setting: Setting, year: int) -> YearData:
    groups = list(Group.objects.filter(setting=setting, programme_year=year).order_by("name", "pk"))
    screenings = sorted(
        Screening.objects.filter(group__setting=setting, group__programme_year=year).select_related(
            "group"
        ),
        key=lambda s: (s.group.name, analysis.TERM_RANK.get(s.term, 0), s.pk),
    )
    rows = LeuvenScore.objects.filter(
        screening__group__setting=setting, screening__group__programme_year=year
    ).values(
        "child_id",
        "screening_id",
        "wellbeing",
        "involvement",
        "screening__term",
        "screening__date",
        "screening__group_id",
        "child__code",
        "child__gender",
        "child__age_band",
        "child__eal",
        "child__send",
        "child__funded_two",
        "child__looked_after",
    )
    records: list[analysis.ScoreRecord] = []
    children: dict[int, analysis.ChildInfo] = {}
    for row in rows:
        records.append(
            analysis.ScoreRecord(
                child_id=row["child_id"],
                term=row["screening__term"],
                wellbeing=row["wellbeing"],
                involvement=row["involvement"],
                screening_id=row["screening_id"],
                group_id=row["screening__group_id"],
                date=row["screening__date"],
            )
        )
        children[row["child_id"]] = analysis.ChildInfo(
            child_id=row["child_id"],
            code=row["child__code"],
            gender=row["child__gender"],
            age_band=row["child__age_band"],
            eal=row["child__eal"],
            send=row["child__send"],
            funded_two=row["child__funded_two"],
            looked_after=row["child__looked_after"],
        )
    by_key = {(r.screening_id, r.child_id): r for r in records}
    pairs: dict[int, list[analysis.ModerationPair]] = defaultdict(list)
    for m in ModerationScore.objects.filter(
        screening__group__setting=setting, screening__group__programme_year=year
    ).values("screening_id", "child_id", "wellbeing", "involvement"):
        own = by_key.get((m["screening_id"], m["child_id"]))
        pairs[m["screening_id"]].append(
            analysis.ModerationPair(
                child_id=m["child_id"],
                setting_wellbeing=own.wellbeing if own else None,
                setting_involvement=own.involvement if own else None,
                evaluator_wellbeing=m["wellbeing"],
                evaluator_involvement=m["involvement"],
            )
        )
    agreements = {s.pk: analysis.agreement(pairs.get(s.pk, [])) for s in screenings}
    return YearData(
        setting=setting,
        year=year,
        groups=groups,
        screenings=screenings,
        records=records,
        children=children,
        agreements=agreements,
    )


@dataclass
class ScreeningFigures:
    screening: Screening
    figures: analysis.TermFigures
    agreement: analysis.Agreement


@dataclass
class TrendRow:
    """One child's scores per term and trend (child-level: the trends page only)."""

    code: str
    child_id: int
    terms: list[analysis.ScoreRecord | None]  # autumn, spring, summer
    trend: analysis.ChildTrend


@dataclass
class GroupReport:
    group: Group
    screenings: list[ScreeningFigures]
    trends: dict[int, analysis.ChildTrend]
    trend_counts: analysis.TrendCounts
    breakdowns: list[analysis.FlagBreakdown]

    @property
    def moderated(self) -> bool:
        return any(s.agreement.moderated for s in self.screenings)

    @property
    def latest(self) -> ScreeningFigures | None:
        return self.screenings[-1] if self.screenings else None


def _trend_rows(data: YearData, trends: dict[int, analysis.ChildTrend]) -> list[TrendRow]:
    per_child: dict[int, dict[str, analysis.ScoreRecord]] = defaultdict(dict)
    for record in analysis.one_per_child_and_term(data.records):
        per_child[record.child_id][record.term] = record
    rows = [
        TrendRow(
            code=data.children[child_id].code,
            child_id=child_id,
            terms=[per_child[child_id].get(term) for term in analysis.TERMS],
            trend=trend,
        )
        for child_id, trend in trends.items()
    ]
    return sorted(rows, key=lambda row: row.code)


def group_report(
    data: YearData,
    group: Group,
    *,
    all_trends: dict[int, analysis.ChildTrend] | None = None,
    rooms: dict[int, int] | None = None,
) -> GroupReport:
    """A group's figures for its year. Trends and gaps cover the children whose latest
    screening of the year was in this group, over all their screenings that year.

    ``all_trends`` and ``rooms`` (the whole year's) can be passed in when reporting on
    every group, so they are worked out once."""
    if all_trends is None:
        all_trends = analysis.child_trends(data.records)
    if rooms is None:
        rooms = analysis.room_of_each_child(data.records)
    trends = {c: t for c, t in all_trends.items() if rooms.get(c) == group.pk}
    group_records = [r for r in data.records if r.group_id == group.pk]
    screenings = sorted(
        (s for s in data.screenings if s.group_id == group.pk),
        key=lambda s: (analysis.TERM_RANK.get(s.term, 0), s.date, s.pk),
    )
    figures = [
        ScreeningFigures(
            screening=s,
            figures=analysis.term_figures(
                s.term, [r for r in group_records if r.screening_id == s.pk]
            ),
            agreement=data.agreements[s.pk],
        )
        for s in screenings
    ]
    own_records = [r for r in data.records if r.child_id in trends]
    return GroupReport(
        group=group,
        screenings=figures,
        trends=trends,
        trend_counts=analysis.trend_counts(trends.values()),
        breakdowns=analysis.breakdowns(own_records, data.children, trends),
    )


def group_trend_rows(data: YearData, report: GroupReport) -> list[TrendRow]:
    return _trend_rows(data, report.trends)


@dataclass
class TermSummary:
    figures: analysis.TermFigures
    screenings: int
    moderated: int  # screenings with a moderation sample


@dataclass
class SettingReport:
    terms: list[TermSummary]
    groups: list[GroupReport]
    trend_counts: analysis.TrendCounts
    breakdowns: list[analysis.FlagBreakdown]
    children: int

    @property
    def moderated(self) -> bool:
        return any(t.moderated for t in self.terms)


def setting_report(data: YearData) -> SettingReport:
    trends = analysis.child_trends(data.records)
    rooms = analysis.room_of_each_child(data.records)
    screenings_per_term: dict[str, list[Screening]] = defaultdict(list)
    for s in data.screenings:
        screenings_per_term[s.term].append(s)
    terms = [
        TermSummary(
            figures=figures,
            screenings=len(screenings_per_term[figures.term]),
            moderated=sum(
                1 for s in screenings_per_term[figures.term] if data.agreements[s.pk].moderated
            ),
        )
        for figures in analysis.figures_by_term(data.records)
    ]
    return SettingReport(
        terms=terms,
        groups=[group_report(data, group, all_trends=trends, rooms=rooms) for group in data.groups],
        trend_counts=analysis.trend_counts(trends.values()),
        breakdowns=analysis.breakdowns(data.records, data.children, trends),
        children=len(trends),
    )
